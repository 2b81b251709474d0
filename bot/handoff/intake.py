"""The client's side of a handoff, inside the inbox's and the router's transactions.

:class:`Intake` is the :class:`bot.hooks.Handoff` the inbox and the router are built with.

When a message arrives (:meth:`Intake.on_message`, inside the inbox's transaction):

- if the conversation has an open case, the message is *relayed*: it goes to staff, not to Rasa
  (a risk message still gets the gateway's crisis reply at once, and raises the case to high);
- else, if the safety screen caught risk or the client asked for a person in words the gateway
  recognises itself ("/human", "human", "talk to a person", the "Talk to a person" button), a
  case opens at once, so it works when Rasa is down. The message still goes to Rasa (as
  ``/request_human``, or a risk message in the client's own words with what the screen found),
  and what Rasa understands completes the staff summary. Only a clear screen signal opens a
  case; an uncertain one is Rasa's to check ("Are you safe right now?").

When Rasa answers (:meth:`Intake.on_answer`, inside the router's transaction): a ``handoff``
payload opens a case (or adds to the open one); Rasa's words are left out when the gateway has
already said what is happening, except what a risk message asked for beside the risk (the
services it found). An answer to a message of a case that is closed by then is
dropped whole: old context must not hand the client off again.

Before a message goes to Rasa (:meth:`Intake.route`), the router asks where it goes: a message
that arrived just before a case opened is relayed to staff instead, in the same transaction.
Once a transaction has committed, :meth:`Intake.after` starts the staff relay and wakes the
watcher of waiting cases.
"""

from __future__ import annotations

import asyncio
import re

from bot.db import Connection, inbound, report
from bot.handoff import cases
from bot.handoff.core import Core
from bot.handoff.model import HUMAN, REASON_FOR_SCREEN, Case, Request
from bot.hooks import Answer, Decision, Effects, Handoff, Kickable, NewMessage, NoWorkers, Route
from bot.model import REQUEST_HUMAN, BotMessage, InboundRecord
from contract import CHECKIN_REPLY, PAYLOAD_HANDOFF, PAYLOAD_REQUEST_LOCATION

# While a case waits, a client's message is acknowledged at most this often (seconds).
PASSED_ON_EVERY = 120.0
PASSED_ON = "The client was told their message is with staff."

# Payloads that are not words the client typed, and how staff read them.
_LOCATION = re.compile(r'^/inform_location\{"location":"geo:([-\d.]+),([-\d.]+)"\}$')


def for_staff(kind: str, text: str) -> str:
    """A client message as staff read it in the transcript."""
    if kind == "payload":
        if text.strip() == REQUEST_HUMAN:
            return "[asked for a person]"
        return f"[tapped a button: {text.strip().lstrip('/')[:100]}]"
    if kind == "location":
        found = _LOCATION.match(text)
        return f"[shared a location: {found[1]},{found[2]}]" if found else "[shared a location]"
    if kind == "media":
        words = f", with the words: {text}" if text.strip() else ""
        return f"[sent a photo or file, not shown{words}]"
    return text


