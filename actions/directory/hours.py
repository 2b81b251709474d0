"""Open now? From HSDS 3.0 schedules (RFC 5545 recurrence rules), in the region's time zone.

A schedule row is one of three things:
- a regular rule: ``freq`` (WEEKLY or MONTHLY) or ``byday``, with ``opens_at`` and ``closes_at``,
  optionally limited by ``valid_from``/``valid_to``, ``dtstart``/``until``/``count``, ``interval``,
  ``byweekno``, ``bymonthday``, ``byyearday``;
- special hours: ``valid_from``/``valid_to`` and times but no recurrence: on those dates these
  hours replace the regular ones;
- a closure: ``valid_from``/``valid_to`` (or a recurrence) and no times: closed on those days.
``closes_at`` at or before ``opens_at`` means the period runs past midnight (a night shelter);
equal times mean the whole day. Times are wall-clock times where the service is, so a night
across a daylight-saving change is still 8pm to 8am. A service may also be closed on public
holidays (the region's calendar, from the ``holidays`` package).

Anything that cannot be read with confidence makes the hours unknown, and unknown hours are
"call first", never "open".
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Status:
    """What a client is told: open (until when), closed (opens when), or unknown."""

    state: str  # "open", "closed", "unknown"
    until: dt.datetime | None = None  # open: when it closes (None: open round the clock)
    opens: dt.datetime | None = None  # closed: the next opening within a week, if any

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class Rule:
    opens: dt.time | None
    closes: dt.time | None
    freq: str | None
    byday: tuple[tuple[int, int], ...]  # (ordinal or 0, weekday 0=Monday)
    bymonthday: tuple[int, ...]
    byweekno: tuple[int, ...]
    byyearday: tuple[int, ...]
    interval: int
    dtstart: dt.date | None
    until: dt.date | None
    count: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    wkst: int

    @property
    def recurring(self) -> bool:
        return bool(self.freq or self.byday or self.bymonthday or self.byweekno or self.byyearday)

    @property
    def timed(self) -> bool:
        return self.opens is not None and self.closes is not None

    def in_validity(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        end = self.valid_to or (self.valid_from if not self.recurring else None)
        return not (end and day > end)

    def matches(self, day: dt.date) -> bool:
        """Whether the rule has an occurrence on ``day``."""
        if not self.in_validity(day):
            return False
        if not self.recurring:
            return True
        if (self.dtstart and day < self.dtstart) or (self.until and day > self.until):
            return False
        if self.count is not None:
            return _counted(self, day)
        if self.interval > 1 and not _on_interval(self, day):
            return False
        if self.byweekno and day.isocalendar()[1] not in self.byweekno:
            return False
        if self.byyearday and not _in_list(
            day.timetuple().tm_yday, self.byyearday, _year_days(day)
        ):
            return False
        dim = calendar.monthrange(day.year, day.month)[1]
        if self.bymonthday and not _in_list(day.day, self.bymonthday, dim):
            return False
        if self.byday:
            return any(_day_matches(day, n, wd, self.freq, dim) for n, wd in self.byday)
        if self.freq == "WEEKLY" and not (self.bymonthday or self.byyearday or self.byweekno):
            return self.dtstart is not None and day.weekday() == self.dtstart.weekday()
        return bool(self.bymonthday or self.byyearday or self.byweekno)


class Unreadable(ValueError):
    """A schedule row that cannot be read with confidence."""


def parse_rule(row: Mapping[str, Any]) -> Rule:
    """A rule from a schedule row (a dict of HSDS columns); Unreadable if it makes no sense."""
    freq = (row.get("freq") or "").upper() or None
    if freq not in (None, "WEEKLY", "MONTHLY"):
        raise Unreadable(f"freq {freq!r}")
    byday = tuple(_byday(x) for x in _items(row.get("byday")))
    interval = int(row.get("interval") or 1)
    count = int(row["count"]) if row.get("count") not in (None, "") else None
    if interval < 1 or (count is not None and count < 1):
        raise Unreadable("interval or count below 1")
    rule = Rule(
        opens=_time(row.get("opens_at")),
        closes=_time(row.get("closes_at")),
        freq=freq or ("WEEKLY" if byday else None),
        byday=byday,
        bymonthday=tuple(int(x) for x in _items(row.get("bymonthday"))),
        byweekno=tuple(int(x) for x in _items(row.get("byweekno"))),
        byyearday=tuple(int(x) for x in _items(row.get("byyearday"))),
        interval=interval,
        dtstart=_date(row.get("dtstart")),
        until=_date(row.get("until")),
        count=count,
        valid_from=_date(row.get("valid_from")),
        valid_to=_date(row.get("valid_to")),
        wkst=WEEKDAYS.index((row.get("wkst") or "MO").upper()),
    )
    if (rule.opens is None) != (rule.closes is None):
        raise Unreadable("only one of opens_at and closes_at")
    if (interval > 1 or count is not None) and rule.dtstart is None:
        raise Unreadable("interval or count without dtstart")
    if not rule.recurring and not rule.valid_from:
        raise Unreadable("neither a recurrence nor dates")
    return rule


@dataclass(frozen=True)
class Hours:
    """The schedule of one service at one place, ready to ask "open at this instant?"."""

    regular: tuple[Rule, ...]
    special: tuple[Rule, ...]
    closures: tuple[Rule, ...]
    closed_on_holidays: bool = False

    @property
    def known(self) -> bool:
        return bool(self.regular or self.special)

    def periods(
        self, day: dt.date, is_holiday: Callable[[dt.date], bool]
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """The opening periods that start on ``day`` (wall-clock, may end the next day)."""
        if any(c.matches(day) for c in self.closures):
            return []
        special = [r for r in self.special if r.matches(day)]
        if not special and self.closed_on_holidays and is_holiday(day):
            return []
        out = []
        for rule in special or [r for r in self.regular if r.matches(day)]:
            if rule.opens is None or rule.closes is None:  # only timed rules are kept here
                continue
            start = dt.datetime.combine(day, rule.opens)
            end = dt.datetime.combine(day, rule.closes)
            if end <= start:
                end += DAY
            out.append((start, end))
        return sorted(out)

    def status(
        self, now: dt.datetime, tz: ZoneInfo, is_holiday: Callable[[dt.date], bool]
    ) -> Status:
        """Open, closed or unknown at the instant ``now`` (timezone-aware)."""
        if not self.known:
            return Status("unknown")
        wall = now.astimezone(tz).replace(tzinfo=None)
        today = wall.date()
        periods = [p for d in range(-1, 8) for p in self.periods(today + d * DAY, is_holiday)]
        periods.sort()
        for start, end in periods:
            if start <= wall < end:
                until = _extend(end, periods)
                if until - wall > dt.timedelta(days=7):
                    return Status("open")
                return Status("open", until=until.replace(tzinfo=tz))
        upcoming = [start for start, _ in periods if start > wall]
        return Status("closed", opens=min(upcoming).replace(tzinfo=tz) if upcoming else None)


def hours_from_rows(rows: Iterable[Mapping[str, Any]], closed_on_holidays: bool = False) -> Hours:
    """Hours from schedule rows; a row that cannot be read makes the whole schedule unknown."""
    regular, special, closures = [], [], []
    try:
        for row in rows:
            rule = parse_rule(row)
            if not rule.timed:
                closures.append(rule)
            elif rule.recurring:
                regular.append(rule)
            else:
                special.append(rule)
    except (Unreadable, ValueError, TypeError):
        return Hours((), (), (), closed_on_holidays)
    return Hours(tuple(regular), tuple(special), tuple(closures), closed_on_holidays)


@functools.lru_cache(maxsize=8)
def holiday_calendar(country: str, subdivision: str | None) -> Callable[[dt.date], bool]:
    """``is_holiday(day)`` for a country (and state), from the ``holidays`` package."""
    import holidays  # imported on first use: it is big, and the action server starts fast

    calendar_ = holidays.country_holidays(country, subdiv=subdivision)

    def is_holiday(day: dt.date) -> bool:
        return day in calendar_

    return is_holiday


def _extend(end: dt.datetime, periods: list[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
    """Where back-to-back periods (a night then the next day) really close."""
    changed = True
    while changed:
        changed = False
        for start, finish in periods:
            if start <= end < finish:
                end, changed = finish, True
    return end


def _items(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [x.strip() for x in str(value).split(",") if x.strip()]


def _byday(text: str) -> tuple[int, int]:
    code = text[-2:].upper()
    if code not in WEEKDAYS:
        raise Unreadable(f"byday {text!r}")
    return (int(text[:-2]) if text[:-2] else 0, WEEKDAYS.index(code))


def _time(value: Any) -> dt.time | None:
    if value in (None, ""):
        return None
    text = str(value).strip().rstrip("Z")
    for sign in "+-":
        if sign in text[1:]:
            text = text[: text.index(sign, 1)]
    return dt.time.fromisoformat(text)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value not in (None, "") else None


def _in_list(value: int, allowed: tuple[int, ...], size: int) -> bool:
    return any(value == (a if a > 0 else size + a + 1) for a in allowed)


def _year_days(day: dt.date) -> int:
    return 366 if calendar.isleap(day.year) else 365


def _day_matches(day: dt.date, ordinal: int, weekday: int, freq: str | None, dim: int) -> bool:
    if day.weekday() != weekday:
        return False
    if ordinal == 0 or freq != "MONTHLY":
        return True
    if ordinal > 0:
        return (day.day - 1) // 7 + 1 == ordinal
    return (dim - day.day) // 7 + 1 == -ordinal


def _on_interval(rule: Rule, day: dt.date) -> bool:
    if rule.dtstart is None:  # parse_rule refuses an interval without a start
        return False
    if rule.freq == "MONTHLY":
        months = (day.year - rule.dtstart.year) * 12 + day.month - rule.dtstart.month
        return months % rule.interval == 0
    week = dt.timedelta(days=(day.weekday() - rule.wkst) % 7)
    start_week = dt.timedelta(days=(rule.dtstart.weekday() - rule.wkst) % 7)
    weeks = ((day - week) - (rule.dtstart - start_week)).days // 7
    return weeks % rule.interval == 0


def _counted(rule: Rule, day: dt.date) -> bool:
    """Rules limited by COUNT: enumerate the occurrences (dateutil) rather than guess."""
    return day in _occurrences(rule)


@functools.lru_cache(maxsize=1024)
def _occurrences(rule: Rule) -> frozenset[dt.date]:
    if rule.dtstart is None or rule.count is None:  # parse_rule refuses such rules
        return frozenset()
    kwargs: dict[str, Any] = {
        "dtstart": dt.datetime.combine(rule.dtstart, dt.time()),
        "interval": rule.interval,
        "count": rule.count,
        "wkst": rule.wkst,
    }
    if rule.byday:
        days = [rrule.weekdays[wd] for _, wd in rule.byday]
        kwargs["byweekday"] = [
            d(n) if n and rule.freq == "MONTHLY" else d
            for d, (n, _) in zip(days, rule.byday, strict=True)
        ]
    for key in ("bymonthday", "byweekno", "byyearday"):
        if getattr(rule, key):
            kwargs[key] = getattr(rule, key)
    if rule.until:
        kwargs["until"] = dt.datetime.combine(rule.until, dt.time.max)
    freq = rrule.MONTHLY if rule.freq == "MONTHLY" else rrule.WEEKLY
    return frozenset(d.date() for d in rrule.rrule(freq, **kwargs))
