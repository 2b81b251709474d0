"""Finding services: nearest first, answering the need, taking this client.

``search()`` ranks the places within a radius by distance (widening the radius when nothing
is near), then adds services with no physical place whose service area covers the client's
place. It reads only the index (``search_entry`` and its R*Tree); ``details()`` then reads the
HSDS tables for the few results a client will see.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from typing import Any

from actions.directory.eligibility import Profile

RADII_MILES = (10.0, 25.0, 50.0)
MAX_RESULTS = 40
ENOUGH = 5  # widen the radius until this many places are found (or the largest radius)
EARTH_MILES = 3958.8


@dataclass(frozen=True)
class Where:
    """The client's place: its point, and the names a service area might use for it."""

    latitude: float
    longitude: float
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    entry_id: int
    service_id: str
    location_id: str | None
    service_at_location_id: str | None
    miles: float | None  # None: found by service area
    approximate: bool  # the point is its ZIP code's or town's centre, not the place's own
    confidential: bool
    min_age: float | None
    max_age: float | None
    gender: str | None
    latitude: float | None = None  # the place's point (None: found by service area)
    longitude: float | None = None


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    radius: float  # the radius the hits are within
    widened: bool  # nothing within the first radius


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MILES * math.asin(min(1.0, math.sqrt(a)))


def need_bit(conn: sqlite3.Connection, need: str) -> int | None:
    """The bit number of ``need`` in the index (None if the index does not know the need)."""
    row = conn.execute("SELECT value FROM directory_meta WHERE key = 'needs'").fetchone()
    names = json.loads(row[0]) if row and row[0] else []
    return names.index(need) if need in names else None


def search(
    conn: sqlite3.Connection,
    need: str,
    where: Where,
    profile: Profile,
    radii: tuple[float, ...] = RADII_MILES,
    enough: int = ENOUGH,
) -> Found:
    """Places answering ``need`` that would take this client, nearest first, then by area.

    The radius grows until it holds ``enough`` places (``radii``, the ones a client is told
    of); ``widened`` says that none was within the first, which the client is told plainly.
    Where places are dense, smaller radii are tried first and kept when they already hold
    every result a client could page through (``MAX_RESULTS``).
    """
    bit = need_bit(conn, need)
    if bit is None:
        return Found([], radii[-1], False)
    eligible, args = profile.sql()
    near: list[Hit] = []
    radius = radii[0]
    for radius in (radii[0] / 4, radii[0] / 2, *radii):
        near = _within(conn, bit, where, radius, eligible, args)
        if len(near) >= MAX_RESULTS or (radius >= radii[0] and len(near) >= enough):
            break
    radius = max(radius, radii[0])
    widened = bool(near) and not any(h.miles is not None and h.miles <= radii[0] for h in near)
    hits = near[:MAX_RESULTS] + _by_area(conn, bit, where, eligible, args)
    return Found(hits[:MAX_RESULTS], radius, widened)


def _within(
    conn: sqlite3.Connection, bit: int, where: Where, radius: float, eligible: str, args: list[Any]
) -> list[Hit]:
    dlat = radius / 69.0
    dlon = radius / max(1e-6, 69.17 * math.cos(math.radians(where.latitude)))
    rows = conn.execute(
        "SELECT e.* FROM search_box b JOIN search_entry e ON e.id = b.id / 64 "  # noqa: S608 - clauses ours, values bound
        "WHERE b.min_lat >= ? AND b.max_lat <= ? AND b.min_lon >= ? AND b.max_lon <= ? "
        f"AND b.min_need >= ? AND b.max_need <= ? AND {eligible}",
        [
            where.latitude - dlat,
            where.latitude + dlat,
            where.longitude - dlon,
            where.longitude + dlon,
            bit,
            bit,
            *args,
        ],
    ).fetchall()
    hits = []
    for row in rows:
        miles = miles_between(where.latitude, where.longitude, row["latitude"], row["longitude"])
        if miles <= radius:
            hits.append(_hit(row, miles))
    hits.sort(key=lambda h: (h.miles, h.service_id))
    return hits


def _by_area(
    conn: sqlite3.Connection, bit: int, where: Where, eligible: str, args: list[Any]
) -> list[Hit]:
    keys = [n.strip().lower() for n in where.names if n and n.strip()]
    if not keys:
        return []
    likes = " OR ".join("e.area_keys LIKE ?" for _ in keys)
    rows = conn.execute(
        f"SELECT e.* FROM search_entry e WHERE e.latitude IS NULL AND (e.need_mask & ?) != 0 "  # noqa: S608
        f"AND ({likes}) AND {eligible} ORDER BY e.id",
        [1 << bit, *(f"%|{k}|%" for k in keys), *args],
    ).fetchall()
    return [_hit(row, None) for row in rows]


def _hit(row: sqlite3.Row, miles: float | None) -> Hit:
    return Hit(
        entry_id=row["id"],
        service_id=row["service_id"],
        location_id=row["location_id"],
        service_at_location_id=row["service_at_location_id"],
        miles=miles,
        approximate=bool(row["approximate"]),
        confidential=bool(row["confidential"]),
        min_age=row["min_age"],
        max_age=row["max_age"],
        gender=row["gender"],
        latitude=row["latitude"],
        longitude=row["longitude"],
    )
