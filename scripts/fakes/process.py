"""``python -m bot`` as a child process, for tests and benchmarks: start, wait, read its log, stop."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp

from scripts.stack import ROOT, free_port


def loopback_env(
    store_dir: Path, rasa_url: str, telegram_url: str, twilio_url: str, **extra: str
) -> dict[str, str]:
    """The environment of a gateway process on a free port, with Telegram and SMS pointed at
    loopback fakes (scripts.fakes) and its SQLite store in ``store_dir``."""
    from .telegram import BOT_TOKEN, WEBHOOK_SECRET
    from .twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

    port = str(free_port())
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "GATEWAY_PORT": port,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GATEWAY_DATABASE_URL": f"sqlite:///{store_dir}/gateway.db",
        "RASA_URL": rasa_url,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": twilio_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


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
