"""Posting to the staff Telegram group: a forum topic per case, or replies in a plain group.

One worker per case sends its queued staff posts (:mod:`bot.handoff.group.posts`) oldest first,
through the gateway's own python-telegram-bot Application. In a forum supergroup each case gets
a topic whose name shows risk, channel and need; its first post is the summary with Claim and
Close buttons. A group without topics (``createForumTopic`` is refused) gets the summary as a
message, and every later post of the case replies to it, so that staff answer by replying.

The client's words are batched: when the client writes faster than the group may be posted to
(Telegram allows about 20 messages a minute in one group), every message waiting is sent in one
post, in order, so nothing is lost and staff are not flooded. Posts are protected from
forwarding. A failure is retried with back-off (a 429 holds every post to the group); a post
that can never be sent is marked failed and logged, and the console still shows the case.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.telegram import retry_after_seconds
from bot.db import Connection, Database
from bot.handoff import cases, texts
from bot.handoff.group import posts
from bot.handoff.group.posts import Post
from bot.handoff.model import Case
from bot.handoff.oncall.roster import Roster
from bot.outbox import backoff
from bot.pacing import Pacer
from bot.privacy import redact
from bot.workers import KeyedWorkers

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBot

log = logging.getLogger(__name__)

GROUP_RATE = 20 / 60  # Telegram: about 20 messages a minute in one group
GROUP_BURST = 10
BATCH_LIMIT = 3800  # characters of client words in one post (Telegram allows 4,096)
CLAIM, CLOSE = "h:claim:", "h:close:"


class Retry(Exception):
    """Try this post again later (``delay`` seconds); the group may have asked us to wait."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


def buttons(case: Case) -> InlineKeyboardMarkup | None:
    """Claim and Close under the summary while the case waits; Close once it is claimed."""
    if case.status == "waiting":
        row = [
            InlineKeyboardButton("Claim", callback_data=f"{CLAIM}{case.id}"),
            InlineKeyboardButton("Close", callback_data=f"{CLOSE}{case.id}"),
        ]
        return InlineKeyboardMarkup([row])
    if case.status == "claimed":
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton("Close", callback_data=f"{CLOSE}{case.id}")]]
        )
    return None


