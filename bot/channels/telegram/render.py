"""Telegram's units: text split at 4,096 UTF-16 units; buttons become an inline keyboard whose
callback data is the payload (or ``p:<hash>`` when it is over 64 bytes, the payload kept in the
store); ``{"request_location": true}`` adds a "share my location" reply keyboard to the text
before it. A directory listing (``{"listing": ...}``, contract/listing.py) goes in HTML: names
in bold, every word of the data escaped, numbers as people dial them (Telegram makes them
tappable), the plain text kept beside it for a resend if Telegram refuses the markup; then a
map pin (``venue``) of the nearest service that is open now and may be pinned, with Directions.
"""

from __future__ import annotations

import html
from typing import Any

from bot.messages import Messages
from bot.model import BotMessage, OutboxItem
from bot.render import Rendered, listing_of, payload_key, wants_location
from contract import Listing, Service

TEXT_LIMIT = 4096
CALLBACK_LIMIT = 64


def render(messages: list[BotMessage], kind: str, texts: Messages) -> Rendered:
    rendered = Rendered()
    bodies: list[dict[str, Any]] = []
    for message in messages:
        if wants_location(message):
            _attach_location_keyboard(bodies, texts.share_location_button)
            continue
        if message.image:
            bodies.append({"photo": message.image})
        listing = listing_of(message)
        marked = telegram_html(listing) if listing else None
        if message.text and marked and utf16_len(marked) <= TEXT_LIMIT:
            bodies.append({"text": marked, "parse_mode": "HTML", "plain": message.text})
        elif message.text:
            bodies.extend({"text": chunk} for chunk in split_utf16(message.text, TEXT_LIMIT))
        if message.buttons:
            if not bodies or "text" not in bodies[-1] or "buttons" in bodies[-1]:
                bodies.append({"text": "…"})
            bodies[-1]["buttons"] = [
                [button.title, _callback_data(button.payload, rendered)]
                for button in message.buttons
            ]
        pin = listing.nearest_open_pin() if listing else None
        if listing and pin:
            bodies.append(telegram_venue(pin, listing))
    rendered.items = [OutboxItem(kind, body) for body in bodies]
    return rendered


def telegram_html(listing: Listing) -> str:
    """A listing in Telegram's HTML: each name in bold, every word of the data escaped."""
    label = listing.labels.get
    blocks = [html.escape(listing.header)] if listing.header else []
    for service in listing.services:
        head = f"<b>{service.number}. {html.escape(service.name)}</b>"
        lines = [f"{head} ({html.escape(service.distance)})" if service.distance else head]
        lines.append(html.escape(service.status))
        if service.phone:
            lines.append(
                f"{html.escape(label('phone') or '')} {html.escape(service.phone)}".strip()
            )
        if service.address:
            area = f"{label('area')} " if service.confidential and label("area") else ""
            lines.append(html.escape(f"{area}{service.address}"))
        if service.who:
            lines.append(html.escape(f"{label('for') or ''} {service.who}".strip()))
        if service.speaks and label("speaks"):
            lines.append(html.escape(label("speaks") or ""))
        blocks.append("\n".join(lines))
    if listing.footer:
        blocks.append(html.escape(listing.footer))
    return "\n\n".join(blocks)


def telegram_venue(service: Service, listing: Listing) -> dict[str, Any]:
    """A map pin of ``service`` (only ever a pinnable one: public, with its own point)."""
    if not service.pinnable or service.latitude is None or service.longitude is None:
        raise ValueError("only a public place with its own point is pinned")
    body: dict[str, Any] = {
        "venue": {
            "latitude": service.latitude,
            "longitude": service.longitude,
            "title": service.name,
            "address": service.address or service.status,
        }
    }
    if service.directions:
        body["links"] = [[listing.labels.get("directions") or "Directions", service.directions]]
    return body


def _attach_location_keyboard(bodies: list[dict[str, Any]], title: str) -> None:
    # A message carries one keyboard: an inline one (buttons) or a reply one (location).
    if bodies and "text" in bodies[-1] and "buttons" not in bodies[-1]:
        bodies[-1]["request_location"] = title
    else:
        bodies.append({"text": title, "request_location": title})


def _callback_data(payload: str, rendered: Rendered) -> str:
    if len(payload.encode()) <= CALLBACK_LIMIT:
        return payload
    key = payload_key(payload)
    rendered.long_payloads[key] = payload
    return key


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_utf16(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` UTF-16 units (no half of a pair)."""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:index]
    return text


def split_utf16(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-16 units (Telegram's measure), at word ends."""
    parts: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        fits, used = 0, 0
        for index, ch in enumerate(rest):
            used += 2 if ord(ch) > 0xFFFF else 1
            if used > limit:
                break
            fits = index + 1
        head = rest[:fits]
        cut = fits
        for separator in ("\n\n", "\n", ". ", " "):
            at = head.rfind(separator)
            if at > fits // 3:
                cut = at + len(separator)
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
