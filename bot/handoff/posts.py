"""The staff posts queue: what to post in the staff Telegram group, per case, in order.

A row is one thing to do in the group for a case: ``open`` (create the forum topic and post the
summary with its buttons), ``client`` (the client's words), ``notice`` (something staff must
know: a risk message, an opt-out, a message that was not sent), ``remind`` (nobody has claimed
the case yet), ``summary`` (edit the summary: claimed, new details), ``close`` (the case is
closed: rename and close the topic). Rows are written in the transaction that changes the case,
so a restart loses none; :mod:`bot.handoff.relay` sends them, and a sent row keeps the Telegram
message it became, so that a staff reply to it finds its case in a group without topics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.db import Cursor

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


def queue(c: Cursor, case_id: int, op: str, now: float, **body: Any) -> None:
    """Queue a post for the case's staff group (inside the caller's transaction)."""
    if op not in OPS:
        raise ValueError(f"unknown staff post {op!r}")
    c.execute(
        "INSERT INTO staff_posts (case_id, op, body, status, attempts, next_attempt_at,"
        " created_at) VALUES (?, ?, ?, 'pending', 0, 0, ?)",
        (case_id, op, json.dumps(body, ensure_ascii=False), now),
    )


def pending(c: Cursor, case_id: int, limit: int = MAX_BATCH) -> list[Post]:
    """The case's posts still to do, oldest first."""
    rows = c.execute(
        "SELECT id, case_id, op, body, attempts, next_attempt_at FROM staff_posts"
        " WHERE case_id = ? AND status = 'pending' ORDER BY id LIMIT ?",
        (case_id, limit),
    ).all()
    return [
        Post(
            id=int(row["id"]),
            case_id=int(row["case_id"]),
            op=row["op"],
            body=json.loads(row["body"]),
            attempts=int(row["attempts"]),
            next_attempt_at=float(row["next_attempt_at"]),
        )
        for row in rows
    ]


def cases_with_pending(c: Cursor) -> list[int]:
    rows = c.execute("SELECT DISTINCT case_id FROM staff_posts WHERE status = 'pending'").all()
    return [int(row["case_id"]) for row in rows]


def mark_sent(
    c: Cursor, ids: list[int], chat_id: int | None, message_id: int | None, now: float
) -> None:
    for post_id in ids:
        c.execute(
            "UPDATE staff_posts SET status = 'sent', sent_at = ?, chat_id = ?, message_id = ?"
            " WHERE id = ?",
            (now, chat_id, message_id, post_id),
        )


def mark_retry(c: Cursor, post: Post, error: str, next_attempt_at: float) -> None:
    c.execute(
        "UPDATE staff_posts SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
        (post.attempts + 1, next_attempt_at, error[:500], post.id),
    )


def mark_failed(c: Cursor, post: Post, error: str) -> None:
    c.execute(
        "UPDATE staff_posts SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?",
        (post.attempts + 1, error[:500], post.id),
    )
