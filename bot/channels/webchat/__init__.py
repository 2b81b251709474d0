"""Web chat: a small page anyone can talk to the assistant through, and its JSON API.

- ``GET /`` serves the page (plain HTML, CSS and JavaScript, no build step) with a Quick Exit
  button (and the Escape key) that replaces the page with ``QUICK_EXIT_URL`` at once, clears the
  tab's session, and leaves nothing in the history to go back to.
- ``POST /api/webchat`` takes ``{"sender": ..., "text": ...}`` (or ``"payload"`` for a button
  the conversation was offered, or ``"location": {"latitude": ..., "longitude": ...}``, and an
  optional ``"id"`` that makes a retry safe) and returns that turn's replies. When Rasa is
  slow or down the answer says ``"pending": true``: the message is kept, and its reply comes
  later through ``GET /api/webchat/messages?sender=...&after=<last id>``, which the page polls.
  A message the safety screen finds clear risk in is answered at once with the crisis reply,
  whatever Rasa's state, with ``"more": true``: what Rasa says next follows through the poll.

Another site's page cannot post in a visitor's name (CSRF): ``POST /api/webchat`` takes only an
``application/json`` body (a form or ``text/plain``, which a page elsewhere can send without
asking, is a 415) and refuses a request whose ``Origin`` is not this gateway's own (403);
``curl``, which sends no ``Origin``, is welcome.

The sender id names the conversation: 1 to 128 letters, digits, - or _ ("me" from curl will
do). It is also the only key to the conversation's history, so ``GET .../messages`` wants a
long one (16 or more characters): the page uses 32 random hex digits per browser tab (kept in
sessionStorage), which nobody can guess; a short id can post, and gets its turn's replies, but
cannot read a history back.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels import Context
from bot.channels.traits import TRAITS
from bot.db import Connection, inbound, outbox
from bot.errors import BadInput, StoreError
from bot.inputs import json_body, whole_number
from bot.language import hint_of
from bot.messages import Catalog
from bot.model import InboundRecord, Incoming, Kind, OutboxRecord
from bot.payloads import location_payload, offered
from bot.settings import Settings
from bot.state import DB, INBOX, PIPELINE, SETTINGS, TEXTS
from bot.web import pages
from contract import LANGUAGES

log = logging.getLogger(__name__)

MAX_TEXT = 4096
SENDER = TRAITS["webchat"].address  # 1 to 128 letters, digits, - or _
HISTORY_SENDER = re.compile(r"[A-Za-z0-9_-]{16,128}")
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}")
PAYLOAD = re.compile(r"/[A-Za-z0-9_]+(\{.*\})?", re.DOTALL)


async def index(request: web.Request) -> web.Response:
    """GET /: the chat page (bot/templates/webchat.html) in the language ``?lang=`` names, or
    the browser's (Accept-Language), among the region's; with the Quick Exit address and the
    region's emergency number."""
    catalog = request.app[TEXTS]
    language = page_language(
        request.query.get("lang"), request.headers.get("Accept-Language", ""), catalog
    )
    texts = {code: catalog.of(code).page() for code in catalog.languages}
    names = {code: catalog.of(code).language_button for code in catalog.languages}
    others = [{"code": code, "name": name} for code, name in names.items() if code != language]
    page = {"language": language, "texts": texts, "names": names}
    context = {
        "language": language,
        "t": texts[language],
        "texts_json": json.dumps(page, ensure_ascii=False),
        "others": others,
        "quick_exit_url": request.app[SETTINGS].quick_exit_url,
    }
    return pages.render(request, "webchat.html", context, headers={"Vary": "Accept-Language"})


def page_language(asked: str | None, accept_language: str, catalog: Catalog) -> str:
    """``asked`` when the region has it; else the browser's first language the region has
    (Accept-Language, by its q-values); else the region's default."""
    if asked in catalog.languages:
        return str(asked)
    ranked = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag))
    for quality, _, tag in sorted(ranked):
        code = hint_of(tag, LANGUAGES)
        if quality < 0 and code in catalog.languages:
            return str(code)
    return catalog.default


def incoming_from_json(data: Any) -> Incoming:
    """The message a web chat request carries; :class:`BadInput` says what is wrong."""
    if not isinstance(data, dict):
        raise BadInput('send a JSON object: {"sender": "...", "text": "..."}')
    sender = data.get("sender")
    if not isinstance(sender, str) or not SENDER.fullmatch(sender):
        raise BadInput("sender must be 1 to 128 letters, digits, - or _")
    text, payload, location = data.get("text"), data.get("payload"), data.get("location")
    if [text, payload, location].count(None) != 2:
        raise BadInput("give one of text, payload or location")
    kind: Kind
    if payload is not None:
        if not isinstance(payload, str) or len(payload) > 1024 or not PAYLOAD.fullmatch(payload):
            raise BadInput('payload must look like "/intent" or "/intent{...}"')
        kind, words = "payload", payload
    elif location is not None:
        kind, words = "location", _location(location)
    else:
        if not isinstance(text, str):
            raise BadInput("text must be a string")
        if not text.strip():
            raise BadInput("text is empty")
        if len(text) > MAX_TEXT:
            raise BadInput(f"text is too long ({len(text)} characters; at most {MAX_TEXT})")
        kind, words = "text", text
    client_id = data.get("id")
    if client_id is not None and (
        not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id)
    ):
        raise BadInput("id must be 1 to 64 letters, digits, - or _")
    provider_id = f"{sender}:{client_id}" if client_id else None
    hint = data.get("language")  # the browser's language ("es-MX"): a hint, bot/language.py
    if hint is not None and (not isinstance(hint, str) or not LANGUAGE_TAG.fullmatch(hint)):
        raise BadInput('language must be a language tag such as "es" or "en-US"')
    return Incoming("webchat", sender, kind, words, provider_id=provider_id, language_hint=hint)


