"""Telegram: python-telegram-bot 22 inside the aiohttp app, by webhook or by long polling.

The Application is built with ``.updater(None)`` as in PTB's ``customwebhookbot`` examples.
With ``PUBLIC_URL`` set, Telegram pushes updates to ``POST /telegram/webhook``; the route checks
the secret token header in constant time, hands the update to the Application, and answers 200
only once the update is in the store (503 otherwise, so that Telegram sends it again).
Without ``PUBLIC_URL`` the gateway polls ``getUpdates`` itself: PTB's Updater confirms an update
to Telegram as soon as it is queued in memory, before it is stored, so a crash at that moment
would lose it; this loop confirms (advances the offset) only past stored updates.

Two objects, built in this order: :class:`TelegramBot`, the Bot API client, which the outbox
(:class:`TelegramSender`) and the staff relay send through; then, once the inbox exists,
:class:`TelegramChannel`, the intake, which initialises the client, registers the webhook or
polls, and hands updates to the handlers that translate them
(:mod:`bot.channels.telegram.handlers`).
"""

from __future__ import annotations

import os

# PTB 22 warns, from inside its own RetryAfter constructor, that time periods become timedeltas;
# opting in (its documented switch) keeps a 429 from turning into a warning instead of a wait.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import asyncio
import contextlib
import hmac
import logging
import secrets
import warnings
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder
from telegram.warnings import PTBDeprecationWarning

from bot.channels import Context
from bot.channels.telegram.handlers import (
    BACKGROUND_KEY,
    INBOX_KEY,
    outcome_of,
    register_handlers,
)
from bot.channels.telegram.render import TEXT_LIMIT as TELEGRAM_TEXT_LIMIT
from bot.channels.telegram.render import split_utf16
from bot.db import Database, inbound, meta
from bot.errors import BadInput, PermanentSendError, StoreError, TransientSendError
from bot.inbox import Inbox
from bot.inputs import json_body
from bot.model import Accepted, Incoming
from bot.pacing import Pacer
from bot.privacy import redact
from bot.settings import Settings
from bot.state import ADMIN, DB, HANDOFF, INBOX, SENDERS, SETTINGS, TELEGRAM_BOT

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
SECRET_KEY = "telegram_webhook_secret"  # noqa: S105 - where the store keeps it
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_TIMEOUT = 25


