"""Office hours from the region file: open or not, when staff are back, and strict parsing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from region import DEFAULT_REGION_FILE, RegionError, load_region
from region.hours import describe_opening, parse_office_hours

LA = ZoneInfo("America/Los_Angeles")
HOURS = load_region().office_hours


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LA)


@pytest.mark.parametrize(
    ("moment", "open_now"),
    [
        ("2026-11-24 10:30", True),  # a Tuesday morning
        ("2026-11-24 09:00", True),  # the first minute
        ("2026-11-24 16:59", True),
        ("2026-11-24 17:00", False),  # closing time is closed
        ("2026-11-24 02:00", False),  # the small hours
        ("2026-11-28 11:00", False),  # Saturday
        ("2026-11-26 11:00", False),  # Thanksgiving (the US calendar)
        ("2026-11-27 11:00", False),  # the day after: a `closed` date of the region file
        ("2026-12-25 11:00", False),  # Christmas
    ],
)
def test_the_demo_office_is_open_on_weekdays_nine_to_five_but_not_on_holidays(moment, open_now):
    assert HOURS is not None
    assert HOURS.is_open(at(moment)) is open_now


@pytest.mark.parametrize(
    ("moment", "back"),
    [
        ("2026-11-24 02:00", "today at 9:00 AM"),
        ("2026-11-24 18:00", "tomorrow at 9:00 AM"),
        ("2026-11-25 20:00", "on Monday at 9:00 AM"),  # Thanksgiving, the day after, a weekend
        ("2026-12-23 18:00", "on Monday at 9:00 AM"),  # Christmas Eve, Christmas, a weekend
    ],
)
def test_when_staff_are_back_is_said_plainly(moment, back):
    assert HOURS is not None
    now = at(moment)
    opening = HOURS.next_opening(now)
    assert opening is not None
    assert describe_opening(opening, now) == back


def test_an_opening_a_week_away_or_more_is_given_by_its_date():
    assert describe_opening(at("2027-01-04 09:00"), at("2026-12-23 18:00")) == (
        "on Jan 4 at 9:00 AM"
    )


def test_the_next_opening_is_in_the_office_time_zone_across_a_clock_change():
    assert HOURS is not None
    # Saturday 31 Oct 2026, 8 p.m. in UTC; clocks go back in California on Sunday 1 Nov.
    opening = HOURS.next_opening(datetime.fromisoformat("2026-11-01T03:00:00+00:00"))
    assert opening == datetime(2026, 11, 2, 9, 0, tzinfo=LA)
    assert opening.utcoffset().total_seconds() == -8 * 3600


def test_open_dates_override_the_calendar_and_24_00_ends_at_midnight():
    hours = parse_office_hours(
        {
            "weekly": {"thursday": ["20:00-24:00"]},
            "holidays": {"country": "US", "open": ["2026-11-26"]},
        },
        "America/Los_Angeles",
    )
    assert hours.is_open(at("2026-11-26 23:59"))  # Thanksgiving, opened on purpose
    assert not hours.is_open(at("2026-11-26 19:59"))
    assert hours.periods_on(date(2026, 11, 25)) == ()


def test_the_office_may_open_several_times_a_day():
    hours = parse_office_hours({"weekly": {"monday": ["13:00-17:00", "08:00-12:00"]}}, "UTC")
    assert [hours.is_open(datetime.fromisoformat(f"2026-11-23T{t}+00:00")) for t in
            ("07:59", "08:00", "12:30", "13:00", "17:00")] == [False, True, False, True, False]  # fmt: skip


def write_region(tmp_path: Path, office_hours: object) -> Path:
    data = yaml.safe_load(DEFAULT_REGION_FILE.read_text())
    data["office_hours"] = office_hours
    path = tmp_path / "region.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_region_without_office_hours_has_none(tmp_path):
    data = yaml.safe_load(DEFAULT_REGION_FILE.read_text())
    del data["office_hours"]
    path = tmp_path / "region.yml"
    path.write_text(yaml.safe_dump(data))
    assert load_region(path).office_hours is None


@pytest.mark.parametrize(
    ("office_hours", "message"),
    [
        ("weekdays 9 to 5", "office_hours must be a mapping"),
        ({"weekly": {"monday": ["09:00-17:00"]}, "lunch": 1}, "unknown key(s) lunch"),
        ({"weekly": {"mon": ["09:00-17:00"]}}, "office_hours.weekly: unknown key(s) mon"),
        ({"weekly": {"monday": "09:00-17:00"}}, "office_hours.weekly.monday must be a list"),
        ({"weekly": {"monday": ["9-5"]}}, "'9-5' is not a period"),
        ({"weekly": {"monday": ["09:00-25:00"]}}, "a time that does not exist"),
        ({"weekly": {"monday": ["09:60-17:00"]}}, "a time that does not exist"),
        ({"weekly": {"monday": ["17:00-09:00"]}}, "ends before it starts"),
        ({"weekly": {"monday": ["09:00-13:00", "12:00-17:00"]}}, "periods overlap"),
        ({"weekly": {"monday": []}}, "no opening period at all"),
        ({"weekly": None}, "weekly must map day names"),
        (
            {"weekly": {"monday": ["09:00-17:00"]}, "holidays": {"country": "XX"}},
            "Country XX not available",
        ),
        (
            {"weekly": {"monday": ["09:00-17:00"]}, "holidays": {"subdivision": "CA"}},
            "a subdivision needs a country",
        ),
        (
            {"weekly": {"monday": ["09:00-17:00"]}, "holidays": {"closed": ["Christmas"]}},
            "'Christmas' is not a date",
        ),
        (
            {"weekly": {"monday": ["09:00-17:00"]}, "holidays": {"country": "US", "state": "CA"}},
            "unknown key(s) state",
        ),
    ],
)
def test_office_hours_that_cannot_be_read_are_refused_at_start_up(tmp_path, office_hours, message):
    with pytest.raises(RegionError) as error:
        load_region(write_region(tmp_path, office_hours))
    assert message in str(error.value)