class Intake(Handoff):
    """The inbox's and the router's handoff decisions, and what starts after them."""

    def __init__(
        self, core: Core, relay: Kickable | None = None, watch: asyncio.Event | None = None
    ) -> None:
        self.core = core
        self.relay = relay or NoWorkers()  # posts to the staff group (the console reads the store)
        self.watch = watch or asyncio.Event()  # wakes the watcher of waiting cases

    def after(self, effects: Effects) -> None:
        for case_id in effects.staff:
            self.relay.kick(case_id)
        if effects.watch:
            self.watch.set()

    # --- a new message (the inbox) ------------------------------------------------------------

    def on_message(self, c: Connection, new: NewMessage, now: float) -> Decision:
        cid, incoming, inbound_id, risk = new.cid, new.incoming, new.inbound_id, new.risk
        eff = Effects()
        case = cases.open_for(c, cid)
        if case is not None:
            return self._during_case(c, case, new, now, eff)
        if risk in REASON_FOR_SCREEN:
            request = Request(REASON_FOR_SCREEN[risk], "high")
        elif new.checkin_of is not None:  # an answer to a check-in: staff read it
            request = Request(CHECKIN_REPLY, "normal")
        elif new.person:
            request = Request(HUMAN, "normal")
        else:
            return Decision(effects=eff)
        route = self.core.roster.route(now, new.language)
        if not route.reachable:
            # Nobody could see a case: say so plainly, and the assistant goes on helping. A
            # request for a person is answered here; a risk message still goes to Rasa (whose
            # answer asks for a person: counted then).
            status = None if risk else "handled"
            if not risk:
                after_hours = route.name == "on_call"
                report.handoff_asked(
                    c, incoming.channel, HUMAN, "normal", after_hours, "nobody", now
                )
            nobody = self.core.texts.of(new.language).handoff_nobody
            return Decision(status, [nobody], effects=eff)
        text = for_staff(incoming.kind, incoming.text)
        opened = self.core.open(
            c, cid, incoming.channel, request, text, inbound_id, route, now, eff, new.checkin_of
        )
        if new.checkin_of is not None and risk is None:
            passed = self.core.texts.of(new.language).checkin_passed
            return Decision("relayed", [passed], effects=eff)  # staff's: Rasa is not asked
        # A risk message already has the crisis reply, which says a person is coming.
        notices = self.core.opening_notices(opened, said_finding=risk is not None)
        return Decision(texts=notices, effects=eff)

    def _during_case(
        self, c: Connection, case: Case, new: NewMessage, now: float, eff: Effects
    ) -> Decision:
        incoming, inbound_id = new.incoming, new.inbound_id
        kind = incoming.kind
        if kind in ("opt_out", "opt_in"):
            word = incoming.text.strip().upper()
            if kind == "opt_out":
                note = (
                    f"⚠ The client texted {word}: nothing more can reach them by SMS until they "
                    "text START. A distressed person may type END: treat it as a safeguarding "
                    "signal."
                )
            else:
                note = f"The client texted {word}: messages reach them again."
            cases.add_entry(c, case.id, "system", note, now, inbound_id=inbound_id)
            self.core.post(c, case, "notice", now, eff, text=note)
            self.core.post(c, case, "summary", now, eff)
            return Decision(effects=eff)
        if kind not in ("text", "payload", "location", "media"):
            return Decision(effects=eff)  # help, empty, ignored: answered as ever
        text = for_staff(kind, incoming.text)
        cases.add_entry(c, case.id, "client", text, now, inbound_id=inbound_id)
        self.core.post(c, case, "client", now, eff, text=text)
        told: list[str] = []
        texts = self.core.texts.of(new.language or case.language)
        if new.risk in REASON_FOR_SCREEN:  # the crisis reply goes as planned
            self.core.merge(c, case, Request(REASON_FOR_SCREEN[new.risk], "high"), now, eff)
        elif kind == "media":
            told = [texts.handoff_media]
        elif new.person and case.status == "waiting":
            told = [texts.handoff_still_waiting]
        elif case.status == "waiting" and not self._told_lately(c, case, now):
            # Nobody has picked the case up yet: the client hears that their words reached
            # someone, rather than nothing (their words go to staff, not to the assistant).
            told = [texts.handoff_passed_on]
            cases.add_entry(c, case.id, "system", PASSED_ON, now)
        return Decision("relayed", told, replace=bool(told), effects=eff)

    @staticmethod
    def _told_lately(c: Connection, case: Case, now: float) -> bool:
        return any(
            e.direction == "system" and e.text == PASSED_ON and now - e.created_at < PASSED_ON_EVERY
            for e in cases.transcript(c, case.id)
        )

    # --- before Rasa (the router) -------------------------------------------------------------

    def route(self, c: Connection, record: InboundRecord, now: float) -> Route:
        link = cases.link_of(c, record.id)
        if link is not None and link[1]:
            # The gateway recognised "talk to a person" itself: Rasa is told so.
            asked = not record.crisis_sent and record.kind == "text"
            return Route("opening", REQUEST_HUMAN if asked else None)
        case = cases.open_for(c, record.conversation_id)
        if case is None:
            return Route()
        # It arrived just before its conversation's case opened: to staff.
        eff = Effects()
        self._relay(c, case, record, now, eff)
        return Route("relayed", effects=eff)

    def _relay(
        self, c: Connection, case: Case, record: InboundRecord, now: float, eff: Effects
    ) -> None:
        text = for_staff(record.kind, record.text)
        cases.add_entry(c, case.id, "client", text, now, inbound_id=record.id)
        self.core.post(c, case, "client", now, eff, text=text)
        inbound.set_status(c, record.id, "relayed", now)

    # --- Rasa's answer (the router) -----------------------------------------------------------

    def on_answer(
        self, c: Connection, record: InboundRecord, messages: list[BotMessage], now: float
    ) -> Answer:
        payloads = [
            m.custom[PAYLOAD_HANDOFF]
            for m in messages
            if m.custom and isinstance(m.custom.get(PAYLOAD_HANDOFF), dict)
        ]
        request = Request.merged(payloads)
        eff = Effects()
        link = cases.link_of(c, record.id)
        if link is not None:  # a message of a case: the gateway has said what happens
            case, opening = link
            if case.is_open and request is not None:
                self.core.merge(c, case, request, now, eff)
            if opening and record.crisis_sent and case.is_open:
                # The screen opened the case and gave the crisis reply; what the client
                # asked for beside the risk ("i want to die, i need a bed") still reaches
                # them: a risk signal adds, it never replaces.
                kept = without_questions(without_promise_of_a_person(messages))
                return Answer(kept, effects=eff)
            return Answer([], effects=eff)
        already = cases.open_for(c, record.conversation_id)
        if request is None:
            # A case opened while Rasa answered this message: its question would be unheard.
            return Answer(without_questions(messages) if already else None, effects=eff)
        if already is not None:  # asked before the open case opened: staff have it already
            self.core.merge(c, already, request, now, eff)
            return Answer([], effects=eff)
        route = self.core.roster.route(now, record.language)
        if not route.reachable:  # nobody could see a case
            after_hours = route.name == "on_call"
            report.handoff_asked(
                c, record.channel, request.reason, request.risk, after_hours, "nobody", now
            )
            kept = without_promise_of_a_person(messages)
            if not record.crisis_sent:  # (the gateway told a screened message's client already)
                nobody = self.core.texts.of(record.language).handoff_nobody
                kept.append(BotMessage(nobody))
            return Answer(kept, effects=eff)
        text = for_staff(record.kind, record.text)
        cid, channel = record.conversation_id, record.channel
        opened = self.core.open(c, cid, channel, request, text, record.id, route, now, eff)
        # Messages that came while Rasa was answering the one that opened the case: to staff.
        for waiting in inbound.pending_after(c, record.conversation_id, record.id):
            self._relay(c, opened.case, waiting, now, eff)
        # Rasa's own words (utter_handoff, a crisis response) say a person is coming.
        notices = self.core.opening_notices(opened, said_finding=True)
        return Answer(without_questions(messages), texts=notices, effects=eff)