def build_application(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB Application: no Updater (the gateway owns intake); the API at TELEGRAM_API_URL."""
    api = settings.telegram_api_url
    return (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.reveal())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .updater(None)
        .job_queue(None)
        .connect_timeout(5)
        .read_timeout(10)
        .write_timeout(10)
        .pool_timeout(5)
        .get_updates_read_timeout(10)
        .build()
    )


# --- the client, and the channel: start-up, webhook route, polling, sending ------------------


class TelegramBot:
    """The Bot API client: the PTB Application (no Updater), and whether it is initialised.

    Built before the inbox, so that the outbox and the staff relay can be given it; the
    channel's intake initialises it (:attr:`ready`) when it starts. :meth:`close` closes its
    HTTP clients, after the outbox has stopped sending.
    """

    def __init__(self, settings: Settings) -> None:
        self.application = build_application(settings)
        self.ready = asyncio.Event()
        self.sender = TelegramSender(self)

    async def close(self) -> None:
        if self.ready.is_set():
            await self.application.shutdown()
        else:  # initialisation never finished: close the HTTP clients it opened
            await self.application.bot.shutdown()


class TelegramChannel:
    """The gateway's intake around the Bot API client: webhook or polling, and the handlers."""

    def __init__(
        self, settings: Settings, bot: TelegramBot, db: Database, inbox: Inbox, secret: str
    ) -> None:
        self.settings = settings
        self.bot = bot
        self.application = bot.application
        self.db = db
        self.secret = secret
        self.inbox = inbox
        self.application.bot_data[INBOX_KEY] = inbox
        self.application.bot_data[BACKGROUND_KEY] = self.background
        register_handlers(self.application)
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def webhook_mode(self) -> bool:
        return self.settings.telegram_webhook_mode

    def start(self) -> None:
        """Connect in the background: web chat and SMS must not wait for Telegram."""
        self.background(self._connect(), name="telegram connect")

    def background(self, coroutine: Any, name: str = "telegram") -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop_intake(self) -> None:
        """Stop connecting and polling (and answering button taps): no new updates come in."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _connect(self) -> None:
        await _retrying("initialise the Telegram bot", self.application.initialize)
        self.bot.ready.set()  # the webhook route, the outbox and the relay can use it from now on
        bot = self.application.bot
        if self.webhook_mode:
            url = f"{self.settings.public_url}{WEBHOOK_PATH}"
            await _retrying(
                "set the Telegram webhook",
                lambda: bot.set_webhook(
                    url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
                ),
            )
            log.info("Telegram: webhook mode, updates arrive at %s", url)
        else:
            await _retrying("remove the Telegram webhook", lambda: bot.delete_webhook())
            log.info("Telegram: polling mode (no PUBLIC_URL)")
            await self._poll()

    async def process(self, update: Update) -> bool:
        """Run the handlers on ``update``; whether it is now in the store (StoreError if not)."""
        problem = malformed(update)
        if problem is not None:
            # Not a shape Telegram sends: the handlers would fail on it. Kept as ignored, so a
            # repeat is recognised, and said once at WARNING (the update's words are not logged).
            log.warning("Telegram update %d is malformed (%s): kept, not answered",
                        update.update_id, problem)  # fmt: skip
            await self._keep_ignored(update)
            return True
        try:
            await self.application.process_update(update)
        finally:
            outcome = outcome_of(self.application, update.update_id)
        if isinstance(outcome, Accepted):
            return True
        if isinstance(outcome, StoreError):
            raise StoreError("the store refused the update") from outcome
        if await self.db.run_first(inbound.seen, "telegram", str(update.update_id)):
            return True
        # A handler failed before storing (a bug, or an update shape PTB could not read). Keep
        # the update as ignored: refused, Telegram would send it again and again, holding up
        # the updates behind it.
        log.error("Telegram update %d: no handler stored it; kept as ignored", update.update_id)
        await self._keep_ignored(update)
        return True

    async def _keep_ignored(self, update: Update) -> None:
        chat = update.effective_chat
        address = str(chat.id) if chat else "unknown"
        incoming = Incoming("telegram", address, "ignored", "", provider_id=str(update.update_id))
        await self.inbox.accept(incoming)

    async def _poll(self) -> None:
        """getUpdates in a loop; the offset moves past an update only once it is stored."""
        offset: int | None = None
        failures = 0
        bot = self.application.bot
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
                )
                failures = 0
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except (Conflict, InvalidToken, TelegramError) as exc:
                failures += 1
                delay = min(60.0, 2.0**failures)
                log.warning(
                    "Telegram getUpdates failed (%s); again in %.0f s", redact(str(exc)), delay
                )
                await asyncio.sleep(delay)
                continue
            for update in updates:
                try:
                    stored = await self.process(update)
                except StoreError as exc:
                    stored = False
                    log.error("Telegram update not stored: %s", exc)
                if not stored:
                    await asyncio.sleep(1.0)
                    break  # ask again from this update: nothing is confirmed past it
                offset = update.update_id + 1


def malformed(update: Update) -> str | None:
    """What makes ``update`` one the handlers cannot read (None: it is fine). PTB builds an
    update from whatever JSON arrives; Telegram's own always have these."""
    message = update.effective_message
    if message is not None and getattr(message, "chat", None) is None:
        return "a message without a chat"
    if update.callback_query is not None and update.effective_user is None:
        return "a button tap without a user"
    return None


async def webhook(request: web.Request) -> web.Response:
    """POST /telegram/webhook: check the secret, store the update, then acknowledge it."""
    channel = request.app[CHANNEL]
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), channel.secret.encode()):
        return web.json_response({"error": "wrong or missing secret token"}, status=403)
    if not channel.bot.ready.is_set():
        return web.json_response({"error": "not ready, send again"}, status=503)
    try:
        data = await json_body(request)
    except BadInput as exc:
        return web.json_response({"error": str(exc)}, status=400)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return web.json_response({"error": "not a Telegram update (no update_id)"}, status=400)
    try:
        update = Update.de_json(data, channel.application.bot)
    except (TypeError, ValueError, KeyError, AttributeError):
        return web.json_response({"error": "malformed Telegram update"}, status=400)
    try:
        stored = await channel.process(update)
    except StoreError as exc:
        log.error("Telegram update not stored: %s", exc)
        stored = False
    if not stored:
        return web.json_response({"error": "not stored, send again"}, status=503)
    return web.json_response({"ok": True})


