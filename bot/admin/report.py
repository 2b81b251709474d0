"""``/admin/report``: what clients needed, where, what was not found, how long a person took.

For staff leads and admins, signed in through the staff console (``/staff/login``; others get
403). The page shows the headline figures and the charts of :mod:`bot.report.figures` for a
period (``?since=30d``, ``7d``, ``12h`` or a date, and ``until=`` a date), each chart with its
numbers one click away (``<details>``) and its CSV at ``/admin/report/<chart>.csv`` with the
same query (``headline.csv`` for the figures). Drawn on the server as SVG: no script, nothing
from elsewhere. Small counts read "<5" on the page and in every CSV.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import web
from yarl import URL

from bot.db import report
from bot.report import figures, period
from bot.state import CLOCK, DB, REGION
from bot.web import HEADERS, pages
from bot.web.session import signed_in

PAGE = "/admin/report"
_KEY = re.compile(r"^[a-z_]{1,40}$")


def add_routes(app: web.Application) -> None:
    pages.setup(app)
    app.router.add_get(PAGE, signed_in(report_page, role="lead"))
    app.router.add_get(PAGE + "/{key}.csv", signed_in(report_csv, role="lead"))


def _period(request: web.Request) -> period.Period:
    query = request.query
    return period.parse(
        query.get("since") or None,
        query.get("until") or None,
        request.app[CLOCK](),
        request.app[REGION].tz,
    )


async def _report(request: web.Request, span: period.Period) -> figures.Report:
    events = await request.app[DB].run(report.rows, span.since, span.until)
    return await asyncio.to_thread(figures.build, events, span)


async def report_page(request: web.Request) -> web.Response:
    """GET /admin/report?since=30d&until=2026-11-30."""
    since, until = request.query.get("since", "30d")[:40], request.query.get("until", "")[:40]
    context: dict[str, Any] = {"since": since, "until": until, "choices": period.CHOICES}
    context["error"] = None
    try:
        span = _period(request)
    except period.PeriodError as exc:
        context.update(error=str(exc), built=None, csv=None)
        return pages.render(request, "report.html", context, status=400)
    built = await _report(request, span)
    keep = {k: v for k, v in (("since", since), ("until", until)) if v}

    def csv(key: str) -> str:
        return str(URL(f"{PAGE}/{key}.csv").with_query(keep))

    context.update(built=built, csv=csv)
    return pages.render(request, "report.html", context)


async def report_csv(request: web.Request) -> web.Response:
    """GET /admin/report/<chart>.csv?since=...: one chart's numbers (small ones "<5")."""
    key = request.match_info["key"]
    if not _KEY.match(key):
        raise web.HTTPNotFound(text="no such chart")
    try:
        span = _period(request)
    except period.PeriodError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    built = await _report(request, span)
    if key == "headline":
        body = built.headline_csv()
    else:
        chart = built.chart(key)
        if chart is None:
            raise web.HTTPNotFound(text="no such chart")
        body = chart.csv()
    first, last = span.days()[0], span.days()[-1]
    name = f"report-{key}-{first}-{last}.csv"
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return web.Response(text=body, content_type="text/csv", charset="utf-8", headers=headers)
