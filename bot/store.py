"""The gateway store: conversations, the durable inbox, the outbox, and conversation events.

SQLite by default (a file, WAL, ``synchronous=FULL``: an acknowledged message is on disk),
PostgreSQL from a ``postgresql://`` DSN, through SQLAlchemy Core so that one set of queries
serves both. Every operation is one short transaction run in a worker thread (a single thread
for SQLite, so writes never contend), so the event loop never blocks on the disk.

Each state change that must not half-happen is one transaction: a message and the gateway's
immediate replies to it; a Rasa answer and the outbox units it becomes; an opt-out and the
suppression of what was waiting to be sent. The ``events`` table keeps what staff need later
(handoff requests, opt-outs); human handoff (issue 5) builds its cases on it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.errors import StoreError
from bot.model import (
    Accepted,
    Button,
    Conversation,
    InboundRecord,
    Incoming,
    OutboxItem,
    OutboxRecord,
)
from bot.schema import button_payloads, conversations, events, inbound, meta, metadata, outbox

T = TypeVar("T")


class Store:
    """The gateway's durable state. Open with :meth:`open`, close with :meth:`close`."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self.url = _normalise_url(url)
        self.clock = clock
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        self._engine: Engine | None = None
        workers = 1 if self.dialect == "sqlite" else 4
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="store")

    # --- life cycle -------------------------------------------------------------------------

    async def open(self) -> None:
        await self._run(self._open)

    async def close(self) -> None:
        if self._engine is not None:
            await self._run(self._engine.dispose)
        self._executor.shutdown(wait=True)

    def _open(self) -> None:
        try:
            if self.dialect == "sqlite":
                self._engine = _sqlite_engine(self.url)
            else:
                self._engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
            metadata.create_all(self._engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the gateway store ({self.dialect}): {exc}") from exc

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn, *args)
        except SQLAlchemyError as exc:
            raise StoreError(f"gateway store: {type(exc).__name__}: {exc}") from exc

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise StoreError("the gateway store is not open")
        return self._engine

    # --- settings kept in the store ----------------------------------------------------------

    async def meta_value(self, key: str, default: Callable[[], str]) -> str:
        """The stored value of ``key``; the first call stores ``default()`` and returns it."""
        return await self._run(self._meta_value, key, default)

    def _meta_value(self, key: str, default: Callable[[], str]) -> str:
        with self.engine.begin() as c:
            row = c.execute(sa.select(meta.c.value).where(meta.c.key == key)).first()
            if row is not None:
                return str(row.value)
            c.execute(self._insert_ignore(meta).values(key=key, value=default()))
            return str(c.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar_one())

    # --- inbox --------------------------------------------------------------------------------

    async def conversation_for(self, conversation_id: str) -> Conversation | None:
        return await self._run(self._conversation, conversation_id)

    async def accept(
        self,
        conversation_id: str,
        incoming: Incoming,
        *,
        status: str,
        risk: str | None = None,
        replies: Iterable[OutboxItem] = (),
        opted_out: bool | None = None,
        event: tuple[str, dict[str, Any]] | None = None,
    ) -> Accepted:
        """Store ``incoming`` with the gateway's immediate replies, in one transaction.

        A repeat of the same provider id stores nothing and says ``duplicate``.
        """
        args = (conversation_id, incoming, status, risk, list(replies), opted_out, event)
        return await self._run(self._accept, *args)

    def _accept(
        self,
        conversation_id: str,
        incoming: Incoming,
        status: str,
        risk: str | None,
        replies: list[OutboxItem],
        opted_out: bool | None,
        event: tuple[str, dict[str, Any]] | None,
    ) -> Accepted:
        now = self.clock()
        try:
            with self.engine.begin() as c:
                self._touch_conversation(c, conversation_id, incoming, now, opted_out)
                inbound_id = c.execute(
                    inbound.insert().values(
                        conversation_id=conversation_id,
                        channel=incoming.channel,
                        provider_id=incoming.provider_id,
                        kind=incoming.kind,
                        text=incoming.text,
                        risk=risk,
                        status=status,
                        received_at=now,
                        finished_at=None if status == "pending" else now,
                    )
                ).inserted_primary_key[0]
                self._add_outbox(c, conversation_id, incoming.channel, inbound_id, replies, now)
                if opted_out:
                    self._suppress(c, conversation_id, now)
                if event:
                    self._add_event(c, conversation_id, inbound_id, *event, now)
        except IntegrityError:
            existing = self._existing(incoming)
            if existing is None:
                raise
            return Accepted(existing[0], conversation_id, duplicate=True, status=existing[1])
        return Accepted(int(inbound_id), conversation_id, duplicate=False, status=status)

    def _touch_conversation(
        self, c: Connection, cid: str, incoming: Incoming, now: float, opted_out: bool | None
    ) -> None:
        c.execute(
            self._insert_ignore(conversations).values(
                id=cid,
                channel=incoming.channel,
                address=incoming.address,
                opted_out=False,
                buttons="[]",
                created_at=now,
                updated_at=now,
            )
        )
        values: dict[str, Any] = {"updated_at": now}
        if opted_out is not None:
            values["opted_out"] = opted_out
        c.execute(conversations.update().where(conversations.c.id == cid).values(**values))

    def _existing(self, incoming: Incoming) -> tuple[int, str] | None:
        with self.engine.connect() as c:
            row = c.execute(
                sa.select(inbound.c.id, inbound.c.status).where(
                    inbound.c.channel == incoming.channel,
                    inbound.c.provider_id == incoming.provider_id,
                )
            ).first()
        return None if row is None else (int(row.id), str(row.status))

    async def seen(self, channel: str, provider_id: str) -> bool:
        """Whether a message with this provider id is already stored."""
        query = sa.select(inbound.c.id).where(
            inbound.c.channel == channel, inbound.c.provider_id == provider_id
        )
        return await self._run(self._exists, query)

    def _exists(self, query: sa.sql.Select) -> bool:
        with self.engine.connect() as c:
            return c.execute(query.limit(1)).first() is not None

    async def next_inbound(self, conversation_id: str) -> InboundRecord | None:
        """The oldest message of the conversation still waiting for Rasa."""
        return await self._run(self._next_inbound, conversation_id)

    def _next_inbound(self, conversation_id: str) -> InboundRecord | None:
        query = (
            sa.select(inbound)
            .where(inbound.c.conversation_id == conversation_id, inbound.c.status == "pending")
            .order_by(inbound.c.id)
            .limit(1)
        )
        with self.engine.connect() as c:
            row = c.execute(query).first()
        return None if row is None else _inbound_record(row)

    async def next_turn(self, conversation_id: str) -> tuple[InboundRecord, Conversation] | None:
        """:meth:`next_inbound` and its conversation (channel, buttons...) in one query."""
        return await self._run(self._next_turn, conversation_id)

    def _next_turn(self, cid: str) -> tuple[InboundRecord, Conversation] | None:
        query = (
            sa.select(inbound, *_CONVERSATION_COLUMNS)
            .join(conversations, conversations.c.id == inbound.c.conversation_id)
            .where(inbound.c.conversation_id == cid, inbound.c.status == "pending")
            .order_by(inbound.c.id)
            .limit(1)
        )
        with self.engine.connect() as c:
            row = c.execute(query).first()
        if row is None:
            return None
        return _inbound_record(row), _conversation_record(row, prefix="conv_")

    async def pending_inbound_conversations(self) -> list[str]:
        """Conversations with messages still waiting for Rasa (after a restart, or an outage)."""
        query = sa.select(inbound.c.conversation_id).where(inbound.c.status == "pending")
        return await self._run(self._distinct, query.distinct())

    def _distinct(self, query: sa.sql.Select) -> list[str]:
        with self.engine.connect() as c:
            return [str(r[0]) for r in c.execute(query)]

    async def finish(
        self,
        record: InboundRecord,
        replies: Iterable[OutboxItem],
        *,
        buttons: tuple[Button, ...] | None = None,
        events_: Iterable[tuple[str, dict[str, Any]]] = (),
    ) -> None:
        """Rasa answered ``record``: queue its units, keep buttons and events (one transaction)."""
        args = (record, list(replies), buttons, list(events_))
        await self._run(self._finish, *args)

    def _finish(
        self,
        record: InboundRecord,
        replies: list[OutboxItem],
        buttons: tuple[Button, ...] | None,
        events_: list[tuple[str, dict[str, Any]]],
    ) -> None:
        now = self.clock()
        with self.engine.begin() as c:
            c.execute(
                inbound.update()
                .where(inbound.c.id == record.id)
                .values(status="done", finished_at=now, attempts=record.attempts + 1)
            )
            self._add_outbox(c, record.conversation_id, record.channel, record.id, replies, now)
            values: dict[str, Any] = {"degraded_at": None, "updated_at": now}
            if buttons is not None:
                values["buttons"] = json.dumps([[b.title, b.payload] for b in buttons])
            c.execute(
                conversations.update()
                .where(conversations.c.id == record.conversation_id)
                .values(**values)
            )
            for kind, data in events_:
                self._add_event(c, record.conversation_id, record.id, kind, data, now)

    async def defer(
        self,
        record: InboundRecord,
        error: str,
        next_attempt_at: float,
        notice: Iterable[OutboxItem] = (),
        *,
        give_up: bool = False,
    ) -> None:
        """Rasa gave no usable answer: keep the message for later (or give up), queue a notice."""
        args = (record, error, next_attempt_at, list(notice), give_up)
        await self._run(self._defer, *args)

    def _defer(
        self,
        record: InboundRecord,
        error: str,
        next_attempt_at: float,
        notice: list[OutboxItem],
        give_up: bool,
    ) -> None:
        now = self.clock()
        with self.engine.begin() as c:
            c.execute(
                inbound.update()
                .where(inbound.c.id == record.id)
                .values(
                    status="failed" if give_up else "pending",
                    attempts=record.attempts + 1,
                    next_attempt_at=next_attempt_at,
                    last_error=error[:500],
                    finished_at=now if give_up else None,
                )
            )
            if notice:
                self._add_outbox(c, record.conversation_id, record.channel, record.id, notice, now)
                c.execute(
                    conversations.update()
                    .where(conversations.c.id == record.conversation_id)
                    .values(degraded_at=now)
                )

    # --- outbox -------------------------------------------------------------------------------

    def _add_outbox(
        self,
        c: Connection,
        cid: str,
        channel: str,
        inbound_id: int | None,
        items: list[OutboxItem],
        now: float,
        status: str | None = None,
    ) -> None:
        # Web chat has no provider to call: the page fetches its units, so they are delivered.
        status = status or ("sent" if channel == "webchat" else "pending")
        for item in items:
            c.execute(
                outbox.insert().values(
                    conversation_id=cid,
                    inbound_id=inbound_id,
                    channel=channel,
                    kind=item.kind,
                    body=json.dumps(item.body, ensure_ascii=False),
                    status=status,
                    created_at=now,
                    sent_at=now if status == "sent" else None,
                )
            )

    async def add_outbox(
        self, conversation_id: str, channel: str, items: Iterable[OutboxItem]
    ) -> None:
        """Queue units that answer no particular message (staff replies, later notices)."""
        await self._run(self._add_outbox_tx, conversation_id, channel, list(items))

    def _add_outbox_tx(self, cid: str, channel: str, items: list[OutboxItem]) -> None:
        with self.engine.begin() as c:
            self._add_outbox(c, cid, channel, None, items, self.clock())

    async def next_outbox(self, conversation_id: str) -> OutboxRecord | None:
        """The oldest unit of the conversation still to be sent (later ones wait behind it)."""
        query = (
            sa.select(outbox)
            .where(outbox.c.conversation_id == conversation_id, outbox.c.status == "pending")
            .order_by(outbox.c.id)
            .limit(1)
        )
        rows = await self._run(self._outbox_rows, query)
        return rows[0] if rows else None

    async def next_delivery(self, conversation_id: str) -> tuple[OutboxRecord, Conversation] | None:
        """:meth:`next_outbox` and its conversation (where to send, opted out?) in one query."""
        return await self._run(self._next_delivery, conversation_id)

    def _next_delivery(self, cid: str) -> tuple[OutboxRecord, Conversation] | None:
        query = (
            sa.select(outbox, *_CONVERSATION_COLUMNS)
            .join(conversations, conversations.c.id == outbox.c.conversation_id)
            .where(outbox.c.conversation_id == cid, outbox.c.status == "pending")
            .order_by(outbox.c.id)
            .limit(1)
        )
        with self.engine.connect() as c:
            row = c.execute(query).first()
        if row is None:
            return None
        return _outbox_record(row), _conversation_record(row, prefix="conv_")

    def _outbox_rows(self, query: sa.sql.Select) -> list[OutboxRecord]:
        with self.engine.connect() as c:
            return [_outbox_record(row) for row in c.execute(query)]

    async def pending_outbox_conversations(self) -> list[str]:
        query = sa.select(outbox.c.conversation_id).where(outbox.c.status == "pending")
        return await self._run(self._distinct, query.distinct())

    async def mark_sent(self, outbox_id: int, provider_ref: str | None) -> None:
        values = {"status": "sent", "sent_at": self.clock(), "provider_ref": provider_ref}
        await self._run(self._update_outbox, outbox_id, values)

    async def mark_retry(self, record: OutboxRecord, error: str, next_attempt_at: float) -> None:
        values = {
            "attempts": record.attempts + 1,
            "next_attempt_at": next_attempt_at,
            "last_error": error[:500],
        }
        await self._run(self._update_outbox, record.id, values)

    async def mark_failed(self, record: OutboxRecord, error: str) -> None:
        values = {"status": "failed", "attempts": record.attempts + 1, "last_error": error[:500]}
        await self._run(self._update_outbox, record.id, values)

    def _update_outbox(self, outbox_id: int, values: dict[str, Any]) -> None:
        with self.engine.begin() as c:
            c.execute(outbox.update().where(outbox.c.id == outbox_id).values(**values))

    async def set_opted_out(self, conversation_id: str, reason: str) -> None:
        """The recipient opted out (e.g. Twilio error 21610): suppress everything waiting."""
        await self._run(self._set_opted_out, conversation_id, reason)

    def _set_opted_out(self, cid: str, reason: str) -> None:
        now = self.clock()
        with self.engine.begin() as c:
            c.execute(
                conversations.update().where(conversations.c.id == cid).values(opted_out=True)
            )
            self._suppress(c, cid, now)
            self._add_event(c, cid, None, "opt_out", {"reason": reason}, now)

    async def suppress_pending(self, conversation_id: str) -> None:
        """Nothing waiting for this conversation is to be sent (the client opted out)."""
        await self._run(self._suppress_tx, conversation_id)

    def _suppress_tx(self, cid: str) -> None:
        with self.engine.begin() as c:
            self._suppress(c, cid, self.clock())

    def _suppress(self, c: Connection, cid: str, now: float) -> None:
        c.execute(
            outbox.update()
            .where(outbox.c.conversation_id == cid, outbox.c.status == "pending")
            .values(status="suppressed", last_error="recipient opted out")
        )

    # --- what web chat and tests read ---------------------------------------------------------

    async def outbox_after(
        self, conversation_id: str, after_id: int, limit: int = 100
    ) -> list[OutboxRecord]:
        """Delivered units of the conversation with an id above ``after_id``, oldest first."""
        query = (
            sa.select(outbox)
            .where(
                outbox.c.conversation_id == conversation_id,
                outbox.c.id > after_id,
                outbox.c.status == "sent",
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return await self._run(self._outbox_rows, query)

    async def outbox_for_inbound(self, inbound_id: int) -> list[OutboxRecord]:
        query = sa.select(outbox).where(outbox.c.inbound_id == inbound_id).order_by(outbox.c.id)
        return await self._run(self._outbox_rows, query)

    async def inbound_record(self, inbound_id: int) -> InboundRecord | None:
        return await self._run(self._inbound_by_id, inbound_id)

    def _inbound_by_id(self, inbound_id: int) -> InboundRecord | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(inbound).where(inbound.c.id == inbound_id)).first()
        return None if row is None else _inbound_record(row)

    async def events_of(self, conversation_id: str) -> list[tuple[str, dict[str, Any]]]:
        query = (
            sa.select(events.c.kind, events.c.data)
            .where(events.c.conversation_id == conversation_id)
            .order_by(events.c.id)
        )
        rows = await self._run(self._rows, query)
        return [(str(r.kind), json.loads(r.data)) for r in rows]

    async def counts(self) -> dict[str, int]:
        """Messages in each state, e.g. ``{"inbound.pending": 2, "outbox.sent": 9}``."""
        return await self._run(self._counts)

    def _counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        with self.engine.connect() as c:
            for name, table in (("inbound", inbound), ("outbox", outbox)):
                query = sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
                for status, count in c.execute(query):
                    result[f"{name}.{status}"] = int(count)
        return result

    def _rows(self, query: sa.sql.Select) -> list[Any]:
        with self.engine.connect() as c:
            return list(c.execute(query))

    # --- button payloads too long for Telegram's callback data --------------------------------

    async def save_payload(self, key: str, payload: str) -> None:
        await self._run(self._save_payload, key, payload)

    def _save_payload(self, key: str, payload: str) -> None:
        with self.engine.begin() as c:
            c.execute(self._insert_ignore(button_payloads).values(key=key, payload=payload))

    async def payload_for(self, key: str) -> str | None:
        query = sa.select(button_payloads.c.payload).where(button_payloads.c.key == key)
        rows = await self._run(self._rows, query)
        return str(rows[0].payload) if rows else None

    # --- helpers ------------------------------------------------------------------------------

    def _conversation(self, cid: str) -> Conversation | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(conversations).where(conversations.c.id == cid)).first()
        return None if row is None else _conversation_record(row)

    def _add_event(
        self,
        c: Connection,
        cid: str,
        inbound_id: int | None,
        kind: str,
        data: dict[str, Any],
        now: float,
    ) -> None:
        c.execute(
            events.insert().values(
                conversation_id=cid,
                inbound_id=inbound_id,
                kind=kind,
                data=json.dumps(data, ensure_ascii=False),
                created_at=now,
            )
        )

    def _insert_ignore(self, table: sa.Table) -> Any:
        """INSERT that does nothing when the primary key exists (both dialects)."""
        dialect = sqlite if self.dialect == "sqlite" else postgresql
        return dialect.insert(table).on_conflict_do_nothing()


