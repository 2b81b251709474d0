"""SQLite settings for Rasa's tracker store: write-ahead log, one sync per checkpoint.

With the settings Rasa leaves SQLite at (a rollback journal, ``synchronous=FULL``), every save
of a tracker syncs the disk several times, and saving was a fifth of a turn's time
(``python bench/rasa_turn_profile.py``). In WAL mode readers and the writer no longer block
each other, and with ``synchronous=NORMAL`` a commit is a write to the log, synced at
checkpoints: the database stays consistent through a crash of the process or the machine, and
at worst the last turns before a power cut are lost. The gateway keeps every client message
durably until Rasa has answered it and reads the tracker before asking again
(bot/pipeline.py), so a lost turn is answered again, not lost.

:func:`install` registers the settings for every SQLite connection SQLAlchemy opens in this
process; only the tracker store uses SQLAlchemy in the Rasa server. PostgreSQL is untouched.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000")
_installed = False


def _on_connect(connection: Any, record: Any) -> None:
    if isinstance(connection, sqlite3.Connection):
        for pragma in PRAGMAS:
            connection.execute(f"PRAGMA {pragma}")


def install() -> None:
    """Apply :data:`PRAGMAS` to every SQLite connection opened from now on (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        _installed = True


def uninstall() -> None:
    """Stop applying them (for tests, which share their process with other SQLite users)."""
    global _installed
    if _installed:
        event.remove(Engine, "connect", _on_connect)
        _installed = False
