"""Retention, erasure and access, over every store: what the gateway, the console and
``python -m bot.privacy`` call.

- **Purge** (:meth:`Privacy.purge`): the words of the bot's conversations older than
  ``RETENTION_DAYS`` and the transcripts of cases closed longer ago than
  ``CASE_RETENTION_DAYS`` are taken out of the gateway store (:mod:`.steps`) and of Rasa's
  tracker store (:mod:`.tracker`), each conversation whole inside one transaction (a few
  conversations per transaction), so a conversation is never left half done. A conversation with an open case is left whole. Rows stay, without words, so
  the counts reports need stay right. Interrupted, it resumes where it stopped: what is done
  is never selected again. The gateway runs it once a day (:meth:`Privacy.run`), on start too
  when a day has passed since the last one (kept in ``gateway_meta``).
- **Erasure** (:meth:`Privacy.erase`): refused while the conversation has an open case (staff
  close it first: erasing the case they are working on would cut the client off mid-talk).
  Otherwise, in one transaction, every row of the conversation loses its words and is given a
  new random id, the row with the client's number goes, an audit entry is written (who, when,
  not whose) and an ``erasures`` row remembers the conversation until Rasa has erased it too.
  Then Rasa erases its tracker under the conversation's lock; once it has, the gateway store is
  swept again (for what a turn in flight wrote meanwhile) and the ``erasures`` row goes. While
  Rasa is down the erasure is "pending": the gateway tries again every few seconds and the
  audit entry has no ``completed_at`` until it is done. Last, the gateway deletes the staff
  Telegram group's topic or posts about the client's cases (:mod:`.staffgroup`).
- **A client's own request** (:mod:`bot.privacy.client`) queues an erasure that starts once the
  client's last reply ("your messages are being deleted") has left the outbox.
- **Export** (:meth:`Privacy.export`): one conversation's messages, replies, case entries and
  what Rasa recorded, as JSON, for a request staff have verified.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bot.db import Connection, Database, insert, meta, review
from bot.db import conversations as conversation_store
from bot.db import followups as followup_store
from bot.db.schema import case_messages, cases, conversations, erasures, inbound, outbox
from bot.errors import ErasureRefused, PrivacyError, RasaCannotErase
from bot.privacy import audit, short, steps, tracker
from bot.tracker_store import events_of

log = logging.getLogger(__name__)

DAY = 86400.0
LAST_PURGE = "last_purge_at"
POLL_SECONDS = 5.0
SOON_SECONDS = 0.25  # a client's erasure waiting for its last reply to go out...
SOON_FOR = 30.0  # ...for this long after they confirmed; then at the usual rounds
STAFF_POSTS = "staff_group"  # the count of an erasure's topics and posts in the staff group
# Whole conversations purged per transaction: a commit syncs the disk (about 10 ms here), and a
# transaction of this many stays short enough for the store's one SQLite thread to serve
# webhooks between them (python bench/privacy_purge.py).
PER_TRANSACTION = 50
ERASED_PREFIX = "erased-"
StaffForgetter = Callable[[list[list[int | None]]], Awaitable[list[list[int | None]]]]


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: ``done`` everywhere, ``pending`` (Rasa still to do), or
    ``nothing`` held about this client."""

    status: str
    counts: dict[str, int] = field(default_factory=dict)
    problem: str = ""

    def describe(self) -> str:
        rows = sum(v for k, v in self.counts.items() if k not in ("rasa_events", STAFF_POSTS))
        if self.status == "nothing":
            return "Nothing is held about this client (never seen, or already erased)."
        if self.status == "pending":
            return (
                f"Erased from the gateway store ({rows} rows). Rasa could not erase its record "
                f"now ({self.problem}); the gateway will finish the erasure as soon as Rasa "
                "answers, and the audit entry shows it complete then."
            )
        staff = self.counts.get(STAFF_POSTS, 0)
        return (
            f"Erased everywhere: {rows} rows of the gateway store, "
            f"{self.counts.get('rasa_events', 0)} events of Rasa's tracker store."
            + (
                f" The gateway deletes the staff group's {staff} topic(s) or post(s) about "
                "them in Telegram."
                if staff
                else ""
            )
        )


