"""The events of a period made into the report: headline figures and charts.

Pure functions of the events (:class:`bot.db.report.ReportEvent`) and the period: nothing here
reads the store, so every figure is tested from a table of events. Times are shown in the
region's time zone. What counts as unmet is a search with nothing within :data:`NEAR_MILES`
(the action server's first radius: the client was offered only services further away, or
none at all). A count under five is shown as "<5" (:func:`bot.admin.charts.shown`), and a
wait is shown only for hours with at least five claimed requests (a median of fewer is one
person's wait).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.admin.charts import SMALL, Chart, Series, columns, ranked, shown
from bot.channels.traits import TRAITS
from bot.db.followups import STAFF_NEED
from bot.db.report import ReportEvent
from bot.report.period import Period

NEAR_MILES = 10.0  # the action server's first radius (actions/directory/search.py RADII_MILES)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = tuple(f"{h:02d}" for h in range(24))
TOP_NEEDS = 4  # needs drawn by name in the daily columns; the rest are "other"
CHANNELS = {name: t.label for name, t in TRAITS.items()}


def unmet(event: ReportEvent) -> bool:
    """A search that found nothing within :data:`NEAR_MILES` (or nothing at all)."""
    if not event.found:
        return True
    return event.nearest is not None and event.nearest > NEAR_MILES


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile, nearest rank: the wait nine in ten were within."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)])


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


@dataclass(frozen=True)
class Figure:
    """One headline figure: what it is, and how it reads (small counts already "<5")."""

    key: str
    label: str
    value: str


@dataclass
class Report:
    period: Period
    headline: list[Figure]
    charts: list[Chart]

    def chart(self, key: str) -> Chart | None:
        return next((c for c in self.charts if c.key == key), None)

    def headline_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["figure", "value"])
        writer.writerows([f.label, f.value] for f in self.headline)
        return out.getvalue()


def build(events: Iterable[ReportEvent], period: Period) -> Report:
    """The report of ``events`` (those of ``period``)."""
    by_kind: dict[str, list[ReportEvent]] = defaultdict(list)
    for event in events:
        by_kind[event.kind].append(event)
    searches, risks = by_kind["search"], by_kind["risk"]
    charts = [
        needs_by_day(searches, period),
        needs_by_week_hour(searches, period),
        needs_ranked(searches),
        unmet_ranked(searches),
        unmet_map(searches),
        waits_by_hour(by_kind["claimed"], period),
        handoffs(by_kind["handoff"], by_kind["claimed"], by_kind["unclaimed"]),
        risk_by_day(risks, period),
        channel_mix(by_kind),
        followup_outcomes(by_kind["followup"]),
        turned_away(by_kind["followup"]),
    ]
    return Report(period, headline(by_kind), charts)


def headline(by_kind: dict[str, list[ReportEvent]]) -> list[Figure]:
    searches = by_kind["search"]
    gaps = [e for e in searches if unmet(e)]
    risks = by_kind["risk"]
    claimed = by_kind["claimed"]
    waits = [e.wait for e in claimed if e.wait is not None]
    late = [e.wait for e in claimed if e.wait is not None and e.after_hours]
    asked = by_kind["handoff"]
    share = f" ({100 * len(gaps) / len(searches):.0f}%)" if len(gaps) >= SMALL else ""
    return [
        Figure("conversations", "Conversations", shown(len(by_kind["conversation"]))),
        Figure("needs", "Needs asked (searches)", shown(len(searches))),
        Figure("unmet", f"Unmet: nothing within {NEAR_MILES:g} miles", shown(len(gaps)) + share),
        Figure("nothing", "Nothing found at all", shown(sum(not e.found for e in searches))),
        Figure("risk_clear", "Risk signals, clear", shown(sum(e.tier == "clear" for e in risks))),
        Figure(
            "risk_uncertain",
            "Risk signals, uncertain",
            shown(sum(e.tier == "uncertain" for e in risks)),
        ),
        Figure("handoffs", "Asked for a person", shown(len(asked))),
        Figure("claimed", "Claimed by a person", shown(len(claimed))),
        Figure("unclaimed", "Never claimed", shown(len(by_kind["unclaimed"]))),
        Figure("nobody", "Nobody available", shown(sum(e.outcome == "nobody" for e in asked))),
        Figure("wait_median", "Time to a person, median", _wait(waits, median)),
        Figure("wait_p90", "Time to a person, 90th percentile", _wait(waits, p90)),
        Figure("wait_after_hours", "Time to a person after hours, median", _wait(late, median)),
        Figure(
            "wait_after_hours_p90",
            "Time to a person after hours, 90th percentile",
            _wait(late, p90),
        ),
        *followup_figures(by_kind["followup"]),
    ]


def _wait(waits: list[float], statistic: Callable[[Sequence[float]], float | None]) -> str:
    if len(waits) < SMALL:
        return f"fewer than {SMALL} requests" if waits else "none"
    return f"{minutes(statistic(waits)):g} min"


def _local(event: ReportEvent, period: Period) -> dt.datetime:
    return dt.datetime.fromtimestamp(event.hour, period.tz)


def _day_label(day: dt.date) -> str:
    return f"{day:%m-%d}"


def needs_by_day(searches: list[ReportEvent], period: Period) -> Chart:
    days = period.days()
    counts = Counter(e.need or "?" for e in searches)
    named = [need for need, _ in counts.most_common(TOP_NEEDS)]
    others = len(counts) > len(named)
    index = {day: i for i, day in enumerate(days)}
    series: dict[str, list[float]] = {need: [0.0] * len(days) for need in named}
    if others:
        series["other"] = [0.0] * len(days)
    for event in searches:
        i = index.get(_local(event, period).date())
        if i is not None:
            need = event.need if event.need in series else "other"
            series[need or "other"][i] += 1
    return columns(
        "needs_by_day",
        "Needs asked per day",
        [_day_label(d) for d in days],
        series or {"needs asked": [0.0] * len(days)},
    )


def needs_by_week_hour(searches: list[ReportEvent], period: Period) -> Chart:
    grid = [[0.0] * 7 for _ in range(24)]
    for event in searches:
        moment = _local(event, period)
        grid[moment.hour][moment.weekday()] += 1
    hours = tuple(Series(HOURS[h], tuple(grid[h])) for h in range(24))
    return Chart("needs_by_week_hour", "Needs asked by hour of the week", "heat", DAYS, hours,
                 note=f"hours in {period.tz.key}")  # fmt: skip


def needs_ranked(searches: list[ReportEvent]) -> Chart:
    counts = Counter(e.need or "?" for e in searches)
    return ranked("needs", "Needs asked, by need", dict(counts), top=20)


def unmet_ranked(searches: list[ReportEvent]) -> Chart:
    """Need and place, the most unmet first; the numbers add what was found beyond the radius."""
    asked: Counter[tuple[str, str]] = Counter()
    gaps: Counter[tuple[str, str]] = Counter()
    nothing: Counter[tuple[str, str]] = Counter()
    for event in searches:
        key = (event.need or "?", event.place or "?")
        asked[key] += 1
        if unmet(event):
            gaps[key] += 1
        if not event.found:
            nothing[key] += 1
    order = sorted(gaps, key=lambda k: (-gaps[k], k))[:15]
    return Chart(
        "unmet",
        f"Unmet needs by need and place: nothing within {NEAR_MILES:g} miles",
        "bars",
        tuple(f"{need} · {place}" for need, place in order),
        (
            Series("unmet", tuple(float(gaps[k]) for k in order)),
            Series("nothing at all", tuple(float(nothing[k]) for k in order)),
            Series("asked", tuple(float(asked[k]) for k in order)),
        ),
    )


def unmet_map(searches: list[ReportEvent]) -> Chart:
    """The region's towns where needs went unmet, at each town's point (no tiles)."""
    counts: Counter[str] = Counter()
    points: dict[str, tuple[float, float]] = {}
    for event in searches:
        if event.latitude is None or event.longitude is None or not event.place:
            continue
        if unmet(event):
            counts[event.place] += 1
            points[event.place] = (event.latitude, event.longitude)
    order = sorted(counts, key=lambda p: (-counts[p], p))
    return Chart(
        "unmet_map",
        "Unmet needs on the map of the region",
        "map",
        tuple(order),
        (Series("unmet", tuple(float(counts[p]) for p in order)),),
        points=tuple(points[p] for p in order),
        note="towns of the region at their coordinates; places outside it are in the bars",
    )


def waits_by_hour(claimed: list[ReportEvent], period: Period) -> Chart:
    """Median and 90th percentile of the wait, by the hour of the day the client asked."""
    waits: dict[int, list[float]] = defaultdict(list)
    for event in claimed:
        if event.wait is not None:
            waits[_local(event, period).hour].append(event.wait)
    kept = [waits[h] if len(waits[h]) >= SMALL else [] for h in range(24)]
    return Chart(
        "waits",
        "Time to a person, by the hour the client asked",
        "lines",
        HOURS,
        (
            Series("median", tuple(_or_none(minutes(median(w))) for w in kept)),
            Series("90th percentile", tuple(_or_none(minutes(p90(w))) for w in kept)),
        ),
        unit=" min",
        small=False,
        note=f"minutes; hours with fewer than {SMALL} claimed requests are left out",
    )


def _or_none(value: float | None) -> float:
    # A missing value travels as NaN: the chart leaves it out and its table shows "–".
    return math.nan if value is None else value


def handoffs(
    asked: list[ReportEvent], claimed: list[ReportEvent], unclaimed: list[ReportEvent]
) -> Chart:
    """Requests for a person in office hours and after: claimed, never claimed, nobody there."""

    def split(events: Iterable[ReportEvent]) -> list[float]:
        kept = list(events)
        after = sum(bool(e.after_hours) for e in kept)
        return [float(len(kept) - after), float(after)]

    return columns(
        "handoffs",
        "Requests for a person, in office hours and after",
        ["office hours", "after hours"],
        {
            "claimed": split(claimed),
            "never claimed": split(unclaimed),
            "nobody available": split(e for e in asked if e.outcome == "nobody"),
        },
    )


RISK_SERIES = {
    ("clear", "screen"): "clear · screen",
    ("clear", "nlu"): "clear · NLU",
    ("uncertain", "screen"): "uncertain · screen",
    ("uncertain", "nlu"): "uncertain · NLU",
}


def risk_by_day(risks: list[ReportEvent], period: Period) -> Chart:
    days = period.days()
    index = {day: i for i, day in enumerate(days)}
    series = {name: [0.0] * len(days) for name in RISK_SERIES.values()}
    for event in risks:
        name = RISK_SERIES.get((event.tier or "", event.source or ""))
        i = index.get(_local(event, period).date())
        if name is not None and i is not None:
            series[name][i] += 1
    return columns("risk_by_day", "Risk signals per day, by tier and what caught them",
                   [_day_label(d) for d in days], series)  # fmt: skip


def channel_mix(by_kind: dict[str, list[ReportEvent]]) -> Chart:
    """Conversations per channel, the largest first; the numbers add needs, risk, requests."""

    def per(kind: str) -> Counter[str]:
        return Counter(e.channel for e in by_kind[kind])

    talks, needs, risks, asked = per("conversation"), per("search"), per("risk"), per("handoff")
    seen = set(talks) | set(needs) | set(risks) | set(asked)
    order = sorted(seen, key=lambda ch: (-talks[ch], ch))
    return Chart(
        "channels",
        "Channel mix: conversations per channel",
        "bars",
        tuple(CHANNELS.get(ch, ch) for ch in order),
        (
            Series("conversations", tuple(float(talks[ch]) for ch in order)),
            Series("needs asked", tuple(float(needs[ch]) for ch in order)),
            Series("risk signals", tuple(float(risks[ch]) for ch in order)),
            Series("asked for a person", tuple(float(asked[ch]) for ch in order)),
        ),
    )


# Follow-ups (bot/followups): what the client said happened, in the report's words. Staff's
# check-ins (need "checkin") are counted apart: sent, and answered.
OUTCOMES = {
    "got_help": "got help",
    "full": "full or turned away",
    "no_way": "could not get there",
    "did_not_go": "did not go",
    "help_now": "needed help now",
}


def followup_figures(steps: list[ReportEvent]) -> list[Figure]:
    said = Counter(e.outcome for e in steps if e.need != STAFF_NEED)
    staff = Counter(e.outcome for e in steps if e.need == STAFF_NEED)
    answered = sum(said[o] for o in OUTCOMES)
    return [
        Figure("followups_offered", "Follow-ups offered", shown(said["offered"])),
        Figure("followups_accepted", "Follow-ups accepted", shown(said["accepted"])),
        Figure("followups_answered", "Follow-ups answered", shown(answered)),
        *(
            Figure(f"followups_{key}", f"Follow-up: {label}", shown(said[key]))
            for key, label in OUTCOMES.items()
        ),
        Figure("checkins_sent", "Staff check-ins sent", shown(staff["sent"])),
        Figure("checkins_answered", "Staff check-ins answered", shown(staff["replied"])),
    ]


def followup_outcomes(steps: list[ReportEvent]) -> Chart:
    """By need and place: follow-ups offered, accepted, answered, and what happened."""
    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for event in steps:
        key = (event.need or "?", event.place or "?")
        counts[event.outcome or "?"][key] += 1
        if event.outcome in OUTCOMES:
            counts["answered"][key] += 1
    order = sorted(counts["offered"], key=lambda k: (-counts["offered"][k], k))[:15]
    names = {"offered": "offered", "accepted": "accepted", "answered": "answered", **OUTCOMES}
    return Chart(
        "followups",
        "Follow-ups by need and place: offered, accepted, answered, and what happened",
        "bars",
        tuple(f"{need} · {place}" for need, place in order),
        tuple(Series(label, tuple(float(counts[key][k]) for k in order))
              for key, label in names.items()),
    )  # fmt: skip


def turned_away(steps: list[ReportEvent]) -> Chart:
    """The services most often "full or turned away" (the first one listed to the client), for
    the directory's upkeep."""
    counts = Counter(e.service for e in steps if e.outcome == "full" and e.service)
    return ranked(
        "turned_away",
        "Services most often full or turned away, after a follow-up",
        {name: float(n) for name, n in counts.items()},
        top=15,
        note="the service listed first to the client",
    )
