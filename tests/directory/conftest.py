"""Fixtures of the directory suites: the reference data, a built directory, fresh databases."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from actions.directory import build, db
from region import load_region

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
EXAMPLES = SHARED / "hsds-3.0-examples"
TZ = load_region().tz


def local(*args: int) -> dt.datetime:
    """An instant given as wall-clock time in the region (San Mateo County)."""
    return dt.datetime(*args, tzinfo=TZ)  # type: ignore[misc]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory built from the shipped data, once per session (read it, never change it)."""
    path = tmp_path_factory.mktemp("built") / "directory.db"
    build.build(path)
    return path


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A path for a new, empty directory."""
    return tmp_path / "directory.db"


@pytest.fixture
def example_package(tmp_path: Path) -> Path:
    """A writable copy of the HSDS 3.0 example datapackage (csv/)."""
    target = tmp_path / "package"
    shutil.copytree(EXAMPLES / "csv", target)
    return target


def snapshot(path: Path, *, import_time: bool = True) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, for "the directory is unchanged" assertions.

    ``import_time=False`` leaves out directory_meta's ``imported_at``: a successful re-import
    of the same data rightly moves it (by a second, when the clock ticks during the import).
    """
    conn = db.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {
            t: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {t}"))  # noqa: S608
            for t in tables
            if not t.startswith(("search_box", "sqlite_"))
        }
        if not import_time:
            rows["directory_meta"] = [r for r in rows["directory_meta"] if r[0] != "imported_at"]
        return rows
    finally:
        conn.close()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
    finally:
        conn.close()
