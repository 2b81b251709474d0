"""Reading staff in their Telegram group: replies, commands and buttons, turned into desk actions.

Only the configured staff groups (``STAFF_CHAT_ID``, ``ON_CALL_CHAT_ID``) are listened to, in a
handler group that runs before the client handlers and stops there, so nothing a member of staff
writes can reach Rasa or be taken for a client. A message belongs to a case by its forum topic,
or, in a group without topics, by the case message it replies to; anything else in the group is
staff talking among themselves and is left alone.

In a case: text goes to the client (the first message claims the case); ``/note TEXT`` keeps a
note; ``/close [TEXT]`` closes the case; ``/claim`` claims it; ``/followup WHEN [TEXT]``
schedules a check-in (:mod:`bot.handoff.checkins`; ``/followup`` lists them, ``/followup
cancel N`` cancels one), in an open case or a closed one; ``/misread [N]`` puts the
client's last message (or last N, up to 5) in the admins' review inbox, masked. ``/queue`` lists the open cases
anywhere in the group. A photo, sticker or file is not sent (only text is), and an edit is not
either: the member of staff is told so. Buttons under a summary claim or close its case; a
button pressed anywhere else does nothing. Staff are named to other staff by their first name
and known to the gateway by a salted hash of their Telegram id, never the id itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from telegram import Message, ReplyParameters, Update, User
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram.handlers import BACKGROUND_KEY, record
from bot.errors import CaseError
from bot.handoff import cases, checkins, texts
from bot.handoff.desk import Desk
from bot.handoff.model import Case, Staff
from bot.model import Accepted
from bot.privacy import SenderHasher, redact

log = logging.getLogger(__name__)

STAFF_GROUP = -1  # PTB handler group: before the client handlers (group 0)
DESK_KEY, HASHER_KEY, CHATS_KEY, MARK_KEY = "desk", "staff_hasher", "staff_chats", "mark"
# Staff mark a case's last client messages as misread: (case id, who, how many) -> how many.
Mark = Callable[[int, str, int], Awaitable[int]]
# What a staff update leaves for the channel's process(): dealt with (cases changed, each staff
# message kept once by its update id), though no client message was stored.
HANDLED = Accepted(0, "", duplicate=False, status="staff")
_BUTTON = re.compile(r"^h:(claim|close):(\d{1,9})$")  # a case id fits any store's INTEGER
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
NOT_TEXT = "Not sent: only text reaches the client. Please type it."
NOT_EDITS = (
    "Edits are not sent: the client already has what you wrote first. Send a new message to "
    "correct it."
)


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    desk: Desk,
    hasher: SenderHasher,
    chats: frozenset[int],
    mark: Mark | None = None,
) -> None:
    """The staff handlers, tried before the client handlers; each ends the update's handling."""
    application.bot_data[DESK_KEY] = desk
    application.bot_data[MARK_KEY] = mark
    application.bot_data[HASHER_KEY] = hasher
    application.bot_data[CHATS_KEY] = chats
    staff = filters.Chat(chat_id=list(chats))
    new = filters.UpdateType.MESSAGE
    # Buttons first: a tap on Claim or Close, from wherever it comes (checked in the handler).
    application.add_handler(CallbackQueryHandler(on_button, pattern=_BUTTON), STAFF_GROUP)
    application.add_handler(MessageHandler(staff & new & filters.COMMAND, on_command), STAFF_GROUP)
    application.add_handler(MessageHandler(staff & new & filters.TEXT, on_text), STAFF_GROUP)
    application.add_handler(
        MessageHandler(staff & filters.UpdateType.EDITED_MESSAGE, on_edit), STAFF_GROUP
    )
    # Last: photos, stickers, files, and service messages (topic created, member joined...).
    application.add_handler(MessageHandler(staff, on_other), STAFF_GROUP)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Words in a case's topic (or a reply to a case message): to the client."""
    message = update.effective_message
    case = await _case_of(message, context)
    if case is not None and message is not None and message.text and _person(message):
        staff = _staff(message, context)
        provider_id = f"tg:{update.update_id}"
        await _act(
            context,
            message,
            _desk(context).reply(case.id, staff, message.text, provider_id, case.staff_chat_id),
        )
    _done(update, context)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/note, /close, /claim in a case; /queue anywhere in the group; else how to use them."""
    message = update.effective_message
    found = _COMMAND.match((message.text or "") if message else "")
    if message is None or found is None or not _person(message):
        _done(update, context)
    command, rest = found[1].lower(), (found[2] or "").strip()
    desk = _desk(context)
    if command == "queue":
        now = desk.clock()
        _respond(context, message, texts.queue_lines(await desk.queue(), now))
        _done(update, context)
    case = await _case_of(message, context)
    if case is None:
        if command in ("note", "close", "claim", "misread", "followup"):
            _respond(context, message, f"Use /{command} in a case's topic, or as a reply to it.")
        _done(update, context)
    staff, chat = _staff(message, context), case.staff_chat_id
    if command == "misread":
        await _misread(context, message, case, staff, rest)
    elif command == "followup":
        await _followup(context, message, case, staff, rest)
    elif command == "note":
        if not rest:
            _respond(context, message, "Write the note after /note: /note TEXT")
        else:
            await _act(
                context, message, desk.note(case.id, staff, rest, f"tg:{update.update_id}", chat)
            )
    elif command == "close":
        if await _act(context, message, desk.close(case.id, staff, rest or None, chat)):
            _respond(context, message, f"Case #{case.id} is closed.")
    elif command == "claim":
        if await _act(context, message, desk.claim(case.id, staff, chat)):
            _respond(context, message, f"Case #{case.id} is yours.")
    else:
        _respond(context, message, texts.HOW_TO)
    _done(update, context)


async def _misread(
    context: ContextTypes.DEFAULT_TYPE, message: Message, case: Case, staff: Staff, rest: str
) -> None:
    """/misread [N]: the client's last N messages (1 by default) to the review inbox."""
    mark: Mark | None = context.bot_data.get(MARK_KEY)
    if mark is None:
        _respond(context, message, "The admins' review inbox is not running here.")
        return
    count = int(rest) if rest.isdigit() and 0 < int(rest) <= 5 else 1
    try:
        added = await mark(case.id, f"{staff.name} (Telegram)", count)
    except RuntimeError as exc:  # AdminError: no such case, no client message yet
        _respond(context, message, str(exc))
        return
    _respond(context, message, f"{added} message(s) of case #{case.id} sent to the review inbox.")


