"""Search: nearest first, answering the need, taking this client; the radius widens when
nothing is near; services with only a service area are found by it; confidential places
never show a street."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from actions.directory import build, flags, render
from actions.directory.details import listing
from actions.directory.eligibility import profile_from
from actions.directory.search import Where, search
from actions.texts import speaker
from tests.directory.conftest import TZ, local

REDWOOD_CITY = Where(37.4852, -122.2364, ("redwood city", "san mateo county", "94063"))
NOW = local(2026, 11, 23, 21, 0)  # a Monday night


def _id(*parts: object) -> str:
    return flags.stable_id("test", *parts)


def service(name: str, miles_north: float | None, **extra: Any) -> dict[str, list[dict[str, Any]]]:
    """One service, at a place ``miles_north`` of Redwood City (None: no place)."""
    sid, org = _id("service", name), _id("org", name)
    rows: dict[str, list[dict[str, Any]]] = {
        "organizations.csv": [{"id": org, "name": f"{name} Inc", "description": "test"}],
        "services.csv": [{"id": sid, "organization_id": org, "name": name, "status": extra.get("status", "active"),
                          "description": extra.get("description", "emergency shelter beds"),
                          "minimum_age": extra.get("min_age"), "maximum_age": extra.get("max_age")}],
        "phones.csv": [{"id": _id("phone", name), "service_id": sid, "number": "650-555-0100"}],
        "attributes.csv": [flags.attribute("service", sid, code) for code in extra.get("flags", [])],
        "service_areas.csv": [{"id": _id("area", name, a), "service_id": sid, "name": a} for a in extra.get("areas", [])],
        "schedules.csv": [{"id": _id("schedule", name), "service_id": sid, "freq": "WEEKLY",
                           "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": o, "closes_at": c}
                          for o, c in ([extra["hours"]] if extra.get("hours") else [])],
    }  # fmt: skip
    if miles_north is not None:
        loc = _id("location", name)
        rows["locations.csv"] = [{"id": loc, "name": name, "location_type": "physical",
                                  "latitude": REDWOOD_CITY.latitude + miles_north / 69.0,
                                  "longitude": REDWOOD_CITY.longitude}]  # fmt: skip
        rows["service_at_location.csv"] = [
            {"id": _id("sal", name), "service_id": sid, "location_id": loc}
        ]
        rows["addresses.csv"] = [{"id": _id("address", name), "location_id": loc, "address_1": f"{len(name)} Main St",
                                  "city": "Redwood City", "state_province": "CA", "postal_code": "94063",
                                  "country": "US", "address_type": "physical"}]  # fmt: skip
        rows["attributes.csv"] += [
            flags.attribute("location", loc, c) for c in extra.get("location_flags", [])
        ]
    return rows


def directory(tmp_path: Path, *services: dict[str, list[dict[str, Any]]]) -> Path:
    tables: dict[str, list[dict[str, Any]]] = {"taxonomies.csv": flags.taxonomy_rows()["taxonomy"],
                                               "taxonomy_terms.csv": flags.taxonomy_rows()["taxonomy_term"]}  # fmt: skip
    for rows in services:
        for name, table_rows in rows.items():
            tables.setdefault(name, []).extend(table_rows)
    tmp_path.mkdir(parents=True, exist_ok=True)
    doc = tmp_path / "tabular.json"
    doc.write_text(json.dumps(tables))
    path = tmp_path / "directory.db"
    build.import_paths(path, [doc])
    return path


def names(
    path: Path, need: str = "shelter", population: Any = None, where: Where = REDWOOD_CITY
) -> list[str]:
    with closing(build.open_directory(path)) as conn:
        found = search(conn, need, where, profile_from(population))
        return [
            conn.execute("SELECT name FROM services WHERE id = ?", (h.service_id,)).fetchone()[0]
            for h in found.hits
        ]


def test_nearest_first(tmp_path: Path) -> None:
    path = directory(tmp_path, service("Far", 8.0), service("Near", 0.5), service("Middle", 3.0))
    assert names(path) == ["Near", "Middle", "Far"]


def test_only_services_that_answer_the_need(tmp_path: Path) -> None:
    path = directory(
        tmp_path, service("Beds", 1.0), service("Pantry", 0.5, description="food pantry, groceries")
    )
    assert names(path, "shelter") == ["Beds"]
    assert names(path, "food") == ["Pantry"]
    assert names(path, "legal") == []


def test_inactive_services_are_never_offered(tmp_path: Path) -> None:
    path = directory(
        tmp_path, service("Closed for good", 0.5, status="defunct"), service("Open", 1.0)
    )
    assert names(path) == ["Open"]


ELIGIBILITY = [
    ("a 17-year-old is not sent to an adults-only shelter", ["17"], {"Adults": {"min_age": 18}, "Youth": {"max_age": 24}, "Anyone": {}}, ["Youth", "Anyone"]),
    ("an adult is not sent to a youth shelter", ["30"], {"Adults": {"min_age": 18}, "Youth": {"max_age": 24}}, ["Adults"]),
    ("youth (no age) keeps adult services that take 18-24", ["youth"], {"Adults": {"min_age": 18}, "Seniors": {"min_age": 60}}, ["Adults"]),
    ("a senior", ["senior"], {"Youth": {"max_age": 24}, "Seniors": {"min_age": 55}}, ["Seniors"]),
    ("a man is not sent to a women-only refuge", ["man"], {"Women": {"flags": ["women-only"]}, "Men": {"flags": ["men-only"]}, "Anyone": {}}, ["Men", "Anyone"]),
    ("a woman is not sent to a men-only shelter", ["woman"], {"Women": {"flags": ["women-only"]}, "Men": {"flags": ["men-only"]}}, ["Women"]),
    ("a family is not sent where children are not taken", ["family"], {"Adults": {"min_age": 18}, "No kids": {"flags": ["no-families"]}, "Families": {"flags": ["families-welcome"]}}, ["Families"]),
    ("pets", ["pets"], {"No pets": {"flags": ["no-pets"]}, "Pets": {"flags": ["pets-welcome"]}, "Unknown": {}}, ["Pets", "Unknown"]),
    ("veterans-only services are for veterans", [], {"Vets": {"flags": ["veterans-only"]}, "Anyone": {}}, ["Anyone"]),
    ("a veteran", ["veteran"], {"Vets": {"flags": ["veterans-only"]}, "Anyone": {}}, ["Vets", "Anyone"]),
    ("saying nothing excludes nothing else", None, {"Adults": {"min_age": 18}, "Women": {"flags": ["women-only"]}}, ["Adults", "Women"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("population", "services", "expected"),
    [e[1:] for e in ELIGIBILITY],
    ids=[e[0] for e in ELIGIBILITY],
)
def test_eligibility(
    tmp_path: Path, population: Any, services: dict[str, dict[str, Any]], expected: list[str]
) -> None:
    rows = [service(name, 0.5 + i, **extra) for i, (name, extra) in enumerate(services.items())]
    assert names(directory(tmp_path, *rows), population=population) == expected


def test_nothing_near_widens_the_radius_and_says_so(tmp_path: Path) -> None:
    path = directory(tmp_path, service("Twenty miles", 20.0))
    with closing(build.open_directory(path)) as conn:
        found = search(conn, "shelter", REDWOOD_CITY, profile_from(None))
    # fewer than a page within 10 and 25 miles: the radius grows to its largest
    assert found.widened
    assert found.radius == 50
    assert len(found.hits) == 1
    assert names(directory(tmp_path / "x", service("Too far", 200.0))) == []


def test_few_near_results_are_topped_up_from_further_away(tmp_path: Path) -> None:
    path = directory(tmp_path, service("Near", 1.0), service("Twenty miles", 20.0))
    with closing(build.open_directory(path)) as conn:
        found = search(conn, "shelter", REDWOOD_CITY, profile_from(None))
    assert not found.widened
    assert [h.miles is not None and round(h.miles) for h in found.hits] == [
        1,
        20,
    ]


def test_services_with_only_a_service_area_match_that_area(tmp_path: Path) -> None:
    path = directory(
        tmp_path,
        service("Near", 1.0),
        service("County outreach", None, areas=["San Mateo County"]),
        service("Alameda outreach", None, areas=["Alameda County"]),
    )
    assert names(path) == ["Near", "County outreach"]
    elsewhere = Where(37.8, -122.27, ("oakland", "alameda county"))
    assert names(path, where=elsewhere) == ["Near", "Alameda outreach"]  # Near: 22 miles away


def _listing(path: Path, position: int = 0, now: dt.datetime = NOW) -> Any:
    with closing(build.open_directory(path)) as conn:
        hit = search(conn, "shelter", REDWOOD_CITY, profile_from(None)).hits[position]
        return listing(conn, hit, now, TZ, lambda day: False)


def test_a_confidential_location_never_shows_its_street_or_distance(tmp_path: Path) -> None:
    path = directory(tmp_path, service("Refuge", 0.5, location_flags=["confidential-location"]))
    item = _listing(path)
    assert item.confidential
    assert item.address == "Redwood City"
    assert item.miles is None
    assert "Main St" not in json.dumps(item.__dict__, default=str)


def test_details_give_phone_address_open_status_and_who(tmp_path: Path) -> None:
    path = directory(
        tmp_path,
        service("Night shelter", 0.5, hours=("20:00", "08:00"), flags=["women-only"], min_age=18),
    )
    item = _listing(path)
    assert (item.name, item.phone, item.address) == (
        "Night shelter",
        "650-555-0100",
        "13 Main St, Redwood City",
    )
    assert item.status.is_open
    assert item.status.until == dt.datetime(2026, 11, 24, 8, 0, tzinfo=TZ)
    assert render.who_text(item) == "women, 18+"
    assert render.who_text(item, speaker("es")) == "mujeres, 18+ años"
    assert not _listing(path, now=local(2026, 11, 24, 9, 0)).status.is_open