@dataclass(eq=False)
class Privacy:
    db: Database
    erase_in_rasa: Callable[[str], Awaitable[int]]
    tracker: sa.engine.Engine | None
    retention_days: int = 30
    case_retention_days: int = 365
    clock: Callable[[], float] = time.time
    # Deletes the staff group's posts about an erased client (the gateway's Telegram bot);
    # None where there is none (python -m bot.privacy): the running gateway does it then.
    forget_staff: StaffForgetter | None = None
    _woken: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _soon: bool = field(default=False, init=False, repr=False)  # an erasure waits on its reply
    _woken_at: float = field(default=-SOON_FOR, init=False, repr=False)

    def wake(self) -> None:
        """A client confirmed an erasure: do it now, not at the next round (:meth:`run`), and
        for a while look again every quarter second: it is done once their last reply is out."""
        self._woken_at = time.monotonic()
        self._woken.set()

    # --- purge -----------------------------------------------------------------------------

    async def purge(self, actor: str) -> dict[str, int]:
        """Purge everything older than the retention periods; rows changed per store."""
        now = self.clock()
        before = now - self.retention_days * DAY
        cases_before = now - self.case_retention_days * DAY
        totals: Counter[str] = Counter()
        seen: set[str] = set()
        while True:
            batch = [
                cid for cid in await self.db.run(steps.due, before, cases_before) if cid not in seen
            ]
            if not batch:
                break
            seen.update(batch)
            for start in range(0, len(batch), PER_TRANSACTION):
                some = batch[start : start + PER_TRANSACTION]
                totals.update(await self.db.run(_purge_some, some, before, cases_before))
        # The review inbox's sightings of conversations no longer due (done in an earlier run).
        totals["review_inbox"] += await self.db.run(review.purge_before, before)
        if self.tracker is not None:
            keep = await self.db.run(_open_conversations)
            totals["rasa_events"] = await asyncio.to_thread(
                tracker.purge, self.tracker, before, keep
            )
        counts = {k: int(v) for k, v in totals.items() if v}
        await self.db.run(_purged, actor, now, counts, self.clock())
        await self.db.scrub()  # the write-ahead log's old pages held the words too
        log.info("purge by %s: %s", actor, counts or "nothing to purge")
        return counts

    async def purge_if_due(self) -> bool:
        """Purge if a day has passed since the last purge (or none ever ran)."""
        last = await self.db.run(meta.get, LAST_PURGE)
        if last is not None and self.clock() - float(last) < DAY:
            return False
        await self.purge("schedule")
        return True

    # --- erasure ---------------------------------------------------------------------------

    async def erase(self, cid: str, actor: str) -> Erasure:
        """Erase one conversation everywhere (see the module's docstring)."""
        counts = await self.db.run(erase_in_store, cid, actor, self.clock())
        if counts is None:  # the gateway holds nothing: Rasa may still (or may not)
            return await self._nothing_or_rasa(cid, actor)
        await self.db.scrub()  # the write-ahead log's old pages held the words too
        return await self._finish(cid, counts)

    async def erase_case(self, case_id: int, actor: str) -> Erasure:
        cid = await self.db.run(_conversation_of_case, case_id)
        if cid is None:
            raise PrivacyError(f"there is no case {case_id}")
        if cid.startswith(ERASED_PREFIX):
            return Erasure("nothing")
        return await self.erase(cid, actor)

    async def _nothing_or_rasa(self, cid: str, actor: str) -> Erasure:
        """The gateway holds nothing of ``cid``: Rasa may (its store is asked first)."""
        held: int | None = None
        if self.tracker is not None:
            try:
                held = await asyncio.to_thread(tracker.held, self.tracker, cid)
            except sa.exc.SQLAlchemyError:
                held = None  # cannot tell: Rasa is asked, which is safe either way
        if held == 0:
            return Erasure("nothing")
        try:
            deleted = await self.erase_in_rasa(cid)
        except RasaCannotErase as exc:
            await self.db.run(_pending, cid, actor, self.clock(), {})
            await self.db.run(_attempted, cid, str(exc), exc.deleted)
            return Erasure("pending", {}, str(exc))
        if not deleted:
            return Erasure("nothing")
        counts = {"rasa_events": deleted}
        await self.db.run(audit.add, "erase", actor, self.clock(), counts, self.clock())
        return Erasure("done", counts)

    async def _finish(self, cid: str, counts: dict[str, int]) -> Erasure:
        try:
            deleted = await self.erase_in_rasa(cid)
        except RasaCannotErase as exc:
            await self.db.run(_attempted, cid, str(exc), exc.deleted)
            log.warning("erasure of %s waits for Rasa: %s", short(cid), exc)
            return Erasure("pending", counts, str(exc))
        swept, later = await self.db.run(_completed, cid, deleted, self.clock())
        await self.db.scrub()  # the erasure's own row named the conversation until now
        counts = {**counts, "rasa_events": deleted, "late_rows": swept}
        if later is not None:  # the staff group's posts: now, if the gateway's bot is here
            await self._forget_staff(later)
        log.info("erasure of a conversation complete")  # never whose
        return Erasure("done", counts)

    async def _forget_staff(self, key: str) -> None:
        if self.forget_staff is None:
            return
        refs = await self.db.run(_staff_refs, key)
        left = await self.forget_staff(refs)
        await self.db.run(_staff_forgotten, key, left, len(refs) - len(left), self.clock())

    async def resume(self) -> int:
        """Go on with the erasures left pending; how many are now complete."""
        finished = 0
        self._soon = False
        for cid, in_store, rasa_done in await self.db.run(_pending_erasures):
            if rasa_done:  # only the staff group's posts are left
                await self._forget_staff(cid)
                continue
            if not in_store:  # a client's own request: once their last reply has gone
                if not await self.db.run(_client_erasure_ready, cid):
                    self._soon = True  # look again when the outbox has likely sent it
                    continue
                try:
                    await self.db.run(erase_in_store, cid, "client", self.clock())
                except ErasureRefused:  # a case opened since they asked: after it closes
                    continue
                await self.db.scrub()
            result = await self._finish(cid, {})
            finished += result.status == "done"
        return finished

    # --- access ----------------------------------------------------------------------------

    async def export(self, cid: str, actor: str) -> dict[str, Any]:
        """One client's messages, replies, case entries and Rasa's record of them."""
        data = await self.db.run(_gateway_export, cid)
        rasa: list[dict[str, Any]] = []
        if self.tracker is not None:
            rasa = await asyncio.to_thread(_rasa_export, self.tracker, cid)
        data["rasa"] = rasa
        counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
        await self.db.run(_exported, actor, self.clock(), counts)
        return data

    # --- the gateway's background task -----------------------------------------------------

    async def run(self, poll: float | None = None) -> None:
        """Purge once a day and finish pending erasures (a round every POLL_SECONDS, or when
        woken), until cancelled."""
        poll = POLL_SECONDS if poll is None else poll
        while True:
            try:
                await self.purge_if_due()
                await self.resume()
                soon = self._soon and time.monotonic() - self._woken_at < SOON_FOR
                wait = min(poll, SOON_SECONDS) if soon else poll
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never whose, never the statement: the type says enough
                log.error("privacy work failed (%s); trying again in a minute", type(exc).__name__)
                wait = max(poll, 60.0)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._woken.wait(), wait)
            self._woken.clear()


