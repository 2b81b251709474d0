"""Cases in the store, and the state machine they follow.

    waiting ──claim──▶ claimed ──close──▶ closed
       │                                   ▲
       └──────────close (staff, or a timeout for a normal-risk case)

Each function takes the connection of a transaction the caller holds (see
:meth:`bot.db.Database.run`), so that a case changes together with the messages and units
that go with the change, or not at all. Transitions are single conditional updates
(``... WHERE id = ? AND status = 'waiting'``, one row or none), so two members of staff
claiming at the same moment, through Telegram, the console or two gateway replicas, cannot
both win. A conversation has at most one open case (a partial unique index).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.db import Connection, columns, insert, record
from bot.db.schema import case_messages, cases, conversations, staff_posts
from bot.handoff.model import Case, Entry, Request, Staff, clean_details

# A case with its client's SMS opt-out and language, from the conversation.
_CASE = sa.select(
    *columns(Case, cases),
    sa.func.coalesce(conversations.c.opted_out, False).label("opted_out"),
    conversations.c.language.label("language"),
).select_from(cases.outerjoin(conversations, conversations.c.id == cases.c.conversation_id))
_OPEN = cases.c.status != "closed"
# Asked of every client message (is a case open? is this message a case's?): built once.
_GET = _CASE.where(cases.c.id == sa.bindparam("case_id"))
_OPEN_FOR = _CASE.where(cases.c.conversation_id == sa.bindparam("cid"), _OPEN)
_OPEN_CASES = _CASE.where(_OPEN)
_LINK = (
    sa.select(case_messages.c.case_id, case_messages.c.opening)
    .where(
        case_messages.c.inbound_id == sa.bindparam("inbound_id"),
        case_messages.c.direction == "client",
    )
    .order_by(case_messages.c.id)
    .limit(1)
)


def _one(c: Connection, query: Any, **params: Any) -> Case | None:
    row = c.execute(query, params).first()
    return None if row is None else record(Case, row)


# --- reading ------------------------------------------------------------------------------------


def get(c: Connection, case_id: int) -> Case | None:
    return _one(c, _GET, case_id=case_id)


def open_for(c: Connection, conversation_id: str) -> Case | None:
    """The conversation's open case, if it has one."""
    return _one(c, _OPEN_FOR, cid=conversation_id)


def by_topic(c: Connection, chat_id: int, topic_id: int) -> Case | None:
    query = _CASE.where(cases.c.staff_chat_id == chat_id, cases.c.topic_id == topic_id)
    return _one(c, query.order_by(cases.c.id.desc()).limit(1))


def by_post(c: Connection, chat_id: int, message_id: int) -> Case | None:
    """The case a message the gateway posted in a staff group belongs to (for replies)."""
    posted = _CASE.join(staff_posts, staff_posts.c.case_id == cases.c.id).where(
        staff_posts.c.chat_id == chat_id, staff_posts.c.message_id == message_id
    )
    found = _one(c, posted.limit(1))
    if found is not None:
        return found
    query = _CASE.where(cases.c.staff_chat_id == chat_id, cases.c.summary_message_id == message_id)
    return _one(c, query)


def open_cases(c: Connection) -> list[Case]:
    """Every open case, in queue order: high risk first, then the longest waiting."""
    return sorted((record(Case, row) for row in c.execute(_OPEN_CASES)), key=Case.queue_key)


def recently_closed(c: Connection, limit: int = 20) -> list[Case]:
    query = _CASE.where(cases.c.status == "closed").order_by(cases.c.closed_at.desc()).limit(limit)
    return [record(Case, row) for row in c.execute(query)]


def closed_since(c: Connection, since: float) -> list[Case]:
    """Cases closed since ``since``, the latest first."""
    query = _CASE.where(cases.c.status == "closed", cases.c.closed_at >= since)
    return [record(Case, row) for row in c.execute(query.order_by(cases.c.closed_at.desc()))]


def transcript(c: Connection, case_id: int, after: int = 0) -> list[Entry]:
    query = (
        sa.select(*columns(Entry, case_messages))
        .where(case_messages.c.case_id == case_id, case_messages.c.id > after)
        .order_by(case_messages.c.id)
    )
    return [record(Entry, row) for row in c.execute(query)]


def opening_text(c: Connection, case_id: int) -> str | None:
    """The client's words that opened the case."""
    query = sa.select(case_messages.c.text).where(
        case_messages.c.case_id == case_id, case_messages.c.opening.is_(True)
    )
    found = c.execute(query.limit(1)).scalar_one_or_none()
    return None if found is None else str(found)


