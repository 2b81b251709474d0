"""Link-SF's facility list (San Francisco, 2013) to HSDS 3.0 rows.

Each facility becomes an organization with one location and one service per entry of its
``services`` list, all in the city the caller names. The file has no coordinates and no ZIP
codes: the street goes in a ``street-address`` attribute (HSDS requires a postal code for an
address), and the index places the location at the city's centre, shown as "about N mi".
Hours are read only when the text is certain (``hours_text``); otherwise they stay unknown.
Gender (F, M) and age groups (C children, Y youth, A adults, S seniors) become flags and age
limits; a limit is set only when the groups leave no doubt.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from actions.directory import flags
from actions.directory.errors import ConversionError
from actions.directory.hours_text import parse_hours

Rows = dict[str, list[dict[str, Any]]]
TAXONOMY = flags.stable_id("taxonomy", "linksf")
CATEGORIES = {
    "food": "Food",
    "housing": "Housing and shelter",
    "hygiene": "Showers, laundry and hygiene",
    "medical": "Medical care",
    "technology": "Computers, phones and job centres",
}
LABEL = {
    "food": "food",
    "housing": "shelter",
    "hygiene": "showers",
    "medical": "clinic",
    "technology": "computers",
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PHONE = re.compile(r"(?:\(\d{3}\)\s*|\b\d{3}[-.\s])?\d{3}[-.\s]?\d{4}\b|\b211\b")


def lid(*parts: object) -> str:
    return flags.stable_id("linksf", *parts)


def load(path: Path) -> list[dict[str, Any]]:
    """The facilities of ``fixture.json`` (a JavaScript assignment: ``fixtureData = [...]``)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConversionError(f"{path}: cannot read: {exc}") from exc
    start = text.find("[")
    if start < 0:
        raise ConversionError(f"{path}: no JSON array after the assignment")
    try:
        data = json.loads(text[start:].strip().rstrip(";"))
    except json.JSONDecodeError as exc:
        line = text.count("\n", 0, start) + exc.lineno
        raise ConversionError(f"{path}:{line}: not valid JSON: {exc.msg}") from exc
    if not isinstance(data, list):
        raise ConversionError(f"{path}: expected a list of facilities")
    return data


def phone_number(text: str | None) -> str | None:
    """The first phone number of a phone field ("(415) 751-0880 (24 hrs) or ...").

    Seven digits are a San Francisco number: they get the 415 area code.
    """
    if not text:
        return None
    match = _PHONE.search(text.replace("\n", " "))
    if not match:
        return None
    number = match.group(0).strip()
    digits = re.sub(r"\D", "", number)
    if len(digits) == 7:
        return f"(415) {digits[:3]}-{digits[3:]}"
    return number


def age_limits(groups: list[str] | None) -> tuple[float | None, float | None]:
    """Age limits of groups C 0-17, Y 12-24, A 18-64, S 60+.

    A minimum only without C and Y, a maximum only without A and S: never exclude by guess.
    """
    codes = {g.upper() for g in groups or []}
    if not codes:
        return None, None
    low = None if codes & {"C", "Y"} else (18.0 if "A" in codes else 60.0)
    high = None if codes & {"A", "S"} else (24.0 if "Y" in codes else 17.0)
    return low, high


def convert(path: Path, city: str, state: str, confidential: set[str] = frozenset()) -> Rows:  # type: ignore[assignment]
    out: Rows = defaultdict(list)
    out["taxonomy"].append(
        {
            "id": TAXONOMY,
            "name": "Link-SF categories",
            "description": "The five categories of Link-SF's directory.",
            "version": "2013",
        }
    )
    for code, name in CATEGORIES.items():
        out["taxonomy_term"].append(
            {
                "id": lid("term", code),
                "code": f"linksf-{code}",
                "name": name,
                "description": name,
                "taxonomy": "Link-SF categories",
                "taxonomy_id": TAXONOMY,
            }
        )
    for n, facility in enumerate(load(path)):
        _facility(out, n, facility, city, state, confidential)
    return out


