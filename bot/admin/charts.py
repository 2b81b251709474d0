"""Charts drawn on the server as SVG, from counts: no library in the page, nothing from a CDN.

Each chart is a :class:`Chart` (a title, the categories along one axis, one or more series of
numbers) that the template ``charts.html`` draws: ranked horizontal bars, columns over time
(stacked when there are several series), lines (a median and a 90th percentile), a heat map of
the hours of the week, and a map of the region's places (circles at their coordinates, projected
on the spot; no tiles). Every chart carries its numbers, shown in a table one click away, and
its CSV.

Small numbers are shown as "<5" wherever a count could point to a person
(:func:`shown`), and every such count is drawn at the same length (:func:`drawn`), so that a
reader cannot read it off the picture either.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

SMALL = 5  # counts under this are shown as "<5"


def present(value: float | None) -> bool:
    """Whether there is a value to draw (a missing one is None or NaN: a wait not shown)."""
    return value is not None and not math.isnan(value)


def shown(count: float | None, small: bool = True) -> str:
    """A count as a reader sees it: "<5" under five (when it counts people), else the number."""
    if not present(count):
        return "–"
    assert count is not None
    if small and 0 < count < SMALL:
        return f"<{SMALL}"
    return f"{count:g}" if isinstance(count, float) else str(count)


def drawn(count: float, small: bool = True) -> float:
    """The length a count is drawn at: every suppressed count alike, so none can be read off."""
    if not present(count):
        return 0.0
    return SMALL - 1 if small and 0 < count < SMALL else count


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """What one picture shows, and its numbers."""

    key: str  # the chart's id in the page and its CSV's name
    title: str
    kind: str  # bars, columns, lines, heat, map
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    small: bool = True  # counts of people: suppress the small ones
    note: str = ""
    points: tuple[tuple[float, float], ...] = field(default_factory=tuple)  # map: (lat, lon)

    @property
    def empty(self) -> bool:
        values = [v for s in self.series for v in s.values if present(v)]
        return not self.categories or not any(values)

    def peak(self) -> float:
        """The largest value drawn (a stack's total for stacked columns)."""
        if self.kind == "columns" and len(self.series) > 1:
            totals = [sum(drawn(s.values[i], self.small) for s in self.series)
                      for i in range(len(self.categories))]  # fmt: skip
            return max(totals, default=0.0) or 1.0
        values = [drawn(v, self.small) for s in self.series for v in s.values]
        return max(values, default=0.0) or 1.0

    def rows(self) -> list[list[str]]:
        """The table under the picture: a row per category, a column per series."""
        return [
            [category, *(shown(s.values[i], self.small) for s in self.series)]
            for i, category in enumerate(self.categories)
        ]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([self.title, *(s.name for s in self.series)])
        writer.writerows(self.rows())
        return out.getvalue()

    def projected(
        self, width: float = 560.0, height: float = 360.0, pad: float = 24.0
    ) -> list[tuple[float, float]]:
        """The map's points on the drawing: an equirectangular projection of their own box."""
        if not self.points:
            return []
        lats = [p[0] for p in self.points]
        lons = [p[1] for p in self.points]
        middle = math.cos(math.radians(sum(lats) / len(lats)))
        span_x = max((max(lons) - min(lons)) * middle, 1e-6)
        span_y = max(max(lats) - min(lats), 1e-6)
        scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
        return [
            (pad + (lon - min(lons)) * middle * scale, height - pad - (lat - min(lats)) * scale)
            for lat, lon in self.points
        ]


def ranked(key: str, title: str, counts: dict[str, float], top: int = 15, **kw: object) -> Chart:
    """Horizontal bars, the largest first (at most ``top``)."""
    order = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return Chart(key, title, "bars", tuple(k for k, _ in order),
                 (Series("count", tuple(v for _, v in order)),), **kw)  # type: ignore[arg-type]  # fmt: skip


def columns(
    key: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    **kw: object,
) -> Chart:
    return Chart(key, title, "columns", tuple(categories),
                 tuple(Series(n, tuple(v)) for n, v in series.items()), **kw)  # type: ignore[arg-type]  # fmt: skip


# What the template ``charts.html`` calls: give these to its Jinja environment.
GLOBALS = {"shown": shown, "drawn": drawn, "present": present}
