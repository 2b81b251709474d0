"""Logging for ``python -m bot``: one line per event, numbers and tokens masked.

Libraries that log URLs with the bot token (httpx, at INFO) or request details (twilio) are
kept at WARNING. The access log (:class:`AccessLogger`) leaves out the client's address (web
chat clients are people) and every value of the query string but a few harmless ones: the web
chat's ``sender`` is the only key to a conversation's history, so it is never written down.
"""

from __future__ import annotations

import logging
import sys
from urllib.parse import parse_qsl, quote

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from bot.privacy import RedactingFormatter

QUIET = ("httpx", "httpcore", "telegram", "twilio", "aiohttp.client")
# A line per request (the web chat polls every 3 s): only at DEBUG; a 5xx is a WARNING.
ACCESS = "aiohttp.access"
# Query parameters whose values say nothing about anyone (web chat's and the console's "after").
SHOWN_PARAMETERS = frozenset({"after"})
HIDDEN = "[hidden]"


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    access = logging.DEBUG if logging.getLevelName(level) <= logging.DEBUG else logging.WARNING
    logging.getLogger(ACCESS).setLevel(access)


def shown_target(path: str, query_string: str) -> str:
    """The request's path (still %-encoded: no line breaks) and its query, values hidden."""
    if not query_string:
        return path
    pairs = parse_qsl(query_string, keep_blank_values=True)
    shown = [
        f"{quote(key)}={quote(value) if key in SHOWN_PARAMETERS else HIDDEN}"
        for key, value in pairs
    ]
    return f"{path}?{'&'.join(shown)}"


class AccessLogger(AbstractAccessLogger):
    """``"GET /api/webchat/messages?sender=[hidden]&after=3 HTTP/1.1" 200 123 0.001s``."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        major, minor = request.version
        self.logger.log(
            logging.WARNING if response.status >= 500 else logging.INFO,
            '"%s %s HTTP/%d.%d" %d %d %.6fs',
            request.method,
            shown_target(request.rel_url.raw_path, request.query_string),
            major,
            minor,
            response.status,
            response.body_length,
            time,
        )
