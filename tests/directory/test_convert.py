"""Both converters on the shipped data: Ohana San Mateo CSV and Link-SF to HSDS 3.0."""

from __future__ import annotations

import filecmp
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from actions.directory import build, convert, convert_linksf, convert_ohana, flags, hsds
from actions.directory.errors import ConversionError
from actions.directory.records import check_row
from tests.directory.conftest import SHARED

OHANA = SHARED / "ohana-san-mateo"
LINKSF = SHARED / "linksf-san-francisco" / "fixture.json"


@pytest.fixture(scope="module")
def ohana() -> convert.Rows:
    return convert_ohana.convert(OHANA)


@pytest.fixture(scope="module")
def linksf() -> convert.Rows:
    return convert_linksf.convert(LINKSF, "San Francisco", "CA", {"La Casa de las Madres"})


def _valid(rows: convert.Rows) -> None:
    for name, table_rows in rows.items():
        for row in table_rows:
            assert check_row(hsds.tables()[name], row) == [], (name, row)


def test_ohana_converts_every_table_to_valid_hsds(ohana: convert.Rows) -> None:
    _valid(ohana)
    counts = {name: len(rows) for name, rows in ohana.items()}
    assert counts["organization"] == 8
    assert counts["service"] == 23
    assert counts["location"] == 22
    assert counts["taxonomy_term"] == 290
    assert counts["service_at_location"] == 23


def test_ohana_schedules_become_weekly_rules_with_24_hour_times(ohana: convert.Rows) -> None:
    rules = {(r.get("byday"), r.get("opens_at"), r.get("closes_at")) for r in ohana["schedule"]}
    assert ("MO", "09:00", "03:00") in rules  # "9am" to "03:00": past midnight
    assert ("MO", "14:00", "16:00") in rules  # "4:00 PM"
    assert ("WE", "10:00", "15:00") in rules  # "3pm"


def test_ohana_holidays_become_closures_every_year_and_special_hours(ohana: convert.Rows) -> None:
    closures = [r for r in ohana["schedule"] if r.get("valid_from") and not r.get("opens_at")]
    new_years = {r["valid_from"] for r in closures if r["valid_from"].endswith("-01-01")}
    assert {"2025-01-01", "2030-01-01", "2035-01-01"} <= new_years
    summers = [r for r in closures if r["valid_from"].endswith("-06-01")]
    assert all(r["valid_to"].endswith("-09-01") for r in summers)
    special = [r for r in ohana["schedule"] if r.get("valid_from") == "2015-12-24"]
    assert special
    assert special[0]["opens_at"] == "10:00"
    assert special[0]["closes_at"] == "16:00"


def test_ohana_keywords_taxonomy_and_ages_are_kept(ohana: convert.Rows) -> None:
    corps = next(s for s in ohana["service"] if s["name"] == "Redwood City Corps")
    words = {a["value"] for a in ohana["attribute"] if a["link_id"] == corps["id"]}
    assert "Shelter/Refuge" in words
    rehab = next(s for s in ohana["service"] if s["name"] == "Adult Rehabilitation Center")
    assert (rehab["minimum_age"], rehab["maximum_age"]) == (21.0, 60.0)
    photos = next(s for s in ohana["service"] if s["name"] == "Passport Photos")
    codes = {a["taxonomy_term_id"] for a in ohana["attribute"] if a["link_id"] == photos["id"]}
    assert convert_ohana.oid("term", "108-05-01") in codes


def test_ohana_test_organizations_can_be_left_out() -> None:
    rows = convert_ohana.convert(OHANA, {"6", "7", "8"})
    names = {o["name"] for o in rows["organization"]}
    assert "Example Agency" not in names
    assert "Fake Org" not in names
    assert "Salvation Army" in names
    assert not any(p["number"] == "123-456-7890" for p in rows["phone"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9am", "09:00"), ("4:00 PM", "16:00"), ("3pm", "15:00"), ("08:00", "08:00"), ("12am", "00:00"), ("12pm", "12:00")],
)  # fmt: skip
def test_ohana_times(text: str, expected: str) -> None:
    assert convert_ohana.clock(text, "x") == expected


@pytest.mark.parametrize("text", ["25:00", "9 o'clock", "13pm", ""])
def test_ohana_malformed_times_are_named(text: str) -> None:
    with pytest.raises(ConversionError, match=r"regular_schedules\.csv:4: malformed time"):
        convert_ohana.clock(text, "regular_schedules.csv:4")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Age 21-60, detoxed", (21, 60)), ("Age 55 or over for most programs", (55, None)),
     ("Children under 18", (None, 17)), ("Low-income families", (None, None))],
)  # fmt: skip
def test_ohana_age_limits_from_eligibility_text(
    text: str, expected: tuple[float | None, float | None]
) -> None:
    assert convert_ohana.ages(text) == expected


