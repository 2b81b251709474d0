"""The follow-ups' rows in the gateway store (``consents``, ``followups``; :mod:`bot.followups`
decides what they mean): every function runs inside the caller's transaction.

A consent is asked once per search it follows (``answer`` "asked"), then answered "yes" or
"no", or "stopped" by an opt-out. A follow-up is ``scheduled`` until a worker claims it with a
lease (:func:`claim`) and sends it: then ``asked`` (the outcome question is out), or
``checking`` (a neutral "is it a good time?" went first); ``answered`` once the client said what
happened; ``cancelled`` (STOP, an erasure, the client blocked the bot) or ``dropped`` (too late,
or the client cannot be reached). A question never answered stays ``asked``: an answer counts
for :data:`ANSWER_WINDOW` after it went, and the retention purge takes it once it went before
the cutoff (:func:`over`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bot.db import Connection, any_since, columns, record
from bot.db.events import add as add_event
from bot.db.schema import consents, events, followups, inbound

LEASE = 120.0  # seconds a worker holds what it claimed before another may take it
OFFER_WINDOW = 24 * 3600.0  # a yes or no to an offer counts this long
ANSWER_WINDOW = 3 * 24 * 3600.0  # an answer to the question counts this long after it went
WAITING = ("asked", "checking")
LIVE = ("scheduled", *WAITING)  # not over yet: the purge leaves these
STAFF_KINDS = ("checkin", "appointment")  # scheduled by staff from a case (bot.handoff.checkins)
STAFF_NEED = "checkin"  # the ``need`` of a staff check-in (the report counts them apart)
STOP_EVENT = "followup_stop"  # the client's own STOP to follow-ups (``events``), kept as a fact


@dataclass(frozen=True)
class Consent:
    id: int
    conversation_id: str
    channel: str
    kind: str
    need: str
    place: str | None
    postcode: str | None
    service: str | None
    sensitive: bool
    wording: str
    answer: str
    asked_at: float
    answered_at: float | None = None


@dataclass(frozen=True)
class Followup:
    id: int
    conversation_id: str
    channel: str
    consent_id: int | None
    kind: str
    need: str
    place: str | None
    postcode: str | None
    service: str | None
    sensitive: bool
    state: str
    first_due_at: float
    due_at: float
    created_at: float
    lease_owner: str | None = None
    lease_until: float | None = None
    sent_at: float | None = None
    answered_at: float | None = None
    outcome: str | None = None
    note: str | None = None
    case_id: int | None = None  # a check-in staff scheduled: its case,
    author: str | None = None  # who scheduled it,
    text: str | None = None  # and the words it sends

    @property
    def by_staff(self) -> bool:
        return self.kind in STAFF_KINDS


def _consent(row: sa.Row | None) -> Consent | None:
    return None if row is None else record(Consent, row)


def _followup(row: sa.Row | None) -> Followup | None:
    return None if row is None else record(Followup, row)


# --- consents -----------------------------------------------------------------------------------


def ask(
    c: Connection,
    cid: str,
    channel: str,
    search: dict[str, object],
    service: str | None,
    sensitive: bool,
    wording: str,
    now: float,
) -> int:
    """An offer was made: the consent row, "asked"."""
    row = {
        "conversation_id": cid, "channel": channel, "kind": "outcome",
        "need": search["need"], "place": search.get("place"), "postcode": search.get("postcode"),
        "service": service[:64] if service else None, "sensitive": sensitive,
        "wording": wording, "answer": "asked", "asked_at": now,
    }  # fmt: skip
    return int(c.execute(sa.insert(consents), row).inserted_primary_key[0])


def offered_since(c: Connection, cid: str, since: float) -> bool:
    """Whether the client was asked (whatever they answered) since ``since``: asked once."""
    return any_since(c, consents, cid, "asked_at", since)


def open_offer(c: Connection, cid: str, now: float, typed: bool) -> Consent | None:
    """The offer a yes or no answers now, if any: the last one, unanswered, within the window;
    for typed words (not a button) also the last thing that happened: no client message since."""
    found = _consent(
        c.execute(
            sa.select(*columns(Consent, consents))
            .where(consents.c.conversation_id == cid)
            .order_by(consents.c.id.desc())
            .limit(1)
        ).first()
    )
    if found is None or found.answer != "asked" or now - found.asked_at > OFFER_WINDOW:
        return None
    if typed:
        last = c.execute(
            sa.select(sa.func.max(inbound.c.received_at)).where(
                inbound.c.conversation_id == cid, inbound.c.kind != "control"
            )
        ).scalar()
        if last is not None and float(last) > found.asked_at:
            return None
    return found


def answer_offer(c: Connection, consent_id: int, answer: str, now: float) -> None:
    c.execute(
        consents.update().where(consents.c.id == consent_id).values(answer=answer, answered_at=now)
    )


def record_stop(c: Connection, cid: str, now: float) -> None:
    """The client sent STOP to follow-ups: kept even when nothing was pending, so that no one
    schedules them a check-in until they say yes to a follow-up again (:func:`stopped_since`)."""
    add_event(c, cid, None, STOP_EVENT, {}, now)


def stopped_since(c: Connection, cid: str) -> float | None:
    """When the client last sent STOP to follow-ups, if they have not said yes to one since."""
    stop = c.execute(
        sa.select(sa.func.max(events.c.created_at)).where(
            events.c.conversation_id == cid, events.c.kind == STOP_EVENT
        )
    ).scalar()
    if stop is None:
        return None
    yes = c.execute(
        sa.select(sa.func.max(consents.c.answered_at)).where(
            consents.c.conversation_id == cid, consents.c.answer == "yes"
        )
    ).scalar()
    return None if yes is not None and float(yes) > float(stop) else float(stop)


# --- follow-ups ---------------------------------------------------------------------------------


def schedule(c: Connection, consent: Consent, kind: str, due: float, now: float) -> int:
    row = {
        "conversation_id": consent.conversation_id, "channel": consent.channel,
        "consent_id": consent.id, "kind": kind, "need": consent.need, "place": consent.place,
        "postcode": consent.postcode, "service": consent.service, "sensitive": consent.sensitive,
        "state": "scheduled", "first_due_at": due, "due_at": due, "created_at": now,
    }  # fmt: skip
    return int(c.execute(sa.insert(followups), row).inserted_primary_key[0])


def add_checkin(
    c: Connection,
    cid: str,
    channel: str,
    case_id: int,
    kind: str,
    text: str,
    author: str,
    sensitive: bool,
    due: float,
    now: float,
) -> int:
    """A check-in staff scheduled from case ``case_id``: ``text`` to the client at ``due``."""
    row = {
        "conversation_id": cid, "channel": channel, "consent_id": None, "kind": kind,
        "need": STAFF_NEED, "sensitive": sensitive, "state": "scheduled", "first_due_at": due,
        "due_at": due, "created_at": now, "case_id": case_id, "author": author[:64],
        "text": text,
    }  # fmt: skip
    return int(c.execute(sa.insert(followups), row).inserted_primary_key[0])


def of_case(c: Connection, case_id: int) -> list[Followup]:
    """The check-ins scheduled from a case, in the order they are due."""
    query = (
        sa.select(*columns(Followup, followups))
        .where(followups.c.case_id == case_id)
        .order_by(followups.c.due_at, followups.c.id)
    )
    return [record(Followup, row) for row in c.execute(query)]


def checked_in(c: Connection, case_ids: list[int]) -> set[int]:
    """Of ``case_ids``, those with a check-in scheduled (whatever became of it)."""
    if not case_ids:
        return set()
    query = sa.select(followups.c.case_id).where(followups.c.case_id.in_(case_ids)).distinct()
    return {int(found) for found in c.execute(query).scalars()}


def staff_checkins(c: Connection, since: float, limit: int = 500) -> list[Followup]:
    """Staff's check-ins to show in the console's queue: every one still to send, and those sent
    or dropped since ``since``."""
    recent = sa.or_(
        followups.c.state == "scheduled",
        sa.func.coalesce(followups.c.sent_at, followups.c.due_at) >= since,
    )
    query = (
        sa.select(*columns(Followup, followups))
        .where(followups.c.kind.in_(STAFF_KINDS), recent)
        .order_by(followups.c.due_at, followups.c.id)
        .limit(limit)
    )
    return [record(Followup, row) for row in c.execute(query)]


def cancel(c: Connection, followup_id: int, note: str, now: float) -> Followup | None:
    """One follow-up not over yet, cancelled: it as it was, or None when there was none to
    cancel (no such id, or already sent and answered, dropped, cancelled)."""
    found = get(c, followup_id)
    if found is None or found.state not in LIVE:
        return None
    set_state(c, followup_id, "cancelled", now, note=note[:64])
    return found


def get(c: Connection, followup_id: int) -> Followup | None:
    query = sa.select(*columns(Followup, followups)).where(followups.c.id == followup_id)
    return _followup(c.execute(query).first())


def consent_of(c: Connection, followup: Followup) -> Consent | None:
    if followup.consent_id is None:
        return None
    query = sa.select(*columns(Consent, consents)).where(consents.c.id == followup.consent_id)
    return _consent(c.execute(query).first())


def waiting(c: Connection, cid: str, now: float) -> Followup | None:
    """The question the client's next words may answer: the last one sent, within the window."""
    query = (
        sa.select(*columns(Followup, followups))
        .where(
            followups.c.conversation_id == cid,
            followups.c.state.in_(WAITING),
            followups.c.sent_at >= now - ANSWER_WINDOW,
        )
        .order_by(followups.c.sent_at.desc(), followups.c.id.desc())
        .limit(1)
    )
    return _followup(c.execute(query).first())


