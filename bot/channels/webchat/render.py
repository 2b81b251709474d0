"""Web chat units: each message as it is; the page draws buttons and a "use my location" button,
and a listing's services as cards with Call and Directions links."""

from __future__ import annotations

from typing import Any

from bot.messages import Messages
from bot.model import BotMessage, OutboxItem
from bot.render import Rendered, listing_of, wants_location
from contract import as_payload


def render(messages: list[BotMessage], kind: str, texts: Messages) -> Rendered:
    """The page draws its own buttons' words (``texts`` is for channels that write them)."""
    bodies: list[dict[str, Any]] = []
    for message in messages:
        if wants_location(message):
            if bodies:
                bodies[-1]["request_location"] = True
            continue
        if not (message.text or message.image or message.buttons):
            continue
        body: dict[str, Any] = {"text": message.text or ""}
        listing = listing_of(message)
        if listing:  # the page draws it as cards; "text" stays for anything that reads text
            body["listing"] = as_payload(listing)
        if message.buttons:
            body["buttons"] = [{"title": b.title, "payload": b.payload} for b in message.buttons]
        if message.image:
            body["image"] = message.image
        bodies.append(body)
    return Rendered(items=[OutboxItem(kind, body) for body in bodies])