# --- transactions (each a function of one connection, run by Database.run) -------------------


def _purge_some(c: Connection, cids: list[str], before: float, cases_before: float) -> Counter[str]:
    """A few whole conversations in one transaction (one commit, one sync of the disk)."""
    totals: Counter[str] = Counter()
    scope = steps.Scope(before=before, cases_before=cases_before)
    for cid in cids:
        if (
            conversation_store.open_case(c, cid) is None
        ):  # a case opened since it was listed: left whole
            totals.update(steps.run_steps(c, cid, scope))
    return totals


def _open_conversations(c: Connection) -> set[str]:
    return set(c.execute(sa.select(cases.c.conversation_id).where(steps.OPEN)).scalars())


def _purged(c: Connection, actor: str, at: float, counts: dict[str, int], done: float) -> None:
    audit.add(c, "purge", actor, at, counts, completed_at=done)
    meta.put(c, LAST_PURGE, repr(at))


def erase_in_store(c: Connection, cid: str, actor: str, now: float) -> dict[str, int] | None:
    """The gateway store's part of an erasure, in one transaction; None if it holds nothing.

    Raises :class:`ErasureRefused` while the conversation has an open case.
    """
    case_id = conversation_store.open_case(c, cid)
    if case_id is not None:
        raise ErasureRefused(
            f"case {case_id} is open: close it first, then erase (erasing it now would cut "
            "the client off from the person talking with them)",
            case_id,
        )
    staff = steps.staff_messages(c, cid)  # read before the steps forget where they are
    counts = steps.run_steps(c, cid, steps.Scope(new_id=_new_id()))
    counts = {k: v for k, v in counts.items() if v}
    if staff:
        counts[STAFF_POSTS] = len(staff)
    pending = c.execute(sa.select(erasures).where(erasures.c.conversation_id == cid)).first()
    if not counts and pending is None:
        return None
    if pending is None:
        _pending(c, cid, actor, now, counts, staff=staff)
    else:
        staff = (pending.staff_messages or []) + staff
        c.execute(
            erasures.update()
            .where(erasures.c.conversation_id == cid)
            .values(in_store=True, staff_messages=staff or None)
        )
        audit.complete_counts(c, pending.audit_id, counts)
    return counts


