"""The staff posts queue: what to post in the staff Telegram group, per case, in order.

A row is one thing to do in the group for a case: ``open`` (create the forum topic and post the
summary with its buttons), ``client`` (the client's words), ``notice`` (something staff must
know: a risk message, an opt-out, a message that was not sent), ``remind`` (nobody has claimed
the case yet), ``summary`` (edit the summary: claimed, new details), ``close`` (the case is
closed: rename and close the topic). Rows are written in the transaction that changes the case,
so a restart loses none; :mod:`bot.handoff.group.relay` sends them, and a sent row keeps the
Telegram message it became, so that a staff reply to it finds its case in a group without topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.db import Connection, columns, record
from bot.db.schema import staff_posts

OPS = ("open", "client", "notice", "remind", "summary", "close")
MAX_BATCH = 50


@dataclass(frozen=True)
class Post:
    id: int
    case_id: int
    op: str
    body: dict[str, Any]
    attempts: int
    next_attempt_at: float


COLUMNS = columns(Post, staff_posts)


def queue(c: Connection, case_id: int, op: str, now: float, **body: Any) -> None:
    """Queue a post for the case's staff group (inside the caller's transaction)."""
    if op not in OPS:
        raise ValueError(f"unknown staff post {op!r}")
    c.execute(
        sa.insert(staff_posts).values(
            case_id=case_id, op=op, body=body, status="pending", attempts=0,
            next_attempt_at=0.0, created_at=now,
        )
    )  # fmt: skip


def pending(c: Connection, case_id: int, limit: int = MAX_BATCH) -> list[Post]:
    """The case's posts still to do, oldest first."""
    query = (
        sa.select(*COLUMNS)
        .where(staff_posts.c.case_id == case_id, staff_posts.c.status == "pending")
        .order_by(staff_posts.c.id)
        .limit(limit)
    )
    return [record(Post, row) for row in c.execute(query)]


def cases_with_pending(c: Connection) -> list[int]:
    query = sa.select(staff_posts.c.case_id).where(staff_posts.c.status == "pending").distinct()
    return [int(case_id) for case_id in c.execute(query).scalars()]


def mark_sent(
    c: Connection, ids: list[int], chat_id: int | None, message_id: int | None, now: float
) -> None:
    c.execute(
        sa.update(staff_posts)
        .where(staff_posts.c.id.in_(ids))
        .values(status="sent", sent_at=now, chat_id=chat_id, message_id=message_id)
    )


def mark_retry(c: Connection, post: Post, error: str, next_attempt_at: float) -> None:
    c.execute(
        sa.update(staff_posts)
        .where(staff_posts.c.id == post.id)
        .values(attempts=post.attempts + 1, next_attempt_at=next_attempt_at, last_error=error[:500])
    )


def mark_failed(c: Connection, post: Post, error: str) -> None:
    c.execute(
        sa.update(staff_posts)
        .where(staff_posts.c.id == post.id)
        .values(status="failed", attempts=post.attempts + 1, last_error=error[:500])
    )
