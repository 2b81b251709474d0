"""Cases in the store, and the state machine they follow.

    waiting ──claim──▶ claimed ──close──▶ closed
       │                                   ▲
       └──────────close (staff, or a timeout for a normal-risk case)

Each function takes the cursor of a transaction the caller holds (see
:meth:`bot.store.Store.transact` and the store's hooks), so that a case changes together with
the messages and units that go with the change, or not at all. Transitions are single
conditional updates (``... WHERE status = 'waiting' RETURNING id``), so two members of staff
claiming at the same moment, through Telegram, the console or two gateway replicas, cannot
both win. A conversation has at most one open case (a partial unique index).
"""

from __future__ import annotations

import json
from typing import Any

from bot.db import Cursor, Row
from bot.handoff.model import Case, Entry, Request, Staff, clean_details

CASE_COLUMNS = (
    "k.id, k.conversation_id, k.channel, k.status, k.risk, k.reason, k.details, k.route, "
    "k.staff_chat_id, k.topic_id, k.summary_message_id, k.opened_at, k.claimed_at, "
    "k.claimed_by, k.claimed_by_name, k.closed_at, k.closed_by_name, k.close_reason, "
    "k.reminders, k.on_call_paged_at, k.backup_paged_at, k.client_told_unavailable_at, "
    "c.opted_out AS opted_out"
)
SELECT_CASE = (
    f"SELECT {CASE_COLUMNS} FROM cases k LEFT JOIN conversations c ON c.id = k.conversation_id"
)


# --- reading ------------------------------------------------------------------------------------


def get(c: Cursor, case_id: int) -> Case | None:
    row = c.execute(f"{SELECT_CASE} WHERE k.id = ?", (case_id,)).one()
    return None if row is None else _case(row)


def open_for(c: Cursor, conversation_id: str) -> Case | None:
    """The conversation's open case, if it has one."""
    row = c.execute(
        f"{SELECT_CASE} WHERE k.conversation_id = ? AND k.status != 'closed'", (conversation_id,)
    ).one()
    return None if row is None else _case(row)


def by_topic(c: Cursor, chat_id: int, topic_id: int) -> Case | None:
    row = c.execute(
        f"{SELECT_CASE} WHERE k.staff_chat_id = ? AND k.topic_id = ? ORDER BY k.id DESC LIMIT 1",
        (chat_id, topic_id),
    ).one()
    return None if row is None else _case(row)


def by_post(c: Cursor, chat_id: int, message_id: int) -> Case | None:
    """The case a message the gateway posted in a staff group belongs to (for replies)."""
    row = c.execute(
        f"{SELECT_CASE} JOIN staff_posts p ON p.case_id = k.id"
        " WHERE p.chat_id = ? AND p.message_id = ? LIMIT 1",
        (chat_id, message_id),
    ).one()
    if row is not None:
        return _case(row)
    row = c.execute(
        f"{SELECT_CASE} WHERE k.staff_chat_id = ? AND k.summary_message_id = ?",
        (chat_id, message_id),
    ).one()
    return None if row is None else _case(row)


def open_cases(c: Cursor) -> list[Case]:
    """Every open case, in queue order: high risk first, then the longest waiting."""
    rows = c.execute(f"{SELECT_CASE} WHERE k.status != 'closed'").all()
    return sorted((_case(row) for row in rows), key=Case.queue_key)


def recently_closed(c: Cursor, limit: int = 20) -> list[Case]:
    rows = c.execute(
        f"{SELECT_CASE} WHERE k.status = 'closed' ORDER BY k.closed_at DESC LIMIT ?", (limit,)
    ).all()
    return [_case(row) for row in rows]


def transcript(c: Cursor, case_id: int, after: int = 0) -> list[Entry]:
    rows = c.execute(
        "SELECT id, case_id, direction, text, author_name, created_at FROM case_messages"
        " WHERE case_id = ? AND id > ? ORDER BY id",
        (case_id, after),
    ).all()
    return [
        Entry(
            id=int(row["id"]),
            case_id=int(row["case_id"]),
            direction=row["direction"],
            text=row["text"],
            author_name=row["author_name"],
            created_at=float(row["created_at"]),
        )
        for row in rows
    ]


def link_of(c: Cursor, inbound_id: int) -> tuple[Case, bool] | None:
    """The case a client message belongs to, and whether it is the message that opened it."""
    row = c.execute(
        f"{SELECT_CASE} JOIN case_messages m ON m.case_id = k.id"
        " WHERE m.inbound_id = ? AND m.direction = 'client' ORDER BY m.id LIMIT 1",
        (inbound_id,),
    ).one()
    if row is None:
        return None
    opening = c.execute(
        "SELECT opening FROM case_messages WHERE inbound_id = ? AND direction = 'client'"
        " ORDER BY id LIMIT 1",
        (inbound_id,),
    ).one()
    return _case(row), bool(opening and opening["opening"])


# --- changing -----------------------------------------------------------------------------------


