"""What staff do with a case, the same through Telegram and through the console.

Claim, reply, note, close: each is one store transaction that changes the case and queues what
goes with it (the client's units, the staff group's posts, Rasa's resume), then starts their
delivery. A refusal raises a :class:`~bot.errors.CaseError` whose message is for the member of
staff who tried. A staff message carries its provider id (Telegram's update, the console form's
id), stored once, so a repeated webhook or a double click sends nothing twice.

Rules: the first to claim a waiting case has it (a reply to a waiting case claims it too); only
the member of staff who claimed a case talks with its client (others can add notes); anyone can
close a case; nothing is relayed to a closed case, or to a client who opted out of SMS.

The screens staff do it from: :mod:`.console`, the staff web console, and :mod:`.staffchat`,
staff writing in their Telegram group.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.channels.traits import traits
from bot.db import Connection, Database, report
from bot.db import followups as followup_store
from bot.db.followups import Followup
from bot.errors import (
    CaseClosed,
    CaseError,
    CaseNotFound,
    CheckinRefused,
    ClaimedByOther,
    ClientOptedOut,
)
from bot.handoff import cases, checkins
from bot.handoff.core import Core
from bot.handoff.model import Case, Entry, Staff
from bot.hooks import Effects, Handoff, Kickable, start

T = TypeVar("T")
MAX_STAFF_TEXT = 4000


@dataclass(eq=False)
class Desk:
    """Staff's actions on cases; ``outbox``, ``pipeline`` and ``handoff`` start what they leave."""

    core: Core
    db: Database
    outbox: Kickable
    pipeline: Kickable
    handoff: Handoff
    clock: Callable[[], float] = time.time

    async def _tx(self, fn: Callable[[Connection, float, Effects], T]) -> T:
        effects = Effects()
        result = await self.db.run(fn, self.clock(), effects)
        start(effects, self.outbox, self.pipeline, self.handoff)
        return result

    # --- reading ------------------------------------------------------------------------------

    async def case(self, case_id: int) -> Case:
        return await self.db.run(_get, case_id, None)

    async def queue(self) -> list[Case]:
        """Open cases, most urgent first."""
        return await self.db.run(cases.open_cases)

    async def recently_closed(self) -> list[Case]:
        return await self.db.run(cases.recently_closed)

    async def transcript(self, case_id: int, after: int = 0) -> list[Entry]:
        return await self.db.run(cases.transcript, case_id, after)

    async def opening_text(self, case_id: int) -> str | None:
        return await self.db.run(cases.opening_text, case_id)

    # --- acting -------------------------------------------------------------------------------

    async def claim(self, case_id: int, staff: Staff, chat_id: int | None = None) -> Case:
        """Claim a waiting case (a case already yours is fine)."""
        return await self._tx(lambda c, now, eff: self._claim(c, case_id, staff, chat_id, now, eff))

    def _claim(
        self,
        c: Connection,
        case_id: int,
        staff: Staff,
        chat_id: int | None,
        now: float,
        eff: Effects,
    ) -> Case:
        case = _open(c, case_id, chat_id)
        if case.status == "claimed":
            if case.claimed_by == staff.key:
                return case
            raise ClaimedByOther(
                f"Case #{case.id} is already claimed by {case.claimed_by_name}.",
                case.claimed_by_name or "",
            )
        claimed = cases.claim(c, case.id, staff, now)
        if claimed is None:  # another replica claimed it since we read it: read it again
            return self._claim(c, case_id, staff, chat_id, now, eff)
        cases.add_entry(c, case.id, "system", f"{staff.name} claimed the case.", now)
        after_hours = claimed.route == "on_call"
        opened = claimed.opened_at
        report.handoff_claimed(c, claimed.channel, claimed.risk, after_hours, opened, now)
        joined = self.core.texts_for(claimed).handoff_joined
        self.core.tell_client(c, claimed, [joined], "handoff", now, eff)
        self.core.post(c, claimed, "summary", now, eff)
        eff.watch = True
        return claimed

    async def reply(
        self,
        case_id: int,
        staff: Staff,
        text: str,
        provider_id: str,
        chat_id: int | None = None,
        echo: bool = False,
    ) -> Case:
        """Send ``text`` to the case's client (claiming the case if it waits).

        ``echo``: also show it in the staff group (a reply from the console).
        """
        text = _clean(text)

        def tx(c: Connection, now: float, eff: Effects) -> Case:
            case = _open(c, case_id, chat_id)
            if traits(case.channel).opt_out and case.opted_out:
                raise ClientOptedOut(
                    f"Not sent: the client of case #{case.id} has opted out of SMS (texted "
                    "STOP). Nothing can reach them until they text START."
                )
            case = self._claim(c, case.id, staff, None, now, eff)
            entry = cases.add_entry(
                c, case.id, "staff", text, now, author_name=staff.name, provider_id=provider_id
            )
            if entry is None:
                return case  # the same message again (a repeated webhook, a double click)
            self.core.tell_client(c, case, [text], "staff", now, eff)
            if echo:
                self.core.post(c, case, "notice", now, eff, text=f"{staff.name} (console): {text}")
            return case

        return await self._tx(tx)

    async def note(
        self,
        case_id: int,
        staff: Staff,
        text: str,
        provider_id: str,
        chat_id: int | None = None,
        echo: bool = False,
    ) -> Case:
        """Keep an internal note on the case; it is never relayed to the client."""
        text = _clean(text)

        def tx(c: Connection, now: float, eff: Effects) -> Case:
            case = _get(c, case_id, chat_id)
            entry = cases.add_entry(
                c, case.id, "note", text, now, author_name=staff.name, provider_id=provider_id
            )
            if entry is not None and echo:
                self.core.post(c, case, "notice", now, eff, text=f"Note by {staff.name}: {text}")
            return case

        return await self._tx(tx)

    async def close(
        self,
        case_id: int,
        staff: Staff,
        message: str | None = None,
        chat_id: int | None = None,
    ) -> Case:
        """Close the case: the client gets ``message`` (if any) and is back with the assistant."""
        message = _clean(message) if message and message.strip() else None

        def tx(c: Connection, now: float, eff: Effects) -> Case:
            case = _open(c, case_id, chat_id)
            if message and traits(case.channel).opt_out and case.opted_out:
                raise ClientOptedOut(
                    f"Not closed: the client of case #{case.id} has opted out of SMS, so your "
                    "last message cannot reach them. Close it without a message."
                )
            closed = self.core.close(c, case, staff.name, "staff", message, now, eff)
            if closed is None:
                raise CaseClosed(f"Case #{case_id} is already closed.")
            return closed

        return await self._tx(tx)

    # --- check-ins (bot.handoff.checkins) ---------------------------------------------------

    async def schedule_checkin(
        self,
        case_id: int,
        staff: Staff,
        when: str,
        kind: str = "checkin",
        text: str = "",
        appointment: str = "",
        place: str = "",
        chat_id: int | None = None,
    ) -> Followup:
        """Schedule a check-in to the case's client: ``when`` as staff wrote it ("tomorrow
        10:00", and in Telegram the words after it), a template (``checkin``, ``appointment``
        with its day and time and place) or staff's own ``text``. Refused (CheckinRefused),
        saying why, when it cannot be sent."""
        zone = self.core.roster.tz

        def tx(c: Connection, now: float, eff: Effects) -> Followup:
            case = _get(c, case_id, chat_id)
            due, rest = checkins.parse_when(when, now, zone)
            chosen = (kind, text, appointment, place)
            if rest.strip():  # "/followup tomorrow 10:00 how did it go?": the words after it
                if text.strip():
                    raise CheckinRefused(f"Nothing is read after the time: {rest[:40]!r}.")
                chosen = checkins.read_words(rest)
            words = checkins.compose(*chosen[:2], self.core.texts, case.language, *chosen[2:])
            found = checkins.schedule_checkin(c, case, staff, due, chosen[0], words, zone, now)
            scheduled = followup_store.get(c, found)
            assert scheduled is not None
            return scheduled

        return await self._tx(tx)

    async def cancel_checkin(
        self, followup_id: int, staff: Staff, case_id: int | None = None
    ) -> Followup:
        return await self._tx(
            lambda c, now, eff: checkins.cancel_checkin(c, followup_id, staff, now, case_id)
        )

    async def checkins_of(self, case_id: int) -> list[Followup]:
        return await self.db.run(followup_store.of_case, case_id)

    async def checkin_options(self, case: Case) -> tuple[str | None, bool]:
        """Why no check-in may be scheduled for ``case`` (None: one may), and whether one is
        proposed (a high-risk case closed within the day)."""

        def read(c: Connection, now: float) -> tuple[str | None, bool]:
            return checkins.unreachable(c, case), checkins.proposal(c, case, now)

        return await self.db.run(read, self.clock())

    async def checkin_queue(self) -> checkins.Queue:
        """Check-ins proposed, due, held, unanswered, answered and dropped (these three in the
        last week)."""
        now = self.clock()
        return await self.db.run(checkins.queue, now, now - 7 * 24 * 3600.0)


def _get(c: Connection, case_id: int, chat_id: int | None) -> Case:
    case = cases.get(c, case_id)
    if case is None or (chat_id is not None and case.staff_chat_id != chat_id):
        raise CaseNotFound(f"There is no case #{case_id} here.")
    return case


def _open(c: Connection, case_id: int, chat_id: int | None) -> Case:
    case = _get(c, case_id, chat_id)
    if not case.is_open:
        raise CaseClosed(
            f"Case #{case.id} is closed: the client is back with the assistant, and nothing "
            "more is sent to them. If they ask for a person again, a new case opens."
        )
    return case


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise CaseError("Nothing to send: the message is empty.")
    return text[:MAX_STAFF_TEXT]
