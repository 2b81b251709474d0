"""``python -m bot`` as a child process, for tests and benchmarks: start, wait, read its log, stop."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import aiohttp


def free_port() -> int:
    # The gateway binds the port itself; another process could take it in between (unlikely).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GatewayProcess:
    """The gateway started with ``env`` in ``cwd``; its log is drained as it comes."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.port = env["GATEWAY_PORT"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: asyncio.subprocess.Process | None = None
        self._lines: list[bytes] = []
        self._reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return int(self.process.pid)

    @property
    def stderr(self) -> str:
        return b"".join(self._lines).decode()

    async def spawn(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.cwd, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        """Drain the log as it comes: a full pipe would block the gateway."""
        assert self.process is not None
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self._lines.append(line)

    async def start(self) -> None:
        await self.spawn()
        assert self.process is not None
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"{self.url}/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.process.returncode is not None:
                    break
                await asyncio.sleep(0.05)
        await self.stop()
        raise AssertionError(f"the gateway did not start:\n{self.stderr}")

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops it; the exit status."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), 30)
        if self._reader is not None:
            await self._reader
        return int(self.process.returncode or 0)
