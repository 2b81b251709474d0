"""The follow-ups' worker: claims what is due with a lease, and sends it through the outbox.

Every :data:`INTERVAL` seconds (sooner when the next follow-up is due sooner), one transaction
claims the due rows for this worker (:func:`bot.db.followups.claim`: a lease, so that two
gateways on one store never send the same one; a worker that dies leaves a lease that runs out
and another takes over), then one transaction per row decides and sends:

- the client cannot be reached (erased, purged, opted out): dropped;
- more than a day late (:data:`bot.followups.schedule.LATE`): dropped, never sent stale;
- the client is talking with staff: looked at again in half an hour;
- outside 9:00 to 20:00 in the region's zone: moved to the next 9:00;
- a proactive message went to the client today already: moved to tomorrow 9:00 (not a check-in
  staff scheduled: staff chose its time, an appointment's reminder must not slip a day);
- else the question (neutral first for a client who mentioned abuse) is queued in the outbox,
  which sends it with the channel's pacing and retries; the question's one reminder is
  scheduled a day later. A staff check-in (:mod:`bot.handoff.checkins`) sends staff's words,
  has no reminder; its case's page shows what became of it.

A round claims at most :attr:`FollowupWorker.rates` a second per channel (half of what the
provider allows, :data:`PROACTIVE_SHARE`), so that ten thousand follow-ups due at 9:00 never
queue ahead of the replies to clients writing at 9:00: they leave over minutes, and the live
replies keep the other half of the channel.

Queuing and marking it sent are one transaction: a follow-up is sent once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.channels.traits import TRAITS, traits
from bot.db import Connection, Database, conversations, outbox, report
from bot.db import followups as store
from bot.followups import Followups, checkin, neutral, question, schedule
from bot.hooks import Kickable
from bot.messages import Catalog
from bot.privacy import short
from bot.render import render
from bot.workers import Rounds

log = logging.getLogger(__name__)

INTERVAL = 30.0
BACKLOG_ROUND = 1.0  # seconds between rounds while more is due than a round may send
PROACTIVE_SHARE = 0.5  # of a channel's overall rate, at most, for proactive messages


@dataclass(eq=False)
class FollowupWorker:
    db: Database
    outbox: Kickable
    texts: Catalog
    rules: Followups
    clock: Callable[[], float] = time.time
    interval: float = INTERVAL
    # Proactive messages a second, per channel that can send them (app: PROACTIVE_SHARE of
    # each sender's overall rate).
    rates: dict[str, float] = field(
        default_factory=lambda: {name: 1.0 for name, t in TRAITS.items() if t.proactive}
    )
    owner: str = field(default_factory=lambda: secrets.token_hex(8))
    _round: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)  # one round at a time
    _rounds: Rounds | None = field(default=None, init=False)

    def start(self) -> None:
        if self._rounds is None:
            self._rounds = Rounds("follow-ups", self._next, self.interval)
            self._rounds.start()

    def kick(self) -> None:
        """Look now (a follow-up was scheduled, or a test moved the clock)."""
        if self._rounds is not None:
            self._rounds.kick()

    async def stop(self) -> None:
        if self._rounds is not None:
            await self._rounds.stop()
            self._rounds = None

    async def _next(self) -> float:
        """A round, then how long until the next follow-up is due (at most the interval)."""
        await self.tick()
        due = await self.db.run(store.next_due)
        if due is None:
            return self.interval
        return min(self.interval, max(BACKLOG_ROUND, due - self.clock()))

    async def tick(self) -> int:
        """One round: claim what is due, decide and send each; how many were sent. A round
        asked for while one runs waits for it (what it claimed is queued when this returns)."""
        async with self._round:
            limits = {
                channel: max(1, int(rate * BACKLOG_ROUND)) for channel, rate in self.rates.items()
            }
            now = self.clock()
            dropped = await self.db.run(store.drop_late, now - schedule.LATE, now)
            if dropped:
                log.info("follow-ups: %d dropped, more than a day late", dropped)
            claimed = await self.db.run(store.claim, self.owner, self.clock(), limits)
            sent = 0
            for followup_id in claimed:
                cid = await self.db.run(self.deliver, followup_id, self.clock())
                if cid is not None:
                    self.outbox.kick(cid)
                    sent += 1
            return sent

    def deliver(self, c: Connection, followup_id: int, now: float) -> str | None:
        """Decide and send one claimed follow-up (one transaction); its conversation if sent."""
        found = store.leased(c, followup_id, self.owner, now)
        if found is None:  # the lease ran out and another worker has it, or it was cancelled
            return None
        zone, cid = self.rules.zone, found.conversation_id
        conversation = conversations.get(c, cid)
        if conversation is None or not conversation.address or conversation.opted_out:
            return self._drop(c, found, "unreachable", now)
        if now - found.first_due_at > schedule.LATE:
            return self._drop(c, found, "late", now)
        later = None
        if conversations.open_case(c, cid) is not None:
            later = now + schedule.WAIT_FOR_STAFF
        elif not schedule.in_day(now, zone):
            later = schedule.next_day_start(now, zone)
        elif not found.by_staff and store.sent_since(c, cid, schedule.day_start(now, zone)):
            later = schedule.next_day(now, zone)
        if later is not None:
            if later - found.first_due_at > schedule.LATE:
                return self._drop(c, found, "late", now)
            store.set_state(c, found.id, "scheduled", now, due_at=later)
            return None
        texts = self.texts.of(conversation.language)
        if found.sensitive:
            message, state = neutral(texts), "checking"
        elif found.by_staff:
            message, state = checkin(texts, found), "asked"
        else:
            message, state = question(texts, found.need, found.kind == "reminder"), "asked"
        rendered = render(conversation.channel, [message], "followup", texts)
        outbox.queue(c, cid, conversation.channel, None, rendered.items, now)
        if rendered.buttons is not None and traits(conversation.channel).numbered_choices:
            conversations.remember_buttons(c, cid, rendered.buttons)
        store.set_state(c, found.id, state, now, sent_at=now)
        if found.kind == "question":
            consent = store.consent_of(c, found)
            if consent is not None:
                store.schedule(c, consent, "reminder", now + schedule.REMINDER_AFTER, now)
        outcome = "reminded" if found.kind == "reminder" else "sent"
        report.add(c, "followup", found.channel, now, need=found.need, place=found.place,
                   service=found.service, outcome=outcome)  # fmt: skip
        log.info("%s follow-up %d sent (%s)", short(cid), found.id, found.kind)
        return cid

    def _drop(self, c: Connection, found: store.Followup, why: str, now: float) -> str | None:
        store.set_state(c, found.id, "dropped", now, note=why)
        report.add(c, "followup", found.channel, now, need=found.need, place=found.place,
                   service=found.service, outcome=f"dropped_{why}"[:16])  # fmt: skip
        log.info("%s follow-up %d dropped: %s", short(found.conversation_id), found.id, why)
        return None
