"""The handoff's parts, built once for the app, each given what it works with.

They are built in two steps around the router, which both needs the first and is needed by the
second: :func:`client_side` makes what the inbox and the router are built with (the
:class:`~bot.handoff.intake.Intake`, and the staff relay it starts); :func:`staff_side`, given
the outbox and the router, makes the desk (what staff do) and the watcher of waiting cases.
:meth:`Handoff.start` resumes what a restart left (staff posts to send) and starts the watcher;
:meth:`Handoff.stop` stops both, leaving the rest in the store.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.db import Database, meta
from bot.handoff.core import Core
from bot.handoff.desk import Desk
from bot.handoff.group.relay import StaffRelay
from bot.handoff.intake import Intake
from bot.handoff.oncall.queue import Watcher
from bot.handoff.oncall.roster import Roster
from bot.handoff.settings import HandoffSettings
from bot.hooks import Kickable
from bot.messages import Catalog
from bot.privacy import SenderHasher
from bot.web.signin import DEVICE_KEY, SignIn
from region import Region

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBot


@dataclass
class Handoff:
    settings: HandoffSettings
    roster: Roster
    core: Core
    intake: Intake
    desk: Desk
    watcher: Watcher
    signin: SignIn
    relay: StaffRelay | None = None

    async def start(self) -> None:
        if self.relay is not None:
            await self.relay.resume()
        self.watcher.start()

    async def stop(self, grace: float) -> None:
        await self.watcher.stop()
        if self.relay is not None:
            await self.relay.stop(grace)
        self.signin.close()


def client_side(
    settings: HandoffSettings,
    region: Region,
    db: Database,
    texts: Catalog,
    hasher: SenderHasher,
    telegram: TelegramBot | None,
    clock: Callable[[], float] = time.time,
) -> tuple[Intake, StaffRelay | None]:
    """The handoff the inbox and the router are built with, and its staff relay (with a
    Telegram staff group)."""
    console = bool(settings.console_accounts)
    roster = Roster(settings, region.office_hours, console, clock, region.tz)
    core = Core(texts, roster, hasher, settings.telegram_staff)
    relay = None
    if settings.telegram_staff and telegram is not None:
        relay = StaffRelay(db, telegram, roster, clock)
    return Intake(core, relay, asyncio.Event()), relay


def staff_side(
    settings: HandoffSettings,
    intake: Intake,
    relay: StaffRelay | None,
    db: Database,
    outbox: Kickable,
    pipeline: Kickable,
    clock: Callable[[], float] = time.time,
) -> Handoff:
    """The whole handoff: the desk and the watcher, which start the outbox and the router;
    the console's sign-in, whose device key the store keeps."""
    core = intake.core
    desk = Desk(core, db, outbox, pipeline, intake, clock)
    watcher = Watcher(core, db, settings, intake.watch, outbox, pipeline, intake, clock)
    signin = SignIn(
        settings.console_accounts,
        lambda: db.run(meta.value, DEVICE_KEY, lambda: secrets.token_hex(32)),
    )
    return Handoff(settings, core.roster, core, intake, desk, watcher, signin, relay)
