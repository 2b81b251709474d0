"""The project's tracker store: Rasa's SQL store, named in endpoints.yml, with what a SQLite file
needs here (write-ahead log, a kept connection, erased words overwritten) and a way to erase.

Rasa loads a tracker store class named in ``endpoints.yml`` (``type:
rasa_addons.tracker_store.ProjectTrackerStore``), its supported extension point; before, the
same settings were patched into every SQLAlchemy engine of the process.

- **Speed.** With the settings Rasa leaves SQLite at (a rollback journal, a new connection per
  session), saving a tracker was a fifth of a turn. In WAL mode with ``synchronous=NORMAL`` a
  commit is a write to the log, synced at checkpoints: the database stays consistent through a
  crash, and at worst the last turns before a power cut are lost (the gateway keeps every
  message until Rasa answered it and reads the tracker before asking again). The connections
  stay in a pool between turns, as they do for PostgreSQL (``python bench/rasa_turn_profile.py``).
- **Erasure that erases.** ``secure_delete`` overwrites a deleted row's bytes, and
  :meth:`ProjectTrackerStore.erase` checkpoints and truncates the write-ahead log after deleting
  a conversation, so no erased word stays readable in the file or its log.

PostgreSQL (several replicas) is Rasa's own SQL store, untouched.
"""

from __future__ import annotations

import sqlite3
import warnings
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import QueuePool

with warnings.catch_warnings():
    # Rasa 3.6's tracker store module uses SQLAlchemy APIs that 2.0 removes; SQLAlchemy 1.4
    # warns once, when the module is first imported: nothing this project can change.
    warnings.simplefilter("ignore", sa_exc.MovedIn20Warning)
    from rasa.core.tracker_store import SQLTrackerStore

PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "secure_delete=ON")


def _pragmas(connection: Any, _record: Any) -> None:
    if isinstance(connection, sqlite3.Connection):
        for pragma in PRAGMAS:
            connection.execute(f"PRAGMA {pragma}")


def is_sqlite_file(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


class ProjectTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store; on a SQLite file, with :data:`PRAGMAS` and a kept connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self._engine().url
        if is_sqlite_file(url):
            self._engine().dispose()
            # The connections may be used by any thread (the pool hands each to one at a
            # time): Rasa calls its store from its event loop, and may from a worker thread.
            self.engine = sa.create_engine(
                url, poolclass=QueuePool, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _engine(self) -> sa.engine.Engine:
        # Rasa's store sets ``engine`` in __init__ without a declared type.
        engine: sa.engine.Engine = self.engine
        return engine

    def erase(self, conversation_id: str) -> int:
        """Delete every event of ``conversation_id``; how many. On SQLite, the write-ahead log
        is then copied into the file and truncated, so its old pages do not keep the words."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == conversation_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        if is_sqlite_file(self._engine().url):
            with self._engine().connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(deleted or 0)
