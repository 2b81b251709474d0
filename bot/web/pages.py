"""The one Jinja environment and the one set of security headers of the gateway's pages."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.admin import charts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"  # served at /static/
# Every page: nothing cached, no referrer, no sniffing, and a CSP with no inline script or
# style and nothing from another origin but images (a reply of Rasa's may carry one, shown in
# the web chat over https). No page can be framed.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
}


def _utc(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at))


def setup(app: web.Application) -> jinja2.Environment:
    """The pages' Jinja environment, made once per application whoever asks first."""
    if aiohttp_jinja2.APP_KEY in app:
        return app[aiohttp_jinja2.APP_KEY]
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(charts.GLOBALS)
    env.filters["utc"] = _utc
    app.router.add_static("/static/", STATIC, append_version=False)
    return env


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """``template`` filled with ``context``, with :data:`HEADERS` (and ``headers``)."""
    response = aiohttp_jinja2.render_template(template, request, dict(context), status=status)
    response.headers.update(HEADERS)
    if headers:
        response.headers.update(headers)
    return response
