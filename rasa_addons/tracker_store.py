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
- **Erasure that erases.** ``secure_delete`` overwrites a deleted row's bytes, and after
  :meth:`ProjectTrackerStore.erase` has deleted a conversation, :meth:`~ProjectTrackerStore.scrub`
  rewrites the file and empties the write-ahead log (:mod:`contract.erasure` says why both),
  so no erased word stays readable in the file or its log.

PostgreSQL (several replicas) is Rasa's own SQL store, untouched.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import QueuePool

from contract import erasure

with warnings.catch_warnings():
    # Rasa 3.6's tracker store module uses SQLAlchemy APIs that 2.0 removes; SQLAlchemy 1.4
    # warns once, when the module is first imported: nothing this project can change.
    warnings.simplefilter("ignore", sa_exc.MovedIn20Warning)
    from rasa.core.tracker_store import SQLTrackerStore

logger = logging.getLogger(__name__)

PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", erasure.PRAGMA)


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
        """Delete every event of ``conversation_id``; how many. The caller then runs :meth:`scrub`
        (off the event loop: it can wait for other connections)."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == conversation_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return int(deleted or 0)

    def scrub(self, within: float = erasure.WITHIN) -> bool:
        """On SQLite, the file rewritten and its write-ahead log emptied, so that no page keeps
        an erased word (:mod:`contract.erasure`); False if that could not be done within
        ``within`` seconds (another connection kept the log, or the write lock). Blocks: run
        it in a thread."""
        if not is_sqlite_file(self._engine().url):
            return True
        try:
            with self._engine().connect() as connection:
                return erasure.scrub(erasure.on(connection), within)
        except sa_exc.OperationalError as exc:  # "database is locked" past busy_timeout
            logger.warning("tracker store: could not scrub after an erasure: %s", exc)
            return False
