"""Events: what staff need to know later of a conversation (handoff requests, opt-outs, opt-ins)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.db import Connection
from bot.db.schema import events as table

_ADD = sa.insert(table)


def add(
    c: Connection, cid: str, inbound_id: int | None, kind: str, data: dict[str, Any], now: float
) -> None:
    row = {"conversation_id": cid, "inbound_id": inbound_id, "kind": kind, "data": data}
    c.execute(_ADD, {**row, "created_at": now})
