"""What the gateway's and the handoff's tests read of the gateway store, as SQLAlchemy Core
queries on its tables (the gateway itself never needs these views), and a store that refuses
a message once, as a full disk would."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.db import Connection, Database
from bot.db.schema import events, inbound, outbox
from bot.errors import StoreError


def _counts(c: Connection) -> dict[str, int]:
    result: dict[str, int] = {}
    control = inbound.c.kind == "control"
    for name, table, where in (
        ("inbound", inbound, ~control),
        ("control", inbound, control),
        ("outbox", outbox, sa.true()),
    ):
        query = sa.select(table.c.status, sa.func.count()).where(where).group_by(table.c.status)
        for status, n in c.execute(query):
            result[f"{name}.{status}"] = int(n)
    return result


async def counts(db: Database) -> dict[str, int]:
    """Messages in each state, e.g. ``{"inbound.pending": 2, "outbox.sent": 9}``; ``control.*``
    counts the pause and resume requests for Rasa apart from the client's messages."""
    return await db.run(_counts)


def _events_of(c: Connection, cid: str) -> list[tuple[str, dict[str, Any]]]:
    query = (
        sa.select(events.c.kind, events.c.data)
        .where(events.c.conversation_id == cid)
        .order_by(events.c.id)
    )
    return [(str(kind), data) for kind, data in c.execute(query)]


async def events_of(db: Database, cid: str) -> list[tuple[str, dict[str, Any]]]:
    """The conversation's events (handoff requests, opt-outs), oldest first."""
    return await db.run(_events_of, cid)


def refuse_once(db: Database, transaction: str = "take_in") -> None:
    """The next ``transaction`` (by its function's name: the inbox's, by default) fails as on a
    full disk; everything else, and that one again, is stored as ever."""
    refused: list[Any] = []

    def refusing(real: Any) -> Any:
        async def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
            if not refused and getattr(fn, "__name__", "") == transaction:
                refused.append(fn)
                raise StoreError("database or disk is full")
            return await real(fn, *args, **kwargs)

        return run

    db.run, db.run_first = refusing(db.run), refusing(db.run_first)  # type: ignore[method-assign]
