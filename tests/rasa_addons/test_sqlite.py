"""The launcher puts a SQLite tracker store in write-ahead-log mode; PostgreSQL is untouched."""

from __future__ import annotations

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
