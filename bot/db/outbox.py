"""The outbox table: every unit to send (one provider call each), in order per conversation.

Statuses: ``pending``, ``sent`` (the provider accepted it, or, on web chat, where the page
fetches its units, as soon as it is stored), ``failed``, ``suppressed`` (the client opted out).
Units are queued by whoever decides them, inside their own transaction (:func:`queue`); the
delivery workers (:mod:`bot.outbox`) read and mark them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from bot.channels.traits import traits
from bot.db import Connection, columns, record
from bot.db.conversations import first_with, oldest_pending
from bot.db.schema import outbox
from bot.model import Conversation, OutboxItem, OutboxRecord

COLUMNS = columns(OutboxRecord, outbox)
# The statements of every unit are built once, so that SQLAlchemy compiles each once.
_QUEUE = sa.insert(outbox)
_THIS = outbox.c.id == sa.bindparam("unit_id")
_SENT = sa.update(outbox).where(_THIS).values(status="sent")
_UPDATE = sa.update(outbox).where(_THIS)
_NEXT = oldest_pending(outbox, OutboxRecord)


def queue(
    c: Connection,
    cid: str,
    channel: str,
    inbound_id: int | None,
    items: Iterable[OutboxItem],
    now: float,
) -> None:
    """Queue units for the conversation's client (inside the caller's transaction)."""
    # A channel whose client fetches its units (web chat) has no provider to call: delivered.
    sent = traits(channel).pulled
    status, sent_at = ("sent", now) if sent else ("pending", None)
    common = dict(conversation_id=cid, inbound_id=inbound_id, channel=channel, status=status,
                  attempts=0, next_attempt_at=0.0, created_at=now, sent_at=sent_at)  # fmt: skip
    rows = [{**common, "kind": item.kind, "body": item.body} for item in items]
    if rows:
        c.execute(_QUEUE, rows)


def next_delivery(c: Connection, cid: str) -> tuple[OutboxRecord, Conversation] | None:
    """The oldest unit of the conversation still to send (later ones wait behind it), and the
    conversation (where to send it; opted out?)."""
    return first_with(c, _NEXT, OutboxRecord, cid)


def pending_conversations(c: Connection) -> list[str]:
    query = sa.select(outbox.c.conversation_id).where(outbox.c.status == "pending").distinct()
    return [str(cid) for cid in c.execute(query).scalars()]


def mark_sent(c: Connection, unit_id: int, provider_ref: str | None, now: float) -> None:
    c.execute(_SENT, {"unit_id": unit_id, "sent_at": now, "provider_ref": provider_ref})


def mark_retry(c: Connection, unit: OutboxRecord, error: str, next_attempt_at: float) -> None:
    values = {"attempts": unit.attempts + 1, "next_attempt_at": next_attempt_at}
    c.execute(_UPDATE, {"unit_id": unit.id, "last_error": error[:500], **values})


def mark_failed(c: Connection, unit: OutboxRecord, error: str) -> None:
    values = {"status": "failed", "attempts": unit.attempts + 1, "last_error": error[:500]}
    c.execute(_UPDATE, {"unit_id": unit.id, **values})


def suppress(c: Connection, cid: str) -> None:
    """Nothing waiting for this conversation is to be sent (the client opted out)."""
    c.execute(
        sa.update(outbox)
        .where(outbox.c.conversation_id == cid, outbox.c.status == "pending")
        .values(status="suppressed", last_error="recipient opted out")
    )


def delivered_after(c: Connection, cid: str, after_id: int, limit: int = 100) -> list[OutboxRecord]:
    """Delivered units of the conversation with an id above ``after_id``, oldest first."""
    rows = c.execute(
        sa.select(*COLUMNS)
        .where(outbox.c.conversation_id == cid, outbox.c.id > after_id, outbox.c.status == "sent")
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return [record(OutboxRecord, row) for row in rows]


_WITH_BUTTONS = (
    sa.select(outbox.c.body)
    .where(
        outbox.c.conversation_id == sa.bindparam("cid"),
        sa.type_coerce(outbox.c.body, sa.Text).like('%"buttons": %'),
    )
    .order_by(outbox.c.id.desc())
    .limit(sa.bindparam("limit"))
)


def with_buttons(c: Connection, cid: str, limit: int) -> list[dict[str, Any]]:
    """The bodies of the conversation's last ``limit`` units that offer buttons, newest first."""
    return list(c.execute(_WITH_BUTTONS, {"cid": cid, "limit": limit}).scalars())


def for_inbound(c: Connection, inbound_id: int) -> list[OutboxRecord]:
    """The units that answer one message, oldest first."""
    query = sa.select(*COLUMNS).where(outbox.c.inbound_id == inbound_id).order_by(outbox.c.id)
    return [record(OutboxRecord, row) for row in c.execute(query)]
