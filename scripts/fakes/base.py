"""A small aiohttp server on 127.0.0.1, port 0, that its owner starts and stops."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aiohttp import web


def bound_socket() -> socket.socket:
    """A listening-ready TCP socket on 127.0.0.1 with a port the system chose."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LoopbackServer:
    """Runs ``self.app`` on loopback; ``stop()`` then ``start()`` reuses the same port."""

    def __init__(self) -> None:
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self._sock: socket.socket | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> str:
        if self._sock is None:
            self._sock = bound_socket()
            self.port = self._sock.getsockname()[1]
        self._runner = web.AppRunner(
            self.app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.SockSite(self._runner, self._sock).start()
        return self.url

    async def stop(self) -> None:
        """Stop serving; connections are refused until ``start()`` again (same port)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            # The runner closed the socket; bind a new one on the same port for a restart.
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind(("127.0.0.1", self.port))

    async def close(self) -> None:
        await self.stop()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    async def __aenter__(self) -> Any:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def wait_for(predicate: Any, timeout: float = 10.0, interval: float = 0.02) -> None:
    """Poll ``predicate()`` until it is true; fail the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)