async def _followup(
    context: ContextTypes.DEFAULT_TYPE, message: Message, case: Case, staff: Staff, rest: str
) -> None:
    """/followup WHEN [TEXT] schedules a check-in; /followup lists them; /followup cancel N."""
    desk = _desk(context)
    zone = desk.core.roster.tz
    words = rest.split()
    try:
        if not words or words[0].lower() == "list":
            found = await desk.checkins_of(case.id)
            lines = [checkins.line(f, zone) for f in found] or [
                f"Case #{case.id} has no check-ins."
            ]
            _respond(context, message, "\n".join([*lines, "", texts.FOLLOWUP_HOW_TO]))
        elif words[0].lower() == "help":
            _respond(context, message, texts.FOLLOWUP_HOW_TO)
        elif words[0].lower() == "cancel":
            number = words[1].lstrip("#") if len(words) == 2 else ""
            if not number.isdigit() or len(number) > 9:
                _respond(context, message, "Say which: /followup cancel N (/followup lists them).")
                return
            await desk.cancel_checkin(int(number), staff, case.id)
            _respond(context, message, f"Check-in #{number} is cancelled.")
        else:
            chat = case.staff_chat_id
            scheduled = await desk.schedule_checkin(case.id, staff, rest, chat_id=chat)
            _respond(
                context,
                message,
                f"Check-in #{scheduled.id} will go {checkins.shown(scheduled.due_at, zone)} (the "
                f"client's time). It says: {scheduled.text}\nTheir answer comes back here; "
                f"/followup cancel {scheduled.id} cancels it.",
            )
    except CaseError as exc:
        _respond(context, message, str(exc))


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: not relayed (the client has the first version)."""
    message = update.edited_message
    if message is not None and _person(message) and await _case_of(message, context):
        _respond(context, message, NOT_EDITS)
    _done(update, context)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, voice note or file in a case: not sent. Anything else: left alone."""
    message = update.effective_message
    media = message is not None and (
        message.photo
        or message.sticker
        or message.document
        or message.voice
        or message.video
        or message.audio
        or message.animation
        or message.video_note
    )
    if media and message is not None and _person(message) and await _case_of(message, context):
        _respond(context, message, NOT_TEXT)
    _done(update, context)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Claim or Close under a case summary, in a staff group only."""
    query = update.callback_query
    found = _BUTTON.match((query.data or "") if query else "")
    if query is None or found is None:
        _done(update, context)
    chat = query.message.chat.id if query.message is not None else None
    if chat not in context.bot_data[CHATS_KEY]:
        log.warning("a staff button was pressed outside the staff groups: ignored")
        _background(context, query.answer("This button is for staff only."))
        _done(update, context)
    action, case_id = found[1], int(found[2])
    staff = _staff_of(query.from_user, None, context)
    desk = _desk(context)
    try:
        if action == "claim":
            await desk.claim(case_id, staff, chat)
            answer = f"Case #{case_id} is yours: write in its topic to answer."
        else:
            await desk.close(case_id, staff, None, chat)
            answer = f"Case #{case_id} is closed."
    except CaseError as exc:
        answer = str(exc)
    _background(context, query.answer(answer[:200], show_alert=True))
    _done(update, context)


# --- helpers ------------------------------------------------------------------------------------


def _done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> NoReturn:
    """The update is staff's, handled: no client handler runs on it."""
    record(update, context, HANDLED)
    raise ApplicationHandlerStop


