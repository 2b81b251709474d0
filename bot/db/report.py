"""Report events: what the report counts, kept as it happens, without words or client ids.

One row per thing counted (a conversation begun, a need searched and what was found, a risk
signal, a request for a person, how long it waited), each added inside the transaction of what
it counts (the message, the answer, the case change), so a count is kept exactly when the thing
happened, once. A row holds the hour (cut to its start, UTC), the channel and a few labels
(need, town or ZIP code, tier, reason): never the client's words, never a conversation or
case id. So the report survives the purge of message text, and no row leads back to a person.

What the action server reports of a search (``{"report": {...}}`` beside its reply, see
:func:`search_fields`) is checked here: a payload that is not what it should be adds nothing,
and never fails the answer it came with.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.db import Connection, columns, record
from bot.db.schema import conversations, report_events
from contract import RISK_FOR_INTENT

HOUR = 3600.0
# Rasa's session expiry: a message after this much silence begins a new conversation.
SESSION_GAP = 4 * HOUR
KINDS = ("conversation", "search", "risk", "handoff", "claimed", "unclaimed", "followup")

_ADD = sa.insert(report_events)
_LAST_SEEN = sa.select(conversations.c.updated_at).where(conversations.c.id == sa.bindparam("cid"))
_NEED = re.compile(r"^[a-z][a-z_]{0,31}$")
_POSTCODE = re.compile(r"^\d{5}$")
# A crisis response's handoff reason: the NLU's clear risk, and which.
NLU_RISK = RISK_FOR_INTENT


@dataclass(frozen=True)
class ReportEvent:
    """One counted thing, as the report reads it."""

    hour: float
    kind: str
    channel: str
    need: str | None = None
    place: str | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    found: int | None = None
    nearest: float | None = None
    risk: str | None = None
    tier: str | None = None
    source: str | None = None
    reason: str | None = None
    after_hours: bool | None = None
    outcome: str | None = None
    wait: float | None = None
    service: str | None = None


def hour_of(moment: float) -> float:
    """The start of the hour ``moment`` is in: as fine as the report's times get."""
    return math.floor(moment / HOUR) * HOUR


def add(c: Connection, kind: str, channel: str, at: float, **fields: Any) -> None:
    """Count one ``kind`` at the hour of ``at`` on ``channel``."""
    if kind not in KINDS:
        raise ValueError(f"not a report event: {kind}")
    c.execute(_ADD, {"hour": hour_of(at), "kind": kind, "channel": channel[:16], **fields})


def rows(c: Connection, since: float, until: float) -> list[ReportEvent]:
    """Every event of the hours from ``since`` up to ``until``, oldest first."""
    query = (
        sa.select(*columns(ReportEvent, report_events))
        .where(report_events.c.hour >= hour_of(since), report_events.c.hour < until)
        .order_by(report_events.c.hour, report_events.c.id)
    )
    return [record(ReportEvent, row) for row in c.execute(query)]


# --- what is counted, from where ------------------------------------------------------------------


def conversation_begun(c: Connection, cid: str, channel: str, now: float) -> None:
    """A client message: count a conversation if it is the first in :data:`SESSION_GAP`.

    Read before the message touches its conversation (:func:`bot.db.conversations.touch`).
    """
    last = c.execute(_LAST_SEEN, {"cid": cid}).scalar_one_or_none()
    if last is None or now - float(last) >= SESSION_GAP:
        add(c, "conversation", channel, now)


def search_fields(payload: Any) -> dict[str, Any] | None:
    """The columns of a search the action server reported, checked; None if it is not one.

    ``{"kind": "search", "need": "shelter", "place": "Redwood City", "postcode": "94063",
    "latitude": 37.48, "longitude": -122.23, "found": 7, "nearest": 1.8}``: ``postcode``,
    the point and ``nearest`` may be null. Names are cut to their column; a need is a word.
    """
    if not isinstance(payload, dict) or payload.get("kind") != "search":
        return None
    need, place, found = payload.get("need"), payload.get("place"), payload.get("found")
    if not (isinstance(need, str) and _NEED.match(need)):
        return None
    if not isinstance(place, str) or not place.strip() or not place.isprintable():
        return None
    if isinstance(found, bool) or not isinstance(found, int) or not 0 <= found <= 1_000_000:
        return None
    postcode = payload.get("postcode")
    lat, lon = _number(payload.get("latitude")), _number(payload.get("longitude"))
    point_ok = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
    nearest = _number(payload.get("nearest"))
    return {
        "need": need,
        "place": place.strip()[:64],
        "postcode": postcode if isinstance(postcode, str) and _POSTCODE.match(postcode) else None,
        "latitude": round(lat, 4) if point_ok and lat is not None else None,
        "longitude": round(lon, 4) if point_ok and lon is not None else None,
        "found": found,
        "nearest": round(nearest, 1) if nearest is not None and 0 <= nearest < 25_000 else None,
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def from_answer(
    c: Connection,
    channel: str,
    screened: str | None,
    reports: list[Any],
    handoffs: list[dict[str, Any]],
    now: float,
) -> None:
    """What Rasa's answer to one message counts: the searches the action server reported, and
    a risk signal the NLU found where the gateway's screen (``screened``) found none.

    The NLU's clear risk is a crisis response (a ``handoff`` payload whose reason is a risk
    intent); its uncertain risk is the safety check (``{"kind": "risk", "tier": "uncertain"}``).
    One signal per message: a message the screen caught was counted by the inbox.
    """
    for payload in reports:
        fields = search_fields(payload)
        if fields is not None:
            add(c, "search", channel, now, **fields)
    if screened is not None:
        return
    for handoff in handoffs:
        risk = NLU_RISK.get(str(handoff.get("reason")))
        if risk is not None:
            add(c, "risk", channel, now, risk=risk, tier="clear", source="nlu")
            return
    if any(isinstance(p, dict) and p.get("kind") == "risk" for p in reports):
        add(c, "risk", channel, now, tier="uncertain", source="nlu")


def handoff_asked(
    c: Connection,
    channel: str,
    reason: str,
    level: str,
    after_hours: bool,
    outcome: str,
    now: float,
) -> None:
    """A request for a person: a case opened (``outcome`` "case"), or nobody could answer
    ("nobody": no staff group and no console account)."""
    fields = {"reason": reason[:32], "risk": level, "after_hours": after_hours, "outcome": outcome}
    add(c, "handoff", channel, now, **fields)


def handoff_claimed(
    c: Connection, channel: str, level: str, after_hours: bool, opened_at: float, now: float
) -> None:
    """A person claimed a case: the wait, counted at the hour the client asked."""
    wait = round(max(0.0, now - opened_at))
    add(c, "claimed", channel, opened_at, risk=level, after_hours=after_hours, wait=wait)


def handoff_unclaimed(
    c: Connection,
    channel: str,
    level: str,
    after_hours: bool,
    opened_at: float,
    why: str,
    now: float,
) -> None:
    """A case closed before anyone claimed it (``why``: timeout, or staff closed it unclaimed),
    at the hour the client asked."""
    wait = round(max(0.0, now - opened_at))
    fields = {"risk": level, "after_hours": after_hours, "outcome": why[:16], "wait": wait}
    add(c, "unclaimed", channel, opened_at, **fields)
