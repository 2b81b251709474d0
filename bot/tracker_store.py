"""Rasa's tracker store, read and redacted by the gateway (never through Rasa's code).

Rasa keeps every event of every conversation in its SQL tracker store (endpoints.yml:
``tracker_store``, SQLite by default, PostgreSQL when scaled), one row per event in the table
``events`` (``id, sender_id, type_name, timestamp, intent_name, action_name, data``). The
gateway reads that same table for what Rasa understood of each message, without asking Rasa
to parse anything twice: the admins' review inbox is filled from the new ``user`` events
(:func:`user_events_after`). Retention and erasure (docs/design.md, "Storage and scale") remove
the client's words from it (:func:`redact_before`, :func:`erase`), and access requests read
one conversation back (:func:`events_of`).

The table is declared here as Rasa 3.6's ``SQLTrackerStore`` creates it; a test checks the two
agree. Where the store is comes from endpoints.yml itself, with its ``${VARIABLES}``, so the
gateway and Rasa can never look at different stores.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from bot.errors import StoreError
from contract import erasure

metadata = sa.MetaData()
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

ENDPOINTS = Path("endpoints.yml")
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# Events whose data hold the client's words or the bot's (and, for user events, what Rasa
# made of the words: entities carry spans of the text).
WORDS = ("user", "bot")
REDACTED = "[removed]"
MARK = "redacted"  # set in an event's data once its words are out: a purge never does it twice


class TrackerStoreError(StoreError):
    """The tracker store's settings cannot be read, or the store cannot be reached."""


@dataclass(frozen=True)
class UserEvent:
    """A client message as Rasa recorded it: the words and what the NLU made of them."""

    id: int
    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


# Rasa's own SQL store, and the project's (rasa_addons/tracker_store.py), which is Rasa's with
# SQLite settings: both take the same keys.
SQL_STORES = frozenset({"SQL", "sql", "rasa_addons.tracker_store.ProjectTrackerStore"})


def url_from_endpoints(
    path: Path = ENDPOINTS, environ: Mapping[str, str] | None = None, root: Path | None = None
) -> str:
    """The SQLAlchemy URL of the tracker store that endpoints.yml names (SQL stores only)."""
    environ = os.environ if environ is None else environ
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TrackerStoreError(f"cannot read {path}: {exc}") from exc
    store = config.get("tracker_store") or {}
    if str(store.get("type", "")) not in SQL_STORES:
        raise TrackerStoreError(f"{path}: the tracker store is not an SQL store")

    def value(key: str, default: str = "") -> str:
        raw = str(store.get(key, default) if store.get(key) is not None else default)

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise TrackerStoreError(f"{path} names ${{{name}}}, which is not set")
            return environ[name]

        return _VARIABLE.sub(substitute, raw)

    dialect, host, db = value("dialect", "sqlite"), value("url"), value("db", "rasa.db")
    if "://" in host:
        return host
    if dialect == "sqlite":
        file = Path(db)
        if not file.is_absolute() and root is not None:
            file = root / file
        return f"sqlite:///{file}"
    port = value("port")
    return str(
        sa.engine.URL.create(
            dialect,
            username=value("username") or None,
            password=value("password") or None,
            host=host or None,
            port=int(port) if port else None,
            database=db,
        )
    )


def engine_for(url: str) -> sa.engine.Engine:
    """An engine for the tracker store at ``url`` (created lazily by SQLAlchemy). On SQLite,
    a deleted or redacted row's old bytes are overwritten (``secure_delete``): see
    :func:`scrub`."""
    engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _secure_delete)
    return engine


def _secure_delete(connection: Any, _record: Any) -> None:
    # busy_timeout: Rasa writes the same file; a purge's writes and VACUUM wait their turn.
    for pragma in (erasure.PRAGMA, "busy_timeout=5000"):
        connection.execute(f"PRAGMA {pragma}")


