"""One HSDS row on its way into the directory, and the checks every row gets.

Both readers (CSV datapackage, JSON documents) turn their input into ``Record``s: the table,
the row as a dict of the standard's column names, and where it came from (file and line), so
that every problem can be reported where an admin can find it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from actions.directory import hsds

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass
class Record:
    table: hsds.Table
    row: dict[str, Any]
    file: str
    line: int | None
    # JSON documents repeat one object wherever it is referenced: the same id again is the
    # same object (merged), not a duplicate. In a CSV file a repeated id is an error.
    repeatable: bool = False
    # Fields the reader filled from where the object sat (a phone inside a service gets
    # service_id). An object met in two places may get two such values: they never clash.
    implied: frozenset[str] = frozenset()
    problems: list[str] = field(default_factory=list)


def parse_number(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def check_time(value: str) -> str | None:
    """None if ``value`` is a time of day (HH:MM[:SS]); else why not."""
    if not _TIME.match(value):
        return f"malformed time {value!r} (expected HH:MM or HH:MM:SS, 24-hour)"
    return None


def check_date(value: str) -> str | None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"malformed date {value!r} (expected YYYY-MM-DD)"
    return None


def check_datetime(value: str) -> str | None:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"malformed date-time {value!r} (expected ISO 8601, e.g. 2023-03-15T10:30:45Z)"
    return None


_CHECKS = {"time": check_time, "date": check_date, "datetime": check_datetime}


def check_row(table: hsds.Table, row: dict[str, Any]) -> list[str]:
    """What is wrong with a row the standard's datapackage would reject (empty list: nothing)."""
    problems = []
    for f in table.fields:
        value = row.get(f.name)
        if value is None or value == "":
            if f.required:
                problems.append(f"missing required value {f.name!r}")
            continue
        if f.type == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{f.name!r} must be a number, got {value!r}")
            continue
        if not isinstance(value, str):
            problems.append(f"{f.name!r} must be text, got {value!r}")
            continue
        check = _CHECKS.get(f.type)
        reason = check(value) if check else None
        if reason:
            problems.append(f"{f.name!r}: {reason}")
        if f.enum and value not in f.enum:
            problems.append(f"{f.name!r} must be one of {', '.join(f.enum)}; got {value!r}")
    validator = hsds.validator(table.name)
    flat = {k: v for k, v in row.items() if v is not None and k in table.by_name}
    for error in validator.iter_errors(flat):
        where = ".".join(str(p) for p in error.absolute_path)
        message = f"{where!r}: {error.message}" if where else error.message
        if message not in problems:
            problems.append(message)
    return problems