def link_of(c: Connection, inbound_id: int) -> tuple[Case, bool] | None:
    """The case a client message belongs to, and whether it is the message that opened it."""
    row = c.execute(_LINK, {"inbound_id": inbound_id}).first()
    if row is None:
        return None
    case = get(c, int(row.case_id))
    return None if case is None else (case, bool(row.opening))


# --- changing -----------------------------------------------------------------------------------


def open_case(
    c: Connection,
    conversation_id: str,
    channel: str,
    request: Request,
    route: str,
    staff_chat_id: int | None,
    now: float,
) -> tuple[Case, bool]:
    """Open a case for the conversation, or find the one already open; (case, whether new)."""
    new = insert(c, cases).values(
        conversation_id=conversation_id, channel=channel, status="waiting", risk=request.risk,
        reason=request.reason, details=clean_details(request.details), route=route,
        staff_chat_id=staff_chat_id, opened_at=now, reminders=0,
    )  # fmt: skip
    result = c.execute(new.on_conflict_do_nothing())  # one open case per conversation
    if result.rowcount == 1:
        case = get(c, int(result.inserted_primary_key[0]))
        assert case is not None
        return case, True
    existing = open_for(c, conversation_id)
    assert existing is not None  # the conflict says one is open, in this same transaction
    return existing, False


def merge(c: Connection, case: Case, request: Request) -> tuple[Case, bool, bool]:
    """Add what a later request says to an open case; (case, details changed, risk raised)."""
    details = dict(case.details)
    details.update(clean_details(request.details))
    raised = request.risk == "high" and case.risk != "high"
    reason = request.reason if raised else case.reason
    changed = details != case.details
    if changed or raised:
        risk = "high" if raised else case.risk
        c.execute(
            sa.update(cases)
            .where(cases.c.id == case.id)
            .values(details=details, risk=risk, reason=reason)
        )
    updated = get(c, case.id)
    assert updated is not None
    return updated, changed, raised


def claim(c: Connection, case_id: int, staff: Staff, now: float) -> Case | None:
    """Claim a waiting case for ``staff``; the case if this call won, None if it did not."""
    won = c.execute(
        sa.update(cases)
        .where(cases.c.id == case_id, cases.c.status == "waiting")
        .values(
            status="claimed", claimed_at=now, claimed_by=staff.key, claimed_by_name=staff.name[:64]
        )
    ).rowcount
    return get(c, case_id) if won == 1 else None


def close(c: Connection, case_id: int, name: str | None, reason: str, now: float) -> Case | None:
    """Close an open case; the case if this call closed it, None if it was already closed."""
    closed = c.execute(
        sa.update(cases)
        .where(cases.c.id == case_id, _OPEN)
        .values(
            status="closed",
            closed_at=now,
            closed_by_name=None if name is None else name[:64],
            close_reason=reason,
        )
    ).rowcount
    return get(c, case_id) if closed == 1 else None


BOOKKEEPING = frozenset(
    {
        "topic_id",
        "summary_message_id",
        "staff_chat_id",
        "reminders",
        "on_call_paged_at",
        "backup_paged_at",
        "client_told_unavailable_at",
    }
)


def set_fields(c: Connection, case_id: int, **values: Any) -> None:
    """Set bookkeeping columns (topic, summary message, reminders, when paged, ...)."""
    unknown = set(values) - BOOKKEEPING
    if unknown:
        raise ValueError(f"not a case column to set: {', '.join(sorted(unknown))}")
    c.execute(sa.update(cases).where(cases.c.id == case_id).values(**values))


def add_entry(
    c: Connection,
    case_id: int,
    direction: str,
    text: str,
    now: float,
    *,
    author_name: str | None = None,
    inbound_id: int | None = None,
    opening: bool = False,
    provider_id: str | None = None,
) -> int | None:
    """Add a line to the transcript; its id, or None if ``provider_id`` is already there."""
    new = insert(c, case_messages).values(
        case_id=case_id, direction=direction, text=text, author_name=author_name,
        inbound_id=inbound_id, opening=opening, provider_id=provider_id, created_at=now,
    )  # fmt: skip
    result = c.execute(new.on_conflict_do_nothing())
    return int(result.inserted_primary_key[0]) if result.rowcount == 1 else None
