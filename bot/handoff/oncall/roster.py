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
from contract import DEFAULT_LANGUAGE
from region.hours import OfficeHours, describe_opening


@dataclass(frozen=True)
class Route:
    """Where a case opened now goes."""

    name: str  # office, on_call
    chat_id: int | None  # the Telegram group to announce it in (None: the console only)
    page_phone: str | None  # paged at once for a high-risk case (after hours only)
    reachable: bool  # staff can answer: a staff group, or the console (a page alone is not enough)
    languages: frozenset[str] = frozenset(
        {DEFAULT_LANGUAGE}
    )  # the languages staff answer in on this route

    def speaks(self, language: str | None) -> bool:
        """Whether someone on this route answers in ``language`` (None: the default one)."""
        return (language or DEFAULT_LANGUAGE) in self.languages


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

    def route(self, at: float | None = None, language: str | None = None) -> Route:
        """Where a case opened at ``at`` (default: now) goes; after hours, the on-call worker
        who speaks the client's ``language`` is paged first when the roster names one."""
        settings = self.settings
        if self.in_office_hours(at):
            chat = settings.staff_chat_id
            return Route("office", chat, None, chat is not None or self.console, settings.languages)
        chat = settings.on_call_chat_id
        by_language = settings.phones_by_language
        phone = by_language.get(language or DEFAULT_LANGUAGE) or settings.on_call_phone
        speakers = settings.on_call_languages | frozenset(by_language)
        return Route("on_call", chat, phone, chat is not None or self.console, speakers)

    def back_when(self, at: float | None = None, language: str = DEFAULT_LANGUAGE) -> str | None:
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
