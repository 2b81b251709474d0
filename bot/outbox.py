"""The outbox: delivers queued units to Telegram and Twilio, in order, paced, with retries.

One worker per conversation sends its units oldest first; a unit that fails blocks the ones
behind it (so a client never gets the second half before the first), and is retried with
exponential back-off, or after the provider's own ``retry_after``. A unit is marked sent the
moment the provider accepts it and is never sent again after that. A crash between the
provider's acceptance and that mark is the one case that can repeat a unit: the gateway
prefers a repeated reply to a lost one. Units older than :data:`GIVE_UP_AFTER` are dropped as
failed: an answer a day late is worse than none.

Web chat has no sender: its units are delivered when they are stored (the page fetches them).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from typing import Any, Protocol

from bot.errors import PermanentSendError, TransientSendError
from bot.model import Conversation, OutboxRecord
from bot.pacing import Pacer
from bot.privacy import short
from bot.store import Store
from bot.workers import KeyedWorkers

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 24 * 3600.0
MAX_BACKOFF = 300.0


class Sender(Protocol):
    """A channel's way out: one provider call per unit."""

    pacer: Pacer

    async def send(self, address: str, body: dict[str, Any]) -> str | None:
        """Send one unit to ``address``; the provider's id for it. Raises a SendError."""
        ...


def backoff(attempt: int) -> float:
    """Seconds before retry number ``attempt`` (1, 2, 4 ... up to 5 minutes, with jitter)."""
    return min(MAX_BACKOFF, 2.0 ** max(0, attempt - 1)) * random.uniform(0.8, 1.2)


class Outbox(KeyedWorkers[str]):
    """Starts a delivery worker for each conversation that has units waiting."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.senders: dict[str, Sender] = {}

    def register(self, channel: str, sender: Sender) -> None:
        self.senders[channel] = sender

    def _task_name(self, key: str) -> str:
        return f"outbox {short(key)}"

    async def resume(self) -> None:
        """After a start: deliver whatever was left waiting."""
        for conversation_id in await self.store.pending_outbox_conversations():
            self.kick(conversation_id)

    async def _work(self, conversation_id: str) -> None:
        try:
            while not self._stopping:
                found = await self.store.next_delivery(conversation_id)
                if found is None:
                    return
                record, conversation = found
                wait = record.next_attempt_at - self.clock()
                if wait > 0:  # a retry: wait, then read it again (the client may have opted out)
                    await asyncio.sleep(wait)
                    continue
                if not await self._deliver(record, conversation):
                    return
        except Exception:
            log.exception(
                "outbox worker for %s failed; it restarts on the next kick", short(conversation_id)
            )

    async def _deliver(self, record: OutboxRecord, conversation: Conversation) -> bool:
        """Try one unit; whether the worker should go on with the conversation."""
        cid = short(record.conversation_id)
        sender = self.senders.get(record.channel)
        if sender is None:
            log.warning(
                "%s reply %d waits: the %s channel is not configured",
                cid,
                record.id,
                record.channel,
            )
            return False
        if conversation.opted_out:
            await self.store.suppress_pending(record.conversation_id)
            return True
        if self.clock() - record.created_at > GIVE_UP_AFTER:
            log.warning("%s reply %d dropped: not delivered within a day", cid, record.id)
            await self.store.mark_failed(record, "not delivered within a day")
            return True
        await sender.pacer.wait(conversation.address)
        try:
            ref = await sender.send(conversation.address, record.body)
        except TransientSendError as exc:
            delay = max(exc.retry_after or 0.0, backoff(record.attempts + 1))
            if exc.retry_after:
                sender.pacer.pause(exc.retry_after)
            log.warning("%s reply %d not sent (%s); retry in %.0f s", cid, record.id, exc, delay)
            await self.store.mark_retry(record, str(exc), self.clock() + delay)
        except PermanentSendError as exc:
            log.warning("%s reply %d cannot be sent: %s", cid, record.id, exc)
            await self.store.mark_failed(record, str(exc))
            if exc.opted_out:
                await self.store.set_opted_out(record.conversation_id, str(exc))
        except Exception as exc:  # a bug or a library surprise: keep the unit, retry later
            log.exception(
                "%s reply %d: unexpected error from the %s sender", cid, record.id, record.channel
            )
            await self.store.mark_retry(
                record, repr(exc), self.clock() + backoff(record.attempts + 1)
            )
        else:
            await self.store.mark_sent(record.id, ref)
            log.info("%s reply %d sent (%s)", cid, record.id, record.kind)
        return True
