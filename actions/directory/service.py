"""One search as the client experiences it, knowing nothing of Rasa: the reply's text, and
which page of results the client has now seen.

``find()`` resolves the place again with the gazetteer, searches, reads the details of the
page and renders them for the channel. A first page also says what the report counts of the
search (:func:`report_of`): the need, the town or ZIP code, how many services were found and
how far the nearest was; never the client's words or a shared location's coordinates. The words around the listing are the action server's
catalog (``actions/texts.yml``, keys ``directory_*``): a header line, the listing, then the
need's 24/7 line. For SMS the whole reply, words included, fits two GSM-7 segments.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.directory import render
from actions.directory.build import reader
from actions.directory.details import Listing as Result
from actions.directory.details import listing, speaks
from actions.directory.eligibility import profile_from
from actions.directory.errors import DirectoryUnavailable
from actions.directory.hours import holiday_calendar
from actions.directory.search import RADII_MILES, Hit, Where, miles_between, search
from actions.gazetteer import Gazetteer, Place, gazetteer_for
from contract import Listing, Service, as_payload, directions_link
from contract.listing import LABELS, state_of
from region import Region

logger = logging.getLogger(__name__)
Say = Callable[..., str]  # actions.texts.say in the client's language: (key, **values) -> text


@dataclass
class Reply:
    key: str  # the catalog text that heads the reply (tests and logs name replies by it)
    text: str
    page: int = 0
    forget_location: bool = False
    report: dict[str, Any] | None = None  # what the report counts of a search (a first page)
    listing: dict[str, Any] | None = None  # the services as data (contract.listing), not on SMS
    more: bool = False  # there is a next page


def find(
    db: Path,
    need: str | None,
    location: str | None,
    population: Any,
    channel: str,
    page: int,
    now: dt.datetime,
    region: Region,
    say: Say,
    language: str | None = None,
    named_line: str | None = None,
) -> Reply:
    """What to answer a client who asks for ``need`` near ``location`` at the instant ``now``.

    ``named_line``: the topic of a 24/7 line this turn has already named (the crisis reply's),
    which the listing then does not name again."""
    sms = channel == "sms"

    def reply(key: str, *rest: str, page: int = 0, **values: Any) -> Reply:
        text = "\n".join([say(key, **values), *rest])
        return Reply(key, render.to_gsm7(text) if sms else text, page)

    if not need:
        return reply("directory_no_search")
    gazetteer = gazetteer_for(region)
    place = gazetteer.locate(location)
    if place is None:
        echo = (location or "").strip()[:40]
        return Reply("directory_where", say("directory_where", place=echo), forget_location=True)
    name = _place_name(place)
    language = language or region.language
    line = region.line_for(need, language)
    line_text = say("directory_line", line=f"{line.name}: {line.reach_in(language)}")
    if named_line is not None and line == region.line_for(named_line, language):
        line_text = ""  # the crisis reply just named it: no line twice in one turn
    try:
        conn = reader(db)
        found = search(conn, need, _where(gazetteer, place), profile_from(population))
        counted = report_of(gazetteer, place, need, found.hits) if page == 0 else None
        size = render.page_size(channel)
        ordered = found.hits
        if language != region.language:
            # A client writing another language than the region's first: the services that
            # speak it first, nearest first among them (the sort is stable).
            ordered = sorted(found.hits, key=lambda hit: not speaks(conn, hit, language))
        hits = ordered[page * size : (page + 1) * size]
        # These texts name the general line already; the need's own line only if it differs.
        general = line == region.line_for("general", language)
        others = [] if general or not line_text else [line_text]
        if not found.hits:
            nothing = reply("directory_nothing", *others, place=name, radius=f"{found.radius:.0f}")
            nothing.report = counted
            return nothing
        if not hits:
            return reply("directory_no_more", *others, page=page, place=name)
        is_holiday = holiday_calendar(region.gazetteer.country, region.gazetteer.state)
        spoken = language if language != region.language else None
        items = [listing(conn, hit, now, region.tz, is_holiday, spoken) for hit in hits]
    except (DirectoryUnavailable, sqlite3.Error) as exc:
        logger.error("directory search failed: %s", exc)  # the reason, never the client's words
        return reply("directory_unavailable", *([line_text] if line_text else []))
    any_open = any(item.status.is_open for item in items)
    key = _header_key(page, found.widened, any_open)
    header = say(key, place=name, radius=f"{found.radius:.0f}", near=f"{RADII_MILES[0]:.0f}")
    first = page * size + 1
    footer = f"\n{line_text}" if line_text else ""
    if sms:
        words = render.to_gsm7(f"{header}\n{footer}")
        results = render.sms(items, first, now, render.SMS_LIMIT - len(words), say, language)
        text = render.to_gsm7(f"{header}\n{results}{footer}")
        return Reply(key, text, page, report=counted)
    text = f"{header}\n{render.rich(items, first, now, say, language)}{footer}"
    data = Listing(
        header=header,
        footer=line_text,
        labels={name: say(f"label_{name}") for name in LABELS if name != "speaks"}
        | {"speaks": say("directory_speaks")},
        services=tuple(
            _service(n, item, now, say, language, region.gazetteer.country, region.gazetteer.state)
            for n, item in enumerate(items, start=first)
        ),
    )
    more = len(ordered) > (page + 1) * size
    return Reply(key, text, page, report=counted, listing=as_payload(data), more=more)


def _service(
    number: int,
    item: Result,
    now: dt.datetime,
    say: Say,
    language: str,
    country: str,
    state: str,
) -> Service:
    """One result as data for the rich channels (contract.listing), in the client's words."""
    phone, tel = render.dialable(item.phone, country)
    return Service(
        number=number,
        name=item.name,
        state=state_of(item.status.state) or "unknown",
        status=render.status_text(item.status, now, say=say, language=language),
        distance=render.distance_text(item, say=say),
        phone=phone,
        tel=tel,
        address=item.address,
        confidential=item.confidential,
        latitude=item.latitude,
        longitude=item.longitude,
        directions=directions_link(
            item.latitude,
            item.longitude,
            f"{item.address}, {state}" if item.address else None,
            item.confidential,
        ),
        who=render.who_text(item, say),
        url=item.url,
        speaks=item.speaks,
    )


def report_of(gazetteer: Gazetteer, place: Place, need: str, hits: list[Hit]) -> dict[str, Any]:
    """What the report counts of a search: the need, the town (and the ZIP code if the client
    gave one), the town's point when it is in the region (for the map), how many services were
    found and how far the nearest was (confidential places left out).

    A shared location counts as its nearest ZIP code of the region: never its coordinates.
    """
    named = place
    if place.state is None:  # shared coordinates
        named = _nearest_postcode(gazetteer, place.latitude, place.longitude) or place
    town = gazetteer.resolve(f"{named.name}, {named.state}") if named.state else None
    regional = town is not None and town.county in gazetteer.counties
    label = named.name if regional or town is None else f"{named.name}, {named.state}"
    if named.state is None:
        label = "outside the region"
    distances = [h.miles for h in hits if h.miles is not None and not h.confidential]
    return {
        "kind": "search",
        "need": need,
        "place": label,
        "postcode": named.postcode,
        "latitude": town.latitude if regional and town else None,
        "longitude": town.longitude if regional and town else None,
        "found": len(hits),
        "nearest": round(min(distances), 1) if distances else None,
    }


def _header_key(page: int, widened: bool, any_open: bool) -> str:
    if page:
        return "directory_more"
    if widened:
        return "directory_widened" if any_open else "directory_widened_closed"
    return "directory_results" if any_open else "directory_results_closed"


def _place_name(place: Place) -> str:
    return place.postcode or place.name


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
    for zip_place in _regional_postcodes(gazetteer):
        miles = miles_between(lat, lon, zip_place.latitude, zip_place.longitude)
        if best is None or miles < best[0]:
            best = (miles, zip_place)
    return best[1] if best and best[0] <= 15 else None


@functools.lru_cache(maxsize=4)
def _regional_postcodes(gazetteer: Gazetteer) -> tuple[Place, ...]:
    places = (gazetteer.resolve(code) for code in gazetteer.regional_postcodes())
    return tuple(p for p in places if p is not None)