def open_case(
    c: Cursor,
    conversation_id: str,
    channel: str,
    request: Request,
    route: str,
    staff_chat_id: int | None,
    now: float,
) -> tuple[Case, bool]:
    """Open a case for the conversation, or find the one already open; (case, whether new)."""
    row = c.execute(
        "INSERT INTO cases (conversation_id, channel, status, risk, reason, details, route,"
        " staff_chat_id, opened_at, reminders) VALUES (?, ?, 'waiting', ?, ?, ?, ?, ?, ?, 0)"
        " ON CONFLICT (conversation_id) WHERE status != 'closed' DO NOTHING RETURNING id",
        (conversation_id, channel, request.risk, request.reason,
         json.dumps(clean_details(request.details), ensure_ascii=False), route, staff_chat_id,
         now),
    ).one()  # fmt: skip
    if row is not None:
        case = get(c, int(row["id"]))
        assert case is not None
        return case, True
    existing = open_for(c, conversation_id)
    assert existing is not None  # the conflict says one is open, in this same transaction
    return existing, False


def merge(c: Cursor, case: Case, request: Request) -> tuple[Case, bool, bool]:
    """Add what a later request says to an open case; (case, details changed, risk raised)."""
    details = dict(case.details)
    details.update(clean_details(request.details))
    raised = request.risk == "high" and case.risk != "high"
    reason = request.reason if raised else case.reason
    changed = details != case.details
    if changed or raised:
        c.execute(
            "UPDATE cases SET details = ?, risk = ?, reason = ? WHERE id = ?",
            (json.dumps(details, ensure_ascii=False), "high" if raised else case.risk, reason,
             case.id),
        )  # fmt: skip
    updated = get(c, case.id)
    assert updated is not None
    return updated, changed, raised


def claim(c: Cursor, case_id: int, staff: Staff, now: float) -> Case | None:
    """Claim a waiting case for ``staff``; the case if this call won, None if it did not."""
    row = c.execute(
        "UPDATE cases SET status = 'claimed', claimed_at = ?, claimed_by = ?, claimed_by_name = ?"
        " WHERE id = ? AND status = 'waiting' RETURNING id",
        (now, staff.key, staff.name[:64], case_id),
    ).one()
    return None if row is None else get(c, case_id)


def close(c: Cursor, case_id: int, name: str | None, reason: str, now: float) -> Case | None:
    """Close an open case; the case if this call closed it, None if it was already closed."""
    row = c.execute(
        "UPDATE cases SET status = 'closed', closed_at = ?, closed_by_name = ?, close_reason = ?"
        " WHERE id = ? AND status != 'closed' RETURNING id",
        (now, None if name is None else name[:64], reason, case_id),
    ).one()
    return None if row is None else get(c, case_id)


def set_fields(c: Cursor, case_id: int, **values: Any) -> None:
    """Set bookkeeping columns (topic, summary message, reminders, when paged, ...)."""
    allowed = {
        "topic_id",
        "summary_message_id",
        "staff_chat_id",
        "reminders",
        "on_call_paged_at",
        "backup_paged_at",
        "client_told_unavailable_at",
    }
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not a case column to set: {', '.join(sorted(unknown))}")
    assignments = ", ".join(f"{name} = ?" for name in values)
    c.execute(f"UPDATE cases SET {assignments} WHERE id = ?", (*values.values(), case_id))


def add_entry(
    c: Cursor,
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
    row = c.execute(
        "INSERT INTO case_messages (case_id, direction, text, author_name, inbound_id, opening,"
        " provider_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (provider_id) DO NOTHING RETURNING id",
        (case_id, direction, text, author_name, inbound_id, opening, provider_id, now),
    ).one()
    return None if row is None else int(row["id"])


def add_control(c: Cursor, conversation_id: str, channel: str, what: str, now: float) -> None:
    """Queue "pause" or "resume" for Rasa, in order with the conversation's messages."""
    c.execute(
        "INSERT INTO inbound (conversation_id, channel, provider_id, kind, text, risk, status,"
        " attempts, next_attempt_at, received_at) VALUES (?, ?, NULL, 'control', ?, NULL,"
        " 'pending', 0, 0, ?)",
        (conversation_id, channel, what, now),
    )


def _case(row: Row) -> Case:
    return Case(
        id=int(row["id"]),
        conversation_id=row["conversation_id"],
        channel=row["channel"],
        status=row["status"],
        risk=row["risk"],
        reason=row["reason"],
        details=json.loads(row["details"] or "{}"),
        route=row["route"],
        staff_chat_id=_int(row["staff_chat_id"]),
        topic_id=_int(row["topic_id"]),
        summary_message_id=_int(row["summary_message_id"]),
        opened_at=float(row["opened_at"]),
        claimed_at=row["claimed_at"],
        claimed_by=row["claimed_by"],
        claimed_by_name=row["claimed_by_name"],
        closed_at=row["closed_at"],
        closed_by_name=row["closed_by_name"],
        close_reason=row["close_reason"],
        reminders=int(row["reminders"] or 0),
        on_call_paged_at=row["on_call_paged_at"],
        backup_paged_at=row["backup_paged_at"],
        client_told_unavailable_at=row["client_told_unavailable_at"],
        opted_out=bool(row["opted_out"]),
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
