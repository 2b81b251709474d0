"""What the report costs to build (`make bench`, or run alone): a year of report events read
from the store (SQLite), made into the figures, and the charts drawn, as ``/admin/report?since=365d``
does; for 10,000 and 100,000 searches spread over the year. Medians of 3 rounds, printed.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web

from bot.db import Database, report
from bot.report import figures, period
from bot.web import pages

NEEDS = ("shelter", "food", "legal", "financial", "health_care")
PLACES = ("Redwood City", "Pescadero", "Daly City", "San Mateo")


async def measure(count: int, folder: Path) -> str:
    db = Database(f"sqlite:///{folder / f'report-{count}.db'}")
    await db.open()
    rnd, now = random.Random(1), time.time()

    def fill(c: report.Connection) -> None:
        for _ in range(count):
            at = now - rnd.random() * 365 * 86400
            found = rnd.choice((0, 5))
            report.add(c, "search", rnd.choice(("sms", "telegram", "webchat")), at,
                       need=rnd.choice(NEEDS), place=rnd.choice(PLACES), latitude=37.4,
                       longitude=-122.3, found=found, nearest=rnd.choice((1.0, 15.0)) if found else None)  # fmt: skip

    await db.run(fill)
    span = period.parse("365d", None, now, ZoneInfo("America/Los_Angeles"))
    env = pages.setup(web.Application())  # the gateway's own environment
    chart = env.get_template("charts.html").module.chart  # type: ignore[attr-defined]
    rounds, size = [], 0
    for _ in range(3):
        t0 = time.perf_counter()
        events = await db.run(report.rows, span.since, span.until)
        t1 = time.perf_counter()
        built = figures.build(events, span)
        t2 = time.perf_counter()
        size = sum(len(str(chart(c, "/x.csv"))) for c in built.charts)
        rounds.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
    await db.close()
    read, build, draw = (statistics.median(r[i] for r in rounds) * 1000 for i in range(3))
    return (
        f"{count:>7,} events over 365 days: read {read:.0f} ms, figures {build:.0f} ms, "
        f"charts drawn {draw:.0f} ms ({size // 1024} KB of SVG and tables)"
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        for count in (10_000, 100_000):
            print(asyncio.run(measure(count, Path(folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
