"""``python -m bot``: load the settings, then run the gateway until Ctrl-C or SIGTERM."""

from __future__ import annotations

import sys

from aiohttp import web

from bot.app import create_app
from bot.errors import GatewayError
from bot.logs import AccessLogger, configure_logging
from bot.settings import load_settings
from region import RegionError

try:  # libuv's event loop where it is installed (Linux, macOS): fewer CPU cycles per request
    import uvloop
except ImportError:  # pragma: no cover - Windows
    uvloop = None  # type: ignore[assignment]


def main() -> int:
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        app = create_app(settings)
    except (GatewayError, RegionError) as exc:
        print(f"gateway: cannot start: {exc}", file=sys.stderr)
        return 2
    if uvloop is not None:
        uvloop.install()
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        access_log_class=AccessLogger,
        print=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