class TelegramSender:
    """Sends one unit with the Bot API; maps PTB's errors to transient and permanent ones."""

    def __init__(self, client: TelegramBot) -> None:
        self.client = client
        # About one message a second to a chat (bursts of 3), 30 a second overall.
        self.pacer = Pacer(per_key_rate=1.0, per_key_burst=3, overall_rate=30.0, overall_burst=30)

    async def send(self, address: str, body: dict[str, Any]) -> str | None:
        if not self.client.ready.is_set():
            raise TransientSendError("Telegram is not connected yet")
        bot = self.client.application.bot
        try:
            if "photo" in body:
                message = await bot.send_photo(int(address), body["photo"])
            elif "venue" in body:
                venue = body["venue"]
                message = await bot.send_venue(
                    int(address),
                    latitude=venue["latitude"],
                    longitude=venue["longitude"],
                    title=venue["title"],
                    address=venue["address"],
                    reply_markup=_markup(body),
                )
            else:
                message = await self._send_text(int(address), body)
        except RetryAfter as exc:
            raise TransientSendError(
                "Telegram asks to slow down", retry_after_seconds(exc)
            ) from None
        except Forbidden as exc:
            raise PermanentSendError(f"Telegram refused: {exc.message}", blocked=True) from None
        except BadRequest as exc:
            raise PermanentSendError(f"Telegram rejected the message: {exc.message}") from None
        except TelegramError as exc:  # NetworkError, TimedOut, InvalidToken, server errors
            raise TransientSendError(redact(f"{type(exc).__name__}: {exc.message}")) from None
        return str(message.message_id)

    async def _send_text(self, chat_id: int, body: dict[str, Any]) -> Message:
        """The text in its markup; if Telegram refuses the markup, the same words plain (a
        reply is never lost to a formatting error)."""
        bot = self.client.application.bot
        if not body.get("parse_mode"):
            return await bot.send_message(chat_id, body["text"], reply_markup=_markup(body))
        try:
            return await bot.send_message(
                chat_id, body["text"], parse_mode=body["parse_mode"], reply_markup=_markup(body)
            )
        except BadRequest as exc:
            log.warning("Telegram refused the markup (%s); sending it plain", exc.message)
            plain = split_utf16(str(body.get("plain") or body["text"]), TELEGRAM_TEXT_LIMIT)
            for part in plain[:-1]:
                await bot.send_message(chat_id, part)
            return await bot.send_message(chat_id, plain[-1], reply_markup=_markup(body))


def _markup(body: dict[str, Any]) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(title, callback_data=data)]
        for title, data in body.get("buttons") or ()
    ]
    rows += [[InlineKeyboardButton(title, url=url)] for title, url in body.get("links") or ()]
    if rows:
        return InlineKeyboardMarkup(rows)
    if body.get("request_location"):
        button = KeyboardButton(str(body["request_location"]), request_location=True)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    return None


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (a timedelta with PTB_TIMEDELTA, else an int)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _retrying(what: str, action: Any) -> None:
    """Call ``action`` until it works, waiting longer each time (at most five minutes)."""
    failures = 0
    while True:
        try:
            await action()
            return
        except RetryAfter as exc:
            await asyncio.sleep(retry_after_seconds(exc))
        except TelegramError as exc:
            failures += 1
            delay = min(300.0, 2.0**failures)
            log.warning("cannot %s (%s); trying again in %.0f s", what, redact(str(exc)), delay)
            await asyncio.sleep(delay)


# --- the channel's interface (bot.channels.Unit) ----------------------------------------------

NAME = "telegram"
CHANNEL: web.AppKey[TelegramChannel] = web.AppKey("telegram_channel")


def contexts(settings: Settings) -> tuple[list[Context], list[Context]]:
    if not settings.telegram_enabled:
        return [], []
    return [client_ctx], [intake_ctx]


def add_routes(app: web.Application, settings: Settings) -> None:
    if settings.telegram_webhook_mode:
        app.router.add_post(WEBHOOK_PATH, webhook)


async def stop_intake(app: web.Application) -> None:
    if CHANNEL in app:
        await app[CHANNEL].stop_intake()


def reachable_at(settings: Settings) -> str | None:
    return "Telegram" if settings.telegram_enabled else None


async def client_ctx(app: web.Application) -> AsyncIterator[None]:
    """Telegram's Bot API client (closed after the outbox and the staff relay have stopped)."""
    client = TelegramBot(app[SETTINGS])
    app[TELEGRAM_BOT] = client
    app[SENDERS][NAME] = client.sender
    yield
    await client.close()


async def intake_ctx(app: web.Application) -> AsyncIterator[None]:
    """Telegram's handlers (staff first: before any update is read), then webhook or polling."""
    from bot.handoff.desk import staffchat

    settings, db, handoff = app[SETTINGS], app[DB], app[HANDOFF]
    secret = settings.telegram_webhook_secret.reveal() or await db.run(
        meta.value, SECRET_KEY, lambda: secrets.token_urlsafe(32)
    )
    channel = TelegramChannel(settings, app[TELEGRAM_BOT], db, app[INBOX], secret)
    if handoff.relay is not None:
        chats = handoff.settings.staff_chats()
        staffchat.register(
            channel.application, handoff.desk, app[INBOX].hasher, chats, app[ADMIN].mark_case
        )
    app[CHANNEL] = channel
    channel.start()
    yield
    await channel.stop_intake()
