"""The range a report covers: ``since`` (``7d``, ``12h``, ``8w`` or a date) up to ``until``.

Dates are the region's local days; the report's events are hours, so a range is whole hours.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.db.report import HOUR, hour_of

MAX_DAYS = 400  # a year and a little: a funder's annual return
CHOICES = ("1d", "7d", "30d", "90d", "365d")  # what the page offers
_AGO = re.compile(r"^(\d{1,4})([hdw])$")
_UNIT = {"h": HOUR, "d": 24 * HOUR, "w": 7 * 24 * HOUR}


class PeriodError(ValueError):
    """A range that cannot be read, or that is empty or too long; the message says which."""


@dataclass(frozen=True)
class Period:
    since: float  # the first hour counted (Unix time)
    until: float  # the end, not included
    tz: ZoneInfo

    @property
    def label(self) -> str:
        first = dt.datetime.fromtimestamp(self.since, self.tz)
        last = dt.datetime.fromtimestamp(self.until - 1, self.tz)
        return f"{first:%Y-%m-%d %H:00} to {last:%Y-%m-%d %H:59} ({self.tz.key})"

    def days(self) -> list[dt.date]:
        """The local days the period touches, in order."""
        day = dt.datetime.fromtimestamp(self.since, self.tz).date()
        last = dt.datetime.fromtimestamp(self.until - 1, self.tz).date()
        found = []
        while day <= last:
            found.append(day)
            day += dt.timedelta(days=1)
        return found


def parse(since: str | None, until: str | None, now: float, tz: ZoneInfo) -> Period:
    """The period ``since`` .. ``until`` (default: the last 30 days up to now)."""
    end = _moment(until, tz, end=True) if until else hour_of(now) + HOUR
    start = _start(since or "30d", end, tz)
    if start >= end:
        raise PeriodError("the start of the period must be before its end")
    if end - start > MAX_DAYS * 24 * HOUR:
        raise PeriodError(f"a report covers at most {MAX_DAYS} days")
    return Period(hour_of(start), end, tz)


def _start(text: str, end: float, tz: ZoneInfo) -> float:
    ago = _AGO.match(text.strip().lower())
    if ago:
        return end - int(ago[1]) * _UNIT[ago[2]]
    return _moment(text, tz, end=False)


def _moment(text: str, tz: ZoneInfo, end: bool) -> float:
    """A local date (its start, or for an end the start of the next day)."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            f"{text[:40]!r} is not a period: say 7d, 12h, 8w or a date such as 2026-11-01"
        ) from None
    if end:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()
