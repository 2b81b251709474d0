"""What a client sees of one search hit: name, phone, short address, open now, who it is for.

Reads the HSDS tables for one hit. The most specific data wins: the service at that location,
then the service, then the location, then the organization (phones); schedules likewise.
A confidential location gives its city only, never its street.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import string
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from actions.directory import flags
from actions.directory.hours import Hours, Status, hours_from_rows
from actions.directory.search import Hit

PHONE_TYPES = ("voice", "hotline", "", None, "cell", "sms", "text", "tty")  # never fax or pager


@dataclass(frozen=True)
class Listing:
    service_id: str
    name: str
    miles: float | None
    approximate: bool
    status: Status
    phone: str | None
    address: str | None  # "660 Veterans Blvd, Redwood City" or just the city when confidential
    confidential: bool
    speaks: bool = False  # says it serves people in the client's language (HSDS `language`)
    # The place's own point, for a map: only when the data gives it (not a ZIP code's centre)
    # and the address is public.
    latitude: float | None = None
    longitude: float | None = None
    url: str | None = None  # the service's web page, else its organization's
    # Who it takes, as data: who_text (render.py) says it in the client's language.
    min_age: float | None = None
    max_age: float | None = None
    gender: str | None = None


# How HSDS `language` records name a conversation's language: ISO 639-1 and -3 codes, and
# the names data providers write.
LANGUAGE_NAMES = {
    "es": ("es", "spa", "spanish", "espanol", "español", "castellano"),
    "en": ("en", "eng", "english"),
}


def speaks(conn: sqlite3.Connection, hit: Hit, language: str) -> bool:
    """Whether the service, or its location, lists ``language`` among the languages it serves."""
    names = LANGUAGE_NAMES.get(language, (language,))
    rows = conn.execute(
        "SELECT name, code FROM languages WHERE service_id = ? OR location_id = ?",
        (hit.service_id, hit.location_id),
    ).fetchall()
    return any(
        str(value).strip().lower() in names for row in rows for value in row if value is not None
    )


def listing(
    conn: sqlite3.Connection,
    hit: Hit,
    now: dt.datetime,
    tz: ZoneInfo,
    is_holiday: Callable[[dt.date], bool],
    language: str | None = None,
) -> Listing:
    service = conn.execute("SELECT * FROM services WHERE id = ?", (hit.service_id,)).fetchone()
    owners = [x for x in (hit.service_at_location_id, hit.service_id, hit.location_id) if x]
    closed_holidays = conn.execute(
        "SELECT 1 FROM attributes WHERE taxonomy_term_id = ? "  # noqa: S608 - placeholders only
        f"AND link_id IN ({','.join('?' * len(owners))})",
        [flags.term_id("closed-public-holidays"), *owners],
    ).fetchone()
    exact = (
        (hit.latitude, hit.longitude)
        if not (hit.confidential or hit.approximate)
        and hit.latitude is not None
        and hit.longitude is not None
        else None
    )
    return Listing(
        service_id=hit.service_id,
        name=" ".join(str(service["name"]).split()),
        miles=None if hit.confidential else hit.miles,
        approximate=hit.approximate,
        status=_hours(conn, hit, bool(closed_holidays)).status(now, tz, is_holiday),
        phone=_phone(conn, hit, service["organization_id"]),
        address=_address(conn, hit.location_id, hit.confidential),
        confidential=hit.confidential,
        speaks=bool(language) and speaks(conn, hit, str(language)),
        latitude=exact[0] if exact else None,
        longitude=exact[1] if exact else None,
        url=_url(conn, service),
        min_age=hit.min_age,
        max_age=hit.max_age,
        gender=hit.gender,
    )


def _url(conn: sqlite3.Connection, service: sqlite3.Row) -> str | None:
    urls = [service["url"]]
    if service["organization_id"]:
        row = conn.execute(
            "SELECT website FROM organizations WHERE id = ?", (service["organization_id"],)
        ).fetchone()
        urls.append(row["website"] if row else None)
    for url in urls:
        url = str(url or "").strip()
        if url.lower().startswith(("http://", "https://")):
            return url
        if url.lower().startswith("www."):
            return f"https://{url}"
    return None


def _hours(conn: sqlite3.Connection, hit: Hit, closed_on_holidays: bool) -> Hours:
    for column, value in (
        ("service_at_location_id", hit.service_at_location_id),
        ("service_id", hit.service_id),
        ("location_id", hit.location_id),
    ):
        if not value:
            continue
        rows = conn.execute(f"SELECT * FROM schedules WHERE {column} = ?", (value,)).fetchall()  # noqa: S608
        if column == "service_id":
            rows = [
                r
                for r in rows
                if not r["service_at_location_id"] and r["location_id"] in (None, hit.location_id)
            ]
        if rows:
            return hours_from_rows([dict(r) for r in rows], closed_on_holidays)
    return hours_from_rows([], closed_on_holidays)


def _phone(conn: sqlite3.Connection, hit: Hit, organization_id: str | None) -> str | None:
    for column, value in (
        ("service_at_location_id", hit.service_at_location_id),
        ("service_id", hit.service_id),
        ("location_id", hit.location_id),
        ("organization_id", organization_id),
    ):
        if not value:
            continue
        rows = conn.execute(
            f"SELECT number, extension, type FROM phones WHERE {column} = ?",  # noqa: S608 - our names
            (value,),
        ).fetchall()
        usable = [r for r in rows if (r["type"] or "").lower() in PHONE_TYPES]
        usable.sort(key=lambda r: PHONE_TYPES.index((r["type"] or "").lower()))
        if usable:
            number = str(usable[0]["number"]).strip().strip('"').strip()
            ext = usable[0]["extension"]
            return f"{number} x{int(ext)}" if ext else number
    return None


def _address(conn: sqlite3.Connection, location_id: str | None, confidential: bool) -> str | None:
    if not location_id:
        return None
    rows = conn.execute(
        "SELECT address_1, city, address_type FROM addresses WHERE location_id = ? "
        "ORDER BY address_type = 'physical' DESC",
        (location_id,),
    ).fetchall()
    if not rows:
        return _street_attribute(conn, location_id, confidential)
    city = rows[0]["city"] or ""
    if confidential:
        return city or None
    street = re.sub(r"\s*\(.*?(\)|$)", "", str(rows[0]["address_1"] or "")).strip(" .,")
    return (
        ", ".join(p for p in (string.capwords(street) if street.isupper() else street, city) if p)
        or None
    )


def _street_attribute(conn: sqlite3.Connection, location_id: str, confidential: bool) -> str | None:
    """The ``street-address`` flag ("1049 Howard (bet. 6th & 7th), San Francisco, CA")."""
    row = conn.execute(
        "SELECT value FROM attributes WHERE link_id = ? AND taxonomy_term_id = ?",
        (location_id, flags.term_id("street-address")),
    ).fetchone()
    if not row or not row[0]:
        return None
    parts = [p.strip() for p in str(row[0]).rsplit(",", 2)]
    city = parts[1] if len(parts) == 3 else ""
    if confidential:
        return city or None
    street = re.sub(r"\s*\(.*?(\)|$)", "", parts[0]).strip(" .,")
    street = string.capwords(street) if street.isupper() else street
    return ", ".join(p for p in (street, city) if p) or None
