"""The report's figures from tables of events: what is unmet, medians and 90th percentiles,
local days and hours, small counts as "<5", and the period a report covers."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest

from bot.db.report import ReportEvent, hour_of
from bot.report import figures, period
from bot.report.period import PeriodError

LA = ZoneInfo("America/Los_Angeles")
MONDAY = dt.datetime(2026, 11, 23, tzinfo=LA)  # a Monday
WEEK = period.Period(MONDAY.timestamp(), (MONDAY + dt.timedelta(days=7)).timestamp(), LA)


def at(day: int, hour: int) -> float:
    return hour_of((MONDAY + dt.timedelta(days=day, hours=hour)).timestamp())


def search(need: str = "shelter", place: str = "Redwood City", found: int = 3,
           nearest: float | None = 1.2, when: float | None = None, channel: str = "sms",
           point: tuple[float, float] | None = (37.48, -122.24)) -> ReportEvent:  # fmt: skip
    lat, lon = point or (None, None)
    return ReportEvent(when or at(0, 9), "search", channel, need=need, place=place, found=found,
                       nearest=nearest, latitude=lat, longitude=lon)  # fmt: skip


def claimed(wait: float, hour: int = 2, after_hours: bool = True) -> ReportEvent:
    return ReportEvent(at(1, hour), "claimed", "webchat", after_hours=after_hours, wait=wait)


def headline(report: figures.Report) -> dict[str, str]:
    return {f.key: f.value for f in report.headline}


@pytest.mark.parametrize(
    ("found", "nearest", "unmet"),
    [(0, None, True), (5, 12.5, True), (5, 10.0, False), (5, 0.4, False), (2, None, False)],
)
def test_unmet_is_nothing_within_ten_miles(found: int, nearest: float | None, unmet: bool):
    assert figures.unmet(search(found=found, nearest=nearest)) is unmet


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [([180.0] * 5, 180.0, 180.0), ([60, 120, 180, 240, 300, 360, 420, 480, 540, 600], 330, 540),
     ([10.0], 10.0, 10.0), ([], None, None)],
)  # fmt: skip
def test_median_and_90th_percentile(values: list[float], median, p90) -> None:
    assert figures.median(values) == median
    assert figures.p90(values) == p90


def test_small_counts_are_under_five_in_the_headline_the_table_and_the_csv() -> None:
    events = [search(found=0, nearest=None, place="Pescadero")] * 3 + [search()] * 7
    report = figures.build(events, WEEK)
    values = headline(report)
    assert values["needs"] == "10"
    assert values["unmet"] == "<5"  # and no percentage that would give it away
    assert values["nothing"] == "<5"
    unmet = report.chart("unmet")
    assert unmet is not None
    assert unmet.categories == ("shelter · Pescadero",)
    assert "shelter · Pescadero,<5,<5,<5" in unmet.csv()
    assert "3" not in unmet.csv().split("\n", 1)[1]


def test_unmet_needs_are_ranked_by_need_and_place_and_drawn_on_the_map() -> None:
    events = (
        [search("food", "Pescadero", found=9, nearest=19.5, point=(37.21, -122.36))] * 6
        + [search("shelter", "Fresno, CA", found=0, nearest=None, point=None)] * 8
        + [search("shelter", "Redwood City")] * 20
    )
    report = figures.build(events, WEEK)
    unmet = report.chart("unmet")
    assert unmet is not None
    assert unmet.categories == ("shelter · Fresno, CA", "food · Pescadero")
    assert unmet.rows() == [["shelter · Fresno, CA", "8", "8", "8"], ["food · Pescadero", "6", "0", "6"]]  # fmt: skip
    drawn = report.chart("unmet_map")
    assert drawn is not None
    assert drawn.categories == ("Pescadero",)  # Fresno has no point in the region
    assert drawn.points == ((37.21, -122.36),)
    assert headline(report)["unmet"] == "14 (41%)"


def test_needs_are_placed_on_the_local_day_and_hour_of_the_week() -> None:
    # 09:00 on Monday in Los Angeles is 17:00 UTC; Sunday 23:00 local is Monday 07:00 UTC.
    events = [search(when=at(0, 9))] * 5 + [search(when=at(6, 23), need="food")] * 6
    report = figures.build(events, WEEK)
    week = report.chart("needs_by_week_hour")
    assert week is not None
    cells = {(week.categories[d], s.name): v for s in week.series for d, v in enumerate(s.values)}
    assert cells[("Mon", "09")] == 5
    assert cells[("Sun", "23")] == 6
    assert sum(cells.values()) == 11
    days = report.chart("needs_by_day")
    assert days is not None
    assert len(days.categories) == 7
    by_need = {s.name: s.values for s in days.series}
    assert by_need["food"][6] == 6
    assert by_need["shelter"][0] == 5


def test_time_to_a_person_is_shown_only_for_hours_with_five_requests() -> None:
    events = [claimed(180.0, hour=2)] * 5 + [claimed(600.0, hour=14, after_hours=False)] * 4
    report = figures.build(events, WEEK)
    waits = report.chart("waits")
    assert waits is not None
    median, p90 = waits.series
    assert median.values[2] == 3.0
    assert p90.values[2] == 3.0
    assert math.isnan(median.values[14])  # four requests: one person's wait could be read off
    assert waits.rows()[14] == ["14", "–", "–"]
    values = headline(report)
    assert values["claimed"] == "9"
    assert values["wait_after_hours"] == "3 min"
    assert values["wait_median"] == "3 min"
    assert values["wait_p90"] == "10 min"


def test_risk_signals_per_day_by_tier_and_source() -> None:
    events = [
        ReportEvent(at(2, 1), "risk", "sms", risk="self_harm", tier="clear", source="screen")
    ] * 6
    events += [ReportEvent(at(2, 3), "risk", "telegram", tier="uncertain", source="nlu")] * 5
    report = figures.build(events, WEEK)
    risk = report.chart("risk_by_day")
    assert risk is not None
    series = {s.name: s.values for s in risk.series}
    assert series["clear · screen"][2] == 6
    assert series["uncertain · NLU"][2] == 5
    assert sum(map(sum, series.values())) == 11
    assert headline(report)["risk_clear"] == "6"


def test_channel_mix_counts_conversations_per_channel() -> None:
    events = [ReportEvent(at(0, 1), "conversation", "sms")] * 7
    events += [ReportEvent(at(0, 1), "conversation", "webchat")] * 12
    events += [ReportEvent(at(0, 1), "conversation", "telegram")] * 2
    channels = figures.build(events, WEEK).chart("channels")
    assert channels is not None
    assert channels.categories == ("web chat", "SMS", "Telegram")
    assert [row[1] for row in channels.rows()] == ["12", "7", "<5"]


def test_an_empty_period_has_every_chart_and_says_none() -> None:
    report = figures.build([], WEEK)
    assert len(report.charts) == 11
    assert all(c.empty for c in report.charts)
    assert headline(report)["wait_median"] == "none"


NOW = dt.datetime(2026, 12, 1, 10, 30, tzinfo=LA).timestamp()


@pytest.mark.parametrize(
    ("since", "until", "first", "last"),
    [
        ("7d", None, "2026-11-24 11:00", "2026-12-01 10:59"),
        ("12h", None, "2026-11-30 23:00", "2026-12-01 10:59"),
        ("2026-11-01", "2026-11-30", "2026-11-01 00:00", "2026-11-30 23:59"),
        (None, None, "2026-11-01 11:00", "2026-12-01 10:59"),
    ],
)
def test_a_period_is_read_from_since_and_until(since, until, first, last) -> None:
    span = period.parse(since, until, NOW, LA)
    assert span.label == f"{first} to {last} (America/Los_Angeles)"


@pytest.mark.parametrize(
    ("since", "until", "error"),
    [
        ("yesterday", None, "is not a period"),
        ("30x", None, "is not a period"),
        ("2026-12-05", "2026-12-01", "before its end"),
        ("999w", None, "at most 400 days"),
        ("7d", "2026-13-01", "is not a period"),
    ],
)
def test_a_period_that_cannot_be_read_says_why(since, until, error) -> None:
    with pytest.raises(PeriodError, match=error):
        period.parse(since, until, NOW, LA)


def test_requests_for_a_person_in_office_hours_and_after() -> None:
    def asked(after: bool, outcome: str) -> ReportEvent:
        return ReportEvent(at(1, 2), "handoff", "sms", after_hours=after, outcome=outcome)

    events = [asked(True, "nobody")] * 6 + [asked(False, "nobody")] * 2 + [asked(True, "case")] * 9
    events += [claimed(120.0)] * 7 + [claimed(60.0, after_hours=False)] * 5
    events += [ReportEvent(at(1, 2), "unclaimed", "sms", after_hours=True, outcome="timeout")] * 2
    chart = figures.build(events, WEEK).chart("handoffs")
    assert chart is not None
    assert chart.rows() == [["office hours", "5", "0", "<5"], ["after hours", "7", "<5", "6"]]


def step(outcome: str, service: str | None = "Redwood City Corps", place: str = "Redwood City"):
    return ReportEvent(at(1, 9), "followup", "telegram", need="shelter", place=place,
                       service=service, outcome=outcome)  # fmt: skip


def test_follow_ups_say_what_happened_and_which_services_turn_people_away() -> None:
    events = (
        [step("offered")] * 12 + [step("accepted")] * 9 + [step("declined")] * 3
        + [step("sent")] * 9 + [step("full")] * 6 + [step("got_help")] * 2
        + [step("full", service="Home and Hope")] * 1
    )  # fmt: skip
    report = figures.build(events, WEEK)
    figures_ = headline(report)
    assert figures_["followups_offered"] == "12"
    assert figures_["followups_accepted"] == "9"
    assert figures_["followups_answered"] == "9"
    assert figures_["followups_full"] == "7"
    assert figures_["followups_got_help"] == "<5"
    chart = report.chart("followups")
    assert chart is not None
    assert chart.categories == ("shelter · Redwood City",)
    by_name = {s.name: s.values[0] for s in chart.series}
    assert by_name["offered"] == 12
    assert by_name["full or turned away"] == 7
    turned = report.chart("turned_away")
    assert turned is not None
    assert turned.categories == ("Redwood City Corps", "Home and Hope")
