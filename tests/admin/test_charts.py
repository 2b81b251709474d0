"""The report's charts: the right number of bars, points and cells; small counts never shown."""

from __future__ import annotations

import re

from aiohttp import web

from bot.admin.charts import Chart, Series, columns, ranked
from bot.web import pages


def render(chart: Chart) -> str:
    env = pages.setup(web.Application())  # the gateway's own environment
    macro = env.get_template("charts.html").module.chart  # type: ignore[attr-defined]
    return str(macro(chart, f"/admin/report/{chart.key}.csv"))


def test_ranked_bars_draw_one_bar_per_category_largest_first() -> None:
    chart = ranked("unmet", "Unmet needs", {"shelter · Redwood City": 12, "food · Daly City": 30})
    html = render(chart)
    assert html.count('class="bar"') == 2
    assert chart.categories == ("food · Daly City", "shelter · Redwood City")
    assert "&middot;" in html or "·" in html


def test_a_small_count_is_shown_as_under_five_and_drawn_no_longer() -> None:
    chart = ranked("unmet", "Unmet", {"legal · Colma": 1, "food · Daly City": 4, "shelter": 40})
    html = render(chart)
    assert ">1<" not in html
    assert html.count("&lt;5") >= 4  # label, tooltip, table row of each small count
    widths = [float(w) for w in re.findall(r'class="bar"[^>]*width="([\d.]+)"', html)]
    assert widths[1] == widths[2]  # 1 and 4 both drawn as "<5"
    assert "legal · Colma,<5" in chart.csv()


def test_stacked_columns_draw_a_bar_per_series_and_day() -> None:
    chart = columns("risk", "Risk signals", ["11-01", "11-02", "11-03"],
                    {"clear": [5, 0, 7], "uncertain": [9, 6, 0]})  # fmt: skip
    html = render(chart)
    assert len(re.findall(r'class="bar series-0"', html)) == 3
    assert len(re.findall(r'class="bar series-1"', html)) == 3


def test_lines_draw_a_point_per_hour_with_a_value() -> None:
    hours = [f"{h:02d}" for h in range(24)]
    median = tuple(float(h % 5) for h in range(24))
    chart = Chart("wait", "Time to a person", "lines", tuple(hours),
                  (Series("median", median), Series("90th percentile", median)), unit=" min",
                  small=False)  # fmt: skip
    html = render(chart)
    assert html.count('class="point series-0"') == sum(1 for v in median if v)
    assert html.count("<polyline") == 2


def test_the_heat_map_has_a_cell_per_hour_of_the_week() -> None:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    hours = tuple(Series(f"{h:02d}", tuple(float(d + h) for d in range(7))) for h in range(24))
    html = render(Chart("week", "Needs by hour of the week", "heat", days, hours))
    assert html.count('class="cell"') == 7 * 24


def test_the_map_puts_each_place_at_its_coordinates() -> None:
    chart = Chart("map", "Unmet needs by place", "map", ("Redwood City", "Daly City", "Pacifica"),
                  (Series("unmet", (12.0, 3.0, 7.0)),),
                  points=((37.485, -122.236), (37.688, -122.470), (37.614, -122.487)))  # fmt: skip
    html = render(chart)
    assert html.count('class="place"') == 3
    (rwc, daly, _) = chart.projected()
    assert daly[1] < rwc[1]  # north is up
    assert daly[0] < rwc[0]  # west is left


def test_an_empty_period_says_so() -> None:
    assert "Nothing to show" in render(ranked("unmet", "Unmet", {}))
