"""The admins' review inbox in the gateway store: what clients wrote that an admin should see.

An item is one distinct message, by its normalised masked text (:func:`bot.admin.labels.normalise`
of :func:`bot.admin.masking.mask`), with a count of the times it was seen, why it is there
(the most urgent reason any sighting had: disagreement, staff, unsure, audit) and what the NLU
guessed last. Only the masked text is kept, never the client's id: each sighting keeps a
one-way key of its conversation (:func:`conversation_key`), so that the privacy work can erase
one conversation from the inbox (:func:`erase_conversation`) and purge old sightings
(:func:`purge_before`). The inbox lists items most urgent first, newest first within a
priority (:func:`listing`). "Discard" and a label remove an item for good (:func:`remove`); the
same words written again later are a new item.

Where the ingestion stopped reading Rasa's tracker store (the id of the last event read) is
kept in ``gateway_meta``; :func:`advance_cursor` moves it only from the value it was read at,
so two gateways reading the same tracker store never add the same events twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bot.db import Connection, columns, insert, record
from bot.db.schema import meta, review_items, review_sightings

CURSOR_KEY = "review_cursor"


@dataclass(frozen=True)
class Item:
    """One message of the inbox, as an admin sees it."""

    id: int
    text: str
    kind: str
    priority: int
    detail: str
    intent: str | None
    confidence: float | None
    count: int
    first_seen: float
    last_seen: float
    normalised: str = ""
    ranking: list[Any] = field(default_factory=list)
    entities: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Sighting:
    """A message to add: its masked words and why (as :func:`add` takes it)."""

    text: str  # masked
    normalised: str
    kind: str
    priority: int
    detail: str
    conversation_key: str
    seen_at: float
    intent: str | None = None
    confidence: float | None = None
    ranking: Sequence[Sequence[Any]] = ()
    entities: Sequence[Sequence[str]] = ()


def conversation_key(conversation_id: str) -> str:
    """A one-way key of a conversation id (itself a salted hash of the client's id): enough to
    find a conversation's sightings when it is erased, and nothing to find the client by."""
    return hashlib.sha256(f"review-inbox:{conversation_id}".encode()).hexdigest()[:32]


def add(c: Connection, sighting: Sighting) -> int:
    """Add one sighting: a new item, or one more of the item with the same normalised text
    (its reason becomes the more urgent of the two, its guesses the latest). The item's id."""
    found = c.execute(
        sa.select(review_items.c.id, review_items.c.priority).where(
            review_items.c.normalised == sighting.normalised
        )
    ).first()
    guesses = {
        "intent": sighting.intent,
        "confidence": sighting.confidence,
        "ranking": [list(r) for r in sighting.ranking],
        "entities": [list(e) for e in sighting.entities],
    }
    if found is None:
        values = {
            "normalised": sighting.normalised, "text": sighting.text, "kind": sighting.kind,
            "priority": sighting.priority, "detail": sighting.detail, "count": 1,
            "first_seen": sighting.seen_at, "last_seen": sighting.seen_at, **guesses,
        }  # fmt: skip
        inserted = c.execute(review_items.insert().values(**values))
        item_id = int(inserted.inserted_primary_key[0])
    else:
        item_id = int(found.id)
        changes: dict[str, Any] = {
            "count": review_items.c.count + 1,
            "last_seen": sa.func.max(review_items.c.last_seen, sighting.seen_at)
            if c.dialect.name == "sqlite"
            else sa.func.greatest(review_items.c.last_seen, sighting.seen_at),
        }
        if sighting.intent is not None:  # a staff mark has no guesses: keep the NLU's
            changes.update(guesses)
        if sighting.priority < found.priority:
            changes.update(
                kind=sighting.kind, priority=sighting.priority, detail=sighting.detail,
                text=sighting.text,
            )  # fmt: skip
        c.execute(review_items.update().where(review_items.c.id == item_id).values(**changes))
    c.execute(
        review_sightings.insert().values(
            item_id=item_id, conversation_key=sighting.conversation_key, seen_at=sighting.seen_at
        )
    )
    return item_id


def add_all(c: Connection, sightings: Sequence[Sighting]) -> list[int]:
    return [add(c, sighting) for sighting in sightings]


def listing(c: Connection, limit: int = 200, offset: int = 0) -> list[Item]:
    """The inbox: most urgent first (:data:`bot.admin.review.PRIORITY`), newest first within."""
    rows = c.execute(
        sa.select(*columns(Item, review_items))
        .order_by(review_items.c.priority, review_items.c.last_seen.desc(), review_items.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [record(Item, row) for row in rows]


def total(c: Connection) -> int:
    return int(c.execute(sa.select(sa.func.count()).select_from(review_items)).scalar_one())


def get(c: Connection, item_id: int) -> Item | None:
    row = c.execute(
        sa.select(*columns(Item, review_items)).where(review_items.c.id == item_id)
    ).first()
    return None if row is None else record(Item, row)


def by_text(c: Connection, normalised: str) -> Item | None:
    row = c.execute(
        sa.select(*columns(Item, review_items)).where(review_items.c.normalised == normalised)
    ).first()
    return None if row is None else record(Item, row)


def remove(c: Connection, item_id: int) -> Item | None:
    """Take an item out of the inbox for good, with its sightings; the item, or None if it was
    gone already (labelled or discarded by someone else)."""
    item = get(c, item_id)
    if item is None:
        return None
    c.execute(review_sightings.delete().where(review_sightings.c.item_id == item_id))
    c.execute(review_items.delete().where(review_items.c.id == item_id))
    return item


def purge_before(c: Connection, cutoff: float) -> int:
    """Retention: remove every sighting older than ``cutoff``, and every item left with none
    (its masked text with it); the others' counts become what remains. Items removed."""
    c.execute(review_sightings.delete().where(review_sightings.c.seen_at < cutoff))
    return _recount(c, None)


def erase_conversation(c: Connection, conversation_id: str) -> int:
    """Erasure: remove the sightings of one conversation (by its gateway conversation id, the
    sender id Rasa knows it by), and every item only it had written; the others' counts
    drop. Items removed."""
    key = conversation_key(conversation_id)
    touched = [
        int(i)
        for i in c.execute(
            sa.select(review_sightings.c.item_id)
            .where(review_sightings.c.conversation_key == key)
            .distinct()
        ).scalars()
    ]
    c.execute(review_sightings.delete().where(review_sightings.c.conversation_key == key))
    return _recount(c, touched) if touched else 0


def purge_conversation(c: Connection, conversation_id: str, cutoff: float) -> int:
    """Retention for one conversation: its sightings older than ``cutoff`` go, and every item
    left with none. Items removed."""
    key = conversation_key(conversation_id)
    old = sa.and_(review_sightings.c.conversation_key == key, review_sightings.c.seen_at < cutoff)
    touched = [
        int(i)
        for i in c.execute(sa.select(review_sightings.c.item_id).where(old).distinct()).scalars()
    ]
    c.execute(review_sightings.delete().where(old))
    return _recount(c, touched) if touched else 0


def _recount(c: Connection, only: list[int] | None) -> int:
    """Items with no sighting left are removed; the others count what they have. Removed."""
    seen = (
        sa.select(sa.func.count())
        .where(review_sightings.c.item_id == review_items.c.id)
        .scalar_subquery()
    )
    scope = review_items.c.id.in_(only) if only is not None else sa.true()
    removed = c.execute(review_items.delete().where(scope, seen == 0)).rowcount
    c.execute(review_items.update().where(scope).values(count=seen))
    return int(removed or 0)


def cursor(c: Connection) -> int:
    """The id of the last tracker store event the ingestion has read (0 before the first)."""
    c.execute(insert(c, meta).values(key=CURSOR_KEY, value="0").on_conflict_do_nothing())
    return int(c.execute(sa.select(meta.c.value).where(meta.c.key == CURSOR_KEY)).scalar_one())


def advance_cursor(c: Connection, read_at: int, to: int) -> bool:
    """Move the cursor from ``read_at`` to ``to``; False (nothing changed) if another reader
    moved it meanwhile."""
    done = c.execute(
        meta.update()
        .where(meta.c.key == CURSOR_KEY, meta.c.value == str(read_at))
        .values(value=str(to))
    )
    return bool(done.rowcount)


class CursorMoved(Exception):
    """Another reader added these events first: this transaction is rolled back."""


def ingest(c: Connection, read_at: int, to: int, sightings: Sequence[Sighting]) -> int:
    """Add what the events after ``read_at`` up to ``to`` brought, and move the cursor, in one
    transaction; :class:`CursorMoved` (rolled back) if another reader did it first."""
    if cursor(c) != read_at:
        raise CursorMoved(f"the review cursor is no longer at {read_at}")
    add_all(c, sightings)
    if not advance_cursor(c, read_at, to):
        raise CursorMoved(f"the review cursor moved from {read_at}")
    return len(sightings)