def _facility(
    out: Rows, n: int, f: dict[str, Any], city: str, state: str, confidential: set[str]
) -> None:
    name = " ".join(str(f.get("name") or "").split())
    if not name:
        raise ConversionError(f"facility {n + 1}: no name")
    key = (name, f.get("address") or "")
    org = lid("organization", *key)
    out["organization"].append(
        {"id": org, "name": name, "description": f.get("description") or f"{name}, {city}"}
    )
    number = phone_number(f.get("phone"))
    if number:
        out["phone"].append(
            {
                "id": lid("phone", *key),
                "organization_id": org,
                "number": number,
                "type": "voice",
                "description": " ".join(str(f["phone"]).split())
                if f["phone"].strip() != number
                else None,
            }
        )
    location = None
    if f.get("address"):
        location = lid("location", *key)
        out["location"].append(
            {"id": location, "organization_id": org, "name": name, "location_type": "physical"}
        )
        street = " ".join(str(f["address"]).split())
        out["attribute"].append(
            flags.attribute("location", location, "street-address", f"{street}, {city}, {state}")
        )
        if name in confidential:
            out["attribute"].append(flags.attribute("location", location, "confidential-location"))
    low, high = age_limits(f.get("age"))
    services = f.get("services") or []
    for i, entry in enumerate(services):
        category = str(entry.get("category") or "").lower()
        if category not in CATEGORIES:
            raise ConversionError(f"facility {name!r}: unknown category {category!r}")
        sid = lid("service", *key, i)
        text = " ".join(str(x) for x in (entry.get("description"), entry.get("notes")) if x)
        out["service"].append(
            {
                "id": sid,
                "organization_id": org,
                "name": name if len(services) == 1 else f"{name} ({LABEL[category]})",
                "description": " ".join(text.split()) or None,
                "status": "active",
                "eligibility_description": _eligibility(f),
                "minimum_age": low,
                "maximum_age": high,
            }
        )
        out["attribute"].append(
            {
                "id": lid("attribute", sid, category),
                "link_id": sid,
                "link_entity": "service",
                "link_type": "taxonomy",
                "taxonomy_term_id": lid("term", category),
            }
        )
        if f.get("gender") in ("F", "M"):
            out["attribute"].append(
                flags.attribute("service", sid, "women-only" if f["gender"] == "F" else "men-only")
            )
        out["service_area"].append({"id": lid("area", sid), "service_id": sid, "name": city})
        if location:
            out["service_at_location"].append(
                {"id": lid("sal", sid), "service_id": sid, "location_id": location}
            )
        _hours(out, sid, entry.get("hours"))


def _eligibility(f: dict[str, Any]) -> str | None:
    groups = {"C": "children", "Y": "youth", "A": "adults", "S": "seniors"}
    parts = []
    if f.get("gender") in ("F", "M"):
        parts.append("women" if f["gender"] == "F" else "men")
    if f.get("age"):
        parts.append(", ".join(groups.get(g, g) for g in f["age"]))
    return "; ".join(parts) or None


def _hours(out: Rows, sid: str, text: str | None) -> None:
    parsed = parse_hours(text)
    if parsed is None:
        if text and text.strip():
            out["schedule"].append(
                {
                    "id": lid("schedule-text", sid),
                    "service_id": sid,
                    "description": " ".join(text.split()),
                    "notes": "hours not machine-readable",
                }
            )
        return
    grouped: dict[tuple[str, str], set[int]] = defaultdict(set)
    for weekdays, start, end in parsed.periods:
        grouped[(start.strftime("%H:%M"), end.strftime("%H:%M"))] |= weekdays
    for (opens, closes), days in sorted(grouped.items()):
        out["schedule"].append(
            {
                "id": lid("schedule", sid, opens, closes),
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": ",".join(WEEKDAYS[d] for d in sorted(days)),
                "opens_at": opens,
                "closes_at": closes,
                "description": " ".join(str(text).split()),
            }
        )
    if parsed.closed_on_holidays:
        out["attribute"].append(flags.attribute("service", sid, "closed-public-holidays"))
