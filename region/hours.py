"""Office hours: when staff are at their desks, and when they are back.

The region file's ``office_hours`` section (see ``region/san-mateo.yml``) gives the weekly
hours in the region's time zone, the public holidays the office closes on (a country and
optional subdivision of the ``holidays`` package, which ships its calendars), and dates the
office closes or opens against that calendar. The gateway routes a case to the office's staff
during these hours and to the person on call outside them, and tells a client who waits when
staff are back.

Parsing is strict: a day, a time or a date that cannot be read, periods that overlap or end
before they start, and unknown keys are refused with a :class:`~region.RegionError`, so a
mistake is found at start-up and not at 2 a.m.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import holidays

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
# How far ahead to look for the next opening (an office closed a whole year is misconfigured).
_HORIZON_DAYS = 370


class OfficeHoursError(ValueError):
    """The office_hours section cannot be read; the message names the field."""


Period = tuple[time, time | None]  # None as the end: until midnight ("24:00")


@dataclass(frozen=True)
class OfficeHours:
    """Weekly opening periods in ``timezone``, closed on holidays and on ``closed`` dates."""

    timezone: str
    weekly: tuple[tuple[Period, ...], ...]  # index 0 is Monday
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed: frozenset[date] = field(default_factory=frozenset)
    opened: frozenset[date] = field(default_factory=frozenset)  # open despite a holiday

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        if day in self.opened:
            return False
        if day in self.closed:
            return True
        if self.holiday_country is None:
            return False
        return day in _calendar(self.holiday_country, self.holiday_subdivision, day.year)

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The opening periods of ``day`` (none on a holiday)."""
        return () if self.is_holiday(day) else self.weekly[day.weekday()]

    def is_open(self, at: datetime) -> bool:
        """Whether staff are in the office at ``at`` (an aware datetime, any zone)."""
        local = at.astimezone(self.tz)
        now = local.time().replace(tzinfo=None)
        return any(
            start <= now and (end is None or now < end)
            for start, end in self.periods_on(local.date())
        )

    def next_opening(self, at: datetime) -> datetime | None:
        """When the office next opens after ``at`` (``at`` itself if open now); None if never."""
        local = at.astimezone(self.tz)
        if self.is_open(at):
            return local
        for offset in range(_HORIZON_DAYS):
            day = local.date() + timedelta(days=offset)
            for start, _ in self.periods_on(day):
                opening = datetime.combine(day, start, tzinfo=self.tz)
                if opening > local:
                    return opening
        return None


def describe_opening(opening: datetime, now: datetime, language: str = "en") -> str:
    """'today at 9:00 AM', 'tomorrow at 9:00 AM', 'on Monday at 9:00 AM', 'on Dec 28 at 9:00 AM';
    in Spanish 'mañana a las 9:00 a. m.', 'el lunes a las 9:00 a. m.'.

    ``opening`` is in the office's zone; ``now`` is compared in that zone. Day and month names
    and the clock are CLDR's (the ``babel`` package), the words around them region/words.yml's.
    """
    from babel.dates import format_date, format_time

    from region import words_of

    words = words_of(language)
    local_now = now.astimezone(opening.tzinfo)
    # CLDR puts narrow no-break spaces in "9:00 a. m.": plain spaces read the same on a phone
    # and keep an SMS in GSM-7.
    clock = " ".join(format_time(opening, words["time_pattern"], locale=language).split())
    days = (opening.date() - local_now.date()).days
    if days <= 0:
        return words["today"].format(time=clock)
    if days == 1:
        return words["tomorrow"].format(time=clock)
    if days < 7:
        day = format_date(opening, "EEEE", locale=language)
        return words["weekday"].format(day=day, time=clock)
    date = format_date(opening, words["date_pattern"], locale=language)
    return words["date"].format(date=date, time=clock)


def parse_office_hours(raw: Any, timezone: str) -> OfficeHours:
    """The ``office_hours`` section of a region file; :class:`OfficeHoursError` if malformed."""
    if not isinstance(raw, Mapping):
        raise OfficeHoursError("office_hours must be a mapping with 'weekly' and 'holidays'")
    _only(raw, {"weekly", "holidays"}, "office_hours")
    weekly_raw = raw.get("weekly")
    if not isinstance(weekly_raw, Mapping):
        raise OfficeHoursError("office_hours.weekly must map day names to lists of periods")
    _only(weekly_raw, set(DAYS), "office_hours.weekly")
    weekly = tuple(_day(weekly_raw.get(name), f"office_hours.weekly.{name}") for name in DAYS)
    if not any(weekly):
        raise OfficeHoursError("office_hours.weekly has no opening period at all")
    country, subdivision, closed, opened = _holidays(raw.get("holidays"))
    return OfficeHours(timezone, weekly, country, subdivision, closed, opened)


def _only(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        raise OfficeHoursError(
            f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )


def _day(raw: Any, where: str) -> tuple[Period, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise OfficeHoursError(f'{where} must be a list of periods like "09:00-17:00"')
    periods = sorted((_period(item, where) for item in raw), key=lambda p: p[0])
    for (_, end), (start, _) in pairwise(periods):
        if end is None or start < end:
            raise OfficeHoursError(f"{where}: periods overlap")
    return tuple(periods)


def _period(raw: Any, where: str) -> Period:
    match = _PERIOD.fullmatch(str(raw).strip()) if isinstance(raw, str) else None
    if match is None:
        raise OfficeHoursError(f'{where}: {raw!r} is not a period like "09:00-17:00"')
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    start = _time(start_h, start_m, where, raw)
    if (end_h, end_m) == (24, 0):
        return start, None
    end = _time(end_h, end_m, where, raw)
    if end <= start:
        raise OfficeHoursError(
            f"{where}: {raw!r} ends before it starts (split a night across two days)"
        )
    return start, end


def _time(hour: int, minute: int, where: str, raw: str) -> time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise OfficeHoursError(f"{where}: {raw!r} has a time that does not exist")
    return time(hour, minute)


def _holidays(raw: Any) -> tuple[str | None, str | None, frozenset[date], frozenset[date]]:
    if raw is None:
        return None, None, frozenset(), frozenset()
    where = "office_hours.holidays"
    if not isinstance(raw, Mapping):
        raise OfficeHoursError(f"{where} must be a mapping")
    _only(raw, {"country", "subdivision", "closed", "open"}, where)
    country = raw.get("country")
    subdivision = raw.get("subdivision")
    if subdivision is not None and country is None:
        raise OfficeHoursError(f"{where}: a subdivision needs a country")
    if country is not None:
        country, subdivision = str(country), None if subdivision is None else str(subdivision)
        try:
            _calendar(country, subdivision, date.today().year)
        except NotImplementedError as exc:
            raise OfficeHoursError(f"{where}: {exc}") from None
    return (
        country,
        subdivision,
        _dates(raw.get("closed"), f"{where}.closed"),
        _dates(raw.get("open"), f"{where}.open"),
    )


def _dates(raw: Any, where: str) -> frozenset[date]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise OfficeHoursError(f"{where} must be a list of dates like 2026-12-24")
    found = set()
    for item in raw:
        if isinstance(item, date) and not isinstance(item, datetime):
            found.add(item)
            continue
        try:
            found.add(date.fromisoformat(str(item)))
        except ValueError:
            raise OfficeHoursError(f"{where}: {item!r} is not a date like 2026-12-24") from None
    return frozenset(found)


@lru_cache(maxsize=64)
def _calendar(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision, years=year)
