"""An erased client's traces in the staff Telegram group: the case's forum topic (deleting it
deletes every post in it), or, in a group without topics, each post about the case.

The gateway store keeps where they are until they are gone (``erasures.staff_messages``, under
a random id once Rasa has erased the conversation), and the gateway's privacy task calls
:class:`StaffGroupCleaner` until each is deleted: only the gateway holds the bot, so an
erasure made by ``python -m bot.privacy`` leaves this part to the running gateway.
Telegram refuses some deletions for good (a message older than 48 hours in a group without
topics, a topic already deleted, a bot without the right to delete): those are logged and
dropped; a network error or "slow down" is tried again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.privacy import redact

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBot

log = logging.getLogger(__name__)

Ref = list[int | None]  # [chat, topic, None] or [chat, None, message]


class StaffGroupCleaner:
    def __init__(self, telegram: TelegramBot) -> None:
        self.telegram = telegram

    async def __call__(self, refs: list[Ref]) -> list[Ref]:
        """Delete what ``refs`` name; what is left to try again later."""
        if not self.telegram.ready.is_set():
            return refs
        bot = self.telegram.application.bot
        left: list[Ref] = []
        for ref in refs:
            chat, topic, message = ref
            try:
                if topic is not None:
                    await bot.delete_forum_topic(chat_id=chat, message_thread_id=topic)
                elif message is not None:
                    await bot.delete_message(chat_id=chat, message_id=message)
            except (BadRequest, Forbidden) as exc:  # gone already, too old, or not allowed
                log.warning(
                    "an erased case's staff post stays in Telegram: %s", redact(exc.message)
                )
            except TelegramError:
                left.append(ref)
        return left
