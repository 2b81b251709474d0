"""Inbound: every client message as it arrived, and where it is.

Statuses: ``pending`` (waiting for Rasa), ``done``, ``handled`` (answered by the gateway
itself), ``ignored``, ``failed`` (Rasa never gave a usable answer), ``relayed`` (the client was
talking with staff). A provider's id (Telegram's update_id, Twilio's MessageSid, the web page's
message id) is stored once per channel, so a repeated webhook is recognised. Rows of kind
``control`` are not the client's words: "pause" and "resume" for Rasa's tracker (human handoff),
queued here so that the router sends them in order with the conversation's messages.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.db import Connection, columns, record
from bot.db.conversations import first_with, oldest_pending
from bot.db.schema import inbound
from bot.model import Conversation, InboundRecord, Incoming

COLUMNS = columns(InboundRecord, inbound)
# The statements of every message are built once, so that SQLAlchemy compiles each once.
_ADD = sa.insert(inbound)
_EXISTING = sa.select(inbound.c.id, inbound.c.status).where(
    inbound.c.channel == sa.bindparam("channel"),
    inbound.c.provider_id == sa.bindparam("provider_id"),
)
_GET = sa.select(*COLUMNS).where(inbound.c.id == sa.bindparam("inbound_id"))
# The oldest pending message with its conversation (where to answer, the numbered options).
_NEXT_TURN = oldest_pending(inbound, InboundRecord)
_PENDING_AFTER = (
    sa.select(*COLUMNS)
    .where(
        inbound.c.conversation_id == sa.bindparam("cid"),
        inbound.c.status == "pending",
        inbound.c.kind != "control",
        inbound.c.id > sa.bindparam("after"),
    )
    .order_by(inbound.c.id)
)
_THIS = inbound.c.id == sa.bindparam("inbound_id")
_DECIDE = sa.update(inbound).where(_THIS)
_DONE = sa.update(inbound).where(_THIS).values(status="done")


def add(
    c: Connection,
    cid: str,
    incoming: Incoming,
    now: float,
    status: str = "pending",
    risk: str | None = None,
    risk_tier: str | None = None,
    language: str | None = None,
) -> int:
    """Store a client message; its id. Look for its provider id first (:func:`existing`): a
    provider id already stored fails the transaction with :class:`~bot.errors.StoreConflict`
    (so does one a replica stores at the same moment: run again, and it is found)."""
    row = {
        "conversation_id": cid, "channel": incoming.channel, "provider_id": incoming.provider_id,
        "kind": incoming.kind, "text": incoming.text, "risk": risk, "risk_tier": risk_tier,
        "language": language,
        "status": status, "attempts": 0, "next_attempt_at": 0.0, "received_at": now,
        "finished_at": None if status == "pending" else now,
    }  # fmt: skip
    return int(c.execute(_ADD, row).inserted_primary_key[0])


_FIRST = sa.select(sa.func.min(inbound.c.id)).where(
    inbound.c.conversation_id == sa.bindparam("cid"), inbound.c.kind != "control"
)


def first_of(c: Connection, record: InboundRecord) -> bool:
    """Whether ``record`` is its conversation's first message from the client."""
    return c.execute(_FIRST, {"cid": record.conversation_id}).scalar() == record.id


def existing(c: Connection, channel: str, provider_id: str | None) -> tuple[int, str] | None:
    """The id and status of the message stored with this provider id, if there is one."""
    if provider_id is None:
        return None
    row = c.execute(_EXISTING, {"channel": channel, "provider_id": provider_id}).first()
    return None if row is None else (int(row.id), str(row.status))


def seen(c: Connection, channel: str, provider_id: str) -> bool:
    """Whether a message with this provider id is already stored."""
    return existing(c, channel, provider_id) is not None


def get(c: Connection, inbound_id: int) -> InboundRecord | None:
    row = c.execute(_GET, {"inbound_id": inbound_id}).first()
    return None if row is None else record(InboundRecord, row)


def next_turn(c: Connection, cid: str) -> tuple[InboundRecord, Conversation] | None:
    """The oldest message of the conversation still waiting for Rasa, and its conversation."""
    return first_with(c, _NEXT_TURN, InboundRecord, cid)


def pending_after(c: Connection, cid: str, after: int) -> list[InboundRecord]:
    """The client's messages of the conversation that wait for Rasa behind message ``after``."""
    rows = c.execute(_PENDING_AFTER, {"cid": cid, "after": after})
    return [record(InboundRecord, row) for row in rows]


def pending_conversations(c: Connection) -> list[str]:
    """Conversations with messages still waiting for Rasa (after a restart, or an outage)."""
    query = sa.select(inbound.c.conversation_id).where(inbound.c.status == "pending").distinct()
    return [str(cid) for cid in c.execute(query).scalars()]


def decide(
    c: Connection,
    inbound_id: int,
    status: str,
    risk: str | None,
    risk_tier: str | None,
    now: float,
) -> None:
    """What the screen found in a new message, and where it goes (if not to Rasa, it is done)."""
    finished = None if status == "pending" else now
    values = {"status": status, "risk": risk, "risk_tier": risk_tier, "finished_at": finished}
    c.execute(_DECIDE, {"inbound_id": inbound_id, **values})


def set_status(c: Connection, inbound_id: int, status: str, now: float) -> None:
    """The message is dealt with (``handled``, ``relayed``, ...): it will not go to Rasa."""
    c.execute(
        sa.update(inbound).where(inbound.c.id == inbound_id).values(status=status, finished_at=now)
    )


def done(c: Connection, message: InboundRecord, now: float) -> None:
    """Rasa answered the message."""
    values = {"finished_at": now, "attempts": message.attempts + 1}
    c.execute(_DONE, {"inbound_id": message.id, **values})


def defer(
    c: Connection,
    message: InboundRecord,
    error: str,
    next_attempt_at: float,
    now: float,
    give_up: bool = False,
) -> None:
    """Rasa gave no usable answer: try again at ``next_attempt_at``, or give up."""
    c.execute(
        sa.update(inbound)
        .where(inbound.c.id == message.id)
        .values(
            status="failed" if give_up else "pending",
            attempts=message.attempts + 1,
            next_attempt_at=next_attempt_at,
            last_error=error[:500],
            finished_at=now if give_up else None,
        )
    )


def add_payload(
    c: Connection, cid: str, channel: str, payload: str, now: float, language: str | None
) -> int:
    """What a client's words stand for, as a message of its own for Rasa after them ("they
    were full": the same search again); its id."""
    row = {
        "conversation_id": cid, "channel": channel, "provider_id": None, "kind": "payload",
        "text": payload, "risk": None, "risk_tier": None, "language": language,
        "status": "pending", "attempts": 0, "next_attempt_at": 0.0, "received_at": now,
        "finished_at": None,
    }  # fmt: skip
    return int(c.execute(_ADD, row).inserted_primary_key[0])


def add_control(c: Connection, cid: str, channel: str, what: str, now: float) -> None:
    """Queue "pause" or "resume" for Rasa, in order with the conversation's messages."""
    c.execute(
        sa.insert(inbound).values(
            conversation_id=cid, channel=channel, provider_id=None, kind="control", text=what,
            risk=None, status="pending", attempts=0, next_attempt_at=0.0, received_at=now,
        )
    )  # fmt: skip
