"""Staff check-ins: from a case, a member of staff schedules a message to its client.

988's centres check on a person within a day or two of a crisis contact, with their consent;
staff here do it from the case, in the console or with ``/followup`` in the case's Telegram
topic (:mod:`bot.handoff.desk` runs these rules in one transaction):

- **When**: a time in the region's zone, between 9:00 and 20:00 (quiet hours hold for staff's
  messages too), at least a minute ahead and at most :data:`HORIZON` ahead. In Telegram:
  ``tomorrow 10:00``, ``today 15:30``, ``mon 9am``, ``in 3h``, ``2026-12-07 10:00``
  (:func:`parse_when`); in the console, a date and time field.
- **What**: a template in the client's language (a plain check-in, or an appointment reminder
  with the day, time and place as staff type them), or staff's own words, at most
  :data:`MAX_TEXT` characters. The client reads it with a line saying that a reply reaches the
  team (``checkin_hint``).
- **To whom**: the case's client, on their own channel, when it can reach them later: never the
  web chat (its tab is closed), never after an SMS STOP. Staff schedule one only when the client
  agreed to it (the form and ``/followup`` say so); STOP cancels it as it cancels the rest.
- A client who mentioned abuse gets the neutral message first ("Checking in from the help line
  you messaged. Reply 1 if it is a good time."), and staff's words once they say it is.
- **The answer** (:meth:`bot.followups.Followups.take`, within three days): whatever the client
  writes goes to staff, not to the assistant: a case opens for it (reason ``checkin_reply``), in
  the same Telegram topic as the case it came from (:mod:`bot.handoff.intake`).
- **The proposal**: when a high-risk case closes, a check-in within :data:`PROPOSE_WITHIN` is
  proposed: in its topic, on the case's page, and at the top of the console's queue until one is
  scheduled or the day has passed.

Who scheduled or cancelled what is written in the admins' audit log (case, when due, template),
never the words sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.channels.traits import traits
from bot.db import Connection, audit
from bot.db import followups as store
from bot.errors import CheckinRefused
from bot.followups import SENSITIVE_NEED, said_danger, schedule
from bot.handoff import cases
from bot.handoff.model import Case, Staff
from bot.messages import Catalog
from contract import DANGER, INTENT_FOR_RISK

KINDS = ("checkin", "appointment", "own")  # the console's choices; "own" is sent as "checkin"
MAX_TEXT = 600
MAX_FIELD = 120  # an appointment's day and time, or its place, as staff type them
HORIZON = 14 * 24 * 3600.0
SOON = 60.0  # a check-in is at least this far ahead
PROPOSE_WITHIN = 24 * 3600.0  # after a high-risk case closes (988's practice)
DEFAULT_TIME = time(10, 0)  # "tomorrow" without a time


@dataclass(frozen=True)
class Queue:
    """What the console's queue shows of check-ins."""

    proposed: list[Case]  # high-risk cases closed in the last day, with no check-in
    due: list[store.Followup]  # to send, not yet due
    held: list[store.Followup]  # due, not sent: quiet hours, an open case, the gateway down
    unanswered: list[store.Followup]  # sent, no answer yet
    answered: list[store.Followup]
    dropped: list[store.Followup]  # too late, the client unreachable, or cancelled


