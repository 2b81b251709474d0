"""The client's side of a handoff, inside the inbox's and the router's transactions.

When a message arrives (:meth:`Intake.accept_hook`, inside the inbox's transaction):

- if the conversation has an open case, the message is *relayed*: it goes to staff, not to Rasa
  (a risk message still gets the gateway's crisis reply at once, and raises the case to high);
- else, if the safety screen caught risk or the client asked for a person in words the gateway
  recognises itself ("/human", "human", "talk to a person", the "Talk to a person" button), a
  case opens at once, so it works when Rasa is down. The message still goes to Rasa (as
  ``/request_human``, or a risk message in the client's own words with what the screen found),
  and what Rasa understands completes the staff summary. Only a clear screen signal opens a
  case; an uncertain one is Rasa's to check ("Are you safe right now?").

When Rasa answers (:meth:`Intake.finish_hook`, inside the router's transaction): a ``handoff``
payload opens a case (or adds to the open one); Rasa's words are left out when the gateway has
already said what is happening, except what a risk message asked for beside the risk (the
services it found). An answer to a message of a case that is closed by then is
dropped whole: old context must not hand the client off again.

Before a message goes to Rasa (:meth:`Intake.route`), the router asks where it goes: a message
that arrived just before a case opened is relayed to staff instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.db import Cursor
from bot.handoff import cases
from bot.handoff.core import Core, Effects
from bot.handoff.model import HUMAN, REASON_FOR_SCREEN, Case, Request
from bot.messages import Messages
from bot.model import BotMessage, Conversation, InboundRecord, Incoming, OutboxItem
from bot.render import render
from bot.safety import normalise
from bot.store import AcceptHook, FinishHook, HookResult, Store

REQUEST_HUMAN = "/request_human"
_WHO = (
    r"(?:(?:a|an|some|the|real|actual|live|human|proper) )*"
    r"(?:person|human|humans|someone|somebody|some one|staff|worker|counsell?or|people|operator|"
    r"agent|volunteer|one)"
)
_PLEASE = r"(?: (?:please|pls|plz|now|asap|right now))*"
_ASKS_FOR_PERSON = re.compile(
    r"^ (?:(?:hi |hello |hey |please |pls )?(?:i |can i |could i |may i |let me |id |i would )?"
    r"(?:want|wanna|need|needs|would like|like|have|got|gotta)? ?(?:to )?)?"
    rf"(?:talk|speak|chat|talking|speaking) (?:to|with) {_WHO}{_PLEASE} $"
    rf"|^ (?:(?:a|real|actual|live) )*(?:human|person|humans|people|operator){_PLEASE} $"
    rf"|^ (?:get|give|put) me (?:through to )?{_WHO}{_PLEASE} $"
    rf"|^ (?:is there|are you) (?:a )?(?:real )?(?:person|human)(?: there)?{_PLEASE} $"
)
# Payloads that are not words the client typed, and how staff read them.
_LOCATION = re.compile(r'^/inform_location\{"location":"geo:([-\d.]+),([-\d.]+)"\}$')


def asks_for_person(incoming: Incoming) -> bool:
    """Whether the message is a request for a person the gateway recognises without Rasa."""
    if incoming.kind == "payload":
        return incoming.text.strip() == REQUEST_HUMAN
    if incoming.kind != "text" or len(incoming.text) > 80:
        return False
    return bool(_ASKS_FOR_PERSON.match(normalise(incoming.text)))


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


@dataclass(frozen=True)
class Route:
    """Where the router sends a pending message."""

    to: str  # "rasa", "relay" (to staff), "opening" (to Rasa, for a case's summary)
    case: Case | None = None


class Intake:
    """The inbox's and the router's handoff decisions."""

    def __init__(self, core: Core, store: Store, texts: Messages) -> None:
        self.core = core
        self.store = store
        self.texts = texts

    # --- a new message (the inbox) ------------------------------------------------------------

    def accept_hook(
        self, cid: str, incoming: Incoming, risk: str | None, planned: list[OutboxItem]
    ) -> AcceptHook:
        """The inbox's hook for a new message; ``planned``: the replies the inbox queues."""

        def hook(c: Cursor, inbound_id: int, now: float) -> HookResult:
            eff = Effects()
            case = cases.open_for(c, cid)
            if case is not None:
                return self._during_case(c, case, inbound_id, incoming, risk, now, eff)
            if risk in REASON_FOR_SCREEN:
                request = Request(REASON_FOR_SCREEN[risk], "high")
            elif asks_for_person(incoming):
                request = Request(HUMAN, "normal")
            else:
                return HookResult(result=eff)
            if not self.core.roster.route(now).reachable:
                # Nobody could see a case: say so plainly, and the assistant goes on helping. A
                # request for a person is answered here; a risk message still goes to Rasa.
                nobody = self._units(incoming.channel, [self.texts.handoff_nobody], "handoff")
                eff.outbox.add(cid)
                status = None if risk else "handled"
                return HookResult(status=status, replies=planned + nobody, result=eff)
            text = for_staff(incoming.kind, incoming.text)
            opened = self.core.open(c, cid, incoming.channel, request, text, inbound_id, now, eff)
            # A risk message already has the crisis reply, which says a person is coming.
            notices = self.core.opening_notices(opened, said_finding=risk is not None)
            extra = self._units(incoming.channel, notices, "handoff")
            if extra:
                eff.outbox.add(cid)
            return HookResult(replies=planned + extra, result=eff)

        return hook

    def _during_case(
        self,
        c: Cursor,
        case: Case,
        inbound_id: int,
        incoming: Incoming,
        risk: str | None,
        now: float,
        eff: Effects,
    ) -> HookResult:
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
            return HookResult(result=eff)
        if kind not in ("text", "payload", "location", "media"):
            return HookResult(result=eff)  # help, empty, ignored: answered as ever
        text = for_staff(kind, incoming.text)
        cases.add_entry(c, case.id, "client", text, now, inbound_id=inbound_id)
        self.core.post(c, case, "client", now, eff, text=text)
        replies: list[OutboxItem] | None = None
        if risk in REASON_FOR_SCREEN:
            self.core.merge(c, case, Request(REASON_FOR_SCREEN[risk], "high"), now, eff)
        elif kind == "media":
            replies = self._units(incoming.channel, [self.texts.handoff_media], "handoff")
        elif asks_for_person(incoming) and case.status == "waiting":
            replies = self._units(incoming.channel, [self.texts.handoff_still_waiting], "handoff")
        if replies:
            eff.outbox.add(case.conversation_id)
        return HookResult(status="relayed", replies=replies, result=eff)

    def _units(self, channel: str, texts: list[str], kind: str) -> list[OutboxItem]:
        if not texts:
            return []
        return render(channel, [BotMessage(t) for t in texts], kind, self.texts).items

    # --- before Rasa (the router) -------------------------------------------------------------

    async def route(self, record: InboundRecord) -> Route:
        return await self.store.transact(lambda c, now: self._route(c, record))

    def _route(self, c: Cursor, record: InboundRecord) -> Route:
        link = cases.link_of(c, record.id)
        if link is not None and link[1]:
            return Route("opening", link[0])
        case = cases.open_for(c, record.conversation_id)
        if case is not None:
            return Route("relay", case)
        return Route("rasa")

    async def relay(self, record: InboundRecord) -> None:
        """A message that arrived just before its conversation's case opened: to staff."""

        def tx(c: Cursor, now: float) -> Effects:
            eff = Effects()
            case = cases.open_for(c, record.conversation_id)
            if case is not None:
                text = for_staff(record.kind, record.text)
                cases.add_entry(c, case.id, "client", text, now, inbound_id=record.id)
                self.core.post(c, case, "client", now, eff, text=text)
            c.execute(
                "UPDATE inbound SET status = 'relayed', finished_at = ? WHERE id = ?",
                (now, record.id),
            )
            return eff

        self.core.apply(await self.store.transact(tx))

    @staticmethod
    def text_for_rasa(record: InboundRecord, opening: bool) -> str | None:
        """What Rasa is sent for a case's opening message (None: the usual text)."""
        if opening and not record.crisis_sent and record.kind == "text":
            return REQUEST_HUMAN  # the gateway recognised "talk to a person" itself
        return None

    # --- Rasa's answer (the router) -----------------------------------------------------------

    def finish_hook(
        self, record: InboundRecord, conversation: Conversation, messages: list[BotMessage]
    ) -> FinishHook:
        payloads = [
            m.custom["handoff"]
            for m in messages
            if m.custom and isinstance(m.custom.get("handoff"), dict)
        ]
        request = Request.merged(payloads)

        def hook(c: Cursor, now: float) -> HookResult:
            eff = Effects()
            link = cases.link_of(c, record.id)
            if link is not None:  # a message of a case: the gateway has said what happens
                if link[0].is_open and request is not None:
                    self.core.merge(c, link[0], request, now, eff)
                if link[1] and record.crisis_sent and link[0].is_open:
                    # The screen opened the case and gave the crisis reply; what the client
                    # asked for beside the risk ("i want to die, i need a bed") still reaches
                    # them: a risk signal adds, it never replaces.
                    kept = without_promise_of_a_person(messages)
                    units = render(conversation.channel, kept, "reply", self.texts).items
                    return HookResult(replies=units, result=eff)
                return HookResult(replies=[], result=eff)
            case = cases.open_for(c, record.conversation_id)
            if request is None:
                return HookResult(result=eff)
            if case is not None:  # asked before the open case opened: staff have it already
                self.core.merge(c, case, request, now, eff)
                return HookResult(replies=[], result=eff)
            if not self.core.roster.route(now).reachable:  # nobody could see a case
                kept = without_promise_of_a_person(messages)
                if not record.crisis_sent:  # (the gateway told a screened message's client already)
                    kept.append(BotMessage(self.texts.handoff_nobody))
                units = render(conversation.channel, kept, "reply", self.texts).items
                return HookResult(replies=units, result=eff)
            text = for_staff(record.kind, record.text)
            opened = self.core.open(
                c, record.conversation_id, record.channel, request, text, record.id, now, eff
            )
            self._relay_waiting(c, opened.case, record.id, now, eff)
            # Rasa's own words (utter_handoff, a crisis response) say a person is coming.
            notices = self.core.opening_notices(opened, said_finding=True)
            self.core.tell_client(c, opened.case, notices, "handoff", now, eff)
            return HookResult(result=eff)

        return hook

    def _relay_waiting(self, c: Cursor, case: Case, after: int, now: float, eff: Effects) -> None:
        """Messages that came while Rasa was answering the one that opened the case: to staff."""
        rows = c.execute(
            "SELECT id, kind, text FROM inbound WHERE conversation_id = ? AND status = 'pending'"
            " AND kind != 'control' AND id > ? ORDER BY id",
            (case.conversation_id, after),
        ).all()
        for row in rows:
            text = for_staff(row["kind"], row["text"])
            cases.add_entry(c, case.id, "client", text, now, inbound_id=int(row["id"]))
            self.core.post(c, case, "client", now, eff, text=text)
            c.execute(
                "UPDATE inbound SET status = 'relayed', finished_at = ? WHERE id = ?",
                (now, int(row["id"])),
            )


def without_promise_of_a_person(messages: list[BotMessage]) -> list[BotMessage]:
    """Rasa's answer without its "I'm finding a person" words, when nobody can answer.

    Those words come with a ``handoff`` payload whose reason is ``request_human``, in the same
    message or (the REST channel splits them) the one just before it. A crisis response is
    kept whole: its numbers are what the client needs.
    """
    drop: set[int] = set()
    for index, message in enumerate(messages):
        handoff = (message.custom or {}).get("handoff")
        if not isinstance(handoff, dict) or handoff.get("reason") != HUMAN:
            continue
        drop.add(index)
        before = messages[index - 1] if index else None
        if before is not None and before.text and not before.custom and not before.buttons:
            drop.add(index - 1)
    return [m for i, m in enumerate(messages) if i not in drop]
