"""Follow-ups: after a listing, the assistant asks once whether it may check back, and does.

Today a client who was sent to a shelter at 11 pm is asked, with their consent, the next morning
whether they got a bed; what they answer is counted for the report (which referrals fail), and a
"it was full" gets the next options at once. The parts, all in the gateway, all in its store:

1. **The offer** (:meth:`Followups.offer`, in the router's transaction of the answer): after a
   listing for one of :attr:`Followups.needs` (shelter unless configured), on a channel that can
   reach the client later (Telegram, SMS; never the web chat, which is told where a check-in can
   be had instead), once a week at most, never while a case is open. A client who mentioned
   abuse (a domestic-violence search, the screen's danger signal) is asked whether it is safe to
   message this number, and the first message later is neutral. The consent is kept with the
   wording's version and the time (``consents``).
2. **The schedule** (:mod:`bot.followups.worker`, :mod:`bot.followups.schedule`): a yes
   schedules the question for the next morning (``followups``); a worker claims what is due
   with a lease, and sends it through the outbox; quiet hours, one a day, never while the
   client talks with staff, dropped when a day late; one reminder when there is no answer.
3. **The answer** (:meth:`Followups.take`, in the inbox's transaction of the client's message,
   before Rasa): 1 to 5, or words ("yeah got one", "they were full"); 2 or 3 searches again at
   once, 5 asks for a person; a risk signal goes the way every risk signal goes.
4. **STOP** (Telegram's ``/stop``, "stop checking on me", the SMS opt-out words, a blocked bot,
   Twilio's 21610): every pending follow-up of the client cancelled at once.
5. **Staff check-ins** (:mod:`bot.handoff.checkins`): scheduled from a case by staff, sent by
   the same worker under the same rules; the client's answer goes to staff, not to Rasa.

The report counts offers, consents, questions sent and outcomes by need, town and service
(``report_events`` of kind ``followup``; no words, no ids). Erasure deletes a client's rows,
the purge the finished ones, the export includes them (:mod:`bot.privacy`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.channels.traits import traits
from bot.db import Connection, conversations, events, report
from bot.db import followups as store
from bot.db.schema import inbound
from bot.followups import answers, schedule
from bot.messages import Messages
from bot.model import REQUEST_HUMAN, BotMessage, Button, Conversation, InboundRecord, Incoming
from bot.safety import Signal
from contract import DANGER, INTENT_FOR_NEED, PAYLOAD_LISTING, listing_from

YES, NO, STOP, GO = "/followup_yes", "/followup_no", "/followup_stop", "/followup_go"
OUTCOME_PAYLOADS = {f"/followup_outcome_{n}": n for n in answers.OUTCOMES}
PAYLOADS = frozenset({YES, NO, STOP, GO, *OUTCOME_PAYLOADS})
ASK_AGAIN_AFTER = 7 * 24 * 3600.0  # an offer is made at most once a week to a client
WEBCHAT_TOLD = "followup_webchat"  # the event kept when the web chat is told where to go
WORDING_VERSION = 1
TO_STAFF = ("text", "payload", "media", "location")  # what of an answer to a check-in staff read
# What a client's abuse looks like to the gateway: a search for it, or the screen's danger.
SENSITIVE_NEED = "domestic_violence"


@dataclass(frozen=True)
class Turn:
    """What follow-ups made of a client's message: the gateway's replies, and what Rasa is sent
    instead of the words (None: the message is answered here and Rasa is not asked)."""

    replies: list[BotMessage] = field(default_factory=list)
    payload: str | None = None
    # An answer to a staff check-in: it goes to staff (a case opens, in this case's topic).
    case_id: int | None = None

    @property
    def answered_here(self) -> bool:
        """The gateway answers the message itself: Rasa and staff are not asked."""
        return self.payload is None and self.case_id is None


@dataclass(frozen=True)
class Followups:
    """The follow-ups' rules for one gateway: the region's zone, the needs offered a check-in,
    and where a web chat client can have one ("by SMS at +1 650-555-0100, or on Telegram")."""

    zone: ZoneInfo
    needs: frozenset[str] = frozenset({"shelter"})
    elsewhere: str | None = None

    # --- the offer (the router) ---------------------------------------------------------------

    def offer(
        self,
        c: Connection,
        record: InboundRecord,
        conversation: Conversation,
        reports: list[Any],
        messages: list[BotMessage],
        texts: Messages,
        now: float,
    ) -> list[BotMessage]:
        """What to add after Rasa's answer: the offer, when it is one to make; else nothing."""
        search = self._search(reports)
        if search is None or conversation.opted_out:
            return []
        if record.risk or any(_safety_check(p) for p in reports):
            # "Are you safe right now?" came with the listing: its yes or no (or SMS 1 or 2)
            # must reach Rasa, never be taken for an answer to an offer.
            return []
        cid, channel = conversation.id, conversation.channel
        if not traits(channel).proactive:
            return self._elsewhere(c, cid, record.id, texts, now)
        if conversations.open_case(c, cid) is not None or store.offered_since(
            c, cid, now - ASK_AGAIN_AFTER
        ):
            return []
        sensitive = search["need"] == SENSITIVE_NEED or said_danger(c, cid)
        if sensitive:
            text, wording = texts.followup_offer_safe, "offer_safe"
        elif search["need"] == "shelter":
            text, wording = texts.followup_offer_bed, "offer_bed"
        else:
            text, wording = texts.followup_offer_help, "offer_help"
        service = _first_service(messages)
        wording = f"{wording}-v{WORDING_VERSION}-{texts.language}"
        store.ask(c, cid, channel, search, service, sensitive, wording, now)
        _count(c, channel, "offered", search, service, now)
        buttons = (Button(texts.followup_yes_button, YES), Button(texts.followup_no_button, NO))
        return [BotMessage(text, buttons=buttons)]

    def _search(self, reports: list[Any]) -> dict[str, Any] | None:
        for payload in reports:
            fields = report.search_fields(payload)
            if fields and fields["need"] in self.needs and fields["found"] > 0:
                return fields
        return None

    def _elsewhere(
        self, c: Connection, cid: str, inbound_id: int, texts: Messages, now: float
    ) -> list[BotMessage]:
        """The web chat: said once a week, where a check-in can be had, if anywhere."""
        if not self.elsewhere:
            return []
        told = c.execute(
            sa.select(events.table.c.id).where(
                events.table.c.conversation_id == cid,
                events.table.c.kind == WEBCHAT_TOLD,
                events.table.c.created_at >= now - ASK_AGAIN_AFTER,
            )
        ).first()
        if told is not None:
            return []
        events.add(c, cid, inbound_id, WEBCHAT_TOLD, {}, now)
        return [BotMessage(texts.followup_webchat.format(channels=self.elsewhere))]

    # --- the client's answer (the inbox) ------------------------------------------------------

    def take(
        self,
        c: Connection,
        cid: str,
        conversation: Conversation | None,
        incoming: Incoming,
        signal: Signal | None,
        texts: Messages,
        now: float,
    ) -> Turn | None:
        """What a new client message means to follow-ups (inside the inbox's transaction, before
        it is stored); None when it means nothing to them and goes on as any message does."""
        if conversation is None:  # a first message: only /stop means something here
            if incoming.kind == "payload" and incoming.text.strip() == STOP:
                return self._stop(c, cid, incoming.channel, True, texts, now)
            return None
        payload = _as_payload(incoming, conversation)
        words = incoming.text if incoming.kind == "text" else ""
        if payload == STOP or (words and answers.stop(words)):
            return self._stop(c, cid, conversation.channel, payload == STOP, texts, now)
        waiting = store.waiting(c, cid, now)
        if waiting is not None and waiting.by_staff and incoming.kind in TO_STAFF:
            return self._to_staff(c, waiting, payload, words, texts, now)
        if signal is not None:  # risk: the screen and the handoff, as for every message
            if waiting is not None and waiting.state == "asked":
                self._answered(c, waiting, 5, now)
            return None
        if payload in (YES, NO) or (words and answers.yes_or_no(words) is not None):
            turn = self._consent(c, cid, payload, words, texts, now)
            if turn is not None:
                return turn
        if waiting is None:
            # A button of a question that is over (answered, or days old): said so, never Rasa's.
            return Turn([BotMessage(texts.followup_over)]) if payload else None
        if waiting.state == "checking":  # the neutral message: is it a good time?
            if payload == GO or answers.number(words) == 1 or answers.yes_or_no(words):
                store.set_state(c, waiting.id, "asked", now, sent_at=waiting.sent_at)
                return Turn([question(texts, waiting.need)])
            return None
        choice = OUTCOME_PAYLOADS.get(payload or "") or (answers.outcome(words) if words else None)
        said = answers.yes_or_no(words) if words else None
        if choice is None and said is True:  # "yes" to "did you get a bed?"
            choice = 1
        if choice is None:
            if answers.number(words) is not None or said is False:  # "7", or a bare "no"
                again = question(texts, waiting.need).buttons
                return Turn([BotMessage(texts.followup_pick, buttons=again)])
            return None  # other words: a new message for Rasa; the question stays open
        self._answered(c, waiting, choice, now)
        if choice == 1:
            return Turn([BotMessage(texts.followup_glad)])
        if choice == 4:
            return Turn([BotMessage(texts.followup_noted)])
        if choice == 5:
            return Turn([], payload=REQUEST_HUMAN)
        return Turn([BotMessage(texts.followup_sorry)], payload=search_again(waiting))

    def _to_staff(
        self,
        c: Connection,
        waiting: store.Followup,
        payload: str | None,
        words: str,
        texts: Messages,
        now: float,
    ) -> Turn:
        """An answer to a staff check-in: to staff, whatever it says (a risk signal too: the
        screen's crisis reply goes as ever, and the case it opens is high-risk). After the
        neutral message, a 1 or a yes is "a good time": staff's words follow."""
        if waiting.state == "checking" and (
            payload == GO or answers.number(words) == 1 or answers.yes_or_no(words)
        ):
            store.set_state(c, waiting.id, "asked", now, sent_at=waiting.sent_at)
            return Turn([checkin(texts, waiting)])
        store.answered(c, waiting, "replied", now)
        report.add(c, "followup", waiting.channel, now, need=waiting.need, outcome="replied")
        return Turn(case_id=waiting.case_id)

    def _consent(
        self, c: Connection, cid: str, payload: str | None, words: str, texts: Messages, now: float
    ) -> Turn | None:
        offer = store.open_offer(c, cid, now, typed=payload is None)
        if offer is None:
            # A typed yes with no offer open is Rasa's; an old button, a short answer here.
            return Turn([BotMessage(texts.followup_none)]) if payload else None
        yes = payload == YES if payload else bool(answers.yes_or_no(words))
        store.answer_offer(c, offer.id, "yes" if yes else "no", now)
        search = {"need": offer.need, "place": offer.place}
        _count(c, offer.channel, "accepted" if yes else "declined", search, offer.service, now)
        if not yes:
            return Turn([BotMessage(texts.followup_declined)])
        store.schedule(c, offer, "question", schedule.tomorrow_morning(now, self.zone), now)
        return Turn([BotMessage(texts.followup_accepted)])

    def _answered(self, c: Connection, waiting: store.Followup, choice: int, now: float) -> None:
        outcome = answers.OUTCOMES[choice]
        store.answered(c, waiting, outcome, now)
        search = {"need": waiting.need, "place": waiting.place}
        _count(c, waiting.channel, outcome, search, waiting.service, now)

    def _stop(
        self, c: Connection, cid: str, channel: str, asked: bool, texts: Messages, now: float
    ) -> Turn | None:
        """STOP: everything cancelled, one confirmation, and kept, so that staff cannot schedule
        a check-in either. Typed "stop" with nothing to cancel is left to Rasa (it may mean
        something else); /stop always gets an answer."""
        cancelled = self.stopped(c, cid, channel, "client", now)
        if not cancelled and not asked:
            return None
        store.record_stop(c, cid, now)
        return Turn([BotMessage(texts.followup_stopped if cancelled else texts.followup_none)])

    def stopped(self, c: Connection, cid: str, channel: str, why: str, now: float) -> int:
        """Every pending follow-up and consent of the client cancelled (STOP, a carrier opt-out,
        a blocked bot, an erasure): how many there were."""
        cancelled = store.cancel_all(c, cid, why, now)
        if cancelled:
            report.add(c, "followup", channel, now, outcome="stopped")
        return cancelled


