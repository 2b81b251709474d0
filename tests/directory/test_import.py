"""The importer: every HSDS 3.0 example imports; bad input is reported by file and line, and
leaves the directory exactly as it was."""

from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from actions.directory import build, jsonsource
from actions.directory.errors import ImportRejected, SourceError
from tests.directory.conftest import EXAMPLES, count, snapshot

EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))


def test_every_example_file_is_in_the_list() -> None:
    assert len(EXAMPLE_FILES) == 13  # base, location, organization*, service*, tabular, taxonomy*


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_json_example_imports(fresh: Path, name: str) -> None:
    summary = build.import_paths(fresh, [EXAMPLES / name])
    if name == "base.json":  # the API root: a version, no records
        assert summary.rows == 0
        return
    assert summary.rows > 0
    assert not [w for w in summary.warnings if "error" in str(w)]


def test_the_tabular_example_imports_every_table(fresh: Path) -> None:
    summary = build.import_paths(fresh, [EXAMPLES / "csv"])
    assert set(summary.added) == {
        "organizations", "programs", "services", "attributes", "service_at_location", "locations",
        "phones", "contacts", "addresses", "schedules", "funding", "service_areas",
        "required_documents", "languages", "accessibility", "taxonomy_terms", "metadata",
        "meta_table_descriptions", "cost_options", "organization_identifiers", "taxonomies",
    }  # fmt: skip
    assert count(fresh, "services") == 1
    # The example's datapackage.json is a symbolic link saved as a file: the standard's is used.
    assert any("datapackage.json" in str(w) for w in summary.warnings)
    # Its optional references that lead nowhere are warnings, named by file and line.
    assert any(str(w).startswith("locations.csv:2: warning: location") for w in summary.warnings)


def test_service_full_gives_the_nested_objects_their_references(fresh: Path) -> None:
    build.import_paths(fresh, [EXAMPLES / "service_full.json"])
    conn = sqlite3.connect(fresh)
    service = "ac148810-d857-441c-9679-408f346de14b"
    assert conn.execute("SELECT organization_id, minimum_age FROM services").fetchone() == (
        "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
        12.0,
    )
    assert conn.execute("SELECT service_id FROM service_at_location").fetchone() == (service,)
    assert conn.execute("SELECT link_id, taxonomy_term_id FROM attributes").fetchone() == (
        service,
        "3f7b145d-84af-42d7-8fae-eaca714b02b2",
    )
    assert conn.execute("SELECT count(*) FROM schedules").fetchone() == (1,)  # one object, 4 places
    conn.close()


def test_importing_the_same_data_again_changes_nothing(fresh: Path) -> None:
    build.import_paths(fresh, [EXAMPLES / "csv", EXAMPLES / "service_full.json"])
    before = snapshot(fresh, import_time=False)
    again = build.import_paths(fresh, [EXAMPLES / "csv", EXAMPLES / "service_full.json"])
    assert sum(again.added.values()) == 0
    assert sum(again.updated.values()) == again.rows > 0
    assert snapshot(fresh, import_time=False) == before


def test_a_reimport_updates_by_id(fresh: Path, example_package: Path) -> None:
    build.import_paths(fresh, [example_package])
    _edit(example_package / "services.csv", 2, "name", "Counselling (new name)")
    summary = build.import_paths(fresh, [example_package])
    assert summary.updated["services"] == 1
    assert count(fresh, "services") == 1
    with closing(sqlite3.connect(fresh)) as conn:
        assert conn.execute("SELECT name FROM services").fetchone()[0] == "Counselling (new name)"


def test_the_summary_says_what_was_imported(fresh: Path) -> None:
    lines = build.import_paths(fresh, [EXAMPLES / "csv"]).lines()
    assert "  services: 1 new, 0 updated" in lines
    assert lines[-1].startswith("imported ")
    assert "rows/s" in lines[-1]


# --- Bad input: (what is done to the example package, what the admin is told) ---------------


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def _edit(path: Path, line: int, column: str, value: str) -> None:
    rows = _rows(path)
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)


def _drop_column(path: Path, column: str) -> None:
    rows = _rows(path)
    index = rows[0].index(column)
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([r[:index] + r[index + 1 :] for r in rows])


def _duplicate_row(path: Path) -> None:
    text = path.read_text("utf-8")
    path.write_text(text + text.splitlines()[1] + "\n", "utf-8")


def _latin1(path: Path) -> None:
    rows = path.read_bytes().splitlines()
    rows.append(rows[1].replace(b"ac148810", b"bc148810").replace(b"Community", b"Caf\xe9"))
    path.write_bytes(b"\n".join(rows) + b"\n")


