"""Reading an HSDS 3.0 tabular datapackage (``datapackage.json`` + one CSV file per table).

Files are streamed line by line, never read whole, so a 200 MB file costs little memory.
Every cell is typed by the standard's table schema and every row checked (``records``); a
problem names the file and the line it starts on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from actions.directory import hsds
from actions.directory.errors import Problem, SourceError
from actions.directory.records import Record, check_row, parse_number

MAX_LINE = 1 << 20  # 1 MiB: a longer physical line is not a directory record


class _Lines:
    """Decoded lines of a binary file, strict UTF-8, counting lines for error messages."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.number = 0
        self.error: str | None = None

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.stream.readline(MAX_LINE + 1)
            if not raw:
                return
            self.number += 1
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                self.error = f"line longer than {MAX_LINE // 1024} KiB: not a CSV record"
                return
            if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.error = (
                    f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}"
                    " (save the file as UTF-8)"
                )
                return


def package_tables(folder: Path, notes: list[Problem]) -> list[tuple[hsds.Table, Path]]:
    """The HSDS tables present in the package at ``folder``, with their CSV files."""
    descriptor = folder / "datapackage.json"
    resources = _resources(descriptor, notes)
    found: list[tuple[hsds.Table, Path]] = []
    listed: set[str] = set()
    for resource in resources:
        path = str(resource.get("path") or "")
        name = str(resource.get("name") or "")
        table = hsds.tables().get(name) or hsds.table_for_path(path)
        if table is None:
            notes.append(
                Problem(
                    descriptor.name,
                    None,
                    f"resource {name or path!r} is not an HSDS 3.0 table; ignored",
                    fatal=False,
                )
            )
            continue
        listed.add(Path(path).name)
        csv_path = folder / path
        if csv_path.is_file():
            found.append((table, csv_path))
    for extra in sorted(folder.glob("*.csv")):
        if extra.name not in listed:
            notes.append(
                Problem(extra.name, None, "not a resource of the datapackage; ignored", fatal=False)
            )
    if not found:
        raise SourceError(
            f"{folder}: no HSDS CSV files (services.csv, organizations.csv, ...) found"
        )
    return found


def _resources(descriptor: Path, notes: list[Problem]) -> list[dict[str, Any]]:
    standard: list[dict[str, Any]] = hsds.datapackage()["resources"]
    if not descriptor.is_file():
        notes.append(
            Problem(
                descriptor.name, None, "missing; reading the folder as HSDS 3.0 tables", fatal=False
            )
        )
        return standard
    text = descriptor.read_text("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        target = (descriptor.parent / text) if "\n" not in text and text.endswith(".json") else None
        if target is not None and target.is_file():
            return _resources(target, notes)
        if target is not None:
            # A symbolic link saved as a file (git without symlinks): the standard's own descriptor.
            notes.append(
                Problem(
                    descriptor.name,
                    None,
                    f"points to {text}, which is absent; using the HSDS 3.0 datapackage",
                    fatal=False,
                )
            )
            return standard
        raise SourceError(f"{descriptor}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise SourceError(f"{descriptor}: a datapackage descriptor needs a 'resources' list")
    version = str(data.get("version") or "3")
    if not version.startswith("3"):
        raise SourceError(f"{descriptor}: HSDS version {version} is not 3.x")
    return [r for r in data["resources"] if isinstance(r, dict)]


def read_csv(table: hsds.Table, path: Path, problems: list[Problem]) -> Iterator[Record]:
    """The rows of one HSDS CSV file; unreadable rows are reported in ``problems`` instead."""
    name = path.name
    csv.field_size_limit(MAX_LINE)  # a field may be as long as a line, no longer
    with path.open("rb") as stream:
        lines = _Lines(stream)
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            problems.append(Problem(name, lines.number, f"unreadable CSV: {exc}"))
            return
        if lines.error:
            problems.append(Problem(name, lines.number, lines.error))
            return
        if not header:
            problems.append(Problem(name, 1, "empty file: no header row"))
            return
        header = [h.strip() for h in header]
        missing = [f.name for f in table.fields if f.required and f.name not in header]
        if missing:
            problems.append(Problem(name, 1, f"missing required column(s): {', '.join(missing)}"))
            return
        unknown = [h for h in header if h not in table.by_name]
        if unknown:
            problems.append(
                Problem(
                    name, 1, f"column(s) not in HSDS 3.0 ignored: {', '.join(unknown)}", fatal=False
                )
            )
        start = lines.number + 1
        while True:
            failure = None
            try:
                cells: list[str] | None = next(reader)
            except StopIteration:
                cells = None
            except csv.Error as exc:
                cells, failure = None, f"unreadable CSV: {exc}"
            if lines.error or failure:
                problems.append(
                    Problem(
                        name, lines.number if lines.error else start, lines.error or str(failure)
                    )
                )
                return
            if cells is None:
                break
            line, start = start, lines.number + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(name, line, f"{len(cells)} cells but the header has {len(header)}")
                )
                continue
            record = _record(table, header, cells, name, line)
            if record.problems:
                problems.extend(Problem(name, line, p) for p in record.problems)
            else:
                yield record


def _record(table: hsds.Table, header: list[str], cells: list[str], name: str, line: int) -> Record:
    row: dict[str, Any] = {}
    problems: list[str] = []
    for column, cell in zip(header, cells, strict=True):
        f = table.by_name.get(column)
        if f is None:
            continue
        text = cell.strip()
        if not text:
            row[column] = None
        elif f.type == "number":
            try:
                row[column] = parse_number(text)
            except ValueError:
                problems.append(f"{column!r} must be a number, got {text!r}")
        else:
            row[column] = text
    if not problems:
        problems = check_row(table, row)
    return Record(table, row, name, line, problems=problems)