def question(texts: Messages, need: str, reminder: bool = False) -> BotMessage:
    """The outcome question, with its five answers as buttons (numbered on SMS)."""
    text = texts.followup_question_bed if need == "shelter" else texts.followup_question_help
    if reminder:
        text = f"{texts.followup_reminder} {text}"
    labels = (
        texts.followup_outcome_1, texts.followup_outcome_2, texts.followup_outcome_3,
        texts.followup_outcome_4, texts.followup_outcome_5,
    )  # fmt: skip
    buttons = tuple(Button(label, f"/followup_outcome_{n}") for n, label in enumerate(labels, 1))
    return BotMessage(text, buttons=buttons)


def checkin(texts: Messages, followup: store.Followup) -> BotMessage:
    """A staff check-in as the client reads it: staff's words, and that a reply reaches them."""
    return BotMessage(f"{followup.text}\n\n{texts.checkin_hint}")


def neutral(texts: Messages) -> BotMessage:
    """The first message to a client who mentioned abuse: it names no service and no topic."""
    return BotMessage(texts.followup_neutral, buttons=(Button(texts.followup_neutral_button, GO),))


def search_again(followup: store.Followup) -> str:
    """What Rasa is sent for "it was full" or "I couldn't get there": the same need, the same
    place, so the client gets the nearest options now."""
    intent = INTENT_FOR_NEED.get(followup.need, "find_shelter")
    place = followup.postcode or followup.place
    if not place or place == "outside the region":
        return f"/{intent}"
    return f"/{intent}" + json.dumps({"location": place}, ensure_ascii=False, separators=(",", ":"))


