"""The handoff's parts, built once for the app and wired to the gateway's inbox, router and outbox.

:func:`build` makes them; :meth:`Handoff.start` resumes what a restart left (staff posts to
send) and starts the watcher; :meth:`Handoff.stop` stops both, leaving the rest in the store.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.handoff.core import Core
from bot.handoff.desk import Desk
from bot.handoff.intake import Intake
from bot.handoff.queue import Watcher
from bot.handoff.relay import StaffRelay
from bot.handoff.roster import Roster
from bot.handoff.settings import HandoffSettings
from bot.handoff.signin import DEVICE_KEY, SignIn
from bot.inbox import Inbox
from bot.messages import Messages
from bot.outbox import Outbox
from bot.pipeline import Pipeline
from bot.privacy import SenderHasher
from bot.store import Store
from region import Region


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

    def attach_relay(self, relay: StaffRelay) -> None:
        self.relay = relay
        self.core.relay = relay

    async def start(self) -> None:
        if self.relay is not None:
            await self.relay.resume()
        self.watcher.start()

    async def stop(self, grace: float) -> None:
        await self.watcher.stop()
        if self.relay is not None:
            await self.relay.stop(grace)
        self.signin.close()


def build(
    settings: HandoffSettings,
    region: Region,
    store: Store,
    texts: Messages,
    hasher: SenderHasher,
    inbox: Inbox,
    pipeline: Pipeline,
    outbox: Outbox,
    clock: Callable[[], float] = time.time,
) -> Handoff:
    """The handoff for this gateway, joined to its inbox, router and outbox."""
    console = bool(settings.console_accounts)
    roster = Roster(settings, region.office_hours, console, clock, region.tz)
    core = Core(texts, roster, hasher, settings.telegram_staff)
    intake = Intake(core, store, texts)
    watcher = Watcher(core, store, settings, clock)
    core.outbox, core.pipeline, core.on_watch = outbox, pipeline, watcher.wake
    inbox.intake = intake
    pipeline.handoff = intake
    signin = SignIn(
        settings.console_accounts,
        lambda: store.meta_value(DEVICE_KEY, lambda: secrets.token_hex(32)),
    )
    return Handoff(settings, roster, core, intake, Desk(core, store), watcher, signin)
