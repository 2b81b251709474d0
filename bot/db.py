"""The gateway store's connection to SQLite or PostgreSQL, through the DB-API itself.

The tables are declared once with SQLAlchemy (:mod:`bot.schema`), which creates them in
either database at start-up. The queries then go straight to the driver (``sqlite3`` or
``psycopg2``): on the hot path (a webhook stored and acknowledged) SQLAlchemy's own work cost
seven times the query's (0.84 ms against 0.12 ms per stored message, measured), and the SQL the
store needs is the same in both databases but for the placeholder, ``?`` or ``%s``.

Each thread keeps its own connection. A transaction commits when its block ends and rolls
back if it raises; a dropped PostgreSQL connection is opened again on the next call.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg2
import sqlalchemy as sa

from bot.errors import StoreError
from bot.schema import metadata

Row = dict[str, Any]
# Errors of either driver that mean "the store cannot do this now".
DRIVER_ERRORS = (sqlite3.Error, psycopg2.Error)
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg2.IntegrityError)


class Cursor:
    """A cursor that takes ``?`` placeholders in both databases and returns rows as dicts."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        self.raw.execute(sql.replace("?", "%s") if self.postgres else sql, tuple(params))
        return self

    def all(self) -> list[Row]:
        names = [column[0] for column in self.raw.description]
        return [dict(zip(names, values, strict=True)) for values in self.raw.fetchall()]

    def one(self) -> Row | None:
        rows = self.all()
        return rows[0] if rows else None


def add_missing_columns(engine: sa.engine.Engine) -> list[str]:
    """Add the declared nullable columns that an older store lacks; the ``table.column`` added."""
    inspector = sa.inspect(engine)
    added = []
    with engine.begin() as connection:
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
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(
                    sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")
                )
                added.append(f"{table.name}.{column.name}")
    return added


class Database:
    """Per-thread DB-API connections to the store at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = not url.startswith("sqlite")
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def create_schema(self) -> None:
        """Create the tables that are missing, and the nullable columns a newer version adds.

        Only additive changes are made here (a new table, a new nullable column): a store made
        by an earlier version opens as it is, with its data. Anything else (a renamed or
        retyped column) would need a written migration; none has been needed so far.
        """
        if not self.postgres:
            path = self.url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(self.url, future=True, poolclass=sa.pool.NullPool)
        try:
            metadata.create_all(engine)
            add_missing_columns(engine)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot create the gateway store's tables: {exc}") from exc
        finally:
            engine.dispose()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A cursor in one transaction: committed at the end of the block, else rolled back."""
        connection = self._connection()
        try:
            yield Cursor(connection.cursor(), self.postgres)
            connection.commit()
        except BaseException as exc:
            self._rollback(connection, exc)
            raise

    def _rollback(self, connection: Any, exc: BaseException) -> None:
        with contextlib.suppress(*DRIVER_ERRORS):
            connection.rollback()
        if self.postgres and isinstance(exc, psycopg2.OperationalError):
            self._forget(connection)  # the server went away: open a new connection next time

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None or (self.postgres and connection.closed):
            connection = self._connect()
            self._local.connection = connection
            with self._lock:
                self._all.append(connection)
        return connection

    def _connect(self) -> Any:
        if self.postgres:
            dsn = "postgresql://" + self.url.split("://", 1)[1]
            return psycopg2.connect(dsn, connect_timeout=10)
        connection = sqlite3.connect(
            self.url.removeprefix("sqlite:///"), check_same_thread=False, timeout=5.0
        )
        # WAL lets readers and the writer work together; FULL makes each commit durable before
        # the webhook is acknowledged; busy_timeout waits out another process's short write.
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000"):
            connection.execute(f"PRAGMA {pragma}")
        return connection

    def _forget(self, connection: Any) -> None:
        with contextlib.suppress(*DRIVER_ERRORS):
            connection.close()
        self._local.connection = None

    def close(self) -> None:
        """Close every thread's connection (call when no operation is running)."""
        with self._lock:
            for connection in self._all:
                with contextlib.suppress(*DRIVER_ERRORS):
                    connection.close()
            self._all.clear()
