"""The HSDS 3.0 standard as this project ships it (``hsds_schema/``, CC BY-SA 4.0, see PROVENANCE).

``TABLES`` describes each table of the tabular datapackage (fields, types, which are required,
enumerations, references); ``validator(name)`` is a ``jsonschema`` validator for one object of
the JSON API form (``service``, ``location``, ...), with the schemas' ``$ref``s resolved
offline. Loaded on first use, not at import.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_DIR = Path(__file__).with_name("hsds_schema")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: string, number, date, time, datetime
    required: bool
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    """One resource of the datapackage: ``service`` stored in table ``services``."""

    name: str
    table: str
    path: str
    fields: tuple[Field, ...]
    references: tuple[tuple[str, str], ...]  # (field, referenced table)

    @functools.cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


@functools.lru_cache(maxsize=1)
def datapackage() -> dict[str, Any]:
    """The standard's tabular datapackage descriptor."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / "datapackage.json").read_text("utf-8"))
    return data


@functools.lru_cache(maxsize=1)
def tables() -> dict[str, Table]:
    """Every HSDS table, by resource name, in the standard's order."""
    package = datapackage()
    table_of = {r["name"]: r["path"][: -len(".csv")] for r in package["resources"]}
    out: dict[str, Table] = {}
    for resource in package["resources"]:
        schema = resource["schema"]
        fields = tuple(
            Field(
                name=f["name"],
                type=f["type"],
                required=bool(f.get("constraints", {}).get("required")),
                enum=tuple(f["constraints"]["enum"])
                if "enum" in f.get("constraints", {})
                else None,
            )
            for f in schema["fields"]
        )
        refs = tuple(
            (fk["fields"], table_of[fk["reference"]["resource"]])
            for fk in schema.get("foreignKeys") or []
        )
        out[resource["name"]] = Table(
            name=resource["name"],
            table=table_of[resource["name"]],
            path=resource["path"],
            fields=fields,
            references=refs,
        )
    return out


def table_for_path(path: str) -> Table | None:
    """The table a CSV file name (``services.csv``) holds, if it is an HSDS one."""
    for table in tables().values():
        if table.path == path:
            return table
    return None


@functools.lru_cache(maxsize=1)
def _store() -> dict[str, Any]:
    store = {}
    for path in SCHEMA_DIR.glob("*.json"):
        if path.name != "datapackage.json":
            store[path.name] = json.loads(path.read_text("utf-8"))
    return store


@functools.lru_cache(maxsize=32)
def validator(name: str) -> jsonschema.protocols.Validator:
    """A validator for one HSDS object (``service``), formats (uuid, email, date-time) checked."""
    store = _store()
    schema = store[f"{name}.json"]
    resolver = jsonschema.RefResolver(base_uri="", referrer=schema, store=store)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)
