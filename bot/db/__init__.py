"""The gateway store: SQLite or PostgreSQL through SQLAlchemy Core, and the one way to use it.

The tables are declared once, in :mod:`.schema`. Everything that reads or writes them is a plain
function of a :class:`~sqlalchemy.engine.Connection`, grouped by what it keeps: :mod:`.inbound`
(client messages, and the pause and resume controls for Rasa), :mod:`.outbox` (units to
send), :mod:`.conversations`, :mod:`.events` (what staff need later), :mod:`.review` (the
admins' review inbox), :mod:`.audit` (their audit log), :mod:`.meta` (values generated once,
long button payloads), :mod:`.report` (counts for the report, no words), :mod:`.followups`
(consents and the schedule of follow-ups, :mod:`bot.followups`); human handoff keeps
its own in :mod:`bot.handoff.cases`,
:mod:`bot.handoff.group.posts` and :mod:`bot.web.auth`. A row becomes one of the dataclasses of
:mod:`bot.model` through the table's own columns (:func:`record`, :func:`columns`).

:meth:`Database.run` is the way in: it runs such a function on a worker thread, in one
transaction that commits when the function returns and rolls back if it raises, so the event
loop never waits on the disk. Whatever must change together (a message and the replies and case
it brings; a Rasa answer and its units) is one function run once. :meth:`Database.run_first` is
the same, ahead of the work already waiting: what a webhook's answer waits on (storing the
message) does not queue behind the router's and the outbox's transactions.

SQLite (the default, a file): one worker thread and one connection, so writes never contend;
WAL, so readers do not wait for the writer; ``synchronous=FULL``, so an acknowledged message is
on disk; ``busy_timeout`` for another process's short write; ``secure_delete``, so a deleted
row's bytes are overwritten, not left in a free page, and :meth:`Database.scrub` after an
erasure or a purge copies the write-ahead log into the file and truncates it, so no erased
word stays readable in either file (PostgreSQL keeps deleted rows in its pages until vacuum
reuses them: see docs/operating.md, "Privacy"). PostgreSQL (``postgresql://``):
a few threads, a pool of as many connections, each checked before use, so a connection the
server dropped is replaced on the next call. A driver's failure is a
:class:`~bot.errors.StoreError` that names the driver's error, never the statement's values
(they hold clients' words and numbers).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row

from bot.db.schema import metadata
from bot.errors import StoreConflict, StoreError
from contract import erasure

__all__ = ["Connection", "Database", "Row", "columns", "insert", "record"]

log = logging.getLogger(__name__)
T = TypeVar("T")
POSTGRES_THREADS = 4
# "The store cannot do this now": the driver failed, or no connection could be had in time.
FAILURES = (sa.exc.DBAPIError, sa.exc.TimeoutError)


class Database:
    """The gateway store at ``url``. :meth:`open` before use, :meth:`close` after."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        self.engine = _engine(self.url)
        self._threads = _Threads(1 if self.dialect == "sqlite" else POSTGRES_THREADS)
        self._kept: Connection | None = None  # SQLite's one connection, kept by its one thread

    async def open(self) -> None:
        """Create the tables and columns that are missing, and check the store answers."""
        try:
            await self.run(create_schema)
        except StoreError as exc:
            raise StoreError(f"cannot open the gateway store ({self.dialect}): {exc}") from None

    async def close(self) -> None:
        await asyncio.wrap_future(self._threads.submit(self._dispose, first=False))
        await asyncio.to_thread(self._threads.stop)

    def _dispose(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None
        self.engine.dispose()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(connection, *args, **kwargs)`` in one transaction on the store's thread."""
        call = functools.partial(self._transaction, fn, args, kwargs)
        return await asyncio.wrap_future(self._threads.submit(call, first=False))

    async def run_first(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """:meth:`run`, ahead of the work already waiting: for what a webhook's answer waits on
        (the workers' transactions can wait a little; Telegram and Twilio should not)."""
        call = functools.partial(self._transaction, fn, args, kwargs)
        return await asyncio.wrap_future(self._threads.submit(call, first=True))

    async def scrub(self) -> None:
        """After deleting words: the file rewritten and its write-ahead log emptied, so no page
        keeps them (:mod:`contract.erasure` says why both). Nothing to do on PostgreSQL."""
        if self.dialect == "sqlite":
            await asyncio.wrap_future(self._threads.submit(self._scrub, first=False))

    def _scrub(self) -> None:
        self._kept = self._kept or self.engine.connect()
        try:  # another process's snapshot is waited for a few seconds only: this is the
            # store's one thread, which the webhooks wait on
            done = erasure.scrub(erasure.on(self._kept), within=5.0)
        except sa.exc.OperationalError as exc:
            done, why = False, f"{exc.orig}"
        else:
            why = "another process reads an older snapshot"
        self._kept.commit()
        if not done:  # the next scrub finishes the job
            log.warning("gateway store: deleted words stay on disk until the next scrub: %s", why)

    def _transaction(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: Any) -> T:
        try:
            if self.dialect == "postgresql":  # a pooled connection, checked as it is taken
                with self.engine.begin() as connection:
                    return fn(connection, *args, **kwargs)
            # SQLite: the one thread keeps its one connection (a file needs no check).
            self._kept = self._kept or self.engine.connect()
            with self._kept.begin():
                return fn(self._kept, *args, **kwargs)
        except FAILURES as exc:
            cause = getattr(exc, "orig", None) or exc
            error = StoreConflict if isinstance(exc, sa.exc.IntegrityError) else StoreError
            raise error(f"gateway store: {type(cause).__name__}: {cause}") from None


class _Threads:
    """The store's worker threads, taking work from one queue: what is submitted ``first``
    before the rest, and in order within each."""

    def __init__(self, count: int) -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Any, Future[Any]]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads = [
            threading.Thread(target=self._serve, name=f"store_{n}", daemon=True)
            for n in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, call: Callable[[], T], first: bool) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put((0 if first else 1, next(self._order), call, future))
        return future

    def stop(self) -> None:
        """Finish what was submitted, then stop every thread."""
        for _ in self._threads:
            self._queue.put((2, next(self._order), None, Future()))
        for thread in self._threads:
            thread.join()

    def _serve(self) -> None:
        while True:
            _, _, call, future = self._queue.get()
            if call is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to the caller, as an executor does
                future.set_exception(exc)


def normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return url


def _engine(url: str) -> Engine:
    # Every use of a connection is one begin() block, which commits or rolls back itself: the
    # pool's own rollback when a connection comes back (one more statement on SQLite, a round
    # trip on PostgreSQL) would only repeat it.
    if not url.startswith("sqlite"):
        return sa.create_engine(
            url,
            future=True,
            hide_parameters=True,
            pool_size=POSTGRES_THREADS,
            pool_pre_ping=True,
            pool_reset_on_return=None,
            connect_args={"connect_timeout": 10},
        )
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        future=True,
        hide_parameters=True,
        poolclass=sa.pool.StaticPool,  # the one connection of the one worker thread
        pool_reset_on_return=None,
        connect_args={"check_same_thread": False, "timeout": 5.0},
    )
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers and the writer work together; FULL makes each commit durable before
    # the webhook is acknowledged; busy_timeout waits out another process's short write.
    # secure_delete overwrites a deleted row's bytes (an erasure leaves none in free pages).
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000", erasure.PRAGMA):
        connection.execute(f"PRAGMA {pragma}")


