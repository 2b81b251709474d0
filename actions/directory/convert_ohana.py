"""Ohana API CSV (the San Mateo County sample, pre-HSDS) to HSDS 3.0 rows.

Ohana's tables map onto HSDS's nearly one for one. What needs care: ids become stable UUIDs;
a service belongs to one location (a service_at_location row); free-text times ("9am",
"4:00 PM") become HH:MM; weekday schedules become weekly rules; holiday schedules become
closures or special hours (a year of 0001 means every year); keywords and Open Eligibility
taxonomy ids become attributes; age limits are read from the eligibility text when it states
them plainly ("Age 21-60", "age 55 or over").
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from actions.directory import flags
from actions.directory.errors import ConversionError

Rows = dict[str, list[dict[str, Any]]]
WEEKDAY = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
OE_TAXONOMY = flags.stable_id("taxonomy", "open-eligibility")
_RANGE = re.compile(r"\bages?\s+(\d{1,2})\s*(?:-|to)\s*(\d{1,3})\b", re.I)
_OVER = re.compile(r"\bages?\s+(\d{1,2})\s+(?:or|and)\s+(?:over|older|above)\b", re.I)
_UNDER = re.compile(r"\bunder\s+(?:age\s+)?(\d{1,2})\b", re.I)


def oid(kind: str, value: str) -> str:
    return flags.stable_id("ohana", kind, value)


def _read(folder: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    path = folder / name
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            for row in reader:
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
    except OSError as exc:
        raise ConversionError(f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConversionError(f"{path}: not UTF-8 text") from exc


def clock(text: str, where: str) -> str:
    """'9am' -> '09:00', '4:00 PM' -> '16:00', '08:00' -> '08:00'; ConversionError otherwise."""
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", text.strip(), re.I)
    if not match:
        raise ConversionError(f"{where}: malformed time {text!r}")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            raise ConversionError(f"{where}: malformed time {text!r}")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ConversionError(f"{where}: malformed time {text!r}")
    return f"{hour:02d}:{minute:02d}"


def _date(text: str, where: str) -> dt.date:
    for fmt in ("%B %d, %Y", "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(
                text.replace("0001", "2001") if fmt == "%B %d, %Y" else text, fmt
            ).date()
        except ValueError:
            continue
    raise ConversionError(f"{where}: malformed date {text!r}")


def ages(text: str) -> tuple[float | None, float | None]:
    """Age limits an eligibility text states plainly, else (None, None)."""
    if match := _RANGE.search(text):
        return float(match.group(1)), float(match.group(2))
    if match := _OVER.search(text):
        return float(match.group(1)), None
    if match := _UNDER.search(text):
        return None, float(int(match.group(1)) - 1)
    return None, None


def convert(
    folder: Path,
    exclude_organizations: frozenset[str] | set[str] = frozenset(),
    years: tuple[int, int] = (2025, 2035),
) -> Rows:
    """HSDS rows from the Ohana CSV files in ``folder``, without the excluded organizations."""
    out: Rows = defaultdict(list)
    orgs = {}
    for _, r in _read(folder, "organizations.csv"):
        if r["id"] in exclude_organizations:
            continue
        year = re.search(r"\b(1[89]\d\d|20\d\d)\b", r.get("date_incorporated", ""))
        orgs[r["id"]] = oid("organization", r["id"])
        out["organization"].append(
            {
                "id": orgs[r["id"]],
                "name": r["name"],
                "alternate_name": r.get("alternate_name") or None,
                "description": r.get("description") or r["name"],
                "email": r.get("email") or None,
                "website": r.get("website") or None,
                "tax_status": r.get("tax_status") or None,
                "tax_id": r.get("tax_id") or None,
                "legal_status": r.get("legal_status") or None,
                "year_incorporated": float(year.group(1)) if year else None,
            }
        )
    programs = {}
    for _, r in _read(folder, "programs.csv"):
        if r["organization_id"] in orgs:
            programs[r["id"]] = oid("program", r["id"])
            out["program"].append(
                {
                    "id": programs[r["id"]],
                    "organization_id": orgs[r["organization_id"]],
                    "name": r["name"],
                    "alternate_name": r.get("alternate_name") or None,
                    "description": r["name"],
                }
            )
    locations: dict[str, str] = {}
    location_org: dict[str, str] = {}
    for _, r in _read(folder, "locations.csv"):
        if r["organization_id"] not in orgs:
            continue
        lid = locations[r["id"]] = oid("location", r["id"])
        location_org[r["id"]] = orgs[r["organization_id"]]
        out["location"].append(
            {
                "id": lid,
                "organization_id": orgs[r["organization_id"]],
                "name": r["name"],
                "alternate_name": r.get("alternate_name") or None,
                "description": r.get("description") or r.get("short_desc") or None,
                "transportation": r.get("transportation") or None,
                "latitude": float(r["latitude"]) if r.get("latitude") else None,
                "longitude": float(r["longitude"]) if r.get("longitude") else None,
                "location_type": "virtual" if r.get("virtual") == "true" else "physical",
                "url": r.get("website") or None,
            }
        )
        if r.get("accessibility"):
            out["accessibility"].append(
                {
                    "id": oid("accessibility", r["id"]),
                    "location_id": lid,
                    "description": r["accessibility"].replace("_", " "),
                }
            )
        for lang in filter(None, (x.strip() for x in r.get("languages", "").split(","))):
            out["language"].append(
                {
                    "id": oid("language", f"location:{r['id']}:{lang}"),
                    "location_id": lid,
                    "name": lang,
                }
            )
    for name, kind in (("addresses.csv", "physical"), ("mail_addresses.csv", "postal")):
        for _, r in _read(folder, name):
            if r["location_id"] in locations:
                out["address"].append(
                    {
                        "id": oid(f"address:{kind}", r["id"]),
                        "location_id": locations[r["location_id"]],
                        "attention": r.get("attention") or None,
                        "address_1": r["address_1"],
                        "address_2": r.get("address_2") or None,
                        "city": r["city"],
                        "state_province": r["state_province"],
                        "postal_code": r["postal_code"],
                        "country": r.get("country") or "US",
                        "address_type": kind,
                    }
                )
    services = _services(folder, out, locations, location_org, programs)
    contacts = {}
    for _, r in _read(folder, "contacts.csv"):
        owner = _owner(r, orgs, locations, services)
        if owner:
            contacts[r["id"]] = oid("contact", r["id"])
            out["contact"].append(
                {
                    "id": contacts[r["id"]],
                    **owner,
                    "name": r.get("name") or None,
                    "title": r.get("title") or None,
                    "email": r.get("email") or None,
                    "department": r.get("department") or None,
                }
            )
    for _, r in _read(folder, "phones.csv"):
        owner = _owner(r, orgs, locations, services)
        if r.get("contact_id") in contacts:
            owner["contact_id"] = contacts[r["contact_id"]]
        if not owner or not r.get("number"):
            continue
        number = f"{r['country_prefix']} {r['number']}" if r.get("country_prefix") else r["number"]
        out["phone"].append(
            {
                "id": oid("phone", r["id"]),
                **owner,
                "number": number,
                "extension": float(r["extension"]) if r.get("extension", "").isdigit() else None,
                "type": r.get("number_type") or None,
                "description": r.get("department") or None,
            }
        )
    _schedules(folder, out, locations, services, years)
    _taxonomy(folder, out)
    return out


def _services(
    folder: Path,
    out: Rows,
    locations: dict[str, str],
    location_org: dict[str, str],
    programs: dict[str, str],
) -> dict[str, str]:
    services = {}
    for _, r in _read(folder, "services.csv"):
        if r["location_id"] not in locations:
            continue
        sid = services[r["id"]] = oid("service", r["id"])
        low, high = ages(r.get("eligibility", ""))
        eligibility = " ".join(
            x
            for x in (
                r.get("eligibility"),
                f"Audience: {r['audience']}" if r.get("audience") else "",
            )
            if x
        )
        out["service"].append(
            {
                "id": sid,
                "organization_id": location_org[r["location_id"]],
                "program_id": programs.get(r.get("program_id", "")),
                "name": r["name"],
                "alternate_name": r.get("alternate_name") or None,
                "description": r.get("description") or None,
                "url": r.get("website") or None,
                "email": r.get("email") or None,
                "status": r.get("status") or "active",
                "interpretation_services": r.get("interpretation_services") or None,
                "application_process": r.get("application_process") or None,
                "fees_description": r.get("fees") or None,
                "wait_time": r.get("wait_time") or None,
                "eligibility_description": eligibility or None,
                "minimum_age": low,
                "maximum_age": high,
            }
        )
        out["service_at_location"].append(
            {
                "id": oid("sal", r["id"]),
                "service_id": sid,
                "location_id": locations[r["location_id"]],
            }
        )
        for word in _split(r.get("keywords", "")):
            out["attribute"].append(flags.attribute("service", sid, "keyword", word))
        for code in _split(r.get("taxonomy_ids", "")):
            out["attribute"].append(
                {
                    "id": oid("attribute", f"{r['id']}:{code}"),
                    "link_id": sid,
                    "link_entity": "service",
                    "link_type": "taxonomy",
                    "taxonomy_term_id": oid("term", code),
                }
            )
        for area in _split(r.get("service_areas", "")):
            out["service_area"].append(
                {"id": oid("area", f"{r['id']}:{area}"), "service_id": sid, "name": area}
            )
        for lang in _split(r.get("languages", "")):
            out["language"].append(
                {
                    "id": oid("language", f"service:{r['id']}:{lang}"),
                    "service_id": sid,
                    "name": lang,
                }
            )
        if r.get("required_documents"):
            out["required_document"].append(
                {
                    "id": oid("document", r["id"]),
                    "service_id": sid,
                    "document": r["required_documents"],
                }
            )
    return services


def _owner(
    r: dict[str, str], orgs: dict[str, str], locations: dict[str, str], services: dict[str, str]
) -> dict[str, str]:
    owner = {}
    for key, known in (
        ("organization_id", orgs),
        ("location_id", locations),
        ("service_id", services),
    ):
        if r.get(key) in known:
            owner[key] = known[r[key]]
    return owner


def _schedules(
    folder: Path,
    out: Rows,
    locations: dict[str, str],
    services: dict[str, str],
    years: tuple[int, int],
) -> None:
    for line, r in _read(folder, "regular_schedules.csv"):
        where = f"regular_schedules.csv:{line}"
        owner = _owner(r, {}, locations, services)
        if not owner:
            continue
        day = WEEKDAY.get(r["weekday"].lower())
        if day is None:
            raise ConversionError(f"{where}: unknown weekday {r['weekday']!r}")
        out["schedule"].append(
            {
                "id": oid("schedule", r["id"]),
                **owner,
                "freq": "WEEKLY",
                "byday": day,
                "opens_at": clock(r["opens_at"], where),
                "closes_at": clock(r["closes_at"], where),
            }
        )
    for line, r in _read(folder, "holiday_schedules.csv"):
        where = f"holiday_schedules.csv:{line}"
        owner = _owner(r, {}, locations, services)
        if not owner:
            continue
        start, end = _date(r["start_date"], where), _date(r["end_date"], where)
        every_year = "0001" in r["start_date"]
        span_years = range(years[0], years[1] + 1) if every_year else [start.year]
        for year in span_years:
            first = start.replace(year=year)
            last = (
                end.replace(year=year + (1 if every_year and end < start else 0))
                if every_year
                else end
            )
            row: dict[str, Any] = {
                "id": oid("holiday", f"{r['id']}:{year}"),
                **owner,
                "valid_from": first.isoformat(),
                "valid_to": last.isoformat(),
                "description": "Closed" if r.get("closed") == "true" else "Holiday hours",
            }
            if r.get("closed") != "true":
                row["opens_at"], row["closes_at"] = (
                    clock(r["opens_at"], where),
                    clock(r["closes_at"], where),
                )
            out["schedule"].append(row)


def _taxonomy(folder: Path, out: Rows) -> None:
    out["taxonomy"].append(
        {
            "id": OE_TAXONOMY,
            "name": "Open Eligibility",
            "description": "The Open Eligibility taxonomy of human services (Ohana's copy).",
            "version": "2013",
        }
    )
    for _, r in _read(folder, "taxonomy.csv"):
        out["taxonomy_term"].append(
            {
                "id": oid("term", r["taxonomy_id"]),
                "code": r["taxonomy_id"],
                "name": r["name"],
                "description": r["name"],
                "parent_id": oid("term", r["parent_id"]) if r.get("parent_id") else None,
                "taxonomy": "Open Eligibility",
                "taxonomy_id": OE_TAXONOMY,
            }
        )


def _split(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]