def _desk(context: ContextTypes.DEFAULT_TYPE) -> Desk:
    desk: Desk = context.bot_data[DESK_KEY]
    return desk


def _person(message: Message) -> bool:
    """A member of staff wrote it (not a bot, not a channel)."""
    user = message.from_user
    return (user is not None and not user.is_bot) or message.sender_chat is not None


async def _case_of(message: Message | None, context: ContextTypes.DEFAULT_TYPE) -> Case | None:
    """The case a staff message is about: by its forum topic, or by the message it replies to."""
    if message is None:
        return None
    chat = message.chat.id
    desk = _desk(context)
    if message.is_topic_message and message.message_thread_id is not None:
        thread = message.message_thread_id
        return await desk.db.run(cases.by_topic, chat, thread)
    reply = message.reply_to_message
    if reply is not None:
        replied = reply.message_id
        case = await desk.db.run(cases.by_post, chat, replied)
        # A case with a topic is answered in its topic: a reply elsewhere (to a reminder in
        # General, say) is staff talking among themselves, not words for the client.
        return case if case is not None and case.topic_id is None else None
    return None


def _staff(message: Message, context: ContextTypes.DEFAULT_TYPE) -> Staff:
    return _staff_of(message.from_user, message.sender_chat, context)


def _staff_of(user: User | None, sender_chat: Any, context: ContextTypes.DEFAULT_TYPE) -> Staff:
    hasher: SenderHasher = context.bot_data[HASHER_KEY]
    if sender_chat is not None or user is None:  # an anonymous group admin
        chat_id = sender_chat.id if sender_chat is not None else 0
        return Staff("tg-anon:" + hasher("staff-anon", str(chat_id))[:16], "an admin (anonymous)")
    name = user.first_name + (f" {user.last_name[0]}." if user.last_name else "")
    return Staff("tg:" + hasher("staff", str(user.id))[:16], name[:64])


async def _act(context: ContextTypes.DEFAULT_TYPE, message: Message, action: Any) -> bool:
    """Run a desk action; tell the member of staff if it is refused. Whether it was done."""
    try:
        await action
        return True
    except CaseError as exc:
        _respond(context, message, str(exc))
        return False


def _respond(context: ContextTypes.DEFAULT_TYPE, message: Message, text: str) -> None:
    """Answer a member of staff in the group, under their message (in the background)."""
    bot = context.bot
    thread = message.message_thread_id if message.is_topic_message else None
    reply = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    _background(
        context,
        bot.send_message(
            message.chat.id, texts.fit(text), message_thread_id=thread, reply_parameters=reply
        ),
    )


def _background(context: ContextTypes.DEFAULT_TYPE, coroutine: Any) -> None:
    async def guarded() -> None:
        try:
            await coroutine
        except Exception as exc:  # an answer to staff that failed is only logged
            log.warning(
                "cannot answer in the staff group: %s", redact(f"{type(exc).__name__}: {exc}")
            )

    context.bot_data[BACKGROUND_KEY](guarded())
