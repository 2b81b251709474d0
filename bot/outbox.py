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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.db import Connection, Database, conversations, events, outbox
from bot.db import followups as store
from bot.errors import PermanentSendError, TransientSendError
from bot.model import Conversation, OutboxRecord
from bot.pacing import Pacer
from bot.privacy import short
from bot.workers import KeyedWorkers

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 24 * 3600.0
MAX_BACKOFF = 300.0
Delivery = tuple[OutboxRecord, Conversation]  # a unit to send, and where it goes


class Sender(Protocol):
    """A channel's way out: one provider call per unit."""

    pacer: Pacer

    async def send(self, address: str, body: dict[str, Any]) -> str | None:
        """Send one unit to ``address``; the provider's id for it. Raises a SendError."""
        ...


def backoff(attempt: int) -> float:
    """Seconds before retry number ``attempt`` (1, 2, 4 ... up to 5 minutes, with jitter)."""
    return min(MAX_BACKOFF, 2.0 ** max(0, attempt - 1)) * random.uniform(0.8, 1.2)


@dataclass(eq=False)
class Outbox(KeyedWorkers[str]):
    """Starts a delivery worker for each conversation that has units waiting.

    ``senders``: each configured channel's way out (web chat has none: its units are delivered
    when stored); a unit for a channel without one waits.
    """

    db: Database
    senders: Mapping[str, Sender]
    clock: Callable[[], float] = time.time

    def _task_name(self, key: str) -> str:
        return f"outbox {short(key)}"

    async def resume(self) -> None:
        """After a start: deliver whatever was left waiting."""
        for conversation_id in await self.db.run(outbox.pending_conversations):
            self.kick(conversation_id)

    async def _work(self, conversation_id: str) -> None:
        try:
            # Once stopping, the unit in hand is still sent; the ones behind it wait.
            found = await self._next(conversation_id)
            while found is not None:
                record, conversation = found
                wait = record.next_attempt_at - self.clock()
                if wait > 0:  # a retry: wait, then read it again (the client may have opted out)
                    if not await self._unless_stopped(asyncio.sleep(wait)):
                        return
                    found = await self._next(conversation_id)
                    continue
                found = await self._deliver(record, conversation)
                if self._stopping:
                    return
        except Exception:
            log.exception(
                "outbox worker for %s failed; it restarts on the next kick", short(conversation_id)
            )

    async def _deliver(self, record: OutboxRecord, conversation: Conversation) -> Delivery | None:
        """Try one unit; the conversation's next unit to try (None: the worker stops here)."""
        cid = short(record.conversation_id)
        sender = self.senders.get(record.channel)
        if sender is None:
            log.warning(
                "%s reply %d waits: the %s channel is not configured",
                cid,
                record.id,
                record.channel,
            )
            return None
        if conversation.opted_out:
            return await self._then_next(record, outbox.suppress, record.conversation_id)
        if self.clock() - record.created_at > GIVE_UP_AFTER:
            log.warning("%s reply %d dropped: not delivered within a day", cid, record.id)
            return await self._then_next(
                record, outbox.mark_failed, record, "not delivered within a day"
            )
        await sender.pacer.wait(conversation.address)
        try:
            ref = await sender.send(conversation.address, record.body)
        except TransientSendError as exc:
            delay = max(exc.retry_after or 0.0, backoff(record.attempts + 1))
            if exc.retry_after:
                sender.pacer.pause(exc.retry_after)
            log.warning("%s reply %d not sent (%s); retry in %.0f s", cid, record.id, exc, delay)
            next_at = self.clock() + delay
            return await self._then_next(record, outbox.mark_retry, record, str(exc), next_at)
        except PermanentSendError as exc:
            log.warning("%s reply %d cannot be sent: %s", cid, record.id, exc)
            now = self.clock()
            return await self._then_next(
                record, refused, record, str(exc), exc.opted_out, now, exc.blocked
            )
        except Exception as exc:  # a bug or a library surprise: keep the unit, retry later
            log.exception(
                "%s reply %d: unexpected error from the %s sender", cid, record.id, record.channel
            )
            next_at = self.clock() + backoff(record.attempts + 1)
            return await self._then_next(record, outbox.mark_retry, record, repr(exc), next_at)
        log.info("%s reply %d sent (%s)", cid, record.id, record.kind)
        return await self._then_next(record, outbox.mark_sent, record.id, ref, self.clock())

    async def _next(self, conversation_id: str) -> Delivery | None:
        return await self.db.run(outbox.next_delivery, conversation_id)

    async def _then_next(
        self, record: OutboxRecord, mark: Callable[..., None], *args: Any
    ) -> Delivery | None:
        """``mark(connection, *args)``, and the conversation's next unit, in one transaction."""
        return await self.db.run(_then_next, record.conversation_id, mark, *args)


def _then_next(c: Connection, cid: str, mark: Callable[..., None], *args: Any) -> Delivery | None:
    mark(c, *args)
    return outbox.next_delivery(c, cid)


def refused(
    c: Connection,
    unit: OutboxRecord,
    error: str,
    opted_out: bool,
    now: float,
    blocked: bool = False,
) -> None:
    """The provider will never take this unit. If the recipient opted out (e.g. Twilio error
    21610), nothing waiting is sent either, and staff see it as an opt-out. Either that, or a
    client who blocked the bot (Telegram's 403), cancels every follow-up still to come."""
    outbox.mark_failed(c, unit, error)
    if opted_out or blocked:  # nothing proactive may try again (bot/followups)
        store.cancel_all(c, unit.conversation_id, "opted_out" if opted_out else "blocked", now)
    if opted_out:
        cid = unit.conversation_id
        conversations.set_opted_out(c, cid, True)
        outbox.suppress(c, cid)
        events.add(c, cid, None, "opt_out", {"reason": error}, now)
