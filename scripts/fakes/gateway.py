"""Runs the real gateway app on loopback, on a socket bound before the settings are made.

Binding first means PUBLIC_URL (the webhook address Telegram and Twilio sign and call) is
known when the settings are built, with no fixed port and no race for one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.db import Database
from bot.logs import AccessLogger
from bot.pacing import Pacer
from bot.settings import Secret, Settings
from bot.state import DB, HANDOFF, INBOX, OUTBOX, PIPELINE, SENDERS

from .base import bound_socket
from .telegram import BOT_TOKEN, WEBHOOK_SECRET
from .twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER


class RunningGateway:
    """``async with RunningGateway(make_settings) as gw``: gw.url, gw.app, gw.db...

    ``paced``: whether sends keep to the providers' limits (bot/pacing.py: one message a
    second to one chat or phone, 20 a minute to the staff group). The fakes have none, and a
    test that is not about pacing need not wait them out: tests/conftest.py lifts them, except
    for tests marked ``paced``.
    """

    paced = True

    def __init__(
        self, make_settings: Callable[[str], Settings], clock: Callable[[], float] = time.time
    ) -> None:
        self._sock = bound_socket()
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = make_settings(self.url)
        self.app = create_app(self.settings, clock=clock)
        self._runner = web.AppRunner(
            self.app, handle_signals=False, shutdown_timeout=1.0, access_log_class=AccessLogger
        )
        self.started = False

    async def start(self) -> RunningGateway:
        await self._runner.setup()
        if not self.paced:
            self.lift_pacing()
        await web.SockSite(self._runner, self._sock).start()
        self.started = True
        return self

    async def stop(self) -> None:
        """Stop as on SIGTERM: work in flight finishes or stays pending in the store."""
        if self.started:
            self.started = False
            await self._runner.cleanup()

    def lift_pacing(self) -> None:
        """No wait between sends (a provider's "retry after" is still honoured)."""
        for sender in self.app[SENDERS].values():
            sender.pacer = unpaced()
        relay = self.app[HANDOFF].relay if HANDOFF in self.app else None
        if relay is not None:
            relay.pacer = unpaced()

    @property
    def db(self) -> Database:
        return self.app[DB]

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


def loopback_settings(
    url: str,
    database: Path,
    rasa_url: str,
    telegram_url: str | None = None,
    twilio_url: str | None = None,
    webhook: bool = False,
    **fields: Any,
) -> Settings:
    """Gateway settings for a gateway at ``url`` that talks to the fakes on loopback.

    Telegram and SMS are on when their fake's URL is given; SMS and webhook mode need the
    public URL, which is the gateway's own.
    """
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": int(url.rsplit(":", 1)[1]),
        "database_url": Secret(f"sqlite:///{database}"),
        "rasa_urls": (rasa_url,),
        "rasa_timeout": 2.0,
        "sender_hash_salt": Secret("salt-for-tests"),
        "public_url": url if (webhook or twilio_url) else None,
        "review_tracker_url": "off",  # a test that fills the review inbox names its store
    }
    if telegram_url is not None:
        values["telegram_bot_token"] = Secret(BOT_TOKEN)
        values["telegram_api_url"] = telegram_url
        values["telegram_webhook_secret"] = Secret(WEBHOOK_SECRET)
    if twilio_url is not None:
        values["twilio_account_sid"] = ACCOUNT_SID
        values["twilio_auth_token"] = Secret(AUTH_TOKEN)
        values["twilio_from_number"] = FROM_NUMBER
        values["twilio_api_url"] = twilio_url
    values.update(fields)
    return dataclasses.replace(Settings(), **values)


def unpaced() -> Pacer:
    return Pacer(1e6, 1e6, 1e6, 1e6)
