"""The directory database: where it is, opening it, and its numbered schema migrations.

Migrations are the files ``migrations/NNNN_*.sql``, applied in order inside one transaction
each; SQLite's ``user_version`` records the last one applied, so opening an old database brings
it up to date and opening a current one changes nothing. WAL mode lets the action server read
the previous directory while an import writes the next one.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

DEFAULT_DB = Path("var/directory.db")
MIGRATIONS = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def db_path() -> Path:
    """The database file: ``$DIRECTORY_DB``, else ``var/directory.db``."""
    return Path(os.environ.get("DIRECTORY_DB") or DEFAULT_DB)


def migrations() -> list[tuple[int, Path]]:
    """The numbered migration files, in order."""
    found = []
    for path in MIGRATIONS.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def connect(path: str | os.PathLike[str], *, readonly: bool = False) -> sqlite3.Connection:
    """Open the database (read-only: it must exist), migrated to the latest schema."""
    path = Path(path)
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        migrate(conn)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations newer than the database; returns the version it is now at."""
    version = schema_version(conn)
    for number, path in migrations():
        if number <= version:
            continue
        sql = path.read_text(encoding="utf-8")
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number:d};\nCOMMIT;"
            )
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        version = number
    return version