# --- when ---------------------------------------------------------------------------------------

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_IN = re.compile(r"^in\s+(\d{1,3})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
WHEN_HELP = (
    "Say when: tomorrow 10:00, today 15:30, mon 9am, in 3h, or 2026-12-07 10:00 "
    "(the client's time)."
)


def parse_when(words: str, now: float, zone: ZoneInfo) -> tuple[float, str]:
    """When a check-in is due, from the start of ``words``, and the words after it (the text).
    Raises CheckinRefused, with how to say it, when the start is not a time."""
    tokens = words.split()
    if not tokens:
        raise CheckinRefused(WHEN_HELP)
    here = datetime.fromtimestamp(now, zone)
    first = tokens[0].lower()
    if first == "in" and len(tokens) >= 2:
        for size in (3, 2):  # "in 3 hours", "in 3h"
            found = _IN.match(" ".join(tokens[:size]))
            if found:
                unit = found[2].lower()[0]
                seconds = {"m": 60, "h": 3600, "d": 86400}[unit] * int(found[1])
                return now + seconds, " ".join(tokens[size:])
        raise CheckinRefused(WHEN_HELP)
    if "T" in tokens[0] and _DATE.match(tokens[0].split("T")[0]):  # a browser's date and time
        day_part, clock_part = tokens[0].split("T", 1)
        tokens = [day_part, clock_part, *tokens[1:]]
        first = day_part
    day: date | None = None
    if first in ("today", "tonight"):
        day = here.date()
    elif first == "tomorrow":
        day = here.date() + timedelta(days=1)
    elif first[:3] in _DAYS and first.isalpha():
        ahead = (_DAYS.index(first[:3]) - here.weekday()) % 7 or 7
        day = here.date() + timedelta(days=ahead)
    elif _DATE.match(first):
        found = _DATE.match(first)
        assert found is not None
        try:
            day = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            raise CheckinRefused(f"There is no such day as {first}. {WHEN_HELP}") from None
    rest = tokens[1:] if day is not None else tokens
    clock, used = _clock(rest)
    if day is None:
        if clock is None:
            raise CheckinRefused(WHEN_HELP)
        day = here.date()  # a time alone: today, or tomorrow once it has passed
        if schedule.at(day, clock, zone) <= now:
            day += timedelta(days=1)
    moment = schedule.at(day, clock or DEFAULT_TIME, zone)
    return moment, " ".join(rest[used:])


def _clock(tokens: list[str]) -> tuple[time | None, int]:
    """A time of day at the start of ``tokens`` ("10:00", "9am", "3:30 pm"), and how many
    tokens it took."""
    for size in (2, 1):
        found = _CLOCK.match(" ".join(tokens[:size])) if len(tokens) >= size else None
        if found is None or (size == 2 and not found[3]):
            continue
        hour, minute, half = int(found[1]), int(found[2] or 0), (found[3] or "").lower()
        if half:
            if not 1 <= hour <= 12:
                raise CheckinRefused(f"{hour}{half} is not a time. {WHEN_HELP}")
            hour = hour % 12 + (12 if half == "pm" else 0)
        elif not found[2]:
            continue  # a bare number is not a time ("3 things")
        if hour > 23 or minute > 59:
            raise CheckinRefused(f"{' '.join(tokens[:size])} is not a time. {WHEN_HELP}")
        return time(hour, minute), size
    return None, 0


def shown(moment: float, zone: ZoneInfo) -> str:
    """A moment as staff read it, in the client's zone: "Sun 06 Dec 10:00"."""
    return datetime.fromtimestamp(moment, zone).strftime("%a %d %b %H:%M")


STATES = {
    "scheduled": "to send",
    "checking": "sent neutral, no answer yet",
    "asked": "sent, no answer yet",
    "answered": "answered",
    "cancelled": "cancelled",
    "dropped": "not sent",
}


# Why a check-in was not sent (the worker's note), as staff read it.
WHY = {
    "late": "it could not go within a day of its time (quiet hours, or a case open all along)",
    "unreachable": "the client cannot be reached (erased, or opted out)",
}


def state_of(followup: store.Followup) -> str:
    """What became of a check-in, as staff read it."""
    state = STATES.get(followup.state, followup.state)
    if followup.state == "dropped" and followup.note:
        return f"{state}: {WHY.get(followup.note, followup.note)}"
    return state


def line(followup: store.Followup, zone: ZoneInfo) -> str:
    """One check-in in a list for staff: number, state, when, kind, who scheduled it."""
    when = followup.sent_at if followup.sent_at else followup.due_at
    kind = "appointment reminder" if followup.kind == "appointment" else "check-in"
    return f"#{followup.id} {state_of(followup)} · {shown(when, zone)} · {kind} by {followup.author or '?'}"


def check_when(due: float, now: float, zone: ZoneInfo) -> None:
    """Refuse a time a check-in cannot go at, saying why."""
    said = shown(due, zone)
    if due < now + SOON:
        raise CheckinRefused(f"{said} has passed: pick a time ahead. {WHEN_HELP}")
    if due > now + HORIZON:
        raise CheckinRefused(f"{said} is more than {HORIZON / 86400:.0f} days ahead: pick a "
                             "nearer time.")  # fmt: skip
    if not schedule.in_day(due, zone):
        raise CheckinRefused(
            f"{said} is in quiet hours: check-ins go between "
            f"{schedule.DAY_START:%H:%M} and {schedule.DAY_END:%H:%M}, the client's time."
        )


# --- what ---------------------------------------------------------------------------------------


_APPOINTMENT = re.compile(r"^appointment:?\s+(.+?)\s+at\s+(.+)$", re.IGNORECASE | re.DOTALL)


def read_words(words: str) -> tuple[str, str, str, str]:
    """What staff wrote after the time in Telegram: ``appointment DAY TIME at PLACE`` (a
    reminder), else their own words. (kind, own words, appointment's day and time, place)."""
    found = _APPOINTMENT.match(words.strip())
    if found:
        return "appointment", "", found[1], found[2]
    if words.strip().lower().rstrip(":") == "appointment":
        raise CheckinRefused("Write the appointment as: appointment DAY TIME at PLACE.")
    return "own", words.strip(), "", ""


def compose(
    kind: str, own: str, texts: Catalog, language: str | None, when: str = "", place: str = ""
) -> str:
    """The words a check-in sends: a template in the client's language, or staff's own."""
    said = texts.of(language)
    own, when, place = own.strip(), when.strip(), place.strip()
    if kind == "appointment":
        if not when or not place:
            raise CheckinRefused(
                "An appointment reminder needs the day and time, and the place, as the client "
                "should read them."
            )
        if len(when) > MAX_FIELD or len(place) > MAX_FIELD:
            raise CheckinRefused(f"Keep the day and time, and the place, under {MAX_FIELD} "
                                 "characters each.")  # fmt: skip
        text = said.checkin_appointment.format(when=when, place=place)
        return f"{text} {own}" if own else text
    if kind == "checkin" and not own:
        return said.checkin_template
    if not own:
        raise CheckinRefused("Write what the client should read, or choose a template.")
    return own


# --- scheduling, cancelling, the queue ------------------------------------------------------------


def schedule_checkin(
    c: Connection,
    case: Case,
    staff: Staff,
    due: float,
    kind: str,
    text: str,
    zone: ZoneInfo,
    now: float,
) -> int:
    """Schedule a check-in from ``case`` (refused, with why, when it could not reach the client
    or the time is wrong); its id. Written in the audit log, without the words."""
    why = unreachable(c, case)
    if why:
        raise CheckinRefused(why)
    if not text.strip():
        raise CheckinRefused("Nothing to send: the check-in's text is empty.")
    if len(text) > MAX_TEXT:
        raise CheckinRefused(f"A check-in is at most {MAX_TEXT} characters (this is {len(text)}).")
    check_when(due, now, zone)
    kind = "appointment" if kind == "appointment" else "checkin"
    found = store.add_checkin(
        c, case.conversation_id, case.channel, case.id, kind, text.strip(), staff.name,
        sensitive(c, case), due, now,
    )  # fmt: skip
    when = shown(due, zone)
    cases.add_entry(c, case.id, "system", f"{staff.name} scheduled check-in #{found} for {when}.",
                    now)  # fmt: skip
    audit.write(c, now, staff.name, "checkin", f"case {case.id}", f"#{found} {kind} due {when}")
    return found


def unreachable(c: Connection, case: Case) -> str | None:
    """Why no check-in may be scheduled for ``case``'s client, if none may: their channel cannot
    reach them later, they texted STOP (SMS), or they sent STOP to check-ins and have not said
    yes to a follow-up since."""
    if not traits(case.channel).proactive:
        return (
            f"The client wrote from the {traits(case.channel).label}, which cannot "
            "reach them once they close it: no check-in can be sent."
        )
    if case.opted_out:
        return "The client texted STOP: nothing can reach them until they text START."
    if store.stopped_since(c, case.conversation_id) is not None:
        return (
            "The client sent STOP to check-ins: none can be scheduled unless they"
            " say yes to a follow-up again."
        )
    return None


def sensitive(c: Connection, case: Case) -> bool:
    """Whether the client mentioned abuse: their check-in begins neutral."""
    return (
        case.details.get("need") == SENSITIVE_NEED
        or case.reason == INTENT_FOR_RISK[DANGER]
        or said_danger(c, case.conversation_id)
    )


def cancel_checkin(
    c: Connection, followup_id: int, staff: Staff, now: float, case_id: int | None = None
) -> store.Followup:
    """Cancel a staff check-in not sent (or not answered) yet; refused, with why, otherwise."""
    found = store.get(c, followup_id)
    if found is None or not found.by_staff or (case_id is not None and found.case_id != case_id):
        where = f" in case #{case_id}" if case_id is not None else ""
        raise CheckinRefused(f"There is no check-in #{followup_id}{where}.")
    cancelled = store.cancel(c, followup_id, f"by {staff.name}", now)
    if cancelled is None:
        raise CheckinRefused(f"Check-in #{followup_id} is {found.state}: nothing to cancel.")
    if found.case_id is not None:
        cases.add_entry(c, found.case_id, "system",
                        f"{staff.name} cancelled check-in #{followup_id}.", now)  # fmt: skip
    audit.write(c, now, staff.name, "checkin_cancel", f"case {found.case_id}", f"#{followup_id}")
    return cancelled


def proposal(c: Connection, case: Case, now: float) -> bool:
    """Whether a check-in is proposed for ``case``: high risk, closed within the last day, and
    its client one a check-in may reach (:func:`unreachable`)."""
    return (
        case.risk == "high"
        and case.closed_at is not None
        and now - case.closed_at < PROPOSE_WITHIN
        and unreachable(c, case) is None
    )


def queue(c: Connection, now: float, since: float) -> Queue:
    """Check-ins for the console's queue: proposed, due, held, unanswered, answered, dropped
    (the last three since ``since``)."""
    recent = [
        case for case in cases.closed_since(c, now - PROPOSE_WITHIN) if proposal(c, case, now)
    ]
    scheduled = store.checked_in(c, [case.id for case in recent])
    rows = store.staff_checkins(c, since)
    return Queue(
        proposed=[case for case in recent if case.id not in scheduled],
        due=[f for f in rows if f.state == "scheduled" and f.due_at > now],
        held=[f for f in rows if f.state == "scheduled" and f.due_at <= now],
        unanswered=[f for f in rows if f.state in store.WAITING],
        answered=[f for f in rows if f.state == "answered"],
        dropped=[f for f in rows if f.state in ("dropped", "cancelled")],
    )