@dataclass(eq=False)
class StaffRelay(KeyedWorkers[int]):
    """Starts a worker for each case with staff posts waiting."""

    db: Database
    telegram: TelegramBot
    roster: Roster
    clock: Callable[[], float] = time.time
    pacer: Pacer = field(default_factory=lambda: Pacer(GROUP_RATE, GROUP_BURST, 30.0, 30.0))
    forum: dict[int, bool] = field(default_factory=dict, init=False)  # chat -> has topics?

    def _task_name(self, key: int) -> str:
        return f"staff relay {key}"

    async def resume(self) -> None:
        for case_id in await self.db.run(posts.cases_with_pending):
            self.kick(case_id)

    # --- the worker -----------------------------------------------------------------------

    async def _work(self, case_id: int) -> None:
        try:
            while not self._stopping:
                case, queued = await self.db.run(_case_and_posts, case_id)
                if case is None or not queued:
                    return
                wait = queued[0].next_attempt_at - self.clock()
                if wait > 0:
                    await self._unless_stopped(asyncio.sleep(wait))
                    continue
                if not self.telegram.ready.is_set():
                    await self._unless_stopped(asyncio.sleep(1.0))
                    continue
                await self._one(case, queued)
        except Exception:
            log.exception("staff relay for case %d failed; it restarts on the next kick", case_id)

    async def _one(self, case: Case, queued: list[Post]) -> None:
        head = queued[0]
        batch = [head]
        if head.op in ("client", "summary"):
            batch = _run_of(queued, head.op)
        try:
            message_id = await self._do(case, head.op, batch)
        except Retry as exc:
            error = str(exc)
            delay = max(exc.delay or 0.0, backoff(head.attempts + 1))
            log.warning(
                "staff post %d for case %d: %s; again in %.0f s", head.id, case.id, exc, delay
            )
            await self.db.run(posts.mark_retry, head, error, self.clock() + delay)
            return
        except (Forbidden, BadRequest) as exc:
            error = redact(f"{type(exc).__name__}: {exc.message}")
            log.error("staff post %d for case %d cannot be sent: %s", head.id, case.id, error)
            await self.db.run(posts.mark_failed, head, error)
            return
        ids = [post.id for post in batch]
        await self.db.run(posts.mark_sent, ids, case.staff_chat_id, message_id, self.clock())

    async def _do(self, case: Case, op: str, batch: list[Post]) -> int | None:
        """Carry out one post (or a run of them); the Telegram message it became, if any."""
        if op == "open":
            return await self._open(case)
        if op == "client":
            words = texts.client_words(case, [p.body["text"] for p in batch], self._topics(case))
            return await self._send(case, words, protect=True)
        if op == "notice":
            return await self._send(case, batch[0].body["text"], protect=True)
        if op == "remind":
            minutes = max(0.0, self.clock() - case.opened_at) / 60
            return await self._send(case, texts.reminder(case, minutes), general=True)
        if op == "summary":
            await self._edit_summary(case)
            return None
        if op == "close":
            await self._edit_summary(case)
            await self._close_topic(case)
            return None
        raise ValueError(f"unknown staff post {op!r}")

    # --- Telegram calls ---------------------------------------------------------------------

    def _topics(self, case: Case) -> bool:
        return case.topic_id is not None

    async def _open(self, case: Case) -> int | None:
        chat = case.staff_chat_id
        assert chat is not None
        if case.topic_id is None and self.forum.get(chat, True):
            try:
                topic = await self._call(
                    chat,
                    lambda bot: bot.create_forum_topic(
                        chat, texts.title(case), icon_color=texts.icon_color(case)
                    ),
                )
            except BadRequest as exc:  # not a forum, or no right to manage topics
                log.warning(
                    "staff group has no topics (%s): cases go there as replies", exc.message
                )
                self.forum[chat] = False
            else:
                self.forum[chat] = True
                topic_id = functools.partial(cases.set_fields, topic_id=topic.message_thread_id)
                await self.db.run(topic_id, case.id)
                case = await self._reload(case)
        elif case.topic_id is not None:
            # The topic of an earlier case (a client answering a check-in): open again, named
            # for this case.
            topic, name = case.topic_id, texts.title(case)
            try:
                await self._quietly(chat, lambda bot: bot.reopen_forum_topic(chat, topic))
                await self._quietly(chat, lambda bot: bot.edit_forum_topic(chat, topic, name=name))
            except BadRequest as exc:  # no right to manage topics: the summary goes in anyway
                log.warning("case %d: cannot reopen its topic (%s)", case.id, exc.message)
        if case.summary_message_id is not None:
            return case.summary_message_id
        opening = await self._opening(case)
        summary = texts.summary(
            case, opening, self.roster.local_time(case.opened_at), self._topics(case)
        )
        message = await self._call(
            chat,
            lambda bot: bot.send_message(
                chat,
                summary,
                message_thread_id=case.topic_id,
                reply_markup=buttons(case),
                protect_content=True,
            ),
        )
        remember = functools.partial(cases.set_fields, summary_message_id=message.message_id)
        await self.db.run(remember, case.id)
        return int(message.message_id)

    async def _send(
        self, case: Case, text: str, protect: bool = False, general: bool = False
    ) -> int:
        chat = case.staff_chat_id
        assert chat is not None
        thread = None if general else case.topic_id
        reply = None
        if case.topic_id is None and case.summary_message_id is not None:
            reply = ReplyParameters(case.summary_message_id, allow_sending_without_reply=True)
        try:
            message = await self._call(
                chat,
                lambda bot: bot.send_message(
                    chat,
                    texts.fit(text),
                    message_thread_id=thread,
                    reply_parameters=reply,
                    protect_content=protect,
                ),
            )
        except BadRequest as exc:
            if "thread not found" not in exc.message.lower() or case.topic_id is None:
                raise
            # Staff deleted the topic: go on in the group itself, as replies to the summary.
            log.warning("case %d: its topic is gone; posting in the group instead", case.id)
            await self.db.run(functools.partial(cases.set_fields, topic_id=None), case.id)
            raise Retry("the topic is gone", 0.0) from None
        return int(message.message_id)

    async def _edit_summary(self, case: Case) -> None:
        chat = case.staff_chat_id
        assert chat is not None
        if case.summary_message_id is not None:
            opening = await self._opening(case)
            summary = texts.summary(
                case, opening, self.roster.local_time(case.opened_at), self._topics(case)
            )
            await self._quietly(
                chat,
                lambda bot: bot.edit_message_text(
                    summary, chat, case.summary_message_id, reply_markup=buttons(case)
                ),
            )
        if case.topic_id is not None:
            await self._quietly(
                chat, lambda bot: bot.edit_forum_topic(chat, case.topic_id, name=texts.title(case))
            )

    async def _close_topic(self, case: Case) -> None:
        if case.topic_id is not None and case.staff_chat_id is not None:
            chat = case.staff_chat_id
            await self._quietly(chat, lambda bot: bot.close_forum_topic(chat, case.topic_id))

    async def _quietly(self, chat: int, action: Callable[[Any], Any]) -> None:
        """An edit that may find nothing to change ("message is not modified"): that is fine."""
        try:
            await self._call(chat, action)
        except BadRequest as exc:  # "message is not modified", "TOPIC_NOT_MODIFIED"
            if "not modified" not in exc.message.lower().replace("_", " "):
                raise

    async def _call(self, chat: int, action: Callable[[Any], Any]) -> Any:
        await self.pacer.wait(str(chat))
        try:
            return await action(self.telegram.application.bot)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            self.pacer.pause(seconds)
            raise Retry("Telegram asks to slow down", seconds) from None
        except (Forbidden, BadRequest):
            raise
        except TelegramError as exc:  # network, timeouts, server errors
            raise Retry(redact(f"{type(exc).__name__}: {exc.message}")) from None

    async def _reload(self, case: Case) -> Case:
        fresh = await self.db.run(cases.get, case.id)
        return fresh or case

    async def _opening(self, case: Case) -> str | None:
        return await self.db.run(cases.opening_text, case.id)


def _case_and_posts(c: Connection, case_id: int) -> tuple[Case | None, list[Post]]:
    return cases.get(c, case_id), posts.pending(c, case_id)


def _run_of(queued: list[Post], op: str) -> list[Post]:
    """The first posts of ``queued`` with the same ``op`` (client words within one post)."""
    run: list[Post] = []
    size = 0
    for post in queued:
        if post.op != op or post.next_attempt_at > queued[0].next_attempt_at:
            break
        size += len(str(post.body.get("text", ""))) + 4
        if run and size > BATCH_LIMIT:
            break
        run.append(post)
    return run
