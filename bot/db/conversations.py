"""Conversations: one per client and channel (and per paged phone), named by the salted hash.

A row holds where units go (never logged), the SMS opt-out, the numbered options of the last
SMS reply, and when the "assistant is down" notice was last sent (once per outage).
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

from bot.db import Connection, columns, insert, record
from bot.db.schema import cases
from bot.db.schema import conversations as table
from bot.model import Button, Conversation

T = TypeVar("T")

COLUMNS = columns(Conversation, table)
# The statements of every message are built once, so that SQLAlchemy compiles each once.
_GET = sa.select(*COLUMNS).where(table.c.id == sa.bindparam("cid"))
_THIS = table.c.id == sa.bindparam("cid")
_TOUCH = sa.update(table).where(_THIS).values(updated_at=sa.bindparam("now"))
_TOUCH_OPTED = (
    sa.update(table)
    .where(_THIS)
    .values(updated_at=sa.bindparam("now"), opted_out=sa.bindparam("opted"))
)
_NEW = sa.insert(table)
_ANSWERED = sa.update(table).where(_THIS).values(degraded_at=None)


def oldest_pending(rows: sa.Table, cls: type[Any]) -> Any:
    """The query for the oldest pending row of ``rows`` (inbound, outbox) of a conversation
    (bound as ``cid``) as ``cls``, with the conversation: whom it is from or for, and how."""
    return (
        sa.select(*columns(cls, rows), *columns(Conversation, table, "c_"))
        .join(table, table.c.id == rows.c.conversation_id)
        .where(rows.c.conversation_id == sa.bindparam("cid"), rows.c.status == "pending")
        .order_by(rows.c.id)
        .limit(1)
    )


def first_with(c: Connection, query: Any, cls: type[T], cid: str) -> tuple[T, Conversation] | None:
    """The row an :func:`oldest_pending` query finds, as ``cls``, and its conversation."""
    row = c.execute(query, {"cid": cid}).first()
    return None if row is None else (record(cls, row), record(Conversation, row, "c_"))


def get(c: Connection, cid: str) -> Conversation | None:
    row = c.execute(_GET, {"cid": cid}).first()
    return None if row is None else record(Conversation, row)


def touch(
    c: Connection, cid: str, channel: str, address: str, now: float, opted_out: bool | None
) -> None:
    """The conversation of a new client message, created if new; ``opted_out`` if it says so.

    (Two replicas creating the same conversation at the same moment make one transaction fail
    with :class:`~bot.errors.StoreConflict`: run again, it finds the conversation.)
    """
    if opted_out is None:
        found = c.execute(_TOUCH, {"cid": cid, "now": now}).rowcount
    else:
        found = c.execute(_TOUCH_OPTED, {"cid": cid, "now": now, "opted": opted_out}).rowcount
    if not found:
        new = {"id": cid, "channel": channel, "address": address, "opted_out": bool(opted_out),
               "buttons": (), "created_at": now, "updated_at": now}  # fmt: skip
        c.execute(_NEW, new)


def ensure(c: Connection, cid: str, channel: str, address: str, now: float) -> None:
    """A conversation row for ``cid`` (where units to it go), created if it is missing."""
    new = insert(c, table).values(
        id=cid, channel=channel, address=address, opted_out=False, buttons=(),
        created_at=now, updated_at=now,
    )  # fmt: skip
    c.execute(new.on_conflict_do_nothing())


def set_language(c: Connection, cid: str, language: str, source: str, strength: float) -> None:
    """The conversation's language, and how it was chosen (bot/language.py)."""
    values = {"language": language, "language_source": source, "language_strength": strength}
    c.execute(sa.update(table).where(table.c.id == cid).values(**values))


def set_opted_out(c: Connection, cid: str, opted_out: bool) -> None:
    c.execute(sa.update(table).where(table.c.id == cid).values(opted_out=opted_out))


def answered(c: Connection, cid: str, now: float, buttons: tuple[Button, ...] | None) -> None:
    """Rasa answered: the outage is over; ``buttons``, when given, are the new numbered options."""
    values: dict[str, object] = {"cid": cid, "updated_at": now}
    if buttons is not None:
        values["buttons"] = buttons
    c.execute(_ANSWERED, values)


def degraded(c: Connection, cid: str, now: float) -> None:
    """The client was just told the assistant is down."""
    c.execute(sa.update(table).where(table.c.id == cid).values(degraded_at=now))


def remember_buttons(c: Connection, cid: str, buttons: tuple[Button, ...]) -> None:
    """The numbered options of an SMS reply the gateway gave itself ("1" then picks the first)."""
    c.execute(sa.update(table).where(table.c.id == cid).values(buttons=buttons))


def open_case(c: Connection, cid: str) -> int | None:
    """The id of the conversation's open case (the client is talking with staff), if any."""
    query = sa.select(cases.c.id).where(cases.c.conversation_id == cid, cases.c.status != "closed")
    found = c.execute(query).scalar()
    return None if found is None else int(found)
