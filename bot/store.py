"""The gateway store: conversations, the durable inbox, the outbox, and conversation events.

SQLite by default (a file, WAL, ``synchronous=FULL``: an acknowledged message is on disk),
PostgreSQL from a ``postgresql://`` DSN; the tables are in :mod:`bot.schema`, the connections
in :mod:`bot.db`. Every operation is one short transaction run in a worker thread (a single
thread for SQLite, so writes never contend), so the event loop never waits on the disk.

Each state change that must not half-happen is one transaction: a message and the gateway's
immediate replies to it; a Rasa answer and the outbox units it becomes; an opt-out and the
suppression of what was waiting to be sent. The ``events`` table keeps what staff need later
(handoff requests, opt-outs).

Human handoff (:mod:`bot.handoff`) keeps its cases in the same database and joins the same
transactions: :meth:`Store.accept` and :meth:`Store.finish` take a ``hook`` that runs inside
theirs (a message and the case it opens or joins are stored together, or not at all), and
:meth:`Store.transact` runs any function of a cursor in one transaction on the store's thread.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.db import DRIVER_ERRORS, INTEGRITY_ERRORS, Cursor, Database, Row
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

T = TypeVar("T")


@dataclass
class HookResult:
    """What a hook decided inside :meth:`Store.accept` or :meth:`Store.finish`.

    ``status``: a new status for the message; ``replies``: units that replace the ones planned
    (``None`` keeps them); ``result``: anything the caller needs afterwards.
    """

    status: str | None = None
    replies: list[OutboxItem] | None = None
    result: Any = None


# A hook runs inside the transaction: (cursor, the message's inbound id, now) -> HookResult.
AcceptHook = Callable[[Cursor, int, float], HookResult]
FinishHook = Callable[[Cursor, float], HookResult]

INBOUND = (
    "i.id, i.conversation_id, i.channel, i.kind, i.text, i.risk, i.risk_tier, i.status, "
    "i.attempts, i.next_attempt_at, i.last_error, i.received_at"
)
OUTBOX = (
    "o.id, o.conversation_id, o.inbound_id, o.channel, o.kind, o.body, o.status, o.attempts, "
    "o.next_attempt_at, o.created_at"
)
CONVERSATION = (
    "c.id AS c_id, c.channel AS c_channel, c.address AS c_address, c.opted_out AS c_opted_out, "
    "c.buttons AS c_buttons, c.degraded_at AS c_degraded_at"
)


class Store:
    """The gateway's durable state. Open with :meth:`open`, close with :meth:`close`."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self.url = _normalise_url(url)
        self.clock = clock
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        self.db = Database(self.url)
        workers = 1 if self.dialect == "sqlite" else 4
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="store")

    # --- life cycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Create the tables that are missing and check the store answers."""
        try:
            await self._run(self.db.create_schema)
            await self._run(self._ping)
        except StoreError as exc:
            raise StoreError(f"cannot open the gateway store ({self.dialect}): {exc}") from None

    def _ping(self) -> None:
        with self.db.transaction() as c:
            c.execute("SELECT 1").all()

    async def close(self) -> None:
        await self._run(self.db.close)
        self._executor.shutdown(wait=True)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn, *args)
        except DRIVER_ERRORS as exc:
            raise StoreError(f"gateway store: {type(exc).__name__}: {exc}") from exc

    # --- values the gateway generates once ----------------------------------------------------

    async def meta_value(self, key: str, default: Callable[[], str]) -> str:
        """The stored value of ``key``; the first call stores ``default()`` and returns it."""
        return await self._run(self._meta_value, key, default)

    def _meta_value(self, key: str, default: Callable[[], str]) -> str:
        with self.db.transaction() as c:
            c.execute(
                "INSERT INTO gateway_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, default()),
            )
            row = c.execute("SELECT value FROM gateway_meta WHERE key = ?", (key,)).one()
        assert row is not None
        return str(row["value"])

    # --- inbox --------------------------------------------------------------------------------

    async def conversation_for(self, conversation_id: str) -> Conversation | None:
        return await self._run(self._conversation, conversation_id)

    def _conversation(self, cid: str) -> Conversation | None:
        with self.db.transaction() as c:
            row = c.execute(
                f"SELECT {CONVERSATION} FROM conversations c WHERE c.id = ?", (cid,)
            ).one()
        return None if row is None else _conversation(row)

    async def accept(
        self,
        conversation_id: str,
        incoming: Incoming,
        *,
        status: str,
        risk: str | None = None,
        risk_tier: str | None = None,
        replies: Iterable[OutboxItem] = (),
        opted_out: bool | None = None,
        event: tuple[str, dict[str, Any]] | None = None,
        hook: AcceptHook | None = None,
    ) -> Accepted:
        """Store ``incoming`` with the gateway's immediate replies, in one transaction.

        A repeat of the same provider id stores nothing and says ``duplicate``. ``hook`` runs
        in the transaction once the message has its id, before the replies are queued.
        """
        args = (conversation_id, incoming, status, risk, risk_tier, list(replies), opted_out)
        return await self._run(self._accept, *args, event, hook)

    def _accept(
        self,
        cid: str,
        incoming: Incoming,
        status: str,
        risk: str | None,
        risk_tier: str | None,
        replies: list[OutboxItem],
        opted_out: bool | None,
        event: tuple[str, dict[str, Any]] | None,
        hook: AcceptHook | None,
    ) -> Accepted:
        now = self.clock()
        decided = HookResult()
        try:
            with self.db.transaction() as c:
                self._touch_conversation(c, cid, incoming, now, opted_out)
                row = c.execute(
                    "INSERT INTO inbound (conversation_id, channel, provider_id, kind, text, risk,"
                    " risk_tier, status, attempts, next_attempt_at, received_at, finished_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?) RETURNING id",
                    (cid, incoming.channel, incoming.provider_id, incoming.kind, incoming.text,
                     risk, risk_tier, status, now, None if status == "pending" else now),
                ).one()  # fmt: skip
                assert row is not None
                inbound_id = int(row["id"])
                if hook is not None:
                    decided = hook(c, inbound_id, now)
                if decided.status is not None:
                    c.execute(
                        "UPDATE inbound SET status = ?, finished_at = ? WHERE id = ?",
                        (decided.status, now, inbound_id),
                    )
                if decided.replies is not None:
                    replies = decided.replies
                self._add_outbox(c, cid, incoming.channel, inbound_id, replies, now)
                if opted_out:
                    self._suppress(c, cid)
                if event:
                    self._add_event(c, cid, inbound_id, *event, now)
        except INTEGRITY_ERRORS:
            existing = self._existing(incoming)
            if existing is None:
                raise
            return Accepted(existing[0], cid, duplicate=True, status=existing[1])
        final = decided.status or status
        return Accepted(inbound_id, cid, duplicate=False, status=final, hooked=decided.result)

    def _touch_conversation(
        self, c: Cursor, cid: str, incoming: Incoming, now: float, opted_out: bool | None
    ) -> None:
        c.execute(
            "INSERT INTO conversations (id, channel, address, opted_out, buttons, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, '[]', ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
            (cid, incoming.channel, incoming.address, bool(opted_out), now, now),
        )
        if opted_out is not None:
            c.execute("UPDATE conversations SET opted_out = ? WHERE id = ?", (opted_out, cid))

    def _existing(self, incoming: Incoming) -> tuple[int, str] | None:
        with self.db.transaction() as c:
            row = c.execute(
                "SELECT id, status FROM inbound WHERE channel = ? AND provider_id = ?",
                (incoming.channel, incoming.provider_id),
            ).one()
        return None if row is None else (int(row["id"]), str(row["status"]))

    async def seen(self, channel: str, provider_id: str) -> bool:
        """Whether a message with this provider id is already stored."""
        return await self._run(self._seen, channel, provider_id)

    def _seen(self, channel: str, provider_id: str) -> bool:
        with self.db.transaction() as c:
            sql = "SELECT 1 AS found FROM inbound WHERE channel = ? AND provider_id = ? LIMIT 1"
            return c.execute(sql, (channel, provider_id)).one() is not None

    async def next_inbound(self, conversation_id: str) -> InboundRecord | None:
        """The oldest message of the conversation still waiting for Rasa."""
        found = await self.next_turn(conversation_id)
        return None if found is None else found[0]

    async def next_turn(self, conversation_id: str) -> tuple[InboundRecord, Conversation] | None:
        """:meth:`next_inbound` and its conversation (channel, buttons...) in one query."""
        return await self._run(self._next_turn, conversation_id)

    def _next_turn(self, cid: str) -> tuple[InboundRecord, Conversation] | None:
        with self.db.transaction() as c:
            row = c.execute(
                f"SELECT {INBOUND}, {CONVERSATION} FROM inbound i"
                " JOIN conversations c ON c.id = i.conversation_id"
                " WHERE i.conversation_id = ? AND i.status = 'pending' ORDER BY i.id LIMIT 1",
                (cid,),
            ).one()
        return None if row is None else (_inbound(row), _conversation(row))

    async def client_waits_behind(self, record: InboundRecord) -> bool:
        """Whether a client message of the conversation waits for Rasa behind ``record``."""
        return await self._run(self._client_waits_behind, record.conversation_id, record.id)

    def _client_waits_behind(self, cid: str, after: int) -> bool:
        with self.db.transaction() as c:
            row = c.execute(
                "SELECT 1 AS found FROM inbound WHERE conversation_id = ? AND status = 'pending'"
                " AND kind != 'control' AND id > ? LIMIT 1",
                (cid, after),
            ).one()
        return row is not None

    async def pending_inbound_conversations(self) -> list[str]:
        """Conversations with messages still waiting for Rasa (after a restart, or an outage)."""
        sql = "SELECT DISTINCT conversation_id FROM inbound WHERE status = 'pending'"
        return await self._run(self._column, sql)

    def _column(self, sql: str) -> list[str]:
        with self.db.transaction() as c:
            return [str(next(iter(row.values()))) for row in c.execute(sql).all()]

    async def finish(
        self,
        record: InboundRecord,
        replies: Iterable[OutboxItem],
        *,
        buttons: tuple[Button, ...] | None = None,
        events_: Iterable[tuple[str, dict[str, Any]]] = (),
        hook: FinishHook | None = None,
    ) -> Any:
        """Rasa answered ``record``: queue its units, keep buttons and events (one transaction).

        ``hook`` runs first in the transaction and may replace the units; its result is returned.
        """
        args = (record, list(replies), buttons, list(events_), hook)
        return await self._run(self._finish, *args)

    def _finish(
        self,
        record: InboundRecord,
        replies: list[OutboxItem],
        buttons: tuple[Button, ...] | None,
        events_: list[tuple[str, dict[str, Any]]],
        hook: FinishHook | None,
    ) -> Any:
        now = self.clock()
        cid = record.conversation_id
        decided = HookResult()
        with self.db.transaction() as c:
            if hook is not None:
                decided = hook(c, now)
                if decided.replies is not None:
                    replies = decided.replies
            c.execute(
                "UPDATE inbound SET status = 'done', finished_at = ?, attempts = ? WHERE id = ?",
                (now, record.attempts + 1, record.id),
            )
            self._add_outbox(c, cid, record.channel, record.id, replies, now)
            if buttons is None:
                c.execute(
                    "UPDATE conversations SET degraded_at = NULL, updated_at = ? WHERE id = ?",
                    (now, cid),
                )
            else:
                c.execute(
                    "UPDATE conversations SET degraded_at = NULL, updated_at = ?, buttons = ?"
                    " WHERE id = ?",
                    (now, json.dumps([[b.title, b.payload] for b in buttons]), cid),
                )
            for kind, data in events_:
                self._add_event(c, cid, record.id, kind, data, now)
        return decided.result

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
        with self.db.transaction() as c:
            c.execute(
                "UPDATE inbound SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,"
                " finished_at = ? WHERE id = ?",
                ("failed" if give_up else "pending", record.attempts + 1, next_attempt_at,
                 error[:500], now if give_up else None, record.id),
            )  # fmt: skip
            if notice:
                cid = record.conversation_id
                self._add_outbox(c, cid, record.channel, record.id, notice, now)
                c.execute("UPDATE conversations SET degraded_at = ? WHERE id = ?", (now, cid))

    # --- outbox -------------------------------------------------------------------------------

    def _add_outbox(
        self,
        c: Cursor,
        cid: str,
        channel: str,
        inbound_id: int | None,
        items: list[OutboxItem],
        now: float,
    ) -> None:
        queue_units(c, cid, channel, inbound_id, items, now)

    async def transact(self, fn: Callable[[Cursor, float], T]) -> T:
        """Run ``fn(cursor, now)`` in one transaction on the store's thread."""
        return await self._run(self._transact, fn)

    def _transact(self, fn: Callable[[Cursor, float], T]) -> T:
        with self.db.transaction() as c:
            return fn(c, self.clock())

    async def add_outbox(
        self, conversation_id: str, channel: str, items: Iterable[OutboxItem]
    ) -> None:
        """Queue units that answer no particular message (staff replies, later notices)."""
        await self._run(self._add_outbox_tx, conversation_id, channel, list(items))

    def _add_outbox_tx(self, cid: str, channel: str, items: list[OutboxItem]) -> None:
        with self.db.transaction() as c:
            self._add_outbox(c, cid, channel, None, items, self.clock())

    async def next_outbox(self, conversation_id: str) -> OutboxRecord | None:
        """The oldest unit of the conversation still to be sent (later ones wait behind it)."""
        found = await self.next_delivery(conversation_id)
        return None if found is None else found[0]

    async def next_delivery(self, conversation_id: str) -> tuple[OutboxRecord, Conversation] | None:
        """:meth:`next_outbox` and its conversation (where to send, opted out?) in one query."""
        return await self._run(self._next_delivery, conversation_id)

    def _next_delivery(self, cid: str) -> tuple[OutboxRecord, Conversation] | None:
        with self.db.transaction() as c:
            row = c.execute(
                f"SELECT {OUTBOX}, {CONVERSATION} FROM outbox o"
                " JOIN conversations c ON c.id = o.conversation_id"
                " WHERE o.conversation_id = ? AND o.status = 'pending' ORDER BY o.id LIMIT 1",
                (cid,),
            ).one()
        return None if row is None else (_outbox(row), _conversation(row))

    async def pending_outbox_conversations(self) -> list[str]:
        sql = "SELECT DISTINCT conversation_id FROM outbox WHERE status = 'pending'"
        return await self._run(self._column, sql)

    async def mark_sent(self, outbox_id: int, provider_ref: str | None) -> None:
        sql = "UPDATE outbox SET status = 'sent', sent_at = ?, provider_ref = ? WHERE id = ?"
        await self._run(self._write, sql, (self.clock(), provider_ref, outbox_id))

    async def mark_retry(self, record: OutboxRecord, error: str, next_attempt_at: float) -> None:
        sql = "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?"
        await self._run(
            self._write, sql, (record.attempts + 1, next_attempt_at, error[:500], record.id)
        )

    async def mark_failed(self, record: OutboxRecord, error: str) -> None:
        sql = "UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?"
        await self._run(self._write, sql, (record.attempts + 1, error[:500], record.id))

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        with self.db.transaction() as c:
            c.execute(sql, params)

    async def set_opted_out(self, conversation_id: str, reason: str) -> None:
        """The recipient opted out (e.g. Twilio error 21610): suppress everything waiting."""
        await self._run(self._set_opted_out, conversation_id, reason)

    def _set_opted_out(self, cid: str, reason: str) -> None:
        now = self.clock()
        with self.db.transaction() as c:
            c.execute("UPDATE conversations SET opted_out = ? WHERE id = ?", (True, cid))
            self._suppress(c, cid)
            self._add_event(c, cid, None, "opt_out", {"reason": reason}, now)

    async def suppress_pending(self, conversation_id: str) -> None:
        """Nothing waiting for this conversation is to be sent (the client opted out)."""
        await self._run(self._suppress_tx, conversation_id)

    def _suppress_tx(self, cid: str) -> None:
        with self.db.transaction() as c:
            self._suppress(c, cid)

    def _suppress(self, c: Cursor, cid: str) -> None:
        c.execute(
            "UPDATE outbox SET status = 'suppressed', last_error = 'recipient opted out'"
            " WHERE conversation_id = ? AND status = 'pending'",
            (cid,),
        )

    # --- what web chat and tests read ---------------------------------------------------------

    async def outbox_after(
        self, conversation_id: str, after_id: int, limit: int = 100
    ) -> list[OutboxRecord]:
        """Delivered units of the conversation with an id above ``after_id``, oldest first."""
        sql = (
            f"SELECT {OUTBOX} FROM outbox o WHERE o.conversation_id = ? AND o.id > ?"
            " AND o.status = 'sent' ORDER BY o.id LIMIT ?"
        )
        return await self._run(self._outbox_rows, sql, (conversation_id, after_id, limit))

    async def units_with_buttons(self, conversation_id: str, limit: int) -> list[dict[str, Any]]:
        """The bodies of the conversation's last ``limit`` units that offer buttons, newest first."""
        sql = (
            "SELECT body FROM outbox WHERE conversation_id = ? AND body LIKE ?"
            " ORDER BY id DESC LIMIT ?"
        )
        rows = await self._run(self._rows, sql, (conversation_id, '%"buttons": %', limit))
        return [json.loads(row["body"]) for row in rows]

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        with self.db.transaction() as c:
            return c.execute(sql, params).all()

    async def outbox_for_inbound(self, inbound_id: int) -> list[OutboxRecord]:
        sql = f"SELECT {OUTBOX} FROM outbox o WHERE o.inbound_id = ? ORDER BY o.id"
        return await self._run(self._outbox_rows, sql, (inbound_id,))

    def _outbox_rows(self, sql: str, params: tuple[Any, ...]) -> list[OutboxRecord]:
        with self.db.transaction() as c:
            return [_outbox(row) for row in c.execute(sql, params).all()]

    async def inbound_record(self, inbound_id: int) -> InboundRecord | None:
        return await self._run(self._inbound_by_id, inbound_id)

    def _inbound_by_id(self, inbound_id: int) -> InboundRecord | None:
        with self.db.transaction() as c:
            row = c.execute(f"SELECT {INBOUND} FROM inbound i WHERE i.id = ?", (inbound_id,)).one()
        return None if row is None else _inbound(row)

    async def events_of(self, conversation_id: str) -> list[tuple[str, dict[str, Any]]]:
        return await self._run(self._events_of, conversation_id)

    def _events_of(self, cid: str) -> list[tuple[str, dict[str, Any]]]:
        with self.db.transaction() as c:
            sql = "SELECT kind, data FROM events WHERE conversation_id = ? ORDER BY id"
            rows = c.execute(sql, (cid,)).all()
        return [(str(row["kind"]), json.loads(row["data"])) for row in rows]

    async def counts(self) -> dict[str, int]:
        """Messages in each state, e.g. ``{"inbound.pending": 2, "outbox.sent": 9}``.

        ``control.*`` counts the pause and resume requests for Rasa apart from client messages.
        """
        return await self._run(self._counts)

    def _counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        queries = {
            "inbound": "SELECT status, COUNT(*) AS n FROM inbound WHERE kind != 'control'"
            " GROUP BY status",
            "control": "SELECT status, COUNT(*) AS n FROM inbound WHERE kind = 'control'"
            " GROUP BY status",
            "outbox": "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status",
        }
        with self.db.transaction() as c:
            for name, sql in queries.items():
                for row in c.execute(sql).all():
                    result[f"{name}.{row['status']}"] = int(row["n"])
        return result

    # --- button payloads too long for Telegram's callback data --------------------------------

    async def save_payload(self, key: str, payload: str) -> None:
        sql = (
            "INSERT INTO button_payloads (key, payload) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"
        )
        await self._run(self._write, sql, (key, payload))

    async def payload_for(self, key: str) -> str | None:
        return await self._run(self._payload_for, key)

    def _payload_for(self, key: str) -> str | None:
        with self.db.transaction() as c:
            row = c.execute("SELECT payload FROM button_payloads WHERE key = ?", (key,)).one()
        return None if row is None else str(row["payload"])

    # --- helpers ------------------------------------------------------------------------------

    def _add_event(
        self,
        c: Cursor,
        cid: str,
        inbound_id: int | None,
        kind: str,
        data: dict[str, Any],
        now: float,
    ) -> None:
        c.execute(
            "INSERT INTO events (conversation_id, inbound_id, kind, data, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (cid, inbound_id, kind, json.dumps(data, ensure_ascii=False), now),
        )


