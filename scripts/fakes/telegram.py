"""A fake Telegram Bot API server, reached by python-telegram-bot through TELEGRAM_API_URL.

It implements what the gateway calls (getMe, setWebhook, deleteWebhook, getUpdates,
sendMessage, sendPhoto, sendVenue, answerCallbackQuery) with the Bot API's own request and
answer shapes.
:meth:`FakeTelegram.push` delivers an update the way Telegram does: to the webhook (with the
secret token header, again and again until it is answered 200) when one is set, else to
getUpdates, which confirms updates only when a later call asks with a higher offset.
``fail_next`` makes the next sends answer an error (429 with retry_after, 403, 400, 500).
Like Telegram, it refuses a message longer than 4,096 UTF-16 units ("message is too long"),
and reads ``parse_mode=HTML`` as Telegram does: only Telegram's tags, balanced, with every other
``<``, ``>`` and ``&`` escaped, else "can't parse entities"; what it keeps as ``text`` is what
the client sees (tags gone, entities decoded) and the bold parts in ``bold``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from .base import LoopbackServer

BOT_ID = 7000000001
BOT_TOKEN = f"{BOT_ID}:AAH-test-token-for-the-fake-bot-api-xyz"
WEBHOOK_SECRET = "webhook-secret-for-tests"


@dataclass
class Sent:
    chat_id: int
    text: str | None
    reply_markup: dict[str, Any] | None
    photo: str | None = None
    at: float = field(default_factory=time.monotonic)
    parse_mode: str | None = None
    bold: list[str] = field(default_factory=list)  # the bold parts of an HTML message, as seen
    links: list[str] = field(default_factory=list)  # the <a href> targets of an HTML message
    venue: dict[str, Any] | None = None  # sendVenue: latitude, longitude, title, address


class FakeTelegram(LoopbackServer):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.sent: list[Sent] = []
        self.calls: list[str] = []
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_answers: list[int] = []
        self.pending: list[dict[str, Any]] = []  # updates not yet confirmed by getUpdates
        self.confirmed_offset = 0
        self.answered_callbacks: list[str] = []
        self.failures: list[tuple[int, str, int | None]] = []
        self.failed_at: list[float] = []  # when each failure was answered (time.monotonic)
        self.on_send: Callable[[Sent], None] | None = None  # benchmarks watch replies arrive
        self._new_update = asyncio.Event()
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(100)
        self._pushers: set[asyncio.Task[None]] = set()
        self.app.router.add_route("*", "/bot{token}/{method}", self._method)

    # --- what tests call ----------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def fail_next(
        self, count: int, status: int, description: str, retry_after: int | None = None
    ) -> None:
        self.failures.extend([(status, description, retry_after)] * count)

    def push(self, update: dict[str, Any]) -> None:
        """Deliver ``update`` as Telegram would (webhook if set, else getUpdates)."""
        if self.webhook_url:
            task = asyncio.create_task(self._deliver(update))
            self._pushers.add(task)
            task.add_done_callback(self._pushers.discard)
        else:
            self.pending.append(update)
            self._new_update.set()

    def texts_to(self, chat_id: int) -> list[str]:
        return [s.text or "" for s in self.sent if s.chat_id == chat_id]

    async def close(self) -> None:
        for task in list(self._pushers):
            task.cancel()
        await super().close()

    # --- the Bot API --------------------------------------------------------------------------

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(404, "Not Found")
        method = request.match_info["method"]
        self.calls.append(method)
        params = await _params(request)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return error_response(404, "Not Found: method not found")
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Helper", "username": "helper_bot"}

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = params["url"]
        self.webhook_secret = params.get("secret_token")
        for update in self.pending:
            self.push(update)
        self.pending.clear()
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = None
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook_url:
            return error_response(
                409, "Conflict: can't use getUpdates method while webhook is active"
            )
        offset = int(params.get("offset") or 0)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout") or 0), 2.0)
        if not self.pending and timeout:
            self._new_update.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return list(self.pending)

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        text, bold, links = params["text"], [], []
        mode = params.get("parse_mode")
        if mode is not None:
            if str(mode).lower() != "html":
                return error_response(400, f"Bad Request: unsupported parse_mode {mode}")
            try:
                text, bold, links = parse_html(text)
            except ValueError as exc:
                return error_response(400, f"Bad Request: can't parse entities: {exc}")
        if too_long(text):
            return error_response(400, "Bad Request: message is too long")
        return self._send(params, text=text, parse_mode=mode, bold=bold, links=links)

    async def _api_sendVenue(self, params: dict[str, Any]) -> Any:
        try:
            venue = {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
                "title": str(params["title"]),
                "address": str(params["address"]),
            }
        except (KeyError, TypeError, ValueError):
            return error_response(
                400, "Bad Request: venue needs latitude, longitude, title, address"
            )
        return self._send(params, venue=venue)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._send(params, photo=params["photo"])

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.answered_callbacks.append(params["callback_query_id"])
        return True

    def _send(
        self,
        params: dict[str, Any],
        text: str | None = None,
        photo: str | None = None,
        **extra: Any,
    ) -> Any:
        if self.failures:
            status, description, retry_after = self.failures.pop(0)
            self.failed_at.append(time.monotonic())
            extra = {"parameters": {"retry_after": retry_after}} if retry_after else {}
            return error_response(status, description, **extra)
        chat_id = int(params["chat_id"])
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        sent = Sent(chat_id, text, markup or None, photo, **extra)
        self.sent.append(sent)
        if self.on_send is not None:
            self.on_send(sent)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Helper"},
        }
        if text is not None:
            message["text"] = text
        if photo is not None:
            message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}]
        if sent.venue is not None:
            venue = sent.venue
            message["venue"] = {
                "location": {"latitude": venue["latitude"], "longitude": venue["longitude"]},
                "title": venue["title"],
                "address": venue["address"],
            }
        return message

    async def _deliver(self, update: dict[str, Any]) -> None:
        """POST the update to the webhook until it is answered 200 (Telegram's behaviour)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret or ""}
        async with aiohttp.ClientSession() as session:
            for attempt in range(50):
                try:
                    async with session.post(
                        self.webhook_url or "", json=update, headers=headers
                    ) as r:
                        self.webhook_answers.append(r.status)
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    self.webhook_answers.append(0)
                await asyncio.sleep(min(0.1 * (attempt + 1), 1.0))


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    if request.method == "GET":
        return dict(request.query)
    return {k: v for k, v in (await request.post()).items()}


# Telegram's HTML style: these tags, the four named entities and numeric ones; anything else
# that looks like markup is refused (https://core.telegram.org/bots/api#html-style).
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_HTML_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);|[<>&]"
)


