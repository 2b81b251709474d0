"""Loading HSDS records into the directory: all or nothing, and again by id.

Records are first staged in a temporary table (on disk, so a big import costs little memory),
where duplicate ids are caught. Only when every file read cleanly are they written, in one
transaction: upserted by id (an import of the same data twice changes nothing), references
checked (a missing required one is an error, a dangling optional one a warning), the search
index rebuilt. Any error rolls the transaction back: the previous directory stays as it was,
and the action server, reading through WAL, never sees a half-imported directory.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from actions.directory import hsds
from actions.directory.csvsource import package_tables, read_csv
from actions.directory.errors import ImportRejected, Problem, SourceError
from actions.directory.jsonsource import read_json
from actions.directory.records import Record

MAX_REPORTED = 200  # problems listed in full; the rest are counted


@dataclass
class Summary:
    """What an import did, for the admin: rows per table, new and updated, warnings, speed."""

    sources: list[str] = field(default_factory=list)
    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.added.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        out = [f"read {s}" for s in self.sources]
        for table in sorted(set(self.added) | set(self.updated)):
            out.append(f"  {table}: {self.added[table]} new, {self.updated[table]} updated")
        out += [f"  {w}" for w in self.warnings]
        rate = self.rows / self.seconds if self.seconds else 0.0
        out.append(f"imported {self.rows} rows in {self.seconds:.1f} s ({rate:,.0f} rows/s)")
        return out


class Staging:
    """Records of one import, held in a temporary table until they are all known good."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.problems: list[Problem] = []
        self.more = 0  # errors past MAX_REPORTED
        # Staged rows go to a temporary file with a small page cache, whatever SQLite's build
        # defaults are: an import's memory stays bounded however large its files.
        conn.execute("PRAGMA temp_store = FILE")
        conn.execute("PRAGMA temp.cache_size = -8192")  # KiB
        conn.execute("DROP TABLE IF EXISTS temp.stage")
        # One transaction from the first staged row to the commit: staging writes only the
        # temporary table, so the directory is locked only while the rows are written.
        conn.execute("BEGIN")
        conn.execute(
            "CREATE TEMP TABLE stage (tbl TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,"
            " file TEXT NOT NULL, line INTEGER, repeatable INTEGER NOT NULL, implied TEXT NOT NULL,"
            " PRIMARY KEY (tbl, id))"
        )

    def report(self, problem: Problem) -> None:
        fatal = [p for p in self.problems if p.fatal]
        if problem.fatal and len(fatal) >= MAX_REPORTED:
            self.more += 1
        else:
            self.problems.append(problem)

    @property
    def failed(self) -> bool:
        return self.more > 0 or any(p.fatal for p in self.problems)

    def add(self, record: Record) -> None:
        table = record.table.table
        row_id = record.row["id"]
        data = json.dumps(record.row, sort_keys=True)
        seen = self.conn.execute(
            "SELECT data, file, line, repeatable, implied FROM stage WHERE tbl = ? AND id = ?",
            (table, row_id),
        ).fetchone()
        if seen is None:
            self.conn.execute(
                "INSERT INTO stage VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    table,
                    row_id,
                    data,
                    record.file,
                    record.line,
                    int(record.repeatable),
                    json.dumps(sorted(record.implied)),
                ),
            )
            return
        first = f"{seen[1]}:{seen[2]}" if seen[2] else seen[1]
        if not (record.repeatable or seen[3]):
            self.report(
                Problem(
                    record.file,
                    record.line,
                    f"duplicate {record.table.name} id {row_id} (first at {first})",
                )
            )
            return
        merged = json.loads(seen[0])
        weak = set(json.loads(seen[4]))  # implied by nesting: a stated value replaces it
        clash = [
            k
            for k, v in record.row.items()
            if v is not None
            and merged.get(k) not in (None, v)
            and k not in weak
            and k not in record.implied
        ]
        if clash:
            self.report(
                Problem(
                    record.file,
                    record.line,
                    f"{record.table.name} {row_id} differs from the one at {first} "
                    f"in {', '.join(sorted(clash))}",
                )
            )
            return
        for key, value in record.row.items():
            if value is None or (key in record.implied and merged.get(key) is not None):
                continue
            merged[key] = value
            weak.discard(key) if key not in record.implied else weak.add(key)
        self.conn.execute(
            "UPDATE stage SET data = ?, implied = ? WHERE tbl = ? AND id = ?",
            (json.dumps(merged, sort_keys=True), json.dumps(sorted(weak)), table, row_id),
        )

    def add_all(self, records: Iterable[Record]) -> None:
        for record in records:
            self.add(record)


