"""Runs the real gateway app on loopback, on a socket bound before the settings are made.

Binding first means PUBLIC_URL (the webhook address Telegram and Twilio sign and call) is
known when the settings are built, with no fixed port and no race for one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from bot.state import INBOX, OUTBOX, PIPELINE, STORE

from .base import bound_socket


class RunningGateway:
    """``async with RunningGateway(make_settings) as gw``: gw.url, gw.app, gw.store..."""

    def __init__(
        self, make_settings: Callable[[str], Settings], clock: Callable[[], float] = time.time
    ) -> None:
        self._sock = bound_socket()
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = make_settings(self.url)
        self.app = create_app(self.settings, clock=clock)
        self._runner = web.AppRunner(self.app, handle_signals=False, shutdown_timeout=1.0)
        self.started = False

    async def start(self) -> RunningGateway:
        await self._runner.setup()
        await web.SockSite(self._runner, self._sock).start()
        self.started = True
        return self

    async def stop(self) -> None:
        """Stop as on SIGTERM: work in flight finishes or stays pending in the store."""
        if self.started:
            self.started = False
            await self._runner.cleanup()

    @property
    def store(self) -> Any:
        return self.app[STORE]

    def conversation_id(self, channel: str, address: str) -> str:
        return self.app[INBOX].conversation_id(channel, address)

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until the router and the outbox have nothing running."""

        async def both() -> None:
            for _ in range(3):
                await self.app[PIPELINE].idle()
                await self.app[OUTBOX].idle()
                await asyncio.sleep(0.01)

        await asyncio.wait_for(both(), timeout)

    async def __aenter__(self) -> RunningGateway:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