def parse_html(marked: str) -> tuple[str, list[str], list[str]]:
    """What a client sees of an HTML message: its text, its bold parts and its link targets;
    ValueError (with Telegram's words) when Telegram would refuse it."""
    out: list[str] = []
    open_tags: list[tuple[str, int]] = []
    bold: list[str] = []
    links: list[str] = []
    at = 0
    for token in _HTML_TOKEN.finditer(marked):
        out.append(marked[at : token.start()])
        at = token.end()
        closing, tag, attributes, entity = token.groups()
        if token.group(0) in "<>&":
            raise ValueError(f"unexpected {token.group(0)!r} at byte offset {token.start()}")
        if entity:
            out.append(html.unescape(f"&{entity};"))
            continue
        tag = tag.lower()
        if tag not in HTML_TAGS:
            raise ValueError(f'Unsupported start tag "{tag}" at byte offset {token.start()}')
        if not closing:
            if tag == "a":
                href = re.search(r'href\s*=\s*"([^"]*)"', attributes or "")
                links.append(html.unescape(href.group(1)) if href else "")
            open_tags.append((tag, len("".join(out))))
            continue
        if not open_tags or open_tags[-1][0] != tag:
            raise ValueError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        _, start = open_tags.pop()
        if tag in ("b", "strong"):
            bold.append("".join(out)[start:])
    if open_tags:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    out.append(marked[at:])
    return "".join(out), bold, links


def too_long(text: str, limit: int = 4096) -> bool:
    """Whether Telegram would refuse ``text`` (it counts UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2 > limit


def error_response(status: int, description: str, **extra: Any) -> web.Response:
    body = {"ok": False, "error_code": status, "description": description, **extra}
    return web.json_response(body, status=status)


# --- updates as Telegram sends them -------------------------------------------------------------


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Client", "language_code": "en"}


def _message(update_id: int, chat_id: int, **content: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Client"},
            "from": _user(chat_id),
            **content,
        },
    }


def text_update(
    update_id: int, chat_id: int, text: str, language_code: str | None = None
) -> dict[str, Any]:
    """A text message; ``language_code`` is the client's app language, as Telegram sends it."""
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    update = _message(update_id, chat_id, **content)
    if language_code is not None:
        update["message"]["from"]["language_code"] = language_code
    return update


def location_update(update_id: int, chat_id: int, lat: float, lon: float) -> dict[str, Any]:
    return _message(update_id, chat_id, location={"latitude": lat, "longitude": lon})


def photo_update(update_id: int, chat_id: int, caption: str | None = None) -> dict[str, Any]:
    photo = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    content: dict[str, Any] = {"photo": photo}
    if caption:
        content["caption"] = caption
    return _message(update_id, chat_id, **content)


def sticker_update(update_id: int, chat_id: int) -> dict[str, Any]:
    sticker = {
        "file_id": "CAAD",
        "file_unique_id": "AgAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return _message(update_id, chat_id, sticker=sticker)


def voice_update(update_id: int, chat_id: int) -> dict[str, Any]:
    voice = {"file_id": "AwAD", "file_unique_id": "AgAD", "duration": 3}
    return _message(update_id, chat_id, voice=voice)


def document_update(update_id: int, chat_id: int) -> dict[str, Any]:
    document = {"file_id": "BQAD", "file_unique_id": "AgAD", "file_name": "letter.pdf"}
    return _message(update_id, chat_id, document=document)


def button_update(update_id: int, chat_id: int, data: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": _user(chat_id),
            "chat_instance": "42",
            "data": data,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Helper"},
                "text": "Hi, what do you need?",
            },
        },
    }


def edited_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    update = _message(update_id, chat_id, text=text, edit_date=int(time.time()))
    update["edited_message"] = update.pop("message")
    return update


def unknown_update(update_id: int) -> dict[str, Any]:
    """An update type the gateway does not know (Telegram adds new ones over time)."""
    return {"update_id": update_id, "some_future_update": {"id": 1, "anything": ["x"]}}