def _normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        return "postgresql://" + url.removeprefix("postgres://")
    return url


def _sqlite_engine(url: str) -> Engine:
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, future=True, connect_args={"check_same_thread": False}, poolclass=sa.pool.StaticPool
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers and the writer work together; FULL makes each commit durable before
        # the webhook is acknowledged; busy_timeout waits out another process's short write.
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return engine


_CONVERSATION_COLUMNS = [column.label(f"conv_{column.name}") for column in conversations.c]


def _conversation_record(row: Any, prefix: str = "") -> Conversation:
    def value(name: str) -> Any:
        return row._mapping[prefix + name]

    return Conversation(
        id=value("id"),
        channel=value("channel"),
        address=value("address"),
        opted_out=bool(value("opted_out")),
        buttons=tuple(Button(t, p) for t, p in json.loads(value("buttons"))),
        degraded_at=value("degraded_at"),
    )


def _inbound_record(row: Any) -> InboundRecord:
    return InboundRecord(
        id=int(row.id),
        conversation_id=row.conversation_id,
        channel=row.channel,
        kind=row.kind,
        text=row.text,
        risk=row.risk,
        status=row.status,
        attempts=int(row.attempts),
        next_attempt_at=float(row.next_attempt_at),
        last_error=row.last_error,
        received_at=float(row.received_at),
    )


def _outbox_record(row: Any) -> OutboxRecord:
    return OutboxRecord(
        id=int(row.id),
        conversation_id=row.conversation_id,
        inbound_id=row.inbound_id,
        channel=row.channel,
        kind=row.kind,
        body=json.loads(row.body),
        status=row.status,
        attempts=int(row.attempts),
        next_attempt_at=float(row.next_attempt_at),
        created_at=float(row.created_at),
    )
