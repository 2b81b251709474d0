"""From channel-neutral messages to the units each channel sends, one provider call per unit.

Rendering happens when a reply is queued, not when it is sent, so that the outbox retries a
unit as it is: a long Telegram reply split in two never re-sends its first half. Each channel
renders its own units (``bot/channels/<name>/render.py``, a function
``render(messages, kind, texts) -> Rendered``); this module holds what they share and
:func:`render`, which the core calls with the conversation's channel.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.messages import Messages
from bot.model import BotMessage, Button, OutboxItem
from contract import PAYLOAD_LISTING, PAYLOAD_REQUEST_LOCATION, Listing
from contract import listing_from as _listing_from

LONG_PAYLOAD_PREFIX = "p:"

Renderer = Callable[[list[BotMessage], str, Messages], "Rendered"]


@dataclass
class Rendered:
    """The units to queue, and what the conversation must remember for the client's answer."""

    items: list[OutboxItem] = field(default_factory=list)
    buttons: tuple[Button, ...] | None = None  # SMS: the numbered options, () to forget them
    long_payloads: dict[str, str] = field(default_factory=dict)  # Telegram: key -> payload

    def then(self, after: Rendered) -> Rendered:
        """These units, then ``after``'s; the numbered options the client answers are the
        last ones offered."""
        return Rendered(
            items=[*self.items, *after.items],
            buttons=after.buttons if after.buttons else self.buttons,
            long_payloads={**self.long_payloads, **after.long_payloads},
        )


def render(channel: str, messages: list[BotMessage], kind: str, texts: Messages) -> Rendered:
    """The units that carry ``messages`` on ``channel``; ``kind`` labels them in the outbox."""
    return renderer(channel)(messages, kind, texts)


@functools.cache
def renderer(channel: str) -> Renderer:
    """``channel``'s own rendering (its package's ``render`` module); ModuleNotFoundError for a
    channel the gateway does not have. Looked up when first used, so that a channel's package
    may itself import the core."""
    module = importlib.import_module(f"bot.channels.{channel}.render")
    found: Renderer = module.render
    return found


def wants_location(message: BotMessage) -> bool:
    return bool(message.custom and message.custom.get(PAYLOAD_REQUEST_LOCATION) is True)


def listing_of(message: BotMessage) -> Listing | None:
    """The directory listing a message carries as data, if any (and well formed)."""
    return _listing_from((message.custom or {}).get(PAYLOAD_LISTING))


def payloads_in(body: dict[str, Any]) -> list[str]:
    """The payloads a rendered unit offers: web chat's buttons, or Telegram's callback data."""
    found = []
    for button in body.get("buttons") or ():
        if isinstance(button, dict):  # web chat: {"title": ..., "payload": ...}
            found.append(str(button.get("payload")))
        elif isinstance(button, list) and len(button) == 2:  # Telegram: [title, callback data]
            found.append(str(button[1]))
    return found


def payload_key(payload: str) -> str:
    return LONG_PAYLOAD_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
