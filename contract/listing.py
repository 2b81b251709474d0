"""A directory reply as data: the services a client was shown, for channels that can do more
with them than text (issue 20).

The action server sends, beside the reply's plain text (which SMS keeps as it is), a
``listing`` payload: the header line, one :class:`Service` per result and the 24/7 line, every
word already in the client's language. The gateway renders it per channel: Telegram bolds the
names, pins the nearest open service on a map and offers Directions; the web chat draws a card
per service with Call and Directions links.

A confidential place (a refuge whose street is kept secret) carries its town only, never a
point or a directions link: :func:`listing_from` drops them again on the way in, so that no
channel can pin or link what the data should not have held.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, get_args
from urllib.parse import quote, urlsplit

State = Literal["open", "closed", "unknown"]

# The words a channel puts around the data (in the client's language, from the action server's
# catalog): "Phone:", "For:", "Area:", "Call", "Directions", "Website", and "speaks" (a note
# for a service that speaks the client's language, "" when there is nothing to say).
LABELS: tuple[str, ...] = ("phone", "for", "area", "call", "directions", "website", "speaks")

# Where "Directions" goes: a maps site that opens the phone's maps app, with the destination
# as a point (an exact place) or as the address (a place known only to its street).
DIRECTIONS_POINT = (
    "https://www.google.com/maps/dir/?api=1&destination={latitude:.6f},{longitude:.6f}"
)
DIRECTIONS_ADDRESS = "https://www.google.com/maps/dir/?api=1&destination={address}"


@dataclass(frozen=True)
class Service:
    """One result as the client sees it."""

    number: int  # its place in the whole result list (1, 2, ... 6 on the second page)
    name: str
    state: State  # open now, closed now, or hours unknown
    status: str  # "open til 5pm", "closed, opens Tue 8am", "call first": in the client's words
    distance: str = ""  # "0.8 mi", "about 2.1 mi", "serves your area", "call for address"
    phone: str | None = None  # as people dial it: "+1 650-555-0199"
    tel: str | None = None  # the same as a tel: URI (RFC 3966), for a tap to call
    address: str | None = None  # "660 Veterans Blvd, Redwood City"; the town only if confidential
    confidential: bool = False
    latitude: float | None = None  # only for a public address whose point the data gives
    longitude: float | None = None
    directions: str | None = None  # a maps link: never for a confidential place
    who: str = ""  # "women, 18+"
    url: str | None = None  # the service's own web page (http or https)
    speaks: bool = False  # says it serves people in the conversation's language

    @property
    def pinnable(self) -> bool:
        """Whether a channel may put this service on a map: a public place with a known point."""
        return not self.confidential and self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Listing:
    header: str  # "Near Redwood City:"
    footer: str  # "24/7: 211 San Mateo County: call 211 or text 898211"
    services: tuple[Service, ...] = field(default_factory=tuple)
    labels: dict[str, str] = field(default_factory=dict)  # LABELS -> words

    def nearest_open_pin(self) -> Service | None:
        """The first service in the list's order (nearest first; for a client writing another
        language than the region's, those that speak it first) that is open now and may be
        pinned."""
        return next((s for s in self.services if s.state == "open" and s.pinnable), None)


def directions_link(
    latitude: float | None, longitude: float | None, address: str | None, confidential: bool
) -> str | None:
    """A maps link to the place: its point when the data gives one, else its street address;
    nothing for a confidential place or one without a street."""
    if confidential:
        return None
    if latitude is not None and longitude is not None:
        return DIRECTIONS_POINT.format(latitude=latitude, longitude=longitude)
    if address and any(ch.isdigit() for ch in address):  # a street, not just a town
        return DIRECTIONS_ADDRESS.format(address=quote(address, safe=""))
    return None


def as_payload(listing: Listing) -> dict[str, Any]:
    return {
        "header": listing.header,
        "footer": listing.footer,
        "services": [asdict(s) for s in listing.services],
        "labels": dict(listing.labels),
    }


def listing_from(payload: Any) -> Listing | None:
    """The listing in a payload, or None when it is not one (the channel then shows the text).

    Whatever the payload says, a confidential service leaves here without a point or a
    directions link, and a link that is not http(s) (or a tel: URI) is dropped."""
    if not isinstance(payload, dict):
        return None
    raw = payload.get("services")
    if not isinstance(raw, list) or not raw:
        return None
    services = []
    for item in raw:
        service = _service(item)
        if service is None:
            return None
        services.append(service)
    raw_labels = payload.get("labels")
    if not isinstance(raw_labels, dict):
        raw_labels = {}
    labels = {k: str(raw_labels.get(k) or "") for k in LABELS}
    return Listing(
        str(payload.get("header") or ""), str(payload.get("footer") or ""), tuple(services), labels
    )


def state_of(value: Any) -> State | None:
    """``value`` as a :data:`State`, or None when it is not one."""
    for state in get_args(State):
        if value == state:
            return state
    return None


def _service(item: Any) -> Service | None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None
    number = item.get("number")
    state = state_of(item.get("state"))
    if isinstance(number, bool) or not isinstance(number, int) or state is None:
        return None
    text = {
        k: item.get(k) if isinstance(item.get(k), str) else None
        for k in ("phone", "tel", "address", "directions", "url")
    }
    service = Service(
        number=number,
        name=item["name"],
        state=state,
        status=str(item.get("status") or ""),
        distance=str(item.get("distance") or ""),
        phone=text["phone"],
        tel=text["tel"] if (text["tel"] or "").startswith("tel:") else None,
        address=text["address"],
        confidential=item.get("confidential") is not False,  # only an explicit False is public
        latitude=_coordinate(item.get("latitude"), 90),
        longitude=_coordinate(item.get("longitude"), 180),
        directions=_web_link(text["directions"]),
        who=str(item.get("who") or ""),
        url=_web_link(text["url"]),
        speaks=item.get("speaks") is True,
    )
    if service.latitude is None or service.longitude is None:
        service = replace(service, latitude=None, longitude=None)
    if service.confidential:
        service = replace(service, latitude=None, longitude=None, directions=None)
    return service


def _coordinate(value: Any, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) and -bound <= value <= bound else None


def _web_link(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None