BAD = [
    ("missing required column", lambda p: _drop_column(p / "services.csv", "status"),
     "services.csv:1: error: missing required column(s): status"),
    ("wrong type", lambda p: _edit(p / "services.csv", 2, "minimum_age", "twelve"),
     "services.csv:2: error: 'minimum_age' must be a number, got 'twelve'"),
    ("unknown taxonomy id", lambda p: _edit(p / "attributes.csv", 2, "taxonomy_term_id", "00000000-0000-4000-8000-000000000000"),
     "attributes.csv:2: error: attribute ae58cc39-8b70-4ab1-8aea-786882e5ac8e: unknown taxonomy_term_id"),
    ("malformed time", lambda p: _edit(p / "schedules.csv", 2, "opens_at", "25:00"),
     "schedules.csv:2: error: 'opens_at': malformed time '25:00'"),
    ("malformed date", lambda p: _edit(p / "schedules.csv", 2, "valid_from", "01/02/2005"),
     "schedules.csv:2: error: 'valid_from': malformed date '01/02/2005'"),
    ("duplicate ids", lambda p: _duplicate_row(p / "services.csv"),
     "services.csv:3: error: duplicate service id ac148810-d857-441c-9679-408f346de14b (first at services.csv:2)"),
    ("non-UTF-8 bytes", lambda p: _latin1(p / "services.csv"),
     "services.csv:3: error: not UTF-8 text: byte 0xe9"),
    ("not a uuid", lambda p: _edit(p / "phones.csv", 2, "id", "phone-1"),
     "phones.csv:2: error: 'id': 'phone-1' is not a 'uuid'"),
    ("a value outside the enumeration", lambda p: _edit(p / "services.csv", 2, "status", "open"),
     "services.csv:2: error: 'status' must be one of active, inactive, defunct, temporarily closed"),
    ("a missing required value", lambda p: _edit(p / "organizations.csv", 2, "name", ""),
     "organizations.csv:2: error: missing required value 'name'"),
    ("too few cells", lambda p: (p / "languages.csv").write_text("id,service_id,name\nabc\n", "utf-8"),
     "languages.csv:2: error: 1 cells but the header has 3"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "damage", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_named_by_file_and_line_and_changes_nothing(
    fresh: Path,
    example_package: Path,
    what: str,
    damage,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    build.import_paths(fresh, [EXAMPLES / "service_list.json"])
    before = snapshot(fresh)
    damage(example_package)
    with pytest.raises(ImportRejected) as caught:
        build.import_paths(fresh, [example_package])
    reported = [str(p) for p in caught.value.problems]
    assert any(r.startswith(message) for r in reported), reported
    assert snapshot(fresh) == before


def test_every_bad_row_is_reported_not_just_the_first(fresh: Path, example_package: Path) -> None:
    _edit(example_package / "services.csv", 2, "minimum_age", "twelve")
    _edit(example_package / "schedules.csv", 2, "closes_at", "6pm")
    with pytest.raises(ImportRejected) as caught:
        build.import_paths(fresh, [example_package])
    files = {(p.file, p.line) for p in caught.value.problems if p.fatal}
    assert {("services.csv", 2), ("schedules.csv", 2)} <= files


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"id": "ac148810-d857-441c-9679-408f346de14b",\n "name": "x",\n "status": 5}',
            "service.json:3: error: status: 5 is not of type 'string'",
        ),
        ('{"id": "x",\n  "name": ', "service.json:2: error: not valid JSON"),
        (
            '[\n {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "n", "status": "active"},\n {"id": "bad"}\n]',
            "service.json:3: error:",
        ),
        ('"just a string"', "service.json:1: error: a HSDS JSON document is an object"),
    ],
    ids=["wrong type", "syntax", "second object of an array", "not an object"],
)
def test_bad_json_is_named_by_file_and_line(
    fresh: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "service.json"
    path.write_text(content, "utf-8")
    with pytest.raises(ImportRejected) as caught:
        build.import_paths(fresh, [path])
    assert any(str(p).startswith(message) for p in caught.value.problems), caught.value.problems


def test_json_with_a_service_but_no_organization_is_refused(fresh: Path, tmp_path: Path) -> None:
    path = tmp_path / "service.json"
    path.write_text(
        json.dumps({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "n", "status": "active"})
    )
    with pytest.raises(ImportRejected, match="1 error"):
        build.import_paths(fresh, [path])


def test_a_json_document_too_big_to_read_whole_is_refused_with_advice(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonsource, "MAX_JSON_BYTES", 1000)
    path = tmp_path / "service_list.json"
    path.write_text(" " * 2000 + "{}")
    with pytest.raises(SourceError, match=r"too big for one JSON document.*tabular datapackage"):
        build.import_paths(fresh, [path])


@pytest.mark.parametrize(
    ("name", "message"),
    [("nowhere", "no such file or folder"), ("notes.txt", "expected a datapackage folder"),
     ("people.csv", "not an HSDS 3.0 table name")],
)  # fmt: skip
def test_files_that_are_not_hsds_are_refused(
    fresh: Path, tmp_path: Path, name: str, message: str
) -> None:
    if name != "nowhere":
        (tmp_path / name).write_text("id\n1\n")
    with pytest.raises(SourceError, match=message):
        build.import_paths(fresh, [tmp_path / name])
