"""The durable inbox: what every channel calls with a new client message, before it answers.

:meth:`Inbox.accept` runs :meth:`Inbox.take_in`, one transaction that follows the message
through its first steps in the order it lives them: it is stored (a repeat of the provider's
id is dropped); the safety screen reads the client's words, in every language it knows; the
conversation's language is decided (:mod:`bot.language`: the client's choice, their words, the
channel's hint; a clear risk signal in another language moves the conversation to it, so the
crisis reply is in the words the client thinks in); the gateway's answer is planned
(:func:`plan_for`) in that language; the report
counts a conversation begun and a risk signal (:mod:`bot.db.report`: no words); human handoff
opens or joins a case (:class:`bot.hooks.Handoff`: a message of a client who is talking with
staff is relayed to them, a request for a person or a clear risk opens a case); the replies the
gateway gives itself without Rasa (the crisis reply, SMS HELP, "only text is understood", "no
words", what the handoff tells the client) are rendered for the channel and queued in the
outbox. Only then does the channel acknowledge its webhook. A message for Rasa is left pending
for the router (:mod:`bot.pipeline`), which is started with the outbox once it has committed.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.channels.traits import traits
from bot.db import Connection, Database, conversations, events, inbound, outbox, report
from bot.errors import StoreConflict
from bot.followups import Followups
from bot.hooks import NO_HANDOFF, Effects, Handoff, Kickable, NewMessage, Wakeable, start
from bot.language import DETECTED, EXPLICIT, SOME, Choice, LanguageDetector, hint_of
from bot.messages import Catalog, Messages
from bot.model import REQUEST_HUMAN, TO_RASA, Accepted, BotMessage, Button, Incoming
from bot.payloads import typed
from bot.privacy import SenderHasher, short
from bot.privacy import client as erasing
from bot.render import render
from bot.safety import Screen, Signal, normalise, screen

log = logging.getLogger(__name__)

# Asking for a person in so many words, which the gateway recognises itself (so it works when
# Rasa is down); Rasa's request_human intent catches the rest.
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

# The same in Spanish (accents folded by normalise): "quiero hablar con una persona",
# "necesito hablar con alguien", "una persona porfa", "hay alguien ahi".
_QUIEN = (
    r"(?:(?:una|un|alguna|algun|la|el) )?"
    r"(?:persona|humano|humana|alguien|trabajador|trabajadora|consejero|consejera|operador|"
    r"operadora|voluntario|voluntaria|gente|asesor|asesora)(?: (?:real|de verdad))?"
)
_PORFA = r"(?: (?:por favor|porfa|porfavor|plis|pls|ya|ahora|ahorita))*"
_ASKS_FOR_PERSON_ES = re.compile(
    r"^ (?:(?:hola|oye|porfa|por favor) )?(?:(?:yo )?(?:quiero|kiero|qiero|necesito|nesesito|"
    r"ocupo|puedo|podria|me gustaria|dejame|quisiera) )?"
    rf"(?:hablar|platicar|chatear|hablr) con {_QUIEN}{_PORFA} $"
    rf"|^ (?:(?:una|un) )?(?:persona|humano)(?: (?:real|de verdad))?{_PORFA} $"
    rf"|^ (?:hay|eres) (?:una |un )?(?:persona|humano|alguien)(?: (?:real|de verdad))?(?: ahi)?"
    rf"{_PORFA} $"
)


@dataclass
class Plan:
    """What to do with a new message, decided before it is stored."""

    status: str
    risk: str | None = None  # what the safety screen found
    risk_tier: str | None = None  # clear: the crisis reply goes now; uncertain: Rasa checks
    replies: list[BotMessage] = field(default_factory=list)
    reply_kind: str = "reply"
    opted_out: bool | None = None
    event: tuple[str, dict[str, Any]] | None = None
    person: bool = False  # the client asks for a person in words the gateway knows
    erase: str | None = None  # the client asks to erase their messages (bot.privacy.client)

    @property
    def crisis_risk(self) -> str | None:
        """The risk of a clear signal: the crisis reply is sent and a case opens."""
        return self.risk if self.risk_tier == "clear" else None


def plan_for(
    incoming: Incoming,
    texts: Messages,
    check: Callable[[str], Signal | None] = screen,
    chose_language: bool = False,
) -> Plan:
    """Where a message goes and what the gateway answers at once (a pure function).

    A clear risk signal gets the crisis reply now; an uncertain one nothing yet (Rasa answers
    what was asked and checks). Either way the client's words still go to Rasa. A request for
    a person is noted for human handoff. A request to erase their messages (or its
    confirmation) is answered by the gateway (:mod:`bot.privacy.client`), never sent to Rasa;
    so is a message that only chooses the conversation's language ("ESPAÑOL", a language
    button), unless it signals risk.
    """
    erase = erasing.asked(incoming)
    if erase is not None:
        return Plan("handled", erase=erase)
    if chose_language and not (incoming.kind == "text" and check(incoming.text)):
        chosen = [BotMessage(texts.language_chosen)]
        return Plan("handled", replies=chosen, reply_kind="language")
    plan = _plan(incoming, texts, check)
    plan.person = asks_for_person(incoming)
    return plan


def asks_for_person(incoming: Incoming) -> bool:
    """Whether the message is a request for a person the gateway recognises without Rasa."""
    if incoming.kind == "payload":
        return incoming.text.strip() == REQUEST_HUMAN
    if incoming.kind != "text" or len(incoming.text) > 80:
        return False
    words = normalise(incoming.text)
    return bool(_ASKS_FOR_PERSON.match(words) or _ASKS_FOR_PERSON_ES.match(words))


def _plan(incoming: Incoming, texts: Messages, check: Callable[[str], Signal | None]) -> Plan:
    kind = incoming.kind
    signal = None
    if kind in ("text", "media"):
        signal = check(incoming.text) if incoming.text.strip() else None
        if signal is not None and signal.clear:
            crisis = [BotMessage(texts.crisis(signal.risk, signal.medical))]
            return Plan("pending", signal.risk, "clear", replies=crisis, reply_kind="crisis")
    if kind == "text" and not incoming.text.strip():
        kind = "empty"
    if kind in TO_RASA:
        if signal is not None:
            return Plan("pending", signal.risk, "uncertain")
        return Plan("pending")
    if kind == "media":
        person = Button(texts.person_button, REQUEST_HUMAN)
        return Plan(
            "handled", replies=[BotMessage(texts.media, buttons=(person,))], reply_kind="media"
        )
    if kind == "help":
        stop_hint = " " + texts.sms_stop_hint if traits(incoming.channel).opt_out else ""
        text = texts.help + stop_hint
        return Plan("handled", replies=[BotMessage(text)], reply_kind="help")
    if kind == "empty":
        return Plan("handled", replies=[BotMessage(texts.empty)], reply_kind="empty")
    if kind == "bad_location":
        return Plan("handled", replies=[BotMessage(texts.bad_location)], reply_kind="location")
    if kind == "opt_out":
        # A distressed person may type END: staff see it as a safeguarding signal (docs/design.md).
        return Plan("handled", opted_out=True, event=("opt_out", {"word": incoming.text.strip()}))
    if kind == "opt_in":
        return Plan("handled", opted_out=False, event=("opt_in", {"word": incoming.text.strip()}))
    return Plan("ignored")


@dataclass(eq=False)
class Inbox:
    """Stores new messages and starts their processing."""

    db: Database
    hasher: SenderHasher
    texts: Catalog
    screen: Screen
    pipeline: Kickable
    outbox: Kickable
    handoff: Handoff = NO_HANDOFF
    clock: Callable[[], float] = time.time
    # The region's languages (bot/language.py); with one language, nothing is detected.
    languages: LanguageDetector = field(default_factory=lambda: LanguageDetector(("en",)))
    # Follow-ups (bot/followups): None, none are offered and no answer is read.
    followups: Followups | None = None
    # The privacy task (bot.privacy.service), woken when a client confirms an erasure; set when
    # it starts, after the inbox (until then, and without it, it finds the request on its round).
    privacy: Wakeable | None = None

    def conversation_id(self, channel: str, address: str) -> str:
        return self.hasher(channel, address)

    async def accept(self, incoming: Incoming) -> Accepted:
        """Store ``incoming`` durably (raises StoreError if it cannot), then start its work."""
        incoming = typed(incoming)  # typed words never reach Rasa as an intent
        cid = self.conversation_id(incoming.channel, incoming.address)
        # Ahead of the workers' transactions: the channel answers its webhook when this is done.
        try:
            accepted, effects = await self.db.run_first(self.take_in, cid, incoming, self.clock())
        except StoreConflict:  # a replica stored this message, or this new conversation, just now
            accepted, effects = await self.db.run_first(self.take_in, cid, incoming, self.clock())
        if accepted.duplicate:
            log.info(
                "%s %s repeat of message %d dropped",
                short(cid),
                incoming.channel,
                accepted.inbound_id,
            )
            return accepted
        log.info(
            "%s %s message %d stored: %s%s%s",
            short(cid),
            incoming.channel,
            accepted.inbound_id,
            incoming.kind,
            f", risk={accepted.risk} ({accepted.risk_tier})" if accepted.risk else "",
            ", relayed to staff" if accepted.status == "relayed" else "",
        )
        start(effects, self.outbox, self.pipeline, self.handoff, self.privacy)
        return accepted

    def take_in(
        self, c: Connection, cid: str, incoming: Incoming, now: float
    ) -> tuple[Accepted, Effects]:
        """A new message's first steps, in one transaction (see the module's docstring)."""
        if incoming.kind == "opt_in":
            # START only means "send again" after a STOP; otherwise it is a word for Rasa (a
            # client may text START here meaning the hotline's keyword).
            conversation = conversations.get(c, cid)
            if conversation is None or not conversation.opted_out:
                incoming = dataclasses.replace(incoming, kind="text")
        incoming = erasing.numbered(c, cid, incoming)  # SMS "1": yes to the gateway's offer
        # Stored, unless the provider sent it before.
        found = inbound.existing(c, incoming.channel, incoming.provider_id)
        if found is not None:
            return Accepted(found[0], cid, duplicate=True, status=found[1]), Effects()
        # Screened, in every language; the conversation's language decided.
        signal = (
            self.screen(incoming.text)
            if incoming.kind in ("text", "media") and incoming.text.strip()
            else None
        )
        choice, chose = self._language(c, cid, incoming, signal)
        texts = self.texts.of(choice.language)
        # An answer to a follow-up (yes to the offer, "they were full", STOP): answered here,
        # or sent on as what it stands for (a new search, a request for a person). A button
        # is stored as what it stands for; typed words are kept as the client wrote them, and
        # a new search goes to Rasa as a message of its own after them.
        turn = None
        if self.followups is not None and not chose:
            known = conversations.get(c, cid)
            turn = self.followups.take(c, cid, known, incoming, signal, texts, now)
        instead = turn.payload if turn is not None else None
        if instead is not None and incoming.kind != "text":
            incoming = dataclasses.replace(incoming, kind="payload", text=instead)
            instead = None
        inbound_id = inbound.add(c, cid, incoming, now, language=choice.language)
        search_again = instead is not None and instead != REQUEST_HUMAN
        if turn is not None and (turn.answered_here or search_again):
            plan = Plan("handled", replies=turn.replies, reply_kind="followup")
            if instead is not None:
                inbound.add_payload(c, cid, incoming.channel, instead, now, choice.language)
        else:
            plan = plan_for(incoming, texts, lambda _text: signal, chose)
            plan.person = plan.person or instead == REQUEST_HUMAN  # "5", "i need help now"
        # Counted for the report (no words, no client id): a conversation begun, a risk signal.
        report.conversation_begun(c, cid, incoming.channel, now)
        if plan.risk is not None:
            report.add(c, "risk", incoming.channel, now, risk=plan.risk, tier=plan.risk_tier,
                       source="screen")  # fmt: skip
        conversations.touch(c, cid, incoming.channel, incoming.address, now, plan.opted_out)
        conversations.set_language(c, cid, choice.language, choice.source, choice.strength)
        # A case opened or joined.
        checkin = turn.case_id if turn is not None else None  # an answer to staff's check-in
        new = NewMessage(
            cid, incoming, inbound_id, plan.crisis_risk, plan.person, choice.language, checkin
        )
        decision = self.handoff.on_message(c, new, now)
        status = decision.status or plan.status
        if status != "pending" or plan.risk is not None:
            inbound.decide(c, inbound_id, status, plan.risk, plan.risk_tier, now)
        # The gateway's own replies rendered, and queued.
        channel = incoming.channel
        replies = []
        if plan.replies and not decision.replace:
            rendered = render(channel, plan.replies, plan.reply_kind, texts)
            replies += rendered.items
            if plan.reply_kind == "followup" and rendered.buttons:  # SMS: "1" to "5" answer
                conversations.remember_buttons(c, cid, rendered.buttons)
        if decision.texts:
            told = [BotMessage(text) for text in decision.texts]
            replies += render(channel, told, "handoff", texts).items
        if turn is not None and turn.payload is not None and turn.replies and not search_again:
            replies += render(channel, turn.replies, "followup", texts).items
        if plan.opted_out and self.followups is not None:  # SMS STOP: no check-in either
            self.followups.stopped(c, cid, channel, "opt_out", now)
        if plan.erase:
            during_case = status == "relayed"
            told = erasing.answer(c, cid, plan.erase, during_case, inbound_id, texts, now)
            rendered = render(channel, told, "privacy", texts)
            replies += rendered.items
            decision.effects.erase = plan.erase == "confirm"
            if rendered.buttons:
                conversations.remember_buttons(c, cid, rendered.buttons)
        outbox.queue(c, cid, channel, inbound_id, replies, now)
        if plan.opted_out:
            outbox.suppress(c, cid)
        if plan.event:
            events.add(c, cid, inbound_id, *plan.event, now)
        effects = decision.effects
        if replies:
            effects.outbox.add(cid)
        if status == "pending" or search_again:
            effects.pipeline.add(cid)
        accepted = Accepted(
            inbound_id, cid, duplicate=False, status=status, crisis=plan.reply_kind == "crisis",
            risk=plan.risk, risk_tier=plan.risk_tier, language=choice.language,
        )  # fmt: skip
        return accepted, effects

    def _language(
        self, c: Connection, cid: str, incoming: Incoming, signal: Signal | None
    ) -> tuple[Choice, bool]:
        """The conversation's language with this message, and whether the message chose it.

        A clear risk signal in another language than the conversation's moves it there (unless
        the client chose a language): the crisis reply is in the words that said the risk.
        """
        conversation = conversations.get(c, cid)
        current = None
        if conversation is not None and conversation.language:
            current = Choice(
                conversation.language,  # type: ignore[arg-type]
                conversation.language_source or DETECTED,
                float(conversation.language_strength or 0.0),
            )
        hint = hint_of(incoming.language_hint, self.languages.languages)
        choice, chose = self.languages.choose(incoming.kind, incoming.text, current, hint)
        if (
            signal is not None
            and signal.clear
            and signal.language != choice.language
            and choice.source != EXPLICIT
            and signal.language in self.texts.languages
        ):
            choice = Choice(signal.language, DETECTED, max(choice.strength, SOME))
        return choice, chose
