"""The privacy audit: that a purge, an erasure or an export happened, by whom and when.

An entry says what was done (``purge``, ``erase``, ``export``), who did it (``console:alex``,
``cli:root``, ``client`` for a client's own request, ``schedule`` for the daily purge), when it
was asked and when it was complete everywhere, and how many rows of each store it touched. It
never says whose conversation: no conversation id, channel address or case number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.db import Connection
from bot.db.schema import privacy_audit as table


@dataclass(frozen=True)
class Entry:
    id: int
    action: str
    actor: str
    at: float
    completed_at: float | None
    detail: dict[str, Any]


def add(
    c: Connection,
    action: str,
    actor: str,
    at: float,
    detail: dict[str, Any],
    completed_at: float | None = None,
) -> int:
    row = {"action": action, "actor": actor[:64], "at": at, "detail": detail}
    result = c.execute(table.insert().values(**row, completed_at=completed_at))
    return int(result.inserted_primary_key[0])


def complete(c: Connection, entry_id: int, at: float, more: dict[str, Any]) -> None:
    """An entry's work is done everywhere: when, and the counts of the last stores."""
    detail = c.execute(sa.select(table.c.detail).where(table.c.id == entry_id)).scalar()
    detail = {**(detail or {}), **more}
    c.execute(table.update().where(table.c.id == entry_id).values(completed_at=at, detail=detail))


def complete_counts(c: Connection, entry_id: int, more: dict[str, Any]) -> None:
    """Add counts to an entry not yet complete."""
    detail = c.execute(sa.select(table.c.detail).where(table.c.id == entry_id)).scalar()
    c.execute(
        table.update().where(table.c.id == entry_id).values(detail={**(detail or {}), **more})
    )


def counted(c: Connection, entry_id: int, name: str) -> int:
    """One count of an entry so far (0 when it has none)."""
    detail = c.execute(sa.select(table.c.detail).where(table.c.id == entry_id)).scalar()
    found = (detail or {}).get(name, 0)
    return found if isinstance(found, int) and not isinstance(found, bool) else 0


def recent(c: Connection, limit: int = 50) -> list[Entry]:
    rows = c.execute(sa.select(table).order_by(table.c.id.desc()).limit(limit)).all()
    return [Entry(r.id, r.action, r.actor, r.at, r.completed_at, r.detail) for r in rows]
