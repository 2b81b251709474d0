"""Making the shipped directory: convert the reference data and write an HSDS 3.0 datapackage.

``convert_shipped(shared, out)`` runs both converters with the decisions in
``actions/directory/data/sources.yml``, adds the project's own taxonomy, and writes ``out/*.csv`` and
``out/datapackage.json`` (the standard's table schemas, for the resources present), deterministic
so that re-running it on the same data changes no byte.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from actions.directory import convert_linksf, convert_ohana, flags, hsds
from actions.directory.errors import ConversionError

SOURCES = Path(__file__).resolve().parent / "data" / "sources.yml"
Rows = dict[str, list[dict[str, Any]]]


def convert_shipped(shared: Path, out: Path, sources: Path = SOURCES) -> list[str]:
    """Convert ``shared``/ohana-san-mateo and ``shared``/linksf-san-francisco into ``out``."""
    config = yaml.safe_load(sources.read_text("utf-8")) or {}
    ohana_cfg = config.get("ohana-san-mateo") or {}
    linksf_cfg = config.get("linksf-san-francisco") or {}
    years = tuple(ohana_cfg.get("recurring_years") or (2025, 2035))
    ohana = convert_ohana.convert(
        shared / "ohana-san-mateo",
        set(map(str, ohana_cfg.get("exclude_organizations") or {})),
        (years[0], years[1]),
    )
    linksf = convert_linksf.convert(
        shared / "linksf-san-francisco" / "fixture.json",
        str(linksf_cfg.get("city") or "San Francisco"),
        str(linksf_cfg.get("state") or "CA"),
        set(linksf_cfg.get("confidential") or []),
    )
    rows = merge(ohana, linksf, flags.taxonomy_rows())
    written = write_package(rows, out)
    return [f"wrote {out / name}: {count} rows" for name, count in written]


def merge(*parts: Rows) -> Rows:
    merged: Rows = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for part in parts:
        for name, rows in part.items():
            for row in rows:
                if (name, row["id"]) in seen:
                    raise ConversionError(f"two {name} rows with id {row['id']}")
                seen.add((name, row["id"]))
                merged[name].append(row)
    return merged


def write_package(rows: Rows, out: Path) -> list[tuple[str, int]]:
    """Write one CSV per table (standard column order, sorted by id) and the descriptor."""
    out.mkdir(parents=True, exist_ok=True)
    resources, written = [], []
    for name, table in hsds.tables().items():
        table_rows = sorted(rows.get(name, []), key=lambda r: r["id"])
        path = out / table.path
        if not table_rows:
            path.unlink(missing_ok=True)
            continue
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(table.columns)
            for row in table_rows:
                writer.writerow([_cell(row.get(c)) for c in table.columns])
        resource = next(r for r in hsds.datapackage()["resources"] if r["name"] == name)
        resources.append(
            {k: resource[k] for k in ("name", "path", "profile", "schema") if k in resource}
        )
        written.append((table.path, len(table_rows)))
    package = {
        "profile": "tabular-data-package",
        "name": "crisis-assistant-directory",
        "title": "Services for the crisis signposting assistant (HSDS 3.0)",
        "version": "3.0",
        "licenses": [
            {"name": "BSD-3-Clause", "title": "Ohana San Mateo data, Code for America"},
            {"name": "Apache-2.0", "title": "Link-SF data"},
        ],
        "resources": resources,
    }
    (out / "datapackage.json").write_text(
        json.dumps(package, indent=1, ensure_ascii=False) + "\n", "utf-8"
    )
    return written


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