def set_state(c: Connection, followup_id: int, state: str, now: float, **values: object) -> None:
    values = {"lease_owner": None, "lease_until": None, **values}
    if state in ("answered",):
        values.setdefault("answered_at", now)
    c.execute(followups.update().where(followups.c.id == followup_id).values(state=state, **values))


def answered(c: Connection, followup: Followup, outcome: str, now: float) -> None:
    """The client said what happened: the question (and an earlier one it reminded of) answered,
    the reminder not yet sent cancelled."""
    same = (
        followups.c.consent_id == followup.consent_id
        if followup.consent_id is not None
        else followups.c.id == followup.id
    )
    c.execute(
        followups.update()
        .where(same, followups.c.state.in_(WAITING))
        .values(state="answered", answered_at=now, outcome=outcome)
    )
    c.execute(
        followups.update()
        .where(same, followups.c.state == "scheduled")
        .values(state="cancelled", note="answered", lease_owner=None, lease_until=None)
    )


def cancel_all(c: Connection, cid: str, why: str, now: float) -> int:
    """Every follow-up of the client not yet over, cancelled (and a consent given, stopped):
    how many follow-ups and offers there were."""
    cancelled = c.execute(
        followups.update()
        .where(
            followups.c.conversation_id == cid,
            followups.c.state.in_(("scheduled", *WAITING)),
        )
        .values(state="cancelled", note=why[:64], lease_owner=None, lease_until=None)
    ).rowcount
    stopped = c.execute(
        consents.update()
        .where(consents.c.conversation_id == cid, consents.c.answer.in_(("asked", "yes")))
        .values(answer="stopped", answered_at=now)
    ).rowcount
    return int(cancelled or 0) + int(stopped or 0)