def _new_id() -> str:
    return ERASED_PREFIX + secrets.token_hex(16)


def _pending(c: Connection, cid: str, actor: str, now: float, counts: dict[str, int],
             in_store: bool = True, staff: list[list[int | None]] | None = None) -> None:  # fmt: skip
    entry = audit.add(c, "erase", actor, now, counts)
    row = {"conversation_id": cid, "audit_id": entry, "requested_at": now, "attempts": 0,
           "in_store": in_store, "rasa_done": False, "staff_messages": staff or None}  # fmt: skip
    c.execute(insert(c, erasures).values(**row).on_conflict_do_nothing())


def request_by_client(c: Connection, cid: str, now: float) -> None:
    """A client asked for their messages to be erased: done once their reply has gone."""
    _pending(c, cid, "client", now, {}, in_store=False)


def _attempted(c: Connection, cid: str, error: str, deleted: int = 0) -> None:
    """An attempt that Rasa could not finish; the events it did delete go in the audit now (the
    next attempt finds none of them)."""
    c.execute(
        erasures.update()
        .where(erasures.c.conversation_id == cid)
        .values(attempts=erasures.c.attempts + 1, last_error=error[:500])
    )
    if deleted:
        entry = c.execute(sa.select(erasures.c.audit_id).where(erasures.c.conversation_id == cid))
        audit_id = entry.scalar()
        if audit_id is not None:
            so_far = audit.counted(c, audit_id, "rasa_events")
            audit.complete_counts(c, audit_id, {"rasa_events": so_far + deleted})


def _completed(c: Connection, cid: str, deleted: int, now: float) -> tuple[int, str | None]:
    """Rasa has erased it: sweep what a turn in flight wrote meanwhile. The audit is complete,
    unless staff group posts are left to delete: the row then keeps only them, under a random
    id (returned), so that nothing left names the conversation."""
    row = c.execute(sa.select(erasures).where(erasures.c.conversation_id == cid)).first()
    swept = sum(steps.run_steps(c, cid, steps.Scope(new_id=_new_id())).values())
    if row is None:
        return swept, None
    this = erasures.c.conversation_id == cid
    deleted += audit.counted(c, row.audit_id, "rasa_events")  # from attempts Rasa could not finish
    if row.staff_messages:
        later = _new_id()
        audit.complete_counts(c, row.audit_id, {"rasa_events": deleted})
        c.execute(erasures.update().where(this).values(conversation_id=later, rasa_done=True))
        return swept, later
    audit.complete(c, row.audit_id, now, {"rasa_events": deleted})
    c.execute(erasures.delete().where(this))
    return swept, None


def _staff_refs(c: Connection, key: str) -> list[list[int | None]]:
    found = c.execute(
        sa.select(erasures.c.staff_messages).where(erasures.c.conversation_id == key)
    ).scalar()
    return list(found or [])


def _staff_forgotten(
    c: Connection, key: str, left: list[list[int | None]], deleted: int, now: float
) -> None:
    row = c.execute(sa.select(erasures).where(erasures.c.conversation_id == key)).first()
    if row is None:
        return
    this = erasures.c.conversation_id == key
    if left:
        c.execute(erasures.update().where(this).values(staff_messages=left))
        return
    audit.complete(c, row.audit_id, now, {"staff_group_deleted": deleted})
    c.execute(erasures.delete().where(this))


