"""``python -m bot.report --since 30d [--until DATE] [FOLDER]``: the report in the terminal.

Prints the headline figures of the period and writes every chart's CSV (and
``headline.csv``) into FOLDER (default ``results/report``), as the page ``/admin/report``
offers them: small counts as "<5". Reads the gateway store named by the gateway's own
settings (``GATEWAY_DATABASE_URL``, else ``var/gateway.db``) and the region's time zone.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from bot.db import Database, report
from bot.errors import GatewayError
from bot.report import figures, period
from bot.settings import load_settings
from region import RegionError, load_region


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.report", description=__doc__)
    parser.add_argument("--since", default="30d", help="30d, 12h, 8w or a date (default 30d)")
    parser.add_argument("--until", default=None, help="the last day, a date (default: now)")
    parser.add_argument("folder", nargs="?", default="results/report", help="where CSVs go")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        region = load_region(settings.region_file)
        span = period.parse(args.since, args.until, time.time(), region.tz)
    except (GatewayError, RegionError, period.PeriodError) as exc:
        print(f"python -m bot.report: {exc}", file=sys.stderr)
        return 2
    try:
        built = asyncio.run(_build(settings.database_url.reveal(), span))
    except GatewayError as exc:  # the store cannot be opened or read
        print(f"python -m bot.report: {exc}", file=sys.stderr)
        return 1
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "headline.csv").write_text(built.headline_csv(), encoding="utf-8")
    for chart in built.charts:
        (folder / f"{chart.key}.csv").write_text(chart.csv(), encoding="utf-8")
    print(f"Report for {span.label}")
    width = max(len(f.label) for f in built.headline)
    for figure in built.headline:
        print(f"  {figure.label:<{width}}  {figure.value}")
    print(f"CSV files of {len(built.charts) + 1} tables in {folder}/ (counts under 5 as <5)")
    return 0


async def _build(url: str, span: period.Period) -> figures.Report:
    db = Database(url)
    await db.open()
    try:
        events = await db.run(report.rows, span.since, span.until)
    finally:
        await db.close()
    return figures.build(events, span)


if __name__ == "__main__":
    sys.exit(main())
