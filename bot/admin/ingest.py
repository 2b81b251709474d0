"""Filling the review inbox from what Rasa recorded, in the gateway's background.

Every few seconds :class:`Ingestion` reads the ``user`` events Rasa added to its tracker store
since the last read (:func:`bot.tracker_store.user_events_after`, from the cursor kept in the
gateway store), so each event is read once and no message is parsed a second time. Each is
classified (:func:`bot.admin.review.why_review`); those worth a look are masked
(:func:`bot.admin.masking.mask`) and added to the inbox (:mod:`bot.db.review`) with the cursor's
move, in one transaction. The client's id never enters the inbox: the sender id Rasa knows
(the gateway's conversation id, itself a salted hash) becomes a one-way key.

The tracker store is read in a thread (its own engine, a few connections): the event loop
never waits on it. If it cannot be read (Rasa has not created it yet, PostgreSQL is down), the
round is skipped and logged once, and the next round tries again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bot import tracker_store
from bot.admin import labels, masking
from bot.admin.review import Reason, why_review
from bot.db import Database
from bot.db import review as inbox
from bot.tracker_store import UserEvent
from bot.workers import Rounds
from contract import example_key

log = logging.getLogger(__name__)

BATCH = 500  # events read per transaction
RANKING = 3  # the guesses shown beside a message


def sighting(event: UserEvent, reason: Reason) -> inbox.Sighting | None:
    """What the inbox keeps of an event to review: masked words, never the sender."""
    text = masking.mask(event.text.strip())
    normalised = example_key(text)[:512]
    if not normalised or event.text == tracker_store.REDACTED:
        return None
    entities = [
        [str(e.get("entity")), str(e.get("value"))]
        for e in event.entities
        if e.get("entity") in labels.ENTITIES and str(e.get("value") or "") in text
    ]
    return inbox.Sighting(
        text=text,
        normalised=normalised,
        kind=reason.kind,
        priority=reason.priority,
        detail=masking.mask(reason.detail),
        conversation_key=inbox.conversation_key(event.sender_id),
        seen_at=event.timestamp,
        intent=event.intent,
        confidence=event.confidence,
        ranking=[[name, round(score, 3)] for name, score in event.ranking[:RANKING]],
        entities=entities,
    )


@dataclass
class Ingestion:
    """Reads new user events from the tracker store at ``url`` into the inbox of ``db``."""

    db: Database
    url: str
    interval: float = 5.0
    low_confidence: float = 0.6
    margin: float = 0.15
    audit_every: int = 50
    draw: Callable[[], float] = random.random
    _engine: sa.engine.Engine | None = field(default=None, init=False)
    _failing: bool = field(default=False, init=False)
    _rounds: Rounds | None = field(default=None, init=False)

    def start(self) -> None:
        self._rounds = Rounds("review ingestion", self._round, self.interval)
        self._rounds.start()

    async def stop(self) -> None:
        if self._rounds is not None:
            await self._rounds.stop()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    async def _round(self) -> None:
        try:
            while await self.once() == BATCH:  # more waiting: read on at once
                pass
            if self._failing:
                log.info("review inbox: the tracker store is readable again")
            self._failing = False
        except Exception as exc:  # a round that failed is tried again next time
            if not self._failing:
                log.warning("review inbox: cannot read the tracker store: %s", _what(exc))
            self._failing = True

    async def once(self) -> int:
        """Read one batch of new events into the inbox; how many events were read."""
        if not self._ready():
            return 0
        after = await self.db.run(inbox.cursor)
        events, last = await asyncio.to_thread(self._read, after)
        if last == after:
            return 0
        found = []
        for event in events:
            reason = why_review(
                event, self.low_confidence, self.margin, self.audit_every, self.draw
            )
            if reason is not None and (seen := sighting(event, reason)) is not None:
                found.append(seen)
        try:
            await self.db.run(inbox.ingest, after, last, found)
        except inbox.CursorMoved:  # another gateway read these: nothing added twice
            return 0
        return len(events)

    def _ready(self) -> bool:
        """False while a SQLite tracker store has not been created by Rasa yet (connecting
        would create an empty file in its place)."""
        if self.url.startswith("sqlite:///"):
            path = self.url.removeprefix("sqlite:///")
            return path != "" and Path(path).is_file()
        return True

    def _read(self, after: int) -> tuple[list[UserEvent], int]:
        """The user events after ``after`` and the id of the last event of the batch read."""
        if self._engine is None:
            self._engine = tracker_store.engine_for(self.url)
        with self._engine.connect() as connection:
            events = tracker_store.user_events_after(connection, after, BATCH)
        return events, max([after, *(e.id for e in events)])


def _what(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    return f"{type(cause).__name__}: {str(cause)[:200]}"
