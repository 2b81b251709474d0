"""Typed text is always text; only the bot's own buttons send intents (docs/design.md, "Safety rules").

Rasa reads a message that begins with ``/`` as an intent with entities
(``/inform_location{"location": "..."}``), skipping the NLU. So:

- :func:`as_words` turns typed text that begins with ``/`` into plain words before it is stored
  and screened (``/risk_self_harm`` is the words "risk self harm"; the ``{...}`` that would set
  entities and an ``@0.9`` confidence are dropped), on every channel;
- a payload, which does reach Rasa as an intent, is accepted only when the bot offered it to
  that conversation as a button (:func:`offered`: web chat's ``payload``, Telegram's callback
  data) or is one of :data:`GATEWAY_PAYLOADS`, the gateway's own;
- a shared location becomes the ``/inform_location`` payload here, from two numbers in range
  (:func:`location_payload`), never from text.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re

from bot.db import Database, outbox
from bot.model import Incoming
from bot.render import payloads_in
from contract import LANGUAGES

# Payloads the gateway itself sends whatever Rasa offered: Telegram's /start, /human,
# /delete and /stop (no more check-ins: bot/followups), the "Talk to a person" button of its own replies, the web chat page's "Delete my
# messages" (bot/privacy/client.py), and the language buttons ("/language_es": bot/language.py).
GATEWAY_PAYLOADS = frozenset(
    {
        "/greet",
        "/request_human",
        "/erase_request",
        "/followup_stop",
        *(f"/language_{x}" for x in LANGUAGES),
    }
)
# How far back a conversation's buttons count (units with buttons, newest first).
OFFERED_LOOKBACK = 200
# "/intent", an optional "@bot" or "@0.9", an optional {...} of entities, then anything.
_COMMAND = re.compile(
    r"/+(?P<name>[^\s{@/]*)(?:@[^\s{]*)?(?P<entities>\{.*\})?(?P<rest>.*)", re.DOTALL
)


def as_words(text: str) -> str:
    """``text`` as words Rasa cannot take for an intent: no leading ``/``, no entities."""
    words = text
    while words.lstrip().startswith("/"):
        found = _COMMAND.match(words.lstrip())
        assert found is not None  # the pattern matches anything that starts with "/"
        name = found["name"].replace("_", " ").strip()
        words = " ".join(part for part in (name, found["rest"].strip()) if part)
    return words


def typed(incoming: Incoming) -> Incoming:
    """``incoming`` with its typed words made safe for Rasa (other kinds are left as they are)."""
    if incoming.kind in ("text", "media") and incoming.text.lstrip().startswith("/"):
        return dataclasses.replace(incoming, text=as_words(incoming.text))
    return incoming


async def offered(db: Database, conversation_id: str, payload: str) -> bool:
    """Whether the client may send ``payload``: the gateway's own, or a button it was offered."""
    if payload in GATEWAY_PAYLOADS:
        return True
    bodies = await db.run_first(outbox.with_buttons, conversation_id, OFFERED_LOOKBACK)
    return any(payload in payloads_in(body) for body in bodies)


def location_payload(latitude: float, longitude: float) -> str:
    """``/inform_location{"location":"geo:lat,lon"}``; ValueError for a place not on Earth, or
    coordinates that are not numbers (a forged update's ``"latitude": "north"``)."""
    for value in (latitude, longitude):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("a coordinate must be a number")
    if not (math.isfinite(latitude) and -90.0 <= latitude <= 90.0):
        raise ValueError("latitude must be a number from -90 to 90")
    if not (math.isfinite(longitude) and -180.0 <= longitude <= 180.0):
        raise ValueError("longitude must be a number from -180 to 180")
    place = f"geo:{latitude:.5f},{longitude:.5f}"
    return "/inform_location" + json.dumps({"location": place}, separators=(",", ":"))
