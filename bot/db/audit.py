"""The admins' audit log: who labelled, discarded, trained, evaluated, promoted or rolled back
what, and when. Written by :mod:`bot.admin.service` for the web pages and the CLI alike; shown
at /admin/audit and by ``python -m bot.admin audit``. Entries name masked text and model files,
never a client."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bot.db import Connection, columns, record
from bot.db.schema import admin_audit


@dataclass(frozen=True)
class Entry:
    id: int
    at: float
    actor: str
    action: str  # label, discard, train, cancel, evaluate, promote, rollback, mark
    subject: str
    detail: str


def write(c: Connection, at: float, actor: str, action: str, subject: str, detail: str = "") -> int:
    result = c.execute(
        admin_audit.insert().values(
            at=at, actor=actor[:64], action=action[:32], subject=subject, detail=detail
        )
    )
    return int(result.inserted_primary_key[0])


def latest(c: Connection, limit: int = 200) -> list[Entry]:
    """The newest entries first."""
    rows = c.execute(
        sa.select(*columns(Entry, admin_audit)).order_by(admin_audit.c.id.desc()).limit(limit)
    ).all()
    return [record(Entry, row) for row in rows]
