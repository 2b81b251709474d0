"""SQLite settings for Rasa's tracker store: write-ahead log, one sync per checkpoint, and a
connection kept open between turns.

With the settings Rasa leaves SQLite at (a rollback journal, ``synchronous=FULL``), every save
of a tracker syncs the disk several times, and saving was a fifth of a turn's time
(``python bench/rasa_turn_profile.py``). In WAL mode readers and the writer no longer block
each other, and with ``synchronous=NORMAL`` a commit is a write to the log, synced at
checkpoints: the database stays consistent through a crash of the process or the machine, and
at worst the last turns before a power cut are lost. The gateway keeps every client message
durably until Rasa has answered it and reads the tracker before asking again
(bot/pipeline.py), so a lost turn is answered again, not lost.

SQLAlchemy 1.4 opens a new connection to a SQLite file for every session and closes it after
(``NullPool``), and Rasa's store opens a session to load a tracker and another to save it. In
WAL mode the last connection to close checkpoints the log into the database and deletes it, so
every turn paid for two connections, a checkpoint, and a new log at its first write: loading
and saving were still about 40% of a turn. :func:`install` therefore also makes Rasa's store
keep its connections in a pool, as it does for PostgreSQL (the log is then checkpointed every
1,000 pages, SQLite's default): 30 ms of a profiled turn's 76 became 13 of 49
(``python bench/rasa_turn_profile.py``; README, "Where a turn's time goes").

:func:`install` registers the pragmas for every SQLite connection SQLAlchemy opens in this
process and the pool for the engine Rasa's ``SQLTrackerStore`` creates; only the tracker store
uses SQLAlchemy in the Rasa server. PostgreSQL is untouched.
"""

from __future__ import annotations

import sqlite3
import warnings
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000")
_installed = False
_rasa_engine_kwargs: Any = None


def _on_connect(connection: Any, record: Any) -> None:
    if isinstance(connection, sqlite3.Connection):
        for pragma in PRAGMAS:
            connection.execute(f"PRAGMA {pragma}")


def engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's ``create_engine`` arguments for ``url``, with a pool for a SQLite file.

    The connections may be used by any thread (the pool hands each to one at a time): Rasa
    calls its store from its event loop, and may call it from a worker thread too.
    """
    kwargs = dict(_rasa_engine_kwargs(url)) if _rasa_engine_kwargs else {}
    text = str(url)
    if text.startswith("sqlite") and ":memory:" not in text and text.rstrip("/") != "sqlite:":
        kwargs.setdefault("poolclass", QueuePool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    return kwargs


def install() -> None:
    """Apply :data:`PRAGMAS` to every SQLite connection opened from now on, and keep the
    tracker store's SQLite connections in a pool (idempotent)."""
    global _installed, _rasa_engine_kwargs
    if _installed:
        return
    with warnings.catch_warnings():
        # Rasa 3.6's tracker store module uses SQLAlchemy APIs that 2.0 removes; SQLAlchemy 1.4
        # warns once, when the module is first imported: nothing this project can change.
        warnings.simplefilter("ignore", sa_exc.MovedIn20Warning)
        from rasa.core import tracker_store

    event.listen(Engine, "connect", _on_connect)
    _rasa_engine_kwargs = tracker_store.create_engine_kwargs
    tracker_store.create_engine_kwargs = engine_kwargs
    _installed = True


def uninstall() -> None:
    """Undo :func:`install` (for tests, which share their process with other SQLite users)."""
    global _installed, _rasa_engine_kwargs
    if not _installed:
        return
    from rasa.core import tracker_store

    event.remove(Engine, "connect", _on_connect)
    tracker_store.create_engine_kwargs = _rasa_engine_kwargs
    _rasa_engine_kwargs = None
    _installed = False
