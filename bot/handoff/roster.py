"""Who answers a case now: the office's staff group, or the on-call group and worker after hours.

Office hours come from the region file (:mod:`region.hours`); the groups and numbers from the
deployment's settings (:mod:`bot.handoff.settings`). A region without office hours has no
"after hours": cases always go to the staff group. The clock is injected, so tests decide
whether it is 2 a.m.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.handoff.settings import HandoffSettings
from region.hours import OfficeHours, describe_opening


@dataclass(frozen=True)
class Route:
    """Where a case opened now goes."""

    name: str  # office, on_call
    chat_id: int | None  # the Telegram group to announce it in (None: the console only)
    page_phone: str | None  # paged at once for a high-risk case (after hours only)
    reachable: bool  # staff can answer: a staff group, or the console (a page alone is not enough)


class Roster:
    def __init__(
        self,
        settings: HandoffSettings,
        hours: OfficeHours | None,
        console: bool,
        clock: Callable[[], float],
        tz: ZoneInfo | None = None,
    ) -> None:
        self.settings = settings
        self.hours = hours
        self.console = console
        self.clock = clock
        self.tz = tz or (hours.tz if hours is not None else ZoneInfo("UTC"))

    def _now(self, at: float | None = None) -> datetime:
        return datetime.fromtimestamp(self.clock() if at is None else at, tz=timezone.utc)

    def in_office_hours(self, at: float | None = None) -> bool:
        return self.hours is None or self.hours.is_open(self._now(at))

    def route(self, at: float | None = None) -> Route:
        """Where a case opened at ``at`` (default: now) goes."""
        if self.in_office_hours(at):
            chat = self.settings.staff_chat_id
            return Route("office", chat, None, chat is not None or self.console)
        chat = self.settings.on_call_chat_id
        phone = self.settings.on_call_phone
        return Route("on_call", chat, phone, chat is not None or self.console)

    def back_when(self, at: float | None = None, language: str = "en") -> str | None:
        """When staff are back in the office, said plainly in ``language``; None in office
        hours (they are there, only busy) and without office hours."""
        if self.hours is None:
            return None
        now = self._now(at)
        if self.hours.is_open(now):
            return None
        opening = self.hours.next_opening(now)
        return None if opening is None else describe_opening(opening, now, language)

    def local_time(self, at: float) -> str:
        """``at`` as staff read it: "Tue 02:04", in the region's time zone."""
        return self._now(at).astimezone(self.tz).strftime("%a %H:%M")
