"""Open now, as a table of cases: overnight, a daylight-saving night, holidays, closures,
two periods a day, monthly and fortnightly rules, and hours that cannot be known."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from actions.directory.hours import hours_from_rows, parse_rule
from tests.directory.conftest import TZ, local

EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
NIGHT = [{"freq": "WEEKLY", "byday": EVERY_DAY, "opens_at": "20:00", "closes_at": "08:00"}]
WEEKDAYS_9_5 = [
    {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}
]
TWO_PERIODS = [
    {"byday": "MO", "opens_at": "08:00", "closes_at": "12:00"},
    {"byday": "MO", "opens_at": "14:00", "closes_at": "16:00"},
]
ROUND_THE_CLOCK = [
    {"freq": "WEEKLY", "byday": EVERY_DAY, "opens_at": "00:00", "closes_at": "00:00"}
]
THANKSGIVING_2026 = dt.date(2026, 11, 26)


def holidays(day: dt.date) -> bool:
    return day == THANKSGIVING_2026


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone.utc)  # type: ignore[misc]


# (case, schedule rows, closed on public holidays, instant, state, wall-clock "until"/"opens")
CASES: list[tuple[str, list[dict[str, Any]], bool, dt.datetime, str, str | None]] = [
    ("night shelter, before it opens", NIGHT, False, local(2026, 11, 23, 19, 59), "closed", "20:00"),
    ("night shelter, evening", NIGHT, False, local(2026, 11, 23, 21, 0), "open", "08:00"),
    ("night shelter, after midnight", NIGHT, False, local(2026, 11, 24, 3, 0), "open", "08:00"),
    ("night shelter, morning after", NIGHT, False, local(2026, 11, 24, 8, 0), "closed", "20:00"),
    # 8 March 2026: clocks go from 2:00 to 3:00. 09:30 UTC is 1:30 PST; 14:30 UTC is 7:30 PDT.
    ("spring-forward night, before the change", NIGHT, False, utc(2026, 3, 8, 9, 30), "open", "08:00"),
    ("spring-forward night, after the change", NIGHT, False, utc(2026, 3, 8, 14, 30), "open", "08:00"),
    ("spring-forward morning, 8:30 PDT", NIGHT, False, utc(2026, 3, 8, 15, 30), "closed", "20:00"),
    # 1 November 2026: clocks go from 2:00 back to 1:00. 15:30 UTC is 7:30 PST; 16:30 is 8:30.
    ("fall-back night, 7:30 PST", NIGHT, False, utc(2026, 11, 1, 15, 30), "open", "08:00"),
    ("fall-back morning, 8:30 PST", NIGHT, False, utc(2026, 11, 1, 16, 30), "closed", "20:00"),
    ("two periods, before the first", TWO_PERIODS, False, local(2026, 11, 23, 7, 0), "closed", "08:00"),
    ("two periods, in the first", TWO_PERIODS, False, local(2026, 11, 23, 9, 0), "open", "12:00"),
    ("two periods, at lunch", TWO_PERIODS, False, local(2026, 11, 23, 13, 0), "closed", "14:00"),
    ("two periods, in the second", TWO_PERIODS, False, local(2026, 11, 23, 15, 59), "open", "16:00"),
    ("two periods, after both", TWO_PERIODS, False, local(2026, 11, 23, 16, 0), "closed", "08:00"),
    ("weekday office on a Saturday", WEEKDAYS_9_5, False, local(2026, 11, 28, 11, 0), "closed", "09:00"),
    ("weekday office on Thanksgiving, open on holidays", WEEKDAYS_9_5, False, local(2026, 11, 26, 11, 0), "open", "17:00"),
    ("weekday office on Thanksgiving, closed on holidays", WEEKDAYS_9_5, True, local(2026, 11, 26, 11, 0), "closed", "09:00"),
    ("round the clock", ROUND_THE_CLOCK, False, local(2026, 11, 23, 3, 0), "open", None),
    ("no schedule", [], False, local(2026, 11, 23, 11, 0), "unknown", None),
    ("a schedule that cannot be read", [{"description": "call us"}], False, local(2026, 11, 23, 11, 0), "unknown", None),
    ("one readable and one unreadable row", [*WEEKDAYS_9_5, {"freq": "YEARLY", "opens_at": "09:00", "closes_at": "10:00"}], False, local(2026, 11, 23, 11, 0), "unknown", None),
    ("hours only within their validity", [{**WEEKDAYS_9_5[0], "valid_to": "2026-11-20"}], False, local(2026, 11, 23, 11, 0), "closed", None),
    ("a closure over several days", [*WEEKDAYS_9_5, {"valid_from": "2026-11-23", "valid_to": "2026-11-25"}], False, local(2026, 11, 24, 11, 0), "closed", "09:00"),
    ("special hours replace the regular ones", [*WEEKDAYS_9_5, {"valid_from": "2026-11-24", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 24, 11, 30), "open", "12:00"),
    ("special hours on a holiday", [*WEEKDAYS_9_5, {"valid_from": "2026-11-26", "opens_at": "10:00", "closes_at": "12:00"}], True, local(2026, 11, 26, 11, 0), "open", "12:00"),
    ("first Monday of the month, on it", [{"freq": "MONTHLY", "byday": "1MO", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 2, 11, 0), "open", "12:00"),
    ("first Monday of the month, a week later", [{"freq": "MONTHLY", "byday": "1MO", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 9, 11, 0), "closed", None),
    ("last Friday of the month", [{"freq": "MONTHLY", "byday": "-1FR", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 27, 11, 0), "open", "12:00"),
    ("15th of the month", [{"freq": "MONTHLY", "bymonthday": "15", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 15, 11, 0), "open", "12:00"),
    ("every other week, on week", [{"freq": "WEEKLY", "interval": 2, "byday": "MO", "dtstart": "2026-11-02", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 16, 11, 0), "open", "12:00"),
    ("every other week, off week", [{"freq": "WEEKLY", "interval": 2, "byday": "MO", "dtstart": "2026-11-02", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 9, 11, 0), "closed", "10:00"),
    ("three Mondays only (count)", [{"freq": "WEEKLY", "count": 3, "byday": "MO", "dtstart": "2026-11-02", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 23, 11, 0), "closed", None),
    ("three Mondays only, the third", [{"freq": "WEEKLY", "count": 3, "byday": "MO", "dtstart": "2026-11-02", "opens_at": "10:00", "closes_at": "12:00"}], False, local(2026, 11, 16, 11, 0), "open", "12:00"),
    ("until a date", [{**WEEKDAYS_9_5[0], "until": "2026-11-20"}], False, local(2026, 11, 23, 11, 0), "closed", None),
    ("times with seconds and a zone suffix", [{"byday": "MO", "opens_at": "10:00:00Z", "closes_at": "12:00:00Z"}], False, local(2026, 11, 23, 11, 0), "open", "12:00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "holiday_closed", "now", "state", "when"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_open_now(
    rows: list[dict[str, Any]], holiday_closed: bool, now: dt.datetime, state: str, when: str | None
) -> None:
    status = hours_from_rows(rows, holiday_closed).status(now, TZ, holidays)
    assert status.state == state
    moment = status.until if state == "open" else status.opens
    assert (moment.astimezone(TZ).strftime("%H:%M") if moment else None) == when


def test_unknown_hours_are_never_open() -> None:
    for rows in (
        [],
        [{"description": "Open most days"}],
        [{"byday": "XX", "opens_at": "9:00", "closes_at": "17:00"}],
    ):
        assert not hours_from_rows(rows).status(local(2026, 11, 23, 12, 0), TZ, holidays).is_open


def test_the_hsds_example_schedule_is_read() -> None:
    row = {"valid_from": "2005-01-01", "valid_to": "2005-01-01", "dtstart": "2005-01-01", "timezone": 3,
           "until": "2005-01-01", "count": 3, "wkst": "TU", "freq": "WEEKLY", "interval": 1, "byday": "TH,FR",
           "byweekno": "41,42", "bymonthday": "2,3,4", "byyearday": "2,3,4", "opens_at": "10:00:00", "closes_at": "18:00:00"}  # fmt: skip
    rule = parse_rule(row)
    assert rule.freq == "WEEKLY"
    assert rule.count == 3
    assert rule.wkst == 1
    # valid only on 1 January 2005: closed on any day now
    assert hours_from_rows([row]).status(local(2026, 11, 26, 12, 0), TZ, holidays).state == "closed"