def _location(value: Any) -> str:
    """A shared location as the payload Rasa is sent; BadInput unless two numbers on Earth."""
    if not isinstance(value, dict):
        raise BadInput('location must be {"latitude": number, "longitude": number}')
    lat, lon = value.get("latitude"), value.get("longitude")
    if not (_number(lat) and _number(lon)):
        raise BadInput('location must be {"latitude": number, "longitude": number}')
    try:
        return location_payload(float(lat), float(lon))
    except ValueError as exc:
        raise BadInput(f"location: {exc}") from None


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def foreign_origin(request: web.Request, public_url: str | None) -> str | None:
    """The request's Origin if it is not this gateway (its Host, or PUBLIC_URL), else None."""
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    ours = {request.host.lower()}
    if public_url:
        ours.add(urlsplit(public_url).netloc.lower())
    found = urlsplit(origin)
    same = found.scheme in ("http", "https") and found.netloc.lower() in ours
    return None if same else origin


async def send(request: web.Request) -> web.Response:
    """POST /api/webchat: store the message, wait for its turn, return the replies."""
    if request.content_type != "application/json":
        return _error("send the message as JSON (Content-Type: application/json)", status=415)
    if foreign_origin(request, request.app[SETTINGS].public_url) is not None:
        return _error("this page may only be posted to from the gateway's own page", status=403)
    try:
        incoming = incoming_from_json(await json_body(request))
    except BadInput as exc:
        return _error(str(exc))
    if incoming.kind == "payload":
        cid = request.app[INBOX].conversation_id("webchat", incoming.address)
        if not await offered(request.app[DB], cid, incoming.text):
            return _error(
                "payload is not a button this conversation was offered: send what the client "
                "typed as text"
            )
    try:
        accepted = await request.app[INBOX].accept(incoming)
    except StoreError as exc:
        log.error("web chat message not stored: %s", exc)
        return web.json_response({"error": "not stored, try again"}, status=503)
    settings = request.app[SETTINGS]
    answered = True
    if accepted.status == "pending" and not accepted.crisis:
        answered = await request.app[PIPELINE].wait_turn(
            accepted.inbound_id, settings.rasa_timeout + 2
        )
    record, units = await request.app[DB].run_first(_turn, accepted.inbound_id)
    replies = [unit for unit in units if unit.status == "sent"]
    waiting = record is not None and record.status == "pending"
    # The crisis reply never waits for Rasa: what follows it comes through the poll.
    more = accepted.crisis and waiting
    pending = (not answered or waiting) and not more
    body = {
        "message_id": accepted.inbound_id,
        "duplicate": accepted.duplicate,
        "pending": pending,
        "more": more,
        "replies": [_unit(r) for r in replies],
    }
    return web.json_response(body)


async def messages(request: web.Request) -> web.Response:
    """GET /api/webchat/messages?sender=...&after=N: replies delivered after unit N."""
    sender = request.query.get("sender", "")
    if not HISTORY_SENDER.fullmatch(sender):
        return _error("to read replies back, sender must be 16 to 128 letters, digits, - or _")
    try:
        after = whole_number(request.query.get("after", "0"), "after")
    except BadInput as exc:
        return _error(str(exc))
    inbox = request.app[INBOX]
    cid = inbox.conversation_id("webchat", sender)
    records = await request.app[DB].run_first(outbox.delivered_after, cid, after)
    return web.json_response({"messages": [_unit(r) for r in records]})


def _turn(c: Connection, inbound_id: int) -> tuple[InboundRecord | None, list[OutboxRecord]]:
    """A message as it stands, and the units that answer it."""
    return inbound.get(c, inbound_id), outbox.for_inbound(c, inbound_id)


def _unit(record: OutboxRecord) -> dict[str, Any]:
    return {"id": record.id, "kind": record.kind, **record.body}


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


# --- the channel's interface (bot.channels.Unit) ----------------------------------------------


def contexts(settings: Settings) -> tuple[list[Context], list[Context]]:
    return [], []  # the page's requests are the intake; replies wait in the store to be fetched


def add_routes(app: web.Application, settings: Settings | None = None) -> None:
    app.router.add_get("/", index)
    app.router.add_post("/api/webchat", send)
    app.router.add_get("/api/webchat/messages", messages)
    pages.setup(app)


async def stop_intake(app: web.Application) -> None:
    """Nothing to stop: the page's requests end with the server."""


def reachable_at(settings: Settings) -> str | None:
    return None  # nothing reaches a closed tab: the web chat cannot check back
