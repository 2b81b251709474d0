"""The channels: each is a package here, and the core reaches it only through this interface.

A channel's package owns what is particular to it: parsing its provider's updates into
``Incoming`` (its ``__init__`` and, for Telegram, ``handlers``), rendering units
(``render.py``: ``render(messages, kind, texts) -> Rendered``, which :func:`bot.render.render`
picks by the conversation's channel), sending them (a ``Sender`` it registers in
``app[SENDERS]``) and its routes. What the core needs to know of each (its label, its
addresses, numbered answers, carrier opt-out, whether the client fetches replies) is in
:mod:`bot.channels.traits`.

- :mod:`bot.channels.telegram`: python-telegram-bot inside aiohttp (webhook or polling); its
  Bot API client also carries the staff group (bot/handoff/desk/staffchat.py).
- :mod:`bot.channels.sms`: Twilio webhooks in, Twilio's REST API out (also staff's pages).
- :mod:`bot.channels.webchat`: the local web page and its JSON API.
- :mod:`bot.channels.conformance`: for mypy alone, each package held to :class:`Unit`.

Adding a channel: a package with the functions of :class:`Unit` (mypy holds each package to
it: bot/channels/conformance.py), its name in ``traits.Channel``, its entry in
``traits.TRAITS``, and its settings.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Protocol, cast

from bot.channels.traits import NAMES, Channel

if TYPE_CHECKING:
    from aiohttp import web

    from bot.settings import Settings

__all__ = ["NAMES", "Channel", "Context", "Unit", "units"]

Context = Callable[["web.Application"], AsyncIterator[None]]


class Unit(Protocol):
    """What the gateway's app calls of a channel's package (each is a module with these)."""

    def contexts(self, settings: Settings) -> tuple[list[Context], list[Context]]:
        """The cleanup contexts to run before the core (a provider's client, its sender put in
        ``app[SENDERS]``) and after it (intake: handlers that need the inbox); none when the
        settings do not enable the channel."""
        ...

    def add_routes(self, app: web.Application, settings: Settings) -> None: ...

    async def stop_intake(self, app: web.Application) -> None:
        """Take no more messages (first, at shutdown: the work in flight then finishes)."""
        ...

    def reachable_at(self, settings: Settings) -> str | None:
        """How a client reaches the assistant here, for a channel that cannot check back
        ("SMS +1 555 0100"); None when the settings do not run it or it cannot check back."""
        ...


def units() -> list[Unit]:
    """Every channel's package, in ``NAMES`` order (imported when first asked, so that a
    package may import the core)."""
    return [cast(Unit, importlib.import_module(f"{__name__}.{name}")) for name in NAMES]
