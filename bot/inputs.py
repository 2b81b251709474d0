"""Reading what arrives from outside: JSON bodies and whole numbers, with a reason for each way
they can be wrong.

Every route that reads a JSON body (web chat, the Telegram webhook) or a number from a URL (a
case, ``after=``) goes through here, so that bad input is a :class:`~bot.errors.BadInput` (a 400
or 404 with that reason) and never an exception from deeper down: a JSON document nested 30,000
deep (``RecursionError`` in the parser), a lone surrogate such as ``"\\ud800"`` (valid JSON, but
not text any database can store), or a number of 40 digits (``OverflowError`` in SQLite).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from bot.errors import BadInput

# No request the gateway takes nests deeper than a Telegram update (about 8 levels).
MAX_DEPTH = 32
# The largest row id both stores take: PostgreSQL's INTEGER is 32 bits.
MAX_ID = 2**31 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]{1,10}")


async def json_body(request: web.Request) -> Any:
    """The request's body as JSON: UTF-8, well formed, at most MAX_DEPTH deep, only real text."""
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("body is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadInput(f"body is not valid JSON: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise BadInput("body is not valid JSON") from None
    check_json(data)
    return data


def check_json(data: Any) -> None:
    """BadInput if ``data`` nests deeper than MAX_DEPTH or holds a string that is not text."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:  # iteratively: the point is not to recurse on what a stranger sent
        value, depth = stack.pop()
        if isinstance(value, str):
            check_text(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise BadInput(f"body is not valid JSON: nested deeper than {MAX_DEPTH} levels")
            if isinstance(value, dict):
                for key in value:
                    check_text(key)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)


def check_text(value: str) -> None:
    """BadInput if ``value`` holds a lone surrogate (JSON can say "\\ud800"; no store takes it)."""
    found = _SURROGATE.search(value)
    if found:
        raise BadInput(
            f"text holds a lone surrogate (U+{ord(found.group()):04X}) at character "
            f"{found.start()}: it is not valid Unicode"
        )


def whole_number(raw: str, name: str, maximum: int = MAX_ID) -> int:
    """``raw`` as a whole number from 0 to ``maximum``; BadInput naming ``name`` otherwise."""
    if not _DIGITS.fullmatch(raw) or int(raw) > maximum:
        raise BadInput(f"{name} must be a whole number from 0 to {maximum}")
    return int(raw)