def claim(c: Connection, owner: str, now: float, limits: dict[str, int]) -> list[int]:
    """Lease what is due to ``owner``, at most ``limits[channel]`` on each channel: the ids
    this worker may now send (another worker's unexpired lease is left alone; an expired one,
    from a worker that died, is taken over)."""
    free = sa.or_(followups.c.lease_until.is_(None), followups.c.lease_until < now)
    taken = []
    for channel, limit in limits.items():
        due = c.execute(
            sa.select(followups.c.id)
            .where(
                followups.c.state == "scheduled",
                followups.c.due_at <= now,
                followups.c.channel == channel,
                free,
            )
            .order_by(followups.c.due_at, followups.c.id)
            .limit(limit)
        ).scalars()
        for followup_id in list(due):
            done = c.execute(
                followups.update()
                .where(followups.c.id == followup_id, followups.c.state == "scheduled", free)
                .values(lease_owner=owner, lease_until=now + LEASE)
            ).rowcount
            if done == 1:
                taken.append(int(followup_id))
    return taken


def drop_late(c: Connection, late: float, now: float) -> int:
    """Scheduled follow-ups first due before ``late`` that no worker sent (their channel is not
    running here, or the gateway was down a day): dropped, never sent stale. How many."""
    found = c.execute(
        followups.update()
        .where(followups.c.state == "scheduled", followups.c.first_due_at < late)
        .values(state="dropped", note="late", lease_owner=None, lease_until=None)
    ).rowcount
    return int(found or 0)


