"""Values the gateway keeps by key: those it generates once (the sender hash salt, the webhook
secret), and Telegram button payloads too long for callback data (by hash)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from bot.db import Connection, insert
from bot.db.schema import button_payloads, meta

_VALUE = sa.select(meta.c.value).where(meta.c.key == sa.bindparam("key"))
_PAYLOAD = sa.select(button_payloads.c.payload).where(button_payloads.c.key == sa.bindparam("key"))


def value(c: Connection, key: str, default: Callable[[], str]) -> str:
    """The stored value of ``key``; the first call stores ``default()`` and returns it."""
    c.execute(insert(c, meta).values(key=key, value=default()).on_conflict_do_nothing())
    return str(c.execute(_VALUE, {"key": key}).scalar_one())


def save_payload(c: Connection, key: str, payload: str) -> None:
    c.execute(insert(c, button_payloads).values(key=key, payload=payload).on_conflict_do_nothing())


def payload_for(c: Connection, key: str) -> str | None:
    found = c.execute(_PAYLOAD, {"key": key}).scalar_one_or_none()
    return None if found is None else str(found)


def put(c: Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key``, replacing what was there."""
    statement = insert(c, meta).values(key=key, value=value)
    c.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def get(c: Connection, key: str) -> str | None:
    found = c.execute(_VALUE, {"key": key}).scalar_one_or_none()
    return None if found is None else str(found)
