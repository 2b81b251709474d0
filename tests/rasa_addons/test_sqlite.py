"""The launcher puts a SQLite tracker store in write-ahead-log mode; PostgreSQL is untouched."""

from __future__ import annotations

import warnings
from pathlib import Path

import sqlalchemy as sa

from rasa_addons import sqlite


def test_sqlite_connections_use_the_write_ahead_log(tmp_path: Path) -> None:
    sqlite.install()
    sqlite.install()  # twice does nothing more
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        engine.dispose()
        sqlite.uninstall()


def test_the_tracker_store_keeps_its_sqlite_connection_between_turns(tmp_path: Path) -> None:
    """Rasa's store opens a session to load a tracker and one to save it; SQLAlchemy 1.4 would
    open and close a SQLite connection for each (and, in WAL mode, checkpoint at every close)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TensorFlow's and SQLAlchemy 2.0's, on Rasa's side
        from rasa.core.tracker_store import SQLTrackerStore

    def store(name: str) -> SQLTrackerStore:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Rasa builds its URL the way SQLAlchemy 2.0 drops
            return SQLTrackerStore(dialect="sqlite", db=str(tmp_path / name))

    sqlite.install()
    try:
        kept = store("tracker.db")
        with kept.session_scope() as session:
            first = session.connection().connection.dbapi_connection
        with kept.session_scope() as session:
            again = session.connection().connection.dbapi_connection
            assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert again is first
        kept.engine.dispose()
    finally:
        sqlite.uninstall()
    plain = store("plain.db")
    assert type(plain.engine.pool).__name__ == "NullPool"  # Rasa's own, restored
    plain.engine.dispose()