def _pending_erasures(c: Connection) -> list[tuple[str, bool, bool]]:
    rows = c.execute(
        sa.select(erasures.c.conversation_id, erasures.c.in_store, erasures.c.rasa_done)
    ).all()
    return [(r.conversation_id, bool(r.in_store), bool(r.rasa_done)) for r in rows]


def _client_erasure_ready(c: Connection, cid: str) -> bool:
    """Nothing is waiting to go to the client (their last reply was sent, or failed)."""
    waiting = c.execute(
        sa.select(sa.func.count())
        .select_from(outbox)
        .where(outbox.c.conversation_id == cid, outbox.c.status == "pending")
    ).scalar()
    return not waiting


def _conversation_of_case(c: Connection, case_id: int) -> str | None:
    return c.execute(sa.select(cases.c.conversation_id).where(cases.c.id == case_id)).scalar()


def _exported(c: Connection, actor: str, at: float, counts: dict[str, int]) -> None:
    audit.add(c, "export", actor, at, counts, completed_at=at)


def _gateway_export(c: Connection, cid: str) -> dict[str, Any]:
    conversation = c.execute(
        sa.select(
            conversations.c.channel, conversations.c.created_at, conversations.c.opted_out
        ).where(conversations.c.id == cid)
    ).first()
    messages = c.execute(
        sa.select(inbound.c.id, inbound.c.kind, inbound.c.text, inbound.c.received_at)
        .where(inbound.c.conversation_id == cid, inbound.c.kind != "control")
        .order_by(inbound.c.id)
    ).all()
    replies = c.execute(
        sa.select(outbox.c.id, outbox.c.kind, outbox.c.body, outbox.c.status, outbox.c.created_at)
        .where(outbox.c.conversation_id == cid)
        .order_by(outbox.c.id)
    ).all()
    found = c.execute(
        sa.select(cases.c.id, cases.c.opened_at, cases.c.closed_at, cases.c.reason)
        .where(cases.c.conversation_id == cid)
        .order_by(cases.c.id)
    ).all()
    case_list = []
    for case in found:
        entries = c.execute(
            sa.select(case_messages.c.direction, case_messages.c.text, case_messages.c.created_at)
            .where(
                case_messages.c.case_id == case.id,
                case_messages.c.direction.in_(("client", "staff")),
            )
            .order_by(case_messages.c.id)
        ).all()
        case_list.append({
            "case": case.id, "opened_at": case.opened_at, "closed_at": case.closed_at,
            "reason": case.reason,
            # What the client wrote and was sent; staff's names, notes and the system's lines
            # ("alex claimed the case") are staff's records, and never shown to a client.
            "entries": [{"from": e.direction, "text": e.text, "at": e.created_at} for e in entries],
        })  # fmt: skip
    return {
        "conversation": None if conversation is None else dict(conversation._mapping),
        "messages": [{"text": m.text, "kind": m.kind, "at": m.received_at} for m in messages],
        "replies": [
            {
                "text": (r.body or {}).get("text", ""),
                "kind": r.kind,
                "status": r.status,
                "at": r.created_at,
            }
            for r in replies
        ],
        "cases": case_list,
        **_followups_export(c, cid),
    }


def _followups_export(c: Connection, cid: str) -> dict[str, Any]:
    """What the client was asked about checking back, what they said, and what was sent."""
    asked, kept = followup_store.of_conversation(c, cid)
    return {
        "consents": [
            {"need": x.need, "answer": x.answer, "asked_at": x.asked_at,
             "answered_at": x.answered_at, "wording": x.wording}
            for x in asked
        ],
        "followups": [
            {"kind": f.kind, "need": f.need, "state": f.state, "due_at": f.due_at,
             "sent_at": f.sent_at, "outcome": f.outcome,
             **({"text": f.text} if f.by_staff else {})}  # staff's words; never who wrote them
            for f in kept
        ],
    }  # fmt: skip


def _rasa_export(engine: sa.engine.Engine, cid: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [
            {
                "event": e.get("event"),
                "text": e.get("text"),
                "at": e.get("timestamp"),
                "intent": ((e.get("parse_data") or {}).get("intent") or {}).get("name"),
            }
            for e in events_of(connection, cid)
            if e.get("event") in ("user", "bot")
        ]
