"""The directory's schema comes from numbered migrations, applied once, in order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from actions.directory import db, hsds


def test_a_new_database_gets_every_hsds_table_and_the_latest_version(fresh: Path) -> None:
    conn = db.connect(fresh)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {t.table for t in hsds.tables().values()} <= tables
    assert {"search_entry", "search_box", "directory_meta"} <= tables
    assert db.schema_version(conn) == db.migrations()[-1][0]
    columns = {r[1] for r in conn.execute("PRAGMA table_info(schedules)")}
    assert {"freq", "byday", "opens_at", "closes_at", "valid_from", "until", "count"} <= columns


def test_opening_again_changes_nothing_and_an_old_database_is_brought_up_to_date(
    fresh: Path,
) -> None:
    conn = sqlite3.connect(fresh, isolation_level=None)
    first = db.migrations()[0]
    conn.executescript(first[1].read_text() + f"\nPRAGMA user_version = {first[0]};")
    conn.execute("INSERT INTO taxonomies (id, name, description) VALUES ('t', 'kept', 'kept')")
    conn.close()
    reopened = db.connect(fresh)
    assert db.schema_version(reopened) == db.migrations()[-1][0]
    assert reopened.execute("SELECT name FROM taxonomies").fetchone()[0] == "kept"
    assert db.migrate(reopened) == db.migrations()[-1][0]


def test_migration_files_are_numbered_without_gaps() -> None:
    numbers = [n for n, _ in db.migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_path_comes_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DIRECTORY_DB", raising=False)
    assert db.db_path() == Path("var/directory.db")
    monkeypatch.setenv("DIRECTORY_DB", "/srv/dir.db")
    assert db.db_path() == Path("/srv/dir.db")
