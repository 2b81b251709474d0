"""The queue of open cases, and the watcher that makes sure no waiting client is forgotten.

Open cases are ordered by risk (high first), then by how long they have waited
(:meth:`~bot.handoff.model.Case.queue_key`). For a case nobody has claimed, with N the
``HANDOFF_UNCLAIMED_MINUTES`` setting:

- every N minutes it is announced again in its staff group;
- after 2N minutes the backup (``BACKUP_PHONE``) is paged, once, and the client is told plainly
  that nobody has answered yet, when staff are back, and which 24/7 line to call now;
- a normal-risk case still unclaimed after ``HANDOFF_GIVE_UP_MINUTES`` is closed, the client
  told the same and handed back to the assistant. A high-risk case is never closed by a
  timeout: it is announced again every N minutes until someone claims it.

:func:`due` decides from a case and the time alone (a pure function); :class:`Watcher` applies
it to every waiting case, every few seconds and whenever a case changes. Its clock is injected,
so tests move time forward and call :meth:`Watcher.tick`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.db import Connection, Database
from bot.handoff import cases
from bot.handoff.core import Core
from bot.handoff.model import Case
from bot.handoff.settings import HandoffSettings
from bot.hooks import Effects, Handoff, Kickable, start
from bot.workers import Rounds

log = logging.getLogger(__name__)

TICK_SECONDS = 15.0


@dataclass(frozen=True)
class Due:
    """What a waiting case needs now."""

    remind: bool = False
    page_backup: bool = False
    tell_client: bool = False
    close: bool = False

    def __bool__(self) -> bool:
        return self.remind or self.page_backup or self.tell_client or self.close


def due(case: Case, now: float, settings: HandoffSettings) -> Due:
    """What a case needs at ``now``: nothing unless it is waiting and has waited long enough."""
    if case.status != "waiting":
        return Due()
    waited = now - case.opened_at
    step = settings.unclaimed_minutes * 60
    if case.risk != "high" and waited >= settings.give_up_minutes * 60:
        return Due(close=True)
    return Due(
        remind=waited >= step * (case.reminders + 1),
        page_backup=waited >= 2 * step
        and case.backup_paged_at is None
        and settings.backup_phone is not None,
        tell_client=waited >= 2 * step and case.client_told_unavailable_at is None,
    )


@dataclass(eq=False)
class Watcher:
    """Looks at the waiting cases every :data:`TICK_SECONDS`, and when ``watch`` is set (a case
    changed); ``outbox``, ``pipeline`` and ``handoff`` start what a look leaves to do."""

    core: Core
    db: Database
    settings: HandoffSettings
    watch: asyncio.Event
    outbox: Kickable
    pipeline: Kickable
    handoff: Handoff
    clock: Callable[[], float] = time.time
    interval: float = TICK_SECONDS
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _rounds: Rounds | None = field(default=None, init=False)

    def start(self) -> None:
        self._rounds = Rounds("handoff watcher", self._round, self.interval, self.watch)
        self._rounds.start()

    async def stop(self) -> None:
        if self._rounds is not None:
            await self._rounds.stop()

    async def _round(self) -> None:
        await self.tick()

    async def tick(self) -> int:
        """Do what every waiting case needs now; how many cases needed something."""
        async with self._lock:
            effects = Effects()
            done = await self.db.run(self._tick, self.clock(), effects)
            effects.watch = False  # this was the look
            start(effects, self.outbox, self.pipeline, self.handoff)
            return done

    def _tick(self, c: Connection, now: float, eff: Effects) -> int:
        done = 0
        for case in cases.open_cases(c):
            need = due(case, now, self.settings)
            if not need:
                continue
            done += 1
            if need.close:
                self.core.close(c, case, None, "timeout", None, now, eff)
                continue
            if need.remind:  # one reminder now, however many steps a stopped gateway missed
                step = self.settings.unclaimed_minutes * 60
                cases.set_fields(c, case.id, reminders=int((now - case.opened_at) // step))
                self.core.post(c, case, "remind", now, eff)
            if need.page_backup and self.settings.backup_phone is not None:
                self.core.page_backup(c, case, self.settings.backup_phone, now, eff)
                cases.set_fields(c, case.id, backup_paged_at=now)
            if need.tell_client:
                texts = self.core.texts_for(case)
                back = self.core.roster.back_when(now, texts.language)
                text = texts.with_back(texts.handoff_unavailable, back)
                self.core.tell_client(c, case, [text], "handoff", now, eff)
                cases.set_fields(c, case.id, client_told_unavailable_at=now)
                cases.add_entry(
                    c, case.id, "system", "The client was told nobody is free yet.", now
                )
        return done
