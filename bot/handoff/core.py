"""The handoff's building blocks, run inside a store transaction: open, merge, close, tell.

Every method here takes the connection of a transaction its caller holds (the inbox's, the
router's, or one the desk or the watcher runs with :meth:`bot.db.Database.run`), so that a
case, its transcript, the client's units, the staff posts, the pages and Rasa's pause or resume
change together. What must start once the transaction has committed (an outbox worker, the
router, the staff relay, the watcher) is collected in :class:`~bot.hooks.Effects`, which the
caller starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.db import Connection, inbound, outbox, report
from bot.handoff import cases, checkins
from bot.handoff import texts as staff_texts
from bot.handoff.group import posts
from bot.handoff.model import Case, Request
from bot.handoff.oncall import paging
from bot.handoff.oncall.roster import Roster, Route
from bot.hooks import Effects
from bot.messages import Catalog, Messages
from bot.model import BotMessage
from bot.privacy import SenderHasher, short
from bot.render import render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    case: Case
    new: bool
    route: Route


class Core:
    """Case changes with everything that goes with them, inside the caller's transaction."""

    def __init__(
        self,
        texts: Catalog,
        roster: Roster,
        hasher: SenderHasher,
        telegram_staff: bool,
    ) -> None:
        self.texts = texts
        self.roster = roster
        self.hasher = hasher
        self.telegram_staff = telegram_staff

    # --- opening and joining ----------------------------------------------------------------

    def open(
        self,
        c: Connection,
        conversation_id: str,
        channel: str,
        request: Request,
        opening_text: str,
        inbound_id: int | None,
        route: Route,
        now: float,
        eff: Effects,
        checkin_of: int | None = None,
    ) -> Opened:
        """Open a case for the conversation (going where ``route`` says), or add the request to
        the one already open. A client's answer to a check-in staff scheduled from case
        ``checkin_of`` goes on in that case's Telegram topic, when it is in the same group."""
        chat = route.chat_id if self.telegram_staff else None
        case, new = cases.open_case(c, conversation_id, channel, request, route.name, chat, now)
        if new and checkin_of is not None:
            case = self._after_checkin(c, case, checkin_of, now)
        if not new:
            if inbound_id is not None:
                cases.add_entry(c, case.id, "client", opening_text, now, inbound_id=inbound_id)
                self.post(c, case, "client", now, eff, text=opening_text)
            case = self.merge(c, case, request, now, eff)
            return Opened(case, False, route)
        cases.add_entry(
            c, case.id, "client", opening_text, now, inbound_id=inbound_id, opening=True
        )
        inbound.add_control(c, conversation_id, channel, "pause", now)
        eff.pipeline.add(conversation_id)
        after_hours = route.name == "on_call"
        report.handoff_asked(c, channel, case.reason, case.risk, after_hours, "case", now)
        self.post(c, case, "open", now, eff)
        if case.risk == "high":
            self.page_on_call(c, case, route, now, eff)
        eff.watch = True
        log.warning(
            "%s case %d opened: reason=%s risk=%s route=%s",
            short(conversation_id),
            case.id,
            case.reason,
            case.risk,
            route.name,
        )
        return Opened(case, True, route)

    def _after_checkin(self, c: Connection, case: Case, earlier_id: int, now: float) -> Case:
        earlier = cases.get(c, earlier_id)
        if earlier is None:
            return case
        cases.add_entry(c, case.id, "system",
                        f"The client answered a check-in of case #{earlier.id}.", now)  # fmt: skip
        if earlier.topic_id is None or earlier.staff_chat_id != case.staff_chat_id:
            return case  # another group (after hours), or no topic: a topic of its own
        cases.set_fields(c, case.id, topic_id=earlier.topic_id)
        return cases.get(c, case.id) or case

    def merge(self, c: Connection, case: Case, request: Request, now: float, eff: Effects) -> Case:
        """Add what Rasa understood (or a higher risk) to an open case, and tell staff."""
        updated, changed, raised = cases.merge(c, case, request)
        if raised:
            cases.add_entry(c, case.id, "system", "Risk raised to HIGH.", now)
            self.post(c, updated, "notice", now, eff, text="⚠ HIGH RISK: " + request.reason)
            self.page_on_call(c, updated, self.roster.route(now, case.language), now, eff)
            eff.watch = True
        if changed or raised:
            self.post(c, updated, "summary", now, eff)
        return updated

    def texts_for(self, case: Case) -> Messages:
        """The client's texts, in the language of their conversation."""
        return self.texts.of(case.language)

    def opening_notices(self, opened: Opened, said_finding: bool) -> list[str]:
        """What the client is told when a case opens, beyond what was already said."""
        texts = self.texts_for(opened.case)
        notices = [] if said_finding else [texts.handoff_finding]
        if opened.route.name == "on_call":
            notices.append(texts.handoff_after_hours)
        if opened.new and not opened.route.speaks(opened.case.language):
            notices.append(texts.handoff_no_speaker)  # honest, with the lines that answer in it
        return notices

    # --- telling people -----------------------------------------------------------------------

    def tell_client(
        self, c: Connection, case: Case, texts: list[str], kind: str, now: float, eff: Effects
    ) -> None:
        """Queue ``texts`` for the case's client, on their own channel."""
        if not texts:
            return
        told = [BotMessage(text) for text in texts]
        rendered = render(case.channel, told, kind, self.texts_for(case))
        outbox.queue(c, case.conversation_id, case.channel, None, rendered.items, now)
        eff.outbox.add(case.conversation_id)

    def post(
        self, c: Connection, case: Case, op: str, now: float, eff: Effects, **body: Any
    ) -> None:
        """Queue a post in the case's staff group (nothing when staff use the console only)."""
        if case.staff_chat_id is None:
            return
        posts.queue(c, case.id, op, now, **body)
        eff.staff.add(case.id)

    def page_on_call(
        self, c: Connection, case: Case, route: Route, now: float, eff: Effects
    ) -> None:
        """After hours, a high-risk case pages the on-call worker once."""
        if route.page_phone is None or case.on_call_paged_at is not None:
            return
        paging.queue_page(c, self.hasher, route.page_phone, paging.page_text(case), now, eff)
        cases.set_fields(c, case.id, on_call_paged_at=now)
        cases.add_entry(c, case.id, "system", "The on-call worker was paged by SMS.", now)

    def page_backup(self, c: Connection, case: Case, phone: str, now: float, eff: Effects) -> None:
        paging.queue_page(c, self.hasher, phone, paging.page_text(case, backup=True), now, eff)
        cases.add_entry(c, case.id, "system", "Nobody claimed it: the backup was paged.", now)

    # --- closing ------------------------------------------------------------------------------

    def close(
        self,
        c: Connection,
        case: Case,
        name: str | None,
        reason: str,
        last_message: str | None,
        now: float,
        eff: Effects,
    ) -> Case | None:
        """Close an open case: the client is told and handed back to Rasa; None if closed."""
        closed = cases.close(c, case.id, name, reason, now)
        if closed is None:
            return None
        if closed.claimed_at is None:  # for the report: a request nobody answered
            after_hours = closed.route == "on_call"
            report.handoff_unclaimed(
                c, closed.channel, closed.risk, after_hours, closed.opened_at, reason, now
            )
        told = []
        if last_message:
            cases.add_entry(c, case.id, "staff", last_message, now, author_name=name)
            told.append(last_message)
        texts = self.texts_for(closed)
        if reason == "timeout":
            back = self.roster.back_when(language=texts.language)
            told.append(texts.with_back(texts.handoff_timed_out, back))
            cases.add_entry(c, case.id, "system", "Closed: nobody claimed it in time.", now)
        else:
            told.append(texts.handoff_closed)
            cases.add_entry(c, case.id, "system", f"{name} closed the case.", now)
        self.tell_client(c, closed, told, "handoff", now, eff)
        inbound.add_control(c, case.conversation_id, case.channel, "resume", now)
        eff.pipeline.add(case.conversation_id)
        if checkins.proposal(c, closed, now):
            self.post(c, closed, "notice", now, eff, text=staff_texts.PROPOSE_CHECKIN)
        self.post(c, closed, "close", now, eff)
        eff.watch = True
        log.info("%s case %d closed (%s)", short(case.conversation_id), case.id, reason)
        return closed