def test_linksf_converts_every_facility_to_valid_hsds(linksf: convert.Rows) -> None:
    _valid(linksf)
    assert len(linksf["organization"]) == 116
    assert len(linksf["service"]) == sum(1 for _ in linksf["service"]) == 126
    assert {t["code"] for t in linksf["taxonomy_term"]} == {
        "linksf-food", "linksf-housing", "linksf-hygiene", "linksf-medical", "linksf-technology"
    }  # fmt: skip


def test_linksf_hours_eligibility_and_confidentiality(linksf: convert.Rows) -> None:
    by_name = {s["name"]: s for s in linksf["service"]}
    huckleberry = by_name["Huckleberry House"]
    assert huckleberry["maximum_age"] == 24.0
    assert huckleberry["minimum_age"] is None
    schedules = [r for r in linksf["schedule"] if r["service_id"] == huckleberry["id"]]
    assert schedules[0]["opens_at"] == schedules[0]["closes_at"] == "00:00"  # Open 24 hrs.
    woman = by_name["A Woman's Place (shelter)"]
    women_only = flags.term_id("women-only")
    assert any(
        a["link_id"] == woman["id"] and a["taxonomy_term_id"] == women_only
        for a in linksf["attribute"]
    )
    unknown = [r for r in linksf["schedule"] if r["service_id"] == woman["id"]]
    assert unknown
    assert not unknown[0].get("opens_at")
    casa = next(loc for loc in linksf["location"] if loc["name"] == "La Casa de las Madres")
    confidential = flags.term_id("confidential-location")
    assert any(
        a["link_id"] == casa["id"] and a["taxonomy_term_id"] == confidential
        for a in linksf["attribute"]
    )
    general = next(s for s in linksf["service"] if s["name"] == "San Francisco General Hospital")
    closed = flags.term_id("closed-public-holidays")
    assert any(
        a["link_id"] == general["id"] and a["taxonomy_term_id"] == closed
        for a in linksf["attribute"]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("(415) 550-2210", "(415) 550-2210"), ("800-669-6196 (toll-free, 24 hrs.) or 567-1020", "800-669-6196"),
     ("Crisis line: 877-503-1850. Teen crisis line", "877-503-1850"), ("211", "211"),
     ("(415) 673-0911. Ext. 259", "(415) 673-0911"), (None, None), ("none", None)],
)  # fmt: skip
def test_linksf_phone_numbers(text: str | None, expected: str | None) -> None:
    assert convert_linksf.phone_number(text) == expected


@pytest.mark.parametrize(
    ("groups", "expected"),
    [(["S"], (60, None)), (["A", "S"], (18, None)), (["Y", "C"], (None, 24)), (["C"], (None, 17)),
     (["C", "Y", "A"], (None, None)), (None, (None, None))],
)  # fmt: skip
def test_linksf_age_groups(
    groups: list[str] | None, expected: tuple[float | None, float | None]
) -> None:
    assert convert_linksf.age_limits(groups) == expected


def test_linksf_refuses_a_file_that_is_not_its_fixture(tmp_path: Path) -> None:
    bad = tmp_path / "fixture.json"
    bad.write_text('fixtureData = [\n{"name": "x",,}\n];')
    with pytest.raises(ConversionError, match=r"fixture\.json:2: not valid JSON"):
        convert_linksf.load(bad)


def test_the_shipped_data_is_exactly_what_the_converters_make(tmp_path: Path) -> None:
    out = tmp_path / "hsds"
    convert.convert_shipped(SHARED, out)
    shipped = build.SHIPPED
    names = sorted(p.name for p in shipped.iterdir())
    assert names == sorted(p.name for p in out.iterdir())
    mismatch = filecmp.cmpfiles(shipped, out, names, shallow=False)[1]
    assert mismatch == [], (
        "actions/directory/data/hsds is stale: run python -m actions.directory convert"
    )


def test_the_shipped_data_imports_and_every_place_is_searchable(built: Path) -> None:
    with closing(sqlite3.connect(built)) as conn:
        services = conn.execute("SELECT count(*) FROM services WHERE status = 'active'").fetchone()[
            0
        ]
        assert services > 120
        lines = conn.execute(
            "SELECT name FROM services WHERE name LIKE '%988%' OR name LIKE '211%'"
        ).fetchall()
        assert len(lines) == 2  # generated from the region file
        unplaced = conn.execute(
            "SELECT count(*) FROM search_entry e JOIN services s ON s.id = e.service_id "
            "WHERE e.latitude IS NULL AND e.area_keys IS NULL"
        ).fetchone()[0]
        assert unplaced == 0  # every indexed service can be found by distance or by area
