"""What purging and erasing do to each table of the gateway store: one step per table.

A step takes the words out of one conversation's rows and keeps what reports need: a row's
existence (counts), its channel, kind, status, risk, the case's need, coarse place (the
gazetteer's canonical town or ZIP code), reason and times. Rows are never deleted, except the
``conversations`` row of an erased conversation (it holds the client's number and nothing a
report counts) and the staff posts of an erased case (their bodies are all words).

Each step is ``step(c, cid, scope)``, run by the caller inside the one transaction of that
conversation, so a conversation is never left half done: :class:`Scope` says which rows (older
than a cutoff for the purge, all for an erasure) and under which id the rows stay (an erasure
gives them a new random one, so the counts stay right and nothing links them to the client).
Each returns how many rows it changed.

The admins' review inbox keeps masked copies of client messages (``review_items``, with a
one-way key of the conversation per sighting): its step removes the conversation's sightings
and the messages only it had written (:mod:`bot.db.review`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.db import Connection, review
from bot.db import followups as followup_store
from bot.db.schema import (
    case_messages,
    cases,
    consents,
    conversations,
    events,
    followups,
    inbound,
    outbox,
    staff_posts,
)

# The keys of an event's data that hold no words (a handoff payload also carries "recent", the
# client's last messages; an opt-out the word typed).
EVENT_KEYS = ("reason", "risk", "need", "tier")
STRIPPED = "words_removed"  # set in an event's data once its words are out: never done twice
# The case details kept: what was needed and where, in the gazetteer's words; "recent" goes.
DETAIL_KEYS = ("need", "location", "population")
OPEN = cases.c.status != "closed"


@dataclass(frozen=True)
class Scope:
    """Which rows of a conversation a step works on.

    ``before``: rows of the bot's conversation older than this (None: all); ``cases_before``:
    transcripts of cases closed before this (None: all); ``new_id``: the id the rows keep
    (an erasure), or None (a purge keeps the conversation's id).
    """

    before: float | None = None
    cases_before: float | None = None
    new_id: str | None = None

    @property
    def erasing(self) -> bool:
        return self.new_id is not None


def _raw(column: Any) -> Any:
    """A JSON column as the text it is stored as (for comparisons with text)."""
    return sa.type_coerce(column, sa.Text)


def _older(column: Any, before: float | None) -> Any:
    return sa.true() if before is None else column < before


def _rekey(scope: Scope) -> dict[str, Any]:
    return {"conversation_id": scope.new_id} if scope.erasing else {}


def inbound_text(c: Connection, cid: str, scope: Scope) -> int:
    """The client's words; their provider ids too on erasure (they name the message upstream)."""
    where = sa.and_(
        inbound.c.conversation_id == cid,
        inbound.c.status != "pending" if not scope.erasing else sa.true(),
        _older(inbound.c.received_at, scope.before),
    )
    if not scope.erasing:
        where = sa.and_(where, inbound.c.text != "")
    values: dict[str, Any] = {"text": "", "last_error": None, **_rekey(scope)}
    if scope.erasing:
        values.update(provider_id=None, status=sa.case((inbound.c.status == "pending", "ignored"),
                                                       else_=inbound.c.status))  # fmt: skip
    return int(c.execute(inbound.update().where(where).values(**values)).rowcount or 0)


def outbox_bodies(c: Connection, cid: str, scope: Scope) -> int:
    """What was sent to the client (it repeats their place, their need, staff's words)."""
    where = sa.and_(outbox.c.conversation_id == cid, _older(outbox.c.created_at, scope.before))
    if not scope.erasing:
        where = sa.and_(where, outbox.c.status != "pending", _raw(outbox.c.body) != "{}")
    values: dict[str, Any] = {"body": {}, "last_error": None, **_rekey(scope)}
    if scope.erasing:  # nothing more goes to an erased conversation
        values["status"] = sa.case((outbox.c.status == "pending", "suppressed"),
                                   else_=outbox.c.status)  # fmt: skip
    return int(c.execute(outbox.update().where(where).values(**values)).rowcount or 0)


def event_data(c: Connection, cid: str, scope: Scope) -> int:
    """Handoff requests and opt-outs: their reason and risk stay, their words go."""
    rows = c.execute(
        sa.select(events.c.id, events.c.data).where(
            events.c.conversation_id == cid, _older(events.c.created_at, scope.before)
        )
    ).all()
    changed = 0
    for row in rows:
        data = row.data if isinstance(row.data, dict) else {}
        if data.get(STRIPPED) and not scope.erasing:
            continue
        kept: dict[str, Any] = {
            k: v for k, v in data.items() if k in EVENT_KEYS and isinstance(v, str)
        }
        kept[STRIPPED] = True
        if kept != data or scope.erasing:
            c.execute(
                events.update().where(events.c.id == row.id).values(data=kept, **_rekey(scope))
            )
            changed += 1
    return changed


def case_records(c: Connection, cid: str, scope: Scope) -> int:
    """Closed cases' transcripts, staff posts and the recent messages in their details.

    An open case is never touched here (the purge skips its conversation; an erasure is
    refused while one is open).
    """
    found = c.execute(
        sa.select(cases.c.id, cases.c.details).where(
            cases.c.conversation_id == cid,
            ~OPEN,
            _older(cases.c.closed_at, scope.cases_before),
        )
    ).all()
    changed = 0
    for case in found:
        text = case_messages.c.text != ""
        changed += int(
            c.execute(
                case_messages.update()
                .where(case_messages.c.case_id == case.id, text if not scope.erasing else sa.true())
                .values(text="", provider_id=None if scope.erasing else case_messages.c.provider_id)
            ).rowcount
            or 0
        )
        if scope.erasing:
            changed += int(
                c.execute(staff_posts.delete().where(staff_posts.c.case_id == case.id)).rowcount
                or 0
            )
        else:
            changed += int(
                c.execute(
                    staff_posts.update()
                    .where(staff_posts.c.case_id == case.id, _raw(staff_posts.c.body) != "{}")
                    .values(body={}, last_error=None)
                ).rowcount
                or 0
            )
        details = case.details if isinstance(case.details, dict) else {}
        kept = {k: v for k, v in details.items() if k in DETAIL_KEYS}
        values: dict[str, Any] = {}
        if kept != details:
            values["details"] = kept
        if scope.erasing:  # where staff were told: the topic in Telegram names the case
            values.update(
                staff_chat_id=None, topic_id=None, summary_message_id=None, **_rekey(scope)
            )
        if values:
            c.execute(cases.update().where(cases.c.id == case.id).values(**values))
            changed += 1
    return changed


def conversation_row(c: Connection, cid: str, scope: Scope) -> int:
    """Where replies go (the phone number, the chat id): gone on erasure; emptied by the purge
    once the conversation has been quiet longer than the retention (the opt-out stays)."""
    if scope.erasing:
        return int(c.execute(conversations.delete().where(conversations.c.id == cid)).rowcount or 0)
    where = sa.and_(
        conversations.c.id == cid,
        _older(conversations.c.updated_at, scope.before),
        conversations.c.address != "",
    )
    return int(
        c.execute(conversations.update().where(where).values(address="", buttons=())).rowcount or 0
    )


def review_inbox(c: Connection, cid: str, scope: Scope) -> int:
    """The review inbox: the conversation's sightings (older than the cutoff for a purge; all
    for an erasure), and every message left with none. Messages removed."""
    if scope.erasing or scope.before is None:
        return review.erase_conversation(c, cid)
    return review.purge_conversation(c, cid, scope.before)


def followup_rows(c: Connection, cid: str, scope: Scope) -> int:
    """Follow-ups and consents (bot/followups): all gone on erasure (nothing may reach the
    client later, and nothing kept says they were asked); the purge deletes those that are over
    and older than the cutoff. Their counts are in the report already."""
    if scope.erasing or scope.before is None:
        return followup_store.erase(c, cid)
    return followup_store.purge(c, cid, scope.before)


Step = Callable[[Connection, str, Scope], int]
# In the order they run inside a conversation's transaction; the names are the audit's keys.
STEPS: tuple[tuple[str, Step], ...] = (
    ("inbound", inbound_text),
    ("outbox", outbox_bodies),
    ("events", event_data),
    ("cases", case_records),
    ("review_inbox", review_inbox),
    ("followups", followup_rows),
    ("conversations", conversation_row),
)


def run_steps(c: Connection, cid: str, scope: Scope) -> dict[str, int]:
    """Every step on one conversation (in the caller's transaction): rows changed per table."""
    return {name: step(c, cid, scope) for name, step in STEPS}


def staff_messages(c: Connection, cid: str) -> list[list[int | None]]:
    """Where staff were told about this conversation's closed cases, in the staff Telegram
    group: ``[chat, topic, None]`` for a forum topic (deleting it deletes what is in it), else
    ``[chat, None, message]`` for each post (the summary and the rest). An erasure deletes
    them there too, once it has taken them out of the store."""
    found = c.execute(
        sa.select(
            cases.c.id, cases.c.staff_chat_id, cases.c.topic_id, cases.c.summary_message_id
        ).where(cases.c.conversation_id == cid, ~OPEN, cases.c.staff_chat_id.is_not(None))
    ).all()
    refs: list[list[int | None]] = []
    for case in found:
        if case.topic_id is not None:
            refs.append([case.staff_chat_id, case.topic_id, None])
            continue
        posted = c.execute(
            sa.select(staff_posts.c.chat_id, staff_posts.c.message_id).where(
                staff_posts.c.case_id == case.id, staff_posts.c.message_id.is_not(None)
            )
        ).all()
        ids = {(p.chat_id or case.staff_chat_id, p.message_id) for p in posted}
        if case.summary_message_id is not None:
            ids.add((case.staff_chat_id, case.summary_message_id))
        refs += [[chat, None, message] for chat, message in sorted(ids)]
    return refs


def due(c: Connection, before: float, cases_before: float, limit: int = 500) -> list[str]:
    """Conversations with words older than the cutoffs still in them (open cases left out)."""
    open_ids = sa.select(cases.c.conversation_id).where(OPEN)
    queries = [
        sa.select(inbound.c.conversation_id.label("cid")).where(
            inbound.c.received_at < before, inbound.c.status != "pending", inbound.c.text != ""
        ),
        sa.select(outbox.c.conversation_id.label("cid")).where(
            outbox.c.created_at < before, outbox.c.status != "pending", _raw(outbox.c.body) != "{}"
        ),
        sa.select(events.c.conversation_id.label("cid")).where(
            events.c.created_at < before, ~_raw(events.c.data).contains(f'"{STRIPPED}": true')
        ),
        sa.select(conversations.c.id.label("cid")).where(
            conversations.c.updated_at < before, conversations.c.address != ""
        ),
        sa.select(cases.c.conversation_id.label("cid"))
        .select_from(cases.join(case_messages, case_messages.c.case_id == cases.c.id))
        .where(~OPEN, cases.c.closed_at < cases_before, case_messages.c.text != ""),
        sa.select(cases.c.conversation_id.label("cid"))
        .select_from(cases.join(staff_posts, staff_posts.c.case_id == cases.c.id))
        .where(~OPEN, cases.c.closed_at < cases_before, _raw(staff_posts.c.body) != "{}"),
        sa.select(cases.c.conversation_id.label("cid")).where(
            ~OPEN, cases.c.closed_at < cases_before, _raw(cases.c.details).contains('"recent"')
        ),
        sa.select(followups.c.conversation_id.label("cid")).where(followup_store.over(before)),
        sa.select(consents.c.conversation_id.label("cid")).where(
            consents.c.asked_at < before,
            consents.c.id.not_in(
                sa.select(followups.c.consent_id).where(followups.c.consent_id.is_not(None))
            ),
        ),
    ]
    union = sa.union(*queries).subquery()
    found = c.execute(
        sa.select(union.c.cid)
        .where(union.c.cid.not_in(open_ids))
        .order_by(union.c.cid)
        .limit(limit)
    ).scalars()
    return list(found)
