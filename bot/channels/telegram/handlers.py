"""Telegram's handlers: each turns one kind of update into an ``Incoming`` for the inbox.

Rasa owns the dialogue, so there is no ConversationHandler: these handlers only translate.
They are registered in :func:`register_handlers`, whose comments say why in that order.
Every update is recorded, even one the gateway ignores, so a repeat of its ``update_id`` is
always recognised. PTB handlers return nothing: what a handler stored (or the error it raised)
is left by :func:`record` in the application's ``bot_data``, under the update's id, and the code
that called ``process_update()`` takes it with :func:`outcome_of`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.db import meta
from bot.inbox import Inbox
from bot.model import Accepted, Incoming, Kind
from bot.payloads import location_payload, offered
from bot.privacy import redact, short
from bot.render import LONG_PAYLOAD_PREFIX

log = logging.getLogger(__name__)

INBOX_KEY = "inbox"
BACKGROUND_KEY = "background"  # runs a coroutine in the background (answering a button tap)
OUTCOMES_KEY = "outcomes"  # bot_data: update_id -> what its handler stored, or its error
Outcome = Accepted | BaseException


def record(update: object, context: ContextTypes.DEFAULT_TYPE, outcome: Outcome) -> None:
    """What a handler did with ``update``: the inbox's answer, or the error it raised."""
    if isinstance(update, Update):
        context.bot_data.setdefault(OUTCOMES_KEY, {})[update.update_id] = outcome


def outcome_of(application: Application, update_id: int) -> Outcome | None:
    """What the handlers did with the update ``update_id`` (taken: asked once per update)."""
    outcomes: dict[int, Outcome] = application.bot_data.get(OUTCOMES_KEY, {})
    return outcomes.pop(update_id, None)


# Client handlers take new messages in private chats: an edit would re-run a turn, and groups
# are for staff (issue 5).
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
MEDIA = (
    filters.PHOTO
    | filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a greeting, so Rasa introduces the assistant."""
    await _accept(update, context, "payload", "/greet")


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: the gateway's own help text with the crisis line (works when Rasa is down)."""
    await _accept(update, context, "help", "/help")


async def on_human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/human: ask for a person."""
    await _accept(update, context, "payload", "/request_human")


async def on_delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/delete: the client asks for their messages to be erased (asked to confirm first)."""
    await _accept(update, context, "payload", "/erase_request")


async def on_stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop: no more check-ins (bot/followups): every one still to come is cancelled."""
    await _accept(update, context, "payload", "/followup_stop")


async def on_other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown /command: typed text (the inbox makes its words safe for Rasa)."""
    text = (update.effective_message.text if update.effective_message else None) or ""
    await _accept(update, context, "text", text)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed words: screened for risk, then to Rasa."""
    await _accept(update, context, "text", _message(update).text or "")


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location (or venue): to Rasa as coordinates, five decimals."""
    location = _message(update).location
    if location is None:  # the filter guarantees one; keep the update anyway
        await _accept(update, context, "ignored", "")
        return
    try:
        payload = location_payload(location.latitude, location.longitude)
    except ValueError:  # latitude 999: refused with a request for a place, never echoed
        await _accept(update, context, "bad_location", "")
        return
    await _accept(update, context, "location", payload)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on an inline button: its payload, if the bot offered that button to this chat."""
    query = update.callback_query
    data = (query.data if query else None) or ""
    inbox: Inbox = context.bot_data[INBOX_KEY]
    cid = inbox.conversation_id("telegram", _address(update))
    if not await offered(inbox.db, cid, data):
        # Callback data comes from the client's app: a button the bot never offered here is
        # forged (or from a conversation long gone). Kept, so a repeat is known; not answered.
        log.warning("%s a button the bot did not offer was tapped: ignored", short(cid))
        data = ""
    elif data.startswith(LONG_PAYLOAD_PREFIX):
        found: str | None = await inbox.db.run_first(meta.payload_for, data)
        data = found or ""
    if data.startswith("/"):
        await _accept(update, context, "payload", data)
    else:
        await _accept(update, context, "ignored", "")
    if query is not None:
        background: Callable[[Any], None] = context.bot_data[BACKGROUND_KEY]
        background(query.answer())


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, voice note, file: only text is read (a caption is still screened)."""
    await _accept(update, context, "media", _message(update).caption or "")


async def on_anything_else(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other update (edits, group messages, new update types): recorded, not answered."""
    await _accept(update, context, "ignored", "")


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The handlers, in the order PTB tries them (the first match in the group wins)."""
    # Commands first: "/help" must not reach the text handler, and ~COMMAND guards it anyway.
    application.add_handler(CommandHandler("start", on_start, filters=PRIVATE))
    application.add_handler(CommandHandler("help", on_help, filters=PRIVATE))
    application.add_handler(CommandHandler("human", on_human, filters=PRIVATE))
    application.add_handler(CommandHandler("delete", on_delete, filters=PRIVATE))
    application.add_handler(CommandHandler("stop", on_stop, filters=PRIVATE))
    # A location before text: a venue message carries both.
    application.add_handler(
        MessageHandler(PRIVATE & (filters.LOCATION | filters.VENUE), on_location)
    )
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, on_other_command))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(PRIVATE & MEDIA, on_media))
    # Last, so that nothing falls through unrecorded: a repeat must still be recognised.
    application.add_handler(TypeHandler(Update, on_anything_else))
    application.add_error_handler(on_error)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a handler's failure without the update (it holds ids and words)."""
    error = context.error
    if error is not None:
        record(update, context, error)
    log.error("telegram handler failed: %s", redact(f"{type(error).__name__}: {error}"))


def _message(update: Update) -> Any:
    message = update.effective_message
    if message is None:
        raise ValueError("the update has no message")
    return message


def _address(update: Update) -> str:
    chat = update.effective_chat
    user = update.effective_user
    return str(chat.id if chat else user.id if user else "unknown")


async def _accept(
    update: Update, context: ContextTypes.DEFAULT_TYPE, kind: Kind, text: str
) -> None:
    inbox: Inbox = context.bot_data[INBOX_KEY]
    user = update.effective_user
    # The app's language (Telegram's language_code, "es"): a hint, not a choice (bot/language.py).
    hint = user.language_code if user is not None and isinstance(user.language_code, str) else None
    incoming = Incoming(
        "telegram", _address(update), kind, text, provider_id=str(update.update_id),
        language_hint=hint,
    )  # fmt: skip
    record(update, context, await inbox.accept(incoming))