def without_questions(messages: list[BotMessage]) -> list[BotMessage]:
    """Rasa's answer without a question the assistant will not hear the answer to.

    Once a case opens, the conversation is paused in Rasa and the client's next words go to
    staff: a "Where are you now?" of the search would wait for an answer nobody reads. The
    question (the text before a ``request_location`` payload, and the payload) is left out;
    staff see the need in the case and ask themselves. Listings and crisis lines are kept.
    """
    drop: set[int] = set()
    for index, message in enumerate(messages):
        if (message.custom or {}).get(PAYLOAD_REQUEST_LOCATION) is True:
            drop.add(index)
            if index and messages[index - 1].text and not messages[index - 1].custom:
                drop.add(index - 1)
    return [m for i, m in enumerate(messages) if i not in drop]


def without_promise_of_a_person(messages: list[BotMessage]) -> list[BotMessage]:
    """Rasa's answer without its "I'm finding a person" words, when nobody can answer.

    Those words come with a ``handoff`` payload whose reason is ``request_human``, in the same
    message or (the REST channel splits them) the one just before it. A crisis response is
    kept whole: its numbers are what the client needs.
    """
    drop: set[int] = set()
    for index, message in enumerate(messages):
        handoff = (message.custom or {}).get(PAYLOAD_HANDOFF)
        if not isinstance(handoff, dict) or handoff.get("reason") != HUMAN:
            continue
        drop.add(index)
        before = messages[index - 1] if index else None
        if before is not None and before.text and not before.custom and not before.buttons:
            drop.add(index - 1)
    return [m for i, m in enumerate(messages) if i not in drop]
