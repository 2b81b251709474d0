"""The admin's operations on the directory database: import, build, ensure, reindex.

``build`` replaces the whole directory with the data the project ships (``actions/directory/data/hsds/``,
the converted Ohana San Mateo and Link-SF data) plus the region's 24/7 lines; ``ensure`` builds
only when there is no directory yet (and reindexes when the needs map changed); ``import_paths``
adds or updates from HSDS files, all or nothing.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from actions.directory import db, hsds, index, lines
from actions.directory.errors import DirectoryUnavailable
from actions.directory.importer import Staging, Summary, commit, stage_path
from actions.directory.needs import NeedsMap, load_needs
from actions.directory.records import Record
from region import Region, load_region

SHIPPED = Path(__file__).resolve().parent / "data" / "hsds"


def import_paths(
    path: Path,
    sources: list[Path],
    *,
    replace: bool = False,
    region: Region | None = None,
    needs: NeedsMap | None = None,
) -> Summary:
    """Import HSDS files into the database at ``path`` in one transaction (ImportRejected: none)."""
    started = time.perf_counter()
    region = region or load_region()
    needs = needs or load_needs()
    conn = db.connect(path)
    try:
        staging = Staging(conn)
        names = []
        for source in sources:
            stage_path(staging, source)
            names.append(str(source))
        if replace:
            staging.add_all(region_records(region))
            names.append(f"the 24/7 lines of {region.name} (region file)")
        summary = commit(
            conn, staging, replace=replace, reindex=_reindexer(region, needs), started=started
        )
        summary.sources = names
        return summary
    finally:
        conn.close()


def build(path: Path, region: Region | None = None, needs: NeedsMap | None = None) -> Summary:
    """Replace the directory with the shipped data and the region's lines."""
    return import_paths(path, [SHIPPED], replace=True, region=region, needs=needs)


def ensure(path: Path, region: Region | None = None, needs: NeedsMap | None = None) -> str:
    """Build when there is no directory; reindex when the needs map changed. Says what it did."""
    needs = needs or load_needs()
    if not path.exists() or not _has_services(path):
        summary = build(path, region, needs)
        return f"built the directory at {path}: {summary.rows} rows"
    conn = db.connect(path)
    try:
        row = conn.execute(
            "SELECT value FROM directory_meta WHERE key = 'needs_fingerprint'"
        ).fetchone()
    finally:
        conn.close()
    if not row or row[0] != needs.fingerprint:
        count = reindex(path, region, needs)
        return f"the needs map changed: reindexed {count} places"
    return f"the directory at {path} is ready"


def reindex(path: Path, region: Region | None = None, needs: NeedsMap | None = None) -> int:
    """Rebuild the search index (after editing actions/directory/data/needs.yml)."""
    region = region or load_region()
    needs = needs or load_needs()
    conn = db.connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            count = _reindexer(region, needs)(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return count
    finally:
        conn.close()


def open_directory(path: Path) -> sqlite3.Connection:
    """A read-only connection for searching; DirectoryUnavailable if there is no directory."""
    if not path.exists():
        raise DirectoryUnavailable(
            f"no directory at {path}: run `python -m actions.directory build`"
        )
    try:
        conn = db.connect(path, readonly=True)
        conn.execute("SELECT 1 FROM search_entry LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise DirectoryUnavailable(f"the directory at {path} cannot be read: {exc}") from exc
    return conn


_readers = threading.local()


def reader(path: Path) -> sqlite3.Connection:
    """This thread's read-only connection to ``path``, kept between searches (its page cache
    stays warm) and opened again when the file is replaced; each query sees the latest commit."""
    try:
        stat = os.stat(path)
        inode = hash((stat.st_dev, stat.st_ino, stat.st_ctime_ns))  # a replaced file is another
    except OSError as exc:
        raise DirectoryUnavailable(
            f"no directory at {path}: run `python -m actions.directory build`"
        ) from exc
    cached: dict[str, tuple[int, sqlite3.Connection]] = getattr(_readers, "by_path", {})
    held = cached.get(str(path))
    if held is not None and held[0] == inode:
        return held[1]
    if held is not None:
        held[1].close()
    conn = open_directory(path)
    cached[str(path)] = (inode, conn)
    _readers.by_path = cached
    return conn


def region_records(region: Region) -> list[Record]:
    tables = hsds.tables()
    return [
        Record(tables[name], row, "region file", None, repeatable=True)
        for name, rows in lines.line_rows(region).items()
        for row in rows
    ]


def _has_services(path: Path) -> bool:
    try:
        conn = db.connect(path)
    except sqlite3.Error:
        return False
    try:
        return bool(conn.execute("SELECT 1 FROM search_entry LIMIT 1").fetchone())
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _reindexer(region: Region, needs: NeedsMap) -> Callable[[sqlite3.Connection], int]:
    skip = {lines.line_service_id(line.id) for line in region.crisis_lines} | {
        lines.line_service_id(lines.EMERGENCY_LINE_ID)
    }

    def run(conn: sqlite3.Connection) -> int:
        return index.rebuild(conn, needs, _geocoder(region), skip)

    return run


def _geocoder(region: Region) -> index.Geocoder:
    @functools.lru_cache(maxsize=4096)
    def geocode(query: str) -> tuple[float, float] | None:
        from actions.gazetteer import gazetteer_for  # slow to build: only when an address needs it

        place = gazetteer_for(region).resolve(query)
        if place is None or (place.postcode is None and place.state is None):
            return None
        return place.latitude, place.longitude

    return geocode