def leased(c: Connection, followup_id: int, owner: str, now: float) -> Followup | None:
    """The follow-up, if ``owner`` still holds its lease and it is still to send."""
    found = get(c, followup_id)
    if found is None or found.state != "scheduled" or found.lease_owner != owner:
        return None
    if found.lease_until is None or found.lease_until < now:
        return None
    return found


def sent_since(c: Connection, cid: str, since: float) -> bool:
    """Whether a proactive message went to the client since ``since`` (one a day)."""
    return any_since(c, followups, cid, "sent_at", since)


def next_due(c: Connection) -> float | None:
    """When the next scheduled follow-up is due (the worker sleeps until then)."""
    found = c.execute(
        sa.select(sa.func.min(followups.c.due_at)).where(followups.c.state == "scheduled")
    ).scalar()
    return None if found is None else float(found)


def listed(
    c: Connection, states: tuple[str, ...] | None = None, limit: int = 200
) -> list[Followup]:
    query = sa.select(*columns(Followup, followups)).order_by(followups.c.due_at, followups.c.id)
    if states:
        query = query.where(followups.c.state.in_(states))
    return [record(Followup, row) for row in c.execute(query.limit(limit))]


def of_conversation(c: Connection, cid: str) -> tuple[list[Consent], list[Followup]]:
    """Everything kept of a client's follow-ups (the export)."""
    found_consents = c.execute(
        sa.select(*columns(Consent, consents))
        .where(consents.c.conversation_id == cid)
        .order_by(consents.c.id)
    )
    found_followups = c.execute(
        sa.select(*columns(Followup, followups))
        .where(followups.c.conversation_id == cid)
        .order_by(followups.c.id)
    )
    return [record(Consent, r) for r in found_consents], [
        record(Followup, r) for r in found_followups
    ]


def erase(c: Connection, cid: str) -> int:
    """A client's follow-ups and consents, gone (an erasure: nothing may be sent to them later,
    and nothing kept says they were asked). Rows deleted."""
    gone = c.execute(followups.delete().where(followups.c.conversation_id == cid)).rowcount
    gone += c.execute(consents.delete().where(consents.c.conversation_id == cid)).rowcount
    return int(gone or 0)


def over(before: float) -> sa.ColumnElement[bool]:
    """Follow-ups the retention purge takes: made before ``before`` and over (answered,
    cancelled, dropped), or sent before it and never answered. A scheduled one stays."""
    return sa.and_(
        followups.c.created_at < before,
        sa.or_(
            followups.c.state.not_in(LIVE),
            sa.and_(followups.c.state.in_(WAITING), followups.c.sent_at < before),
        ),
    )


def purge(c: Connection, cid: str, before: float) -> int:
    """What is over and older than ``before``, gone (the retention purge): the follow-ups of
    :func:`over`; consents answered no or stopped. A scheduled one, and the consent it was given
    on, stay until they are over. Rows deleted."""
    gone = c.execute(
        followups.delete().where(followups.c.conversation_id == cid, over(before))
    ).rowcount
    live = sa.select(followups.c.consent_id).where(
        followups.c.conversation_id == cid, followups.c.consent_id.is_not(None)
    )
    gone += c.execute(
        consents.delete().where(
            consents.c.conversation_id == cid,
            consents.c.asked_at < before,
            consents.c.id.not_in(live),
        )
    ).rowcount
    return int(gone or 0)