def scrub(engine: sa.engine.Engine) -> bool:
    """After a purge: the file rewritten and its write-ahead log emptied, so that no page keeps
    the words (:mod:`contract.erasure`); False if Rasa or another reader kept the log from being
    emptied. Nothing to do on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        return erasure.scrub(erasure.on(connection))


def user_events_after(
    connection: sa.engine.Connection, after_id: int, limit: int = 500
) -> list[UserEvent]:
    """The ``user`` events with an id above ``after_id``, oldest first (at most ``limit``)."""
    rows = connection.execute(
        sa.select(events.c.id, events.c.sender_id, events.c.timestamp, events.c.data)
        .where(events.c.type_name == "user", events.c.id > after_id)
        .order_by(events.c.id)
        .limit(limit)
    ).all()
    return [event for event in (_user_event(row) for row in rows) if event is not None]


def _user_event(row: Any) -> UserEvent | None:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return None
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    ranking = [
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in parse.get("intent_ranking") or []
        if isinstance(r, dict) and r.get("name")
    ]
    return UserEvent(
        id=int(row.id),
        sender_id=str(row.sender_id),
        timestamp=float(row.timestamp or 0.0),
        text=str(data.get("text") or ""),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        entities=[e for e in parse.get("entities") or [] if isinstance(e, dict)],
        metadata=data.get("metadata") if isinstance(data.get("metadata"), dict) else {},
    )


def redacted(data: str) -> str:
    """An event's data with the words taken out (text, entity values, the message's metadata).

    What Rasa decided stays (the intent and its confidence, the action, the slots it set), so
    counts and the dialogue's path survive; the client's words do not.
    """
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return json.dumps({"event": "removed"})
    if event.get("text"):
        event["text"] = REDACTED
    parse = event.get("parse_data")
    if isinstance(parse, dict):
        parse.pop("text", None)
        parse["entities"] = [
            {"entity": e.get("entity"), "value": REDACTED}
            for e in parse.get("entities") or []
            if isinstance(e, dict)
        ]
    if isinstance(event.get("metadata"), dict):
        event["metadata"] = {k: v for k, v in event["metadata"].items() if k == "channel"}
    data_field = event.get("data")
    if isinstance(data_field, dict):  # a bot event's buttons and payloads name what was said
        event["data"] = {}
    event[MARK] = True
    return json.dumps(event)


def redact_before(connection: sa.engine.Connection, cutoff: float, batch: int = 500) -> int:
    """Take the words out of every ``user`` and ``bot`` event older than ``cutoff``.

    Works in batches and marks each event it has done (``"redacted": true`` in its data), so an
    interrupted run resumes where it stopped and never redacts twice. Returns how many events
    were redacted.
    """
    done = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.data)
            .where(
                events.c.type_name.in_(WORDS),
                events.c.timestamp < cutoff,
                ~events.c.data.contains(f'"{MARK}": true'),
            )
            .order_by(events.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        for row in rows:
            connection.execute(
                events.update().where(events.c.id == row.id).values(data=redacted(row.data))
            )
        done += len(rows)


def erase(connection: sa.engine.Connection, sender_id: str) -> int:
    """Delete every event of one conversation; how many there were."""
    result = connection.execute(events.delete().where(events.c.sender_id == sender_id))
    return int(result.rowcount or 0)


def events_of(connection: sa.engine.Connection, sender_id: str) -> Iterator[dict[str, Any]]:
    """Every event of one conversation, oldest first, as Rasa stored it."""
    rows = connection.execute(
        sa.select(events.c.data).where(events.c.sender_id == sender_id).order_by(events.c.id)
    )
    for row in rows:
        try:
            yield json.loads(row.data or "{}")
        except ValueError:
            continue


def senders_with_words_before(
    connection: sa.engine.Connection, cutoff: float, limit: int = 500
) -> list[str]:
    """Conversations with ``user`` or ``bot`` events older than ``cutoff`` not yet redacted."""
    rows = connection.execute(
        sa.select(events.c.sender_id)
        .where(
            events.c.type_name.in_(WORDS),
            events.c.timestamp < cutoff,
            ~events.c.data.contains(f'"{MARK}": true'),
        )
        .distinct()
        .order_by(events.c.sender_id)
        .limit(limit)
    ).scalars()
    return list(rows)


def redact_conversation(connection: sa.engine.Connection, sender_id: str, cutoff: float) -> int:
    """Take the words out of one conversation's events older than ``cutoff`` (run it in one
    transaction: the conversation is then done whole or not at all)."""
    rows = connection.execute(
        sa.select(events.c.id, events.c.data).where(
            events.c.sender_id == sender_id,
            events.c.type_name.in_(WORDS),
            events.c.timestamp < cutoff,
            ~events.c.data.contains(f'"{MARK}": true'),
        )
    ).all()
    for row in rows:
        connection.execute(
            events.update().where(events.c.id == row.id).values(data=redacted(row.data))
        )
    return len(rows)


def count_of(connection: sa.engine.Connection, sender_id: str) -> int:
    """How many events Rasa holds of one conversation."""
    return int(
        connection.execute(
            sa.select(sa.func.count()).select_from(events).where(events.c.sender_id == sender_id)
        ).scalar()
        or 0
    )