def queue_units(
    c: Cursor, cid: str, channel: str, inbound_id: int | None, items: list[OutboxItem], now: float
) -> None:
    """Queue units for the conversation's client (inside the caller's transaction)."""
    # Web chat has no provider to call: the page fetches its units, so they are delivered.
    status = "sent" if channel == "webchat" else "pending"
    sent_at = now if status == "sent" else None
    for item in items:
        c.execute(
            "INSERT INTO outbox (conversation_id, inbound_id, channel, kind, body, status,"
            " attempts, next_attempt_at, created_at, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)",
            (cid, inbound_id, channel, item.kind, json.dumps(item.body, ensure_ascii=False),
             status, now, sent_at),
        )  # fmt: skip


def ensure_conversation(c: Cursor, cid: str, channel: str, address: str, now: float) -> None:
    """A conversation row for ``cid`` (where units to it go), created if it is missing."""
    c.execute(
        "INSERT INTO conversations (id, channel, address, opted_out, buttons, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, '[]', ?, ?) ON CONFLICT (id) DO NOTHING",
        (cid, channel, address, False, now, now),
    )


def _normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return url


def _conversation(row: Row) -> Conversation:
    return Conversation(
        id=row["c_id"],
        channel=row["c_channel"],
        address=row["c_address"],
        opted_out=bool(row["c_opted_out"]),
        buttons=tuple(Button(t, p) for t, p in json.loads(row["c_buttons"])),
        degraded_at=row["c_degraded_at"],
    )


def _inbound(row: Row) -> InboundRecord:
    return InboundRecord(
        id=int(row["id"]),
        conversation_id=row["conversation_id"],
        channel=row["channel"],
        kind=row["kind"],
        text=row["text"],
        risk=row["risk"],
        risk_tier=row["risk_tier"],
        status=row["status"],
        attempts=int(row["attempts"]),
        next_attempt_at=float(row["next_attempt_at"]),
        last_error=row["last_error"],
        received_at=float(row["received_at"]),
    )


def _outbox(row: Row) -> OutboxRecord:
    return OutboxRecord(
        id=int(row["id"]),
        conversation_id=row["conversation_id"],
        inbound_id=row["inbound_id"],
        channel=row["channel"],
        kind=row["kind"],
        body=json.loads(row["body"]),
        status=row["status"],
        attempts=int(row["attempts"]),
        next_attempt_at=float(row["next_attempt_at"]),
        created_at=float(row["created_at"]),
    )