def _as_payload(incoming: Incoming, conversation: Conversation) -> str | None:
    """A button of follow-ups (Telegram, web chat), or an SMS number that picks one."""
    if incoming.kind == "payload":
        return incoming.text.strip() if incoming.text.strip() in PAYLOADS else None
    if incoming.kind == "text" and traits(conversation.channel).numbered_choices:
        choice = answers.number(incoming.text)
        buttons = conversation.buttons
        if choice is not None and 1 <= choice <= len(buttons):
            payload = buttons[choice - 1].payload
            return payload if payload in PAYLOADS else None
    return None


def _safety_check(payload: Any) -> bool:
    """A report payload of Rasa's safety check (domain.yml utter_safety_check)."""
    return isinstance(payload, dict) and payload.get("kind") == "risk"


def _first_service(messages: list[BotMessage]) -> str | None:
    for message in messages:
        listing = listing_from((message.custom or {}).get(PAYLOAD_LISTING))
        if listing is not None and listing.services:
            return listing.services[0].name
    return None


def said_danger(c: Connection, cid: str) -> bool:
    query = sa.select(inbound.c.id).where(
        inbound.c.conversation_id == cid, inbound.c.risk == DANGER
    )
    return c.execute(query.limit(1)).first() is not None


def _count(
    c: Connection,
    channel: str,
    outcome: str,
    search: dict[str, Any],
    service: str | None,
    now: float,
) -> None:
    """One follow-up step for the report: need, town, service, what happened (no words, no id)."""
    place = search.get("place")
    report.add(
        c, "followup", channel, now, need=search.get("need"),
        place=place[:64] if isinstance(place, str) else None,
        service=service[:64] if service else None, outcome=outcome,
    )  # fmt: skip
