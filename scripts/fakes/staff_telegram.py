"""The fake Telegram Bot API with staff groups: forum topics, posts, edits, and staff updates.

:class:`StaffTelegram` extends the gateway's fake (scripts/fakes/telegram.py) with
what the staff side uses: ``createForumTopic`` (refused, as Telegram does, in a group without
topics), ``editForumTopic``, ``closeForumTopic``, ``reopenForumTopic``, ``editMessageText``, messages to groups
(negative chat ids) with their topic and the message they reply to, and answers to button taps;
with Telegram's limits (4,096 UTF-16 units a message, 128 a topic's name).
The functions below build the updates staff send: words in a topic or as a reply, commands,
photos, edits, and taps on Claim and Close.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from scripts.fakes.telegram import BOT_ID, FakeTelegram, error_response, too_long

STAFF_CHAT = -1001000000001  # the office's staff group, a forum
ON_CALL_CHAT = -1001000000002  # the on-call group, a forum
PLAIN_CHAT = -1001000000003  # a staff group without topics
OTHER_GROUP = -1001000000009  # some other group the bot is in
ALEX, SAM = 4400000001, 4400000002  # members of staff


@dataclass
class Post:
    """A message the bot posted in a group."""

    chat_id: int
    message_id: int
    text: str
    thread: int | None
    reply_to: int | None
    markup: dict[str, Any] | None
    protected: bool
    at: float = field(default_factory=time.monotonic)

    def buttons(self) -> list[str]:
        if not self.markup:
            return []
        return [b["text"] for row in self.markup.get("inline_keyboard", []) for b in row]


@dataclass
class Topic:
    chat_id: int
    thread: int
    name: str
    icon_color: int | None
    closed: bool = False


class StaffTelegram(FakeTelegram):
    def __init__(self, token: str, forums: tuple[int, ...] = (STAFF_CHAT, ON_CALL_CHAT)) -> None:
        super().__init__(token)
        self.forums = set(forums)
        self.posts: list[Post] = []
        self.topics: dict[tuple[int, int], Topic] = {}
        self.callback_answers: list[str] = []
        self.group_failures: list[tuple[int, str, int | None]] = []
        self._threads = itertools.count(500)
        self._group_messages = itertools.count(9000)

    # --- what tests read ------------------------------------------------------------------

    def posts_in(self, chat_id: int, thread: int | None = None) -> list[Post]:
        return [
            p for p in self.posts if p.chat_id == chat_id and (thread is None or p.thread == thread)
        ]

    def topics_in(self, chat_id: int) -> list[Topic]:
        return [t for t in self.topics.values() if t.chat_id == chat_id]

    def fail_group_sends(
        self, count: int, status: int, description: str, retry_after: int | None = None
    ) -> None:
        self.group_failures.extend([(status, description, retry_after)] * count)

    # --- the Bot API ----------------------------------------------------------------------

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id > 0:
            return await super()._api_sendMessage(params)
        if self.group_failures:
            status, description, retry_after = self.group_failures.pop(0)
            extra = {"parameters": {"retry_after": retry_after}} if retry_after else {}
            return error_response(status, description, **extra)
        if too_long(params["text"]):
            return error_response(400, "Bad Request: message is too long")
        thread = params.get("message_thread_id")
        thread = int(thread) if thread is not None else None
        if thread is not None and (chat_id, thread) not in self.topics:
            return error_response(400, "Bad Request: message thread not found")
        reply = _json(params.get("reply_parameters"))
        markup = _json(params.get("reply_markup"))
        post = Post(
            chat_id=chat_id,
            message_id=next(self._group_messages),
            text=params["text"],
            thread=thread,
            reply_to=int(reply["message_id"]) if reply else None,
            markup=markup,
            protected=str(params.get("protect_content")).lower() == "true",
        )
        self.posts.append(post)
        return group_message(post.message_id, chat_id, None, post.text, thread, from_bot=True)

    async def _api_createForumTopic(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id not in self.forums:
            return error_response(400, "Bad Request: the chat is not a forum")
        if too_long(params["name"], 128):
            return error_response(400, "Bad Request: TOPIC_NAME_INVALID")
        thread = next(self._threads)
        color = params.get("icon_color")
        topic = Topic(chat_id, thread, params["name"], int(color) if color else None)
        self.topics[(chat_id, thread)] = topic
        return {
            "message_thread_id": thread,
            "name": topic.name,
            "icon_color": topic.icon_color or 0,
        }

    async def _api_editForumTopic(self, params: dict[str, Any]) -> Any:
        topic = self.topics.get((int(params["chat_id"]), int(params["message_thread_id"])))
        if topic is None:
            return error_response(400, "Bad Request: message thread not found")
        if params.get("name") == topic.name:
            return error_response(400, "Bad Request: TOPIC_NOT_MODIFIED")
        if too_long(params.get("name") or "", 128):
            return error_response(400, "Bad Request: TOPIC_NAME_INVALID")
        topic.name = params.get("name") or topic.name
        return True

    async def _api_closeForumTopic(self, params: dict[str, Any]) -> Any:
        topic = self.topics.get((int(params["chat_id"]), int(params["message_thread_id"])))
        if topic is None:
            return error_response(400, "Bad Request: message thread not found")
        topic.closed = True
        return True

    async def _api_reopenForumTopic(self, params: dict[str, Any]) -> Any:
        topic = self.topics.get((int(params["chat_id"]), int(params["message_thread_id"])))
        if topic is None:
            return error_response(400, "Bad Request: message thread not found")
        if not topic.closed:
            return error_response(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    async def _api_deleteForumTopic(self, params: dict[str, Any]) -> Any:
        """The topic goes, with every message in it (as in Telegram)."""
        chat_id, thread = int(params["chat_id"]), int(params["message_thread_id"])
        if self.topics.pop((chat_id, thread), None) is None:
            return error_response(400, "Bad Request: message thread not found")
        self.posts[:] = [p for p in self.posts if (p.chat_id, p.thread) != (chat_id, thread)]
        return True

    async def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        kept = [p for p in self.posts if (p.chat_id, p.message_id) != (chat_id, message_id)]
        if len(kept) == len(self.posts):
            return error_response(400, "Bad Request: message to delete not found")
        self.posts[:] = kept
        return True

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        post = next(
            (p for p in self.posts if (p.chat_id, p.message_id) == (chat_id, message_id)), None
        )
        if post is None:
            return error_response(400, "Bad Request: message to edit not found")
        markup = _json(params.get("reply_markup"))
        if too_long(params["text"]):
            return error_response(400, "Bad Request: MESSAGE_TOO_LONG")
        if post.text == params["text"] and post.markup == markup:
            return error_response(400, "Bad Request: message is not modified")
        post.text, post.markup = params["text"], markup
        return group_message(message_id, chat_id, None, post.text, post.thread, from_bot=True)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.callback_answers.append(params.get("text") or "")
        return await super()._api_answerCallbackQuery(params)


def _json(raw: Any) -> Any:
    if raw is None or isinstance(raw, dict):
        return raw
    return json.loads(raw)


# --- updates staff send ---------------------------------------------------------------------------


def _chat(chat_id: int) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": "Staff"}
    if chat_id in (STAFF_CHAT, ON_CALL_CHAT):
        chat["is_forum"] = True
    return chat


def _staff_user(user_id: int) -> dict[str, Any]:
    names = {ALEX: ("Alex", "Rivera"), SAM: ("Sam", None)}
    first, last = names.get(user_id, ("Staff", None))
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first}
    if last:
        user["last_name"] = last
    return user


def group_message(
    message_id: int,
    chat_id: int,
    user_id: int | None,
    text: str | None,
    thread: int | None = None,
    reply_to: int | None = None,
    from_bot: bool = False,
    **content: Any,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": _chat(chat_id),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Helper"}
        if from_bot
        else _staff_user(user_id or ALEX),
        **content,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if thread is not None:
        message["message_thread_id"] = thread
        message["is_topic_message"] = True
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Helper"},
            "text": "…",
        }
    return message


def staff_text(
    update_id: int,
    chat_id: int,
    user_id: int,
    text: str,
    thread: int | None = None,
    reply_to: int | None = None,
) -> dict[str, Any]:
    """Words (or a command) a member of staff writes in a topic, or as a reply."""
    message = group_message(update_id + 100000, chat_id, user_id, text, thread, reply_to)
    return {"update_id": update_id, "message": message}


def staff_photo(
    update_id: int, chat_id: int, user_id: int, thread: int | None = None
) -> dict[str, Any]:
    photo = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    message = group_message(update_id + 100000, chat_id, user_id, None, thread, photo=photo)
    return {"update_id": update_id, "message": message}


def staff_edit(
    update_id: int, chat_id: int, user_id: int, text: str, thread: int | None = None
) -> dict[str, Any]:
    message = group_message(
        update_id + 100000, chat_id, user_id, text, thread, edit_date=int(time.time())
    )
    return {"update_id": update_id, "edited_message": message}


def staff_button(
    update_id: int,
    chat_id: int,
    user_id: int,
    data: str,
    message_id: int,
    thread: int | None = None,
) -> dict[str, Any]:
    """A tap on a button under a message the bot posted in ``chat_id``."""
    message = group_message(message_id, chat_id, None, "Case", thread, from_bot=True)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": _staff_user(user_id),
            "chat_instance": "77",
            "data": data,
            "message": message,
        },
    }
