"""Every page template, rendered with hostile words in every field: none becomes markup.

The pages are filled with what clients, staff, admins and the directory wrote (a client's
message in a transcript, a staff name, a service's name, an admin's label). Each template in
``bot/templates`` is rendered by the gateway's one Jinja environment with every value it
reads (every name, every attribute, every item of a list) a string that would run a script or
break out of an attribute if it were not escaped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2
import pytest
from aiohttp import web

from bot.web import TEMPLATES, pages

HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;{{7*7}}"


class Hostile(jinja2.Undefined):
    """Whatever a template reads: hostile words as text, more of itself as attributes, items
    and results, a list of one, true, and a number where one is needed."""

    def __str__(self) -> str:
        return HOSTILE

    def __html__(self) -> str:  # a value that claims to be safe markup is not trusted either
        return jinja2.utils.markupsafe.escape(HOSTILE)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Hostile()

    def __getitem__(self, key: Any) -> Any:
        return Hostile()

    def __iter__(self) -> Iterator[Any]:  # two: a pair unpacks, and a list has more than one
        yield Hostile()
        yield Hostile()

    def __len__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return Hostile()

    def __float__(self) -> float:
        return 1.0

    def __int__(self) -> int:
        return 1


def environment() -> jinja2.Environment:
    app = web.Application()
    env = pages.setup(app)
    hostile = env.overlay(undefined=Hostile)
    # The pages' own helpers get hostile values too; where one needs a number, it gets one.
    hostile.globals = {name: (lambda *a, **k: Hostile()) for name in env.globals}
    hostile.filters = {**env.filters, "utc": lambda at: HOSTILE}
    return hostile


# charts.html holds the report's macros (no page of its own): report.html renders them.
TEMPLATE_NAMES = sorted(p.name for p in TEMPLATES.glob("*.html") if p.name != "charts.html")


def test_every_page_is_a_template():
    assert {"webchat.html", "console_case.html", "admin_inbox.html", "report.html"} <= set(
        TEMPLATE_NAMES
    )


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_hostile_words_in_every_field_stay_words(name):
    html = environment().get_template(name).render()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "\"'>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # they are shown, as text
    assert "49" not in html.replace("&amp;{{7*7}}", "")  # nothing a client typed is evaluated
