"""One search as the client experiences it, knowing nothing of Rasa: which response to say,
with which values, and which page of results the client has now seen.

``find()`` resolves the place again with the gazetteer, searches, reads the details of the
page, and renders them for the channel. The words around the listing are the domain's
responses (``utter_directory_*``); for SMS the reply is measured with those words filled in so
the whole of it fits in two GSM-7 segments.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions.directory import render
from actions.directory.build import open_directory
from actions.directory.details import listing
from actions.directory.eligibility import profile_from
from actions.directory.errors import DirectoryUnavailable
from actions.directory.hours import holiday_calendar
from actions.directory.search import RADII_MILES, Where, miles_between, search
from actions.gazetteer import Gazetteer, Place, gazetteer_for
from actions.location import resolve_location
from region import Region

_FIELD = re.compile(r"\{(\w+)\}")


@dataclass
class Reply:
    response: str
    values: dict[str, str] = field(default_factory=dict)
    page: int = 0
    forget_location: bool = False

    def text(self, templates: Mapping[str, str]) -> str:
        """The reply as the client reads it (the domain's template, filled)."""
        return fill(templates.get(self.response, "{results}"), self.values)


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders as Rasa does (unknown names are left as they are)."""
    return _FIELD.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template
    )


def find(
    db: Path,
    need: str | None,
    location: str | None,
    population: Any,
    channel: str,
    page: int,
    now: dt.datetime,
    region: Region,
    templates: Mapping[str, str],
) -> Reply:
    """What to answer a client who asks for ``need`` near ``location`` at the instant ``now``."""
    base = region.template_values()
    if not need:
        return Reply("utter_directory_no_search", base)
    gazetteer = gazetteer_for(region)
    place = resolve_location(gazetteer, location)
    if place is None:
        return Reply(
            "utter_directory_where", {**base, "place": (location or "")[:40]}, forget_location=True
        )
    line = region.line_for(need)
    values = {**base, "place": _place_name(place), "line": f"{line.name}: {line.how_to_reach}"}
    try:
        conn = open_directory(db)
    except DirectoryUnavailable:
        return Reply("utter_directory_unavailable", values)
    try:
        found = search(conn, need, _where(gazetteer, place), profile_from(population))
        size = render.page_size(channel)
        hits = found.hits[page * size : (page + 1) * size]
        values["radius"] = f"{found.radius:.0f}"
        if not found.hits:
            return Reply("utter_directory_nothing", values, page=0)
        if not hits:
            return Reply("utter_directory_no_more", values, page=page)
        country = region.gazetteer.country
        is_holiday = holiday_calendar(country, region.gazetteer.state)
        items = [listing(conn, hit, now, region.tz, is_holiday) for hit in hits]
    finally:
        conn.close()
    any_open = any(item.status.is_open for item in items)
    if page:
        response = "utter_directory_more"
    elif found.widened:
        response = "utter_directory_widened" if any_open else "utter_directory_widened_closed"
        values["near"] = f"{RADII_MILES[0]:.0f}"
    else:
        response = "utter_directory_results" if any_open else "utter_directory_results_closed"
    first = page * size + 1
    if channel == "sms":
        values = {k: render.to_gsm7(v) for k, v in values.items()}
        overhead = len(
            render.to_gsm7(fill(templates.get(response, "{results}"), {**values, "results": ""}))
        )
        values["results"] = render.sms(items, first, now, render.SMS_LIMIT - overhead)
    else:
        values["results"] = render.rich(items, first, now)
    return Reply(response, values, page=page)


def find_text(
    db: Path,
    need: str,
    place: str,
    population: list[str],
    channel: str,
    page: int,
    now: dt.datetime,
) -> str:
    """The reply as text, with the domain's words (for the admin's ``search`` command)."""
    from actions.context import region

    reply = find(db, need, place, population, channel, page, now, region(), domain_templates())
    return reply.text(domain_templates())


@functools.lru_cache(maxsize=1)
def domain_templates(path: Path | None = None) -> dict[str, str]:
    """The first text of each ``utter_directory_*`` response of domain.yml."""
    import yaml

    path = path or Path(__file__).resolve().parents[2] / "domain.yml"
    responses = (yaml.safe_load(path.read_text("utf-8")) or {}).get("responses") or {}
    return templates_from(responses)


def templates_from(responses: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: str(variants[0].get("text", ""))
        for name, variants in responses.items()
        if name.startswith("utter_directory") and variants
    }


def _place_name(place: Place) -> str:
    if place.postcode:
        return place.postcode
    return place.name


def _where(gazetteer: Gazetteer, place: Place) -> Where:
    """The place's point, and the names a service area may call it by."""
    names = [place.name, place.county, place.postcode]
    if place.state is None:  # shared coordinates: the nearest of the region's ZIP codes names it
        nearest = _nearest_postcode(gazetteer, place.latitude, place.longitude)
        if nearest is not None:
            names += [nearest.name, nearest.county, nearest.postcode]
    return Where(place.latitude, place.longitude, tuple(str(n) for n in names if n))


def _nearest_postcode(gazetteer: Gazetteer, lat: float, lon: float) -> Place | None:
    best: tuple[float, Place] | None = None
    for code in _regional_postcodes(gazetteer):
        zip_place = gazetteer.resolve(code)
        if zip_place is None:
            continue
        miles = miles_between(lat, lon, zip_place.latitude, zip_place.longitude)
        if best is None or miles < best[0]:
            best = (miles, zip_place)
    return best[1] if best and best[0] <= 15 else None


@functools.lru_cache(maxsize=4)
def _regional_postcodes(gazetteer: Gazetteer) -> tuple[str, ...]:
    return tuple(gazetteer.regional_postcodes())
