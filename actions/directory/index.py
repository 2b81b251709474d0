"""What search reads: one row per place a service can be found, with its need bits,
eligibility, confidentiality and coordinates, plus an R*Tree of the coordinates.

Rebuilt from the HSDS tables inside every import's transaction, and by ``reindex`` after the
needs map changes. Only active services are indexed. A location without coordinates is placed
at its ZIP code's or city's centre (``approximate``), so it can still be ranked by distance and
is shown as "about N mi". A service with no physical location is found by its service areas.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from actions.directory.needs import NeedsMap

Geocoder = Callable[[str], tuple[float, float] | None]
SEARCHABLE_STATUS = ("active",)


def _grouped(conn: sqlite3.Connection, sql: str, key: str) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for row in conn.execute(sql):
        out[row[key]].append(row)
    return out


def term_names(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """For each taxonomy term id: its code and name and those of every term above it."""
    terms = {
        r["id"]: r for r in conn.execute("SELECT id, code, name, parent_id FROM taxonomy_terms")
    }
    by_code = {str(r["code"]).lower(): r for r in terms.values() if r["code"]}
    out: dict[str, set[str]] = {}
    for term_id, row in terms.items():
        names: set[str] = set()
        seen: set[str] = set()
        node: Any = row
        while node is not None and node["id"] not in seen:
            seen.add(node["id"])
            names.update(str(x).lower() for x in (node["code"], node["name"]) if x)
            parent = node["parent_id"]
            node = terms.get(parent) or by_code.get(str(parent).lower()) if parent else None
        out[term_id] = names
    return out


def area_keys(names: list[str]) -> str | None:
    """'|belmont|burlingame|' from service area names ("Belmont, Burlingame and Colma")."""
    keys = set()
    for name in names:
        for part in re.split(r",|;|/|\band\b", name.lower()):
            part = " ".join(re.sub(r"[^\w\s]", " ", part).split())
            if part:
                keys.add(part)
    return "|" + "|".join(sorted(keys)) + "|" if keys else None


def rebuild(conn: sqlite3.Connection, needs: NeedsMap, geocode: Geocoder, skip: set[str]) -> int:
    """Recreate the search index from the HSDS tables (in the caller's transaction)."""
    conn.row_factory = sqlite3.Row
    conn.execute("DELETE FROM search_entry")
    conn.execute("DELETE FROM search_box")
    terms = term_names(conn)
    attrs = _grouped(conn, "SELECT link_id, taxonomy_term_id, value FROM attributes", "link_id")
    streets = {
        link_id: str(rows[0]["value"])
        for link_id, rows in _grouped(
            conn,
            "SELECT a.link_id, a.value FROM attributes a "
            "JOIN taxonomy_terms t ON t.id = a.taxonomy_term_id "
            "WHERE t.code = 'street-address' AND a.value IS NOT NULL",
            "link_id",
        ).items()
    }
    sals = _grouped(
        conn, "SELECT id, service_id, location_id FROM service_at_location", "service_id"
    )
    locations = {
        r["id"]: r
        for r in conn.execute("SELECT id, location_type, latitude, longitude FROM locations")
    }
    addresses = _grouped(
        conn,
        "SELECT location_id, city, state_province, postal_code, address_type FROM addresses",
        "location_id",
    )
    areas = _grouped(conn, "SELECT service_id, name FROM service_areas", "service_id")
    placeholders = ",".join("?" * len(SEARCHABLE_STATUS))
    services = conn.execute(
        "SELECT id, name, alternate_name, description, minimum_age, maximum_age FROM services "  # noqa: S608
        f"WHERE status IN ({placeholders})",
        SEARCHABLE_STATUS,
    )
    entries: list[tuple[Any, ...]] = []
    boxes: list[tuple[Any, ...]] = []
    for service in services.fetchall():
        if service["id"] in skip:
            continue
        own = attrs.get(service["id"], [])
        term_set = {n for a in own for n in terms.get(a["taxonomy_term_id"], ())}
        keywords = [
            str(a["value"])
            for a in own
            if a["value"] and "keyword" in terms.get(a["taxonomy_term_id"], ())
        ]
        text = " ".join(
            str(x)
            for x in (service["name"], service["alternate_name"], service["description"], *keywords)
            if x
        ).lower()
        mask = needs.mask(term_set, text)
        if not mask:
            continue
        places = sals.get(service["id"], [])
        area = area_keys([a["name"] for a in areas.get(service["id"], []) if a["name"]])
        for sal in places or [None]:  # type: ignore[list-item]  # None: no physical place
            loc = locations.get(sal["location_id"]) if sal else None
            loc_terms = {
                n
                for lid in (sal and sal["location_id"], sal and sal["id"])
                if lid
                for a in attrs.get(lid, [])
                for n in terms.get(a["taxonomy_term_id"], ())
            }
            point, approximate = _point(
                loc, addresses.get(loc["id"], []) if loc else [], streets, geocode
            )
            entry_id = len(entries) + 1
            entries.append(
                (
                    entry_id,
                    service["id"],
                    loc["id"] if loc else None,
                    sal["id"] if sal else None,
                    point[0] if point else None,
                    point[1] if point else None,
                    int(approximate),
                    mask,
                    service["minimum_age"],
                    service["maximum_age"],
                    *_flags(term_set | loc_terms),
                    area if point is None else None,
                )
            )
            if point:
                boxes += [
                    (entry_id * 64 + bit, point[0], point[0], point[1], point[1], bit, bit)
                    for bit in range(len(needs.needs))
                    if mask >> bit & 1
                ]
    marks = ",".join("?" * 16)
    conn.executemany(f"INSERT INTO search_entry VALUES ({marks})", entries)  # noqa: S608
    conn.executemany("INSERT INTO search_box VALUES (?, ?, ?, ?, ?, ?, ?)", boxes)
    meta = {"needs": json.dumps(needs.names), "needs_fingerprint": needs.fingerprint}
    conn.executemany(
        "INSERT INTO directory_meta VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        list(meta.items()),
    )
    return len(entries)


def _flags(terms: set[str]) -> tuple[Any, ...]:
    """(gender, families, pets, veterans_only, confidential) from flag terms."""
    gender = "female" if "women-only" in terms else "male" if "men-only" in terms else None
    families = 1 if "families-welcome" in terms else 0 if "no-families" in terms else None
    pets = 1 if "pets-welcome" in terms else 0 if "no-pets" in terms else None
    return (
        gender,
        families,
        pets,
        int("veterans-only" in terms),
        int("confidential-location" in terms),
    )


def _point(
    loc: sqlite3.Row | None,
    addresses: list[sqlite3.Row],
    streets: dict[str, str],
    geocode: Geocoder,
) -> tuple[tuple[float, float] | None, bool]:
    if loc is None or loc["location_type"] == "virtual":
        return None, False
    lat, lon = loc["latitude"], loc["longitude"]
    if (
        lat is not None
        and lon is not None
        and -90 <= lat <= 90
        and -180 <= lon <= 180
        and (lat, lon) != (0, 0)
    ):
        return (float(lat), float(lon)), False
    physical = [a for a in addresses if a["address_type"] != "postal"] or addresses
    for address in physical:
        for query in (address["postal_code"], f"{address['city']}, {address['state_province']}"):
            point = geocode(str(query)) if query else None
            if point:
                return point, True
    street = streets.get(loc["id"])
    if street and street.count(",") >= 2:  # "1049 Howard St, San Francisco, CA": the city's centre
        point = geocode(", ".join(p.strip() for p in street.rsplit(",", 2)[1:]))
        if point:
            return point, True
    return None, False
