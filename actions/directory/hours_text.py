"""Opening hours written as free text ("M-F 8:30am-5pm, Sa 9am-1pm"), read only when certain.

Link-SF gives hours as text. This reads the common shapes: days (Mon, Tues, M-F, MTuThF,
Daily), time ranges (10am-1pm, 3-6pm, 8-noon, 11:00am to 3:00pm), several of each separated by
commas, semicolons, "&" or "and", and "Open 24 hrs". Anything else in the text (a label such
as "Drop in:", a meal name, a single time with no end, a note in brackets) means the text is
not read at all: the service's hours are unknown and the client is told to call first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DAY_WORDS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
LETTERS = {"m": 0, "tu": 1, "w": 2, "th": 3, "f": 4, "sa": 5, "su": 6}
ALL_DAYS = frozenset(range(7))
_DAY = r"(?:" + "|".join(sorted(DAY_WORDS, key=len, reverse=True)) + r"|(?:m|tu|w|th|f|sa|su)+)"
_TIME = r"(?:\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|noon|midnight)"
_TOKEN = re.compile(
    rf"\s*(?:(?P<daily>daily|everyday|every day)"
    rf"|(?P<range>{_TIME})\s*(?:-|–|to)\s*(?P<end>{_TIME})"
    rf"|(?P<days>{_DAY})(?:\s*(?:-|–|through|thru)\s*(?P<dayend>{_DAY}))?"
    rf"|(?P<sep>[,;&.]|and))(?![a-z0-9])",
    re.IGNORECASE,
)
_ROUND_THE_CLOCK = re.compile(r"^\s*(?:open\s+)?24\s*(?:hrs|hours)\.?(?:\s+a\s+day)?\.?\s*$", re.I)
_HOLIDAYS = re.compile(r"[.,;]?\s*closed\s+(?:on\s+)?(?:public\s+)?holidays\.?", re.I)


@dataclass(frozen=True)
class ParsedHours:
    periods: tuple[tuple[frozenset[int], dt.time, dt.time], ...]  # (weekdays, opens, closes)
    closed_on_holidays: bool = False


def parse_hours(text: str | None) -> ParsedHours | None:
    """The weekly hours ``text`` states, or None when it cannot be read with confidence."""
    if not text or not text.strip():
        return None
    holidays = bool(_HOLIDAYS.search(text))
    text = _HOLIDAYS.sub("", text).strip()
    if _ROUND_THE_CLOCK.match(text):
        return ParsedHours(((ALL_DAYS, dt.time(0), dt.time(0)),), holidays)
    periods: list[tuple[frozenset[int], dt.time, dt.time]] = []
    days: frozenset[int] | None = None
    days_open = False  # the last thing read was a day: another day adds to it
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            return None
        pos = match.end()
        if match.group("sep"):
            continue
        if match.group("daily"):
            days, days_open = ALL_DAYS, True
        elif match.group("days"):
            found = _days(match.group("days"), match.group("dayend"))
            if found is None:
                return None
            days = (days | found) if (days_open and days is not None) else found
            days_open = True
        else:
            span = _span(match.group("range"), match.group("end"))
            if span is None or days is None:
                return None
            periods.append((days, *span))
            days_open = False
    if not periods or days_open:
        return None
    return ParsedHours(tuple(periods), holidays)


def _days(first: str, last: str | None) -> frozenset[int] | None:
    start = _day_list(first)
    if last is None:
        return frozenset(start) if start else None
    end = _day_list(last)
    if not start or not end or len(start) != 1 or len(end) != 1:
        return None
    a, b = start[0], end[0]
    return frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))


def _day_list(token: str) -> list[int]:
    token = token.lower()
    if token in DAY_WORDS:
        return [DAY_WORDS[token]]
    found = re.findall(r"tu|th|sa|su|m|w|f", token)
    if "".join(found) != token:
        return []
    return [LETTERS[x] for x in found]


def _clock(text: str) -> tuple[int, int, str | None] | None:
    text = text.lower().replace(".", "").replace(" ", "")
    if text == "noon":
        return 12, 0, "pm"
    if text == "midnight":
        return 12, 0, "am"
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if not (1 <= hour <= 12 if match.group(3) else 0 <= hour <= 23) or minute > 59:
        return None
    return hour, minute, match.group(3)


def _span(start_text: str, end_text: str) -> tuple[dt.time, dt.time] | None:
    start, end = _clock(start_text), _clock(end_text)
    if start is None or end is None:
        return None
    (sh, sm, smer), (eh, em, emer) = start, end
    if smer is None and emer is None:
        if 5 <= sh <= 11 and 1 <= eh <= 9:  # "9-5": business hours, as anyone reads it
            smer, emer = "am", "pm"
        else:
            return None
    elif smer is None:
        smer = emer
        if _minutes(sh, sm, smer) >= _minutes(eh, em, emer) and emer == "pm":
            smer = "am"
    elif emer is None:
        emer = smer if (eh, em) > (sh, sm) and eh != 12 else ("pm" if smer == "am" else "am")
    opens, closes = _minutes(sh, sm, smer), _minutes(eh, em, emer)
    return dt.time(opens // 60, opens % 60), dt.time(closes // 60, closes % 60)


def _minutes(hour: int, minute: int, meridiem: str | None) -> int:
    if meridiem is None:
        return hour * 60 + minute
    hour = hour % 12 + (12 if meridiem == "pm" else 0)
    return hour * 60 + minute