def stage_path(staging: Staging, path: Path) -> None:
    """Stage ``path``: a datapackage folder or its ``datapackage.json``, a CSV or a JSON file."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if path.is_dir() or path.name == "datapackage.json":
        folder = path if path.is_dir() else path.parent
        notes: list[Problem] = []
        tables = package_tables(folder, notes)
        for note in notes:
            staging.report(note)
        for table, csv_path in tables:
            staging.add_all(read_csv(table, csv_path, _Sink(staging)))
        return
    if path.suffix.lower() == ".csv":
        one = hsds.table_for_path(path.name)
        if one is None:
            raise SourceError(
                f"{path.name}: not an HSDS 3.0 table name (services.csv, locations.csv, ...)"
            )
        staging.add_all(read_csv(one, path, _Sink(staging)))
        return
    if path.suffix.lower() == ".json":
        problems: list[Problem] = []
        _, records = read_json(path, problems)
        for problem in problems:
            staging.report(problem)
        staging.add_all(records)
        return
    raise SourceError(f"{path.name}: expected a datapackage folder, a .csv or a .json file")


class _Sink(list[Problem]):
    """A list that hands each problem to the staging area as it is found (bounded memory)."""

    def __init__(self, staging: Staging) -> None:
        super().__init__()
        self.staging = staging

    def append(self, problem: Problem) -> None:
        self.staging.report(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.staging.report(problem)


def commit(
    conn: sqlite3.Connection,
    staging: Staging,
    *,
    replace: bool,
    reindex: Callable[[sqlite3.Connection], object],
    started: float,
) -> Summary:
    """Write the staged rows, or raise ImportRejected and change nothing (one transaction)."""
    summary = Summary()
    try:
        if staging.failed:
            raise ImportRejected(staging.problems, staging.more)
        if replace:
            for table in hsds.tables().values():
                conn.execute(f"DELETE FROM {table.table}")  # noqa: S608 - names from the standard
        for table in hsds.tables().values():
            _upsert(conn, table, summary)
        problems = _check_references(conn)
        for problem in problems:
            staging.report(problem)
        if staging.failed:
            raise ImportRejected(staging.problems, staging.more)
        summary.warnings = [p for p in staging.problems if not p.fatal]
        reindex(conn)
        conn.execute(
            "INSERT INTO directory_meta VALUES ('imported_at', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),),
        )
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    summary.seconds = time.perf_counter() - started
    return summary


def _upsert(conn: sqlite3.Connection, table: hsds.Table, summary: Summary) -> None:
    cols = table.columns
    existing = conn.execute(
        f"SELECT count(*) FROM stage s JOIN {table.table} t ON t.id = s.id WHERE s.tbl = ?",  # noqa: S608
        (table.table,),
    ).fetchone()[0]
    total = conn.execute("SELECT count(*) FROM stage WHERE tbl = ?", (table.table,)).fetchone()[0]
    if not total:
        return
    extract = ", ".join(f"json_extract(data, '$.{c}')" for c in cols)
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
    conn.execute(
        f"INSERT INTO {table.table} ({', '.join(cols)}) SELECT {extract} FROM stage WHERE tbl = ? "  # noqa: S608
        f"ORDER BY rowid ON CONFLICT(id) DO UPDATE SET {updates}",
        (table.table,),
    )
    summary.added[table.table] += total - existing
    summary.updated[table.table] += existing


def _check_references(conn: sqlite3.Connection) -> list[Problem]:
    """Staged rows that point at ids the directory does not have."""
    problems = []
    for table in hsds.tables().values():
        for column, target in table.references:
            required = table.by_name[column].required
            rows = conn.execute(
                f"SELECT s.file, s.line, t.id, t.{column} FROM stage s "  # noqa: S608 - standard names
                f"JOIN {table.table} t ON t.id = s.id "
                f"LEFT JOIN {target} r ON r.id = t.{column} "
                f"WHERE s.tbl = ? AND t.{column} IS NOT NULL AND r.id IS NULL LIMIT {MAX_REPORTED}",
                (table.table,),
            ).fetchall()
            for file, line, row_id, ref in rows:
                what = "unknown" if required else "dangling"
                noun = next(t.name for t in hsds.tables().values() if t.table == target)
                problems.append(
                    Problem(
                        file,
                        line,
                        f"{table.name} {row_id}: {what} {column} {ref} (no such {noun})",
                        fatal=required,
                    )
                )
    return problems
