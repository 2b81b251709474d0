"""What every admin page (``/admin/...``) shares: its templates and its static files.

:func:`setup` is idempotent, so each page module calls it when it adds its routes and the
pages can be added in any order: the Jinja environment (``bot/admin/templates``, autoescape
on, the chart helpers of :mod:`bot.admin.charts` as globals) and ``/admin/static/`` are set
up once per application.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.admin import charts

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/admin"
_STATIC_DONE = web.AppKey("admin_static", bool)
# Admin pages load nothing from elsewhere and run no script of another origin.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def setup_templates(app: web.Application) -> jinja2.Environment:
    """The admin pages' Jinja environment, made once per application."""
    if aiohttp_jinja2.APP_KEY in app:
        return app[aiohttp_jinja2.APP_KEY]
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(charts.GLOBALS)
    return env


def setup(app: web.Application) -> None:
    """Templates and ``/admin/static/``, once per application."""
    setup_templates(app)
    if _STATIC_DONE not in app:
        app[_STATIC_DONE] = True
        app.router.add_static(f"{PREFIX}/static/", STATIC, append_version=False)
