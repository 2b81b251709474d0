"""Reading HSDS 3.0 JSON: API objects (``service_full.json``), pages (``service_list.json``),
arrays of objects, ``tabular.json`` (rows keyed by CSV file name), and the API root.

A document is validated against the standard's JSON schema for its kind, then its nested
objects are flattened into table rows with the references nesting implies (a phone inside a
service gets ``service_id``). Problems name the file, the line and the JSON path. Documents
above ``MAX_JSON_BYTES`` are refused: the tabular datapackage is the streamed form for big data.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from actions.directory import hsds
from actions.directory.errors import Problem, SourceError
from actions.directory.records import Record, check_row, parse_number

MAX_JSON_BYTES = 64 << 20
Path_ = tuple[str | int, ...]

# key inside an object of a kind -> (kind of the nested object(s), field set on the child)
CHILDREN: dict[str, dict[str, tuple[str, str | None]]] = {
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "languages": ("language", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "organization": {
        "funding": ("funding", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "services": ("service", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
# key inside an object -> (kind of the single nested object, field of the parent it fills)
SINGLE: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "organization": ("organization", "organization_id"),
        "program": ("program", "program_id"),
    },
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}
KINDS = ("service_at_location", "taxonomy_term", "organization", "location", "service", "taxonomy")


def read_json(path: Path, problems: list[Problem]) -> tuple[str, list[Record]]:
    """The records of one JSON document, and what kind of document it was."""
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise SourceError(
            f"{path.name}: {size / (1 << 20):.0f} MB is too big for one JSON document "
            f"(limit {MAX_JSON_BYTES >> 20} MB); publish it as the HSDS tabular datapackage (CSV)"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(path.name, line, f"not UTF-8 text: byte 0x{raw[exc.start]:02x}"))
        return "unreadable", []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(path.name, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
        )
        return "unreadable", []
    reader = _Reader(path.name, text, problems)
    return reader.document(data, path.stem)


class _Reader:
    def __init__(self, name: str, text: str, problems: list[Problem]) -> None:
        self.name = name
        self.text = text
        self.problems = problems
        self._records: list[tuple[Path_, Record]] = []
        self._problems: list[tuple[Path_, str, bool]] = []

    def document(self, data: Any, stem: str) -> tuple[str, list[Record]]:
        if isinstance(data, dict) and "contents" in data and isinstance(data["contents"], list):
            kind = self._objects(data["contents"], stem, ("contents",))
            return f"page of {kind}", self._done()
        if isinstance(data, list):
            kind = self._objects(data, stem, ())
            return f"array of {kind}", self._done()
        if not isinstance(data, dict):
            self._problem((), "a HSDS JSON document is an object, an array or a page")
            return "unreadable", self._done()
        if data and all(isinstance(k, str) and k.endswith(".csv") for k in data):
            self._tabular(data)
            return "tabular rows", self._done()
        if "id" not in data and ("openapi_url" in data or "profile" in data):
            version = str(data.get("version", ""))
            if version and not version.startswith("3"):
                self._problem(("version",), f"HSDS version {version} is not 3.x")
            return f"API root (HSDS {version or '?'}; no records)", self._done()
        found = _kind(stem, data)
        if found is None:
            self._problem(
                (), "cannot tell which HSDS object this is (service, organization, location, ...)"
            )
            return "unreadable", self._done()
        self._object(found, data, ())
        return found, self._done()

    def _objects(self, items: list[Any], stem: str, path: Path_) -> str:
        kinds = set()
        for i, item in enumerate(items):
            kind = _kind(stem, item) if isinstance(item, dict) else None
            if kind is None:
                self._problem((*path, i), "not an HSDS object")
                continue
            kinds.add(kind)
            self._object(kind, item, (*path, i))
        return ", ".join(sorted(kinds)) or "nothing"

    def _object(self, kind: str, data: dict[str, Any], path: Path_) -> None:
        errors = list(hsds.validator(kind).iter_errors(data))
        for error in errors:
            where = ".".join(str(p) for p in error.absolute_path)
            self._problem(
                (*path, *error.absolute_path), f"{where + ': ' if where else ''}{error.message}"
            )
        if not errors:
            self._flatten(kind, data, path, {})

    def _flatten(
        self, kind: str, data: dict[str, Any], path: Path_, implied: dict[str, Any]
    ) -> None:
        table = hsds.tables()[kind]
        row = {
            k: v.strip() if isinstance(v, str) else v for k, v in data.items() if k in table.by_name
        }
        filled = set()
        for key, value in implied.items():
            if row.get(key) in (None, ""):
                row[key] = value
                filled.add(key)
        for key, (child_kind, parent_field) in SINGLE.get(kind, {}).items():
            child = data.get(key)
            if isinstance(child, dict) and child.get("id"):
                if row.get(parent_field) in (None, ""):
                    row[parent_field] = child["id"]
                    filled.add(parent_field)
                extra = (
                    {"organization_id": row.get("organization_id")}
                    if child_kind == "program"
                    else {}
                )
                self._flatten(
                    child_kind, child, (*path, key), {k: v for k, v in extra.items() if v}
                )
        for key, (child_kind, field) in CHILDREN.get(kind, {}).items():
            for i, child in enumerate(data.get(key) or []):
                self._flatten(
                    child_kind, child, (*path, key, i), {field: row.get("id")} if field else {}
                )
        for i, child in enumerate(data.get("attributes") or []):
            implied_attr = {"link_id": row.get("id"), "link_entity": kind}
            self._flatten("attribute", child, (*path, "attributes", i), implied_attr)
        for i, child in enumerate(data.get("metadata") or []):
            self._flatten(
                "metadata",
                child,
                (*path, "metadata", i),
                {"resource_id": row.get("id"), "resource_type": kind},
            )
        self._add(table, row, path, frozenset(filled))

    def _tabular(self, data: dict[str, Any]) -> None:
        for file_name, rows in data.items():
            table = hsds.table_for_path(file_name)
            if table is None:
                self._problem(
                    (file_name,), f"{file_name} is not an HSDS 3.0 table; ignored", fatal=False
                )
                continue
            if not isinstance(rows, list):
                self._problem((file_name,), "must be a list of rows")
                continue
            for i, item in enumerate(rows):
                if not isinstance(item, dict):
                    self._problem((file_name, i), "a row must be an object")
                    continue
                self._add(table, _typed(table, item), (file_name, i))

    def _add(
        self,
        table: hsds.Table,
        row: dict[str, Any],
        path: Path_,
        implied: frozenset[str] = frozenset(),
    ) -> None:
        record = Record(table, row, self.name, None, repeatable=True, implied=implied)
        reasons = check_row(table, row)
        for reason in reasons:
            self._problem(path, f"{table.name}: {reason}")
        if not reasons:
            self._records.append((path, record))

    def _problem(self, path: Path_, reason: str, fatal: bool = True) -> None:
        self._problems.append((path, reason, fatal))

    def _done(self) -> list[Record]:
        """Give every record and problem the line its JSON path starts on."""
        wanted = {p for p, _ in self._records} | {p for p, _, _ in self._problems}
        lines = _value_lines(self.text, wanted)
        for path, reason, fatal in self._problems:
            self.problems.append(Problem(self.name, lines.get(path), reason, fatal))
        for path, record in self._records:
            record.line = lines.get(path)
        return [record for _, record in self._records]


def _typed(table: hsds.Table, item: dict[str, Any]) -> dict[str, Any]:
    """A tabular.json row typed like a CSV row: numbers as numbers, everything else as text."""
    row: dict[str, Any] = {}
    for key, value in item.items():
        f = table.by_name.get(key)
        if f is None or value is None or value == "":
            continue
        if f.type == "number" and isinstance(value, str):
            try:
                row[key] = parse_number(value)
            except ValueError:
                row[key] = value  # check_row reports it
        elif f.type != "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            row[key] = str(value)
        else:
            row[key] = value
    return row


def _kind(stem: str, data: dict[str, Any]) -> str | None:
    stem = stem.lower()
    for kind in KINDS:
        if stem.startswith(kind):
            return kind
    keys = set(data)
    if {"service", "location"} & keys and "service_id" not in keys and "status" not in keys:
        return "service_at_location"
    if "location_type" in keys:
        return "location"
    if "status" in keys:
        return "service"
    if keys & {"taxonomy_detail", "code", "parent_id", "term_uri"}:
        return "taxonomy_term"
    if keys & {
        "legal_status",
        "year_incorporated",
        "services",
        "locations",
        "website",
        "tax_status",
    }:
        return "organization"
    if "id" in keys and keys <= {"id", "name", "description", "uri", "version", "metadata"}:
        return "taxonomy"
    return None


_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_WS = re.compile(r"\s*")


def _value_lines(text: str, wanted: set[Path_]) -> dict[Path_, int]:
    """The line on which the value at each wanted JSON path starts (text is valid JSON)."""
    found: dict[Path_, int] = {}
    if not wanted:
        return found

    def skip(pos: int) -> int:
        return _WS.match(text, pos).end()  # type: ignore[union-attr]

    def value(pos: int, path: Path_) -> int:
        pos = skip(pos)
        if path in wanted:
            found[path] = text.count("\n", 0, pos) + 1
        char = text[pos]
        if char == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key, pos = scanstring(text, skip(pos) + 1)
                pos = skip(pos) + 1  # the colon
                pos = skip(value(pos, (*path, key)))
                if text[pos] == "}":
                    return pos + 1
                pos += 1  # the comma
        if char == "[":
            pos = skip(pos + 1)
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                pos = skip(value(pos, (*path, index)))
                if text[pos] == "]":
                    return pos + 1
                pos += 1
                index += 1
        if char == '"':
            return int(scanstring(text, pos + 1)[1])
        return _SCALAR.match(text, pos).end()  # type: ignore[union-attr]

    value(0, ())
    return found
