"""Logging for ``python -m bot``: one line per event, numbers and tokens masked.

Libraries that log URLs with the bot token (httpx, at INFO) or request details (twilio) are
kept at WARNING. The access log leaves out the client's address: web chat clients are people.
"""

from __future__ import annotations

import logging
import sys

from bot.privacy import RedactingFormatter

ACCESS_LOG_FORMAT = '"%r" %s %b %Tfs'
QUIET = ("httpx", "httpcore", "telegram", "twilio", "aiohttp.client")


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