def create_schema(connection: Connection) -> list[str]:
    """Create the tables that are missing, and the nullable columns a newer version adds.

    Only additive changes are made here (a new table, a new nullable column): a store made by
    an earlier version opens as it is, with its data. Anything else (a renamed or retyped
    column) would need a written migration; none has been needed so far.
    """
    metadata.create_all(connection)
    return add_missing_columns(connection)


def add_missing_columns(connection: Connection) -> list[str]:
    """Add the declared nullable columns that an older store lacks; the ``table.column`` added."""
    inspector = sa.inspect(connection)
    added = []
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:
                raise StoreError(
                    f"the store's table {table.name} lacks the column {column.name}, which "
                    "cannot be added to existing rows: a migration is needed"
                )
            kind = column.type.compile(dialect=connection.dialect)
            connection.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
            added.append(f"{table.name}.{column.name}")
    return added


# --- rows and statements ------------------------------------------------------------------------


def columns(cls: type[Any], table: sa.Table, prefix: str = "") -> list[Any]:
    """The columns of ``table`` named as the fields of dataclass ``cls`` (labelled ``prefix``+name)."""
    names = [f.name for f in dataclasses.fields(cls) if f.name in table.c]
    if not prefix:
        return [table.c[name] for name in names]
    return [table.c[name].label(prefix + name) for name in names]


def record(cls: type[T], row: Row, prefix: str = "") -> T:
    """Dataclass ``cls`` from a row selected with :func:`columns` (a field the row lacks keeps
    its default)."""
    values = row._mapping
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    return cls(**{f.name: values[prefix + f.name] for f in fields if prefix + f.name in values})


def any_since(
    c: Connection, table: sa.Table, cid: str, when: str, since: float, *where: Any
) -> bool:
    """Whether ``table`` has a row of conversation ``cid`` whose column ``when`` is at or after
    ``since`` (and that meets ``where``): "was the client asked (sent, offered) lately?"."""
    query = sa.select(table.c.id).where(
        table.c.conversation_id == cid, table.c[when] >= since, *where
    )
    return c.execute(query.limit(1)).first() is not None


def insert(connection: Connection, table: sa.Table) -> Any:
    """An INSERT in the connection's own dialect, which can say what to do ON CONFLICT.

    SQLAlchemy 1.4 cannot cache such a statement: it is compiled at every use (about half a
    millisecond). Where a row may already be there only when a case changes (a case opened, a
    staff message stored once), that is fine; the path of every message (a new message, a new
    conversation) uses statements built once instead, which are cached.
    """
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    return dialect.insert(table)
