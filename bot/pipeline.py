"""The router: answers each stored message through Rasa, in order per conversation.

One worker per conversation takes its pending messages oldest first; different conversations
run in parallel (at most :data:`MAX_CONCURRENT_RASA_CALLS` calls to Rasa at once). For each
message the worker asks Rasa, renders the answer for the client's channel and queues it in
the outbox in the same transaction that marks the message answered.

A message lives these steps once each, in this order: read from the store with its
conversation; human handoff routes it (:class:`bot.hooks.Handoff`: to staff when its client is
talking with them, else to Rasa); Rasa answers; its ``report`` payloads are taken out, for the
report alone (:func:`without_reports`, :mod:`bot.db.report`); human handoff reads the answer
(a ``handoff`` payload opens a case); the answer is rendered for the channel; its units are
queued in the outbox, and the outbox started.

When Rasa is down or slow the message stays pending: the client gets the gateway's honest
notice with the emergency number and the 24/7 line (once per outage), and the worker waits for
Rasa to answer its health probe, then tries again. After a timeout Rasa may have answered
anyway; the worker reads the conversation's tracker first so as not to send the message twice.
A reply Rasa cannot give (an empty answer, e.g. the action server is down) is retried a few
times, then the client is told to ask again.

With human handoff (:mod:`bot.handoff.intake`): while the conversation has an open case, a
message goes to staff instead of Rasa; a case's opening message goes to Rasa only for what staff
should know (the client was already told what happens, so Rasa's words are left out, and no
notice is sent if Rasa is down); and the ``control`` messages a case queues pause the
conversation in Rasa when it opens and resume it when it closes, in order with the rest.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.channels.traits import traits
from bot.db import Connection, Database, conversations, events, inbound, meta, outbox, report
from bot.errors import RasaBadReply, RasaError, RasaRefused, RasaTimeout, RasaUnavailable
from bot.followups import Followups
from bot.hooks import NO_HANDOFF, Effects, Handoff, Kickable, Route, start
from bot.language import payload_for
from bot.messages import Catalog, Messages
from bot.model import BotMessage, Button, Conversation, InboundRecord, OutboxItem
from bot.privacy import short
from bot.rasa import MESSAGE_ID_KEY, RasaClient, RasaHealth
from bot.render import render
from bot.workers import KeyedWorkers
from contract import (
    INTENT_FOR_RISK,
    META_CHANNEL,
    META_CRISIS_SENT,
    META_LANGUAGE,
    META_SCREEN,
    PAYLOAD_HANDOFF,
    PAYLOAD_REPORT,
)

log = logging.getLogger(__name__)

MAX_CONCURRENT_RASA_CALLS = 32
MAX_BAD_REPLY_ATTEMPTS = 3
RETRY_DELAYS = (2.0, 5.0, 10.0, 30.0, 60.0)  # then every 60 s, or as soon as Rasa answers again
# The events a "pause" and a "resume" control append to the conversation's tracker. Resuming
# also ends any form left active, so the client's next message starts from a clean slate.
CONTROL_EVENTS: dict[str, list[dict[str, Any]]] = {
    "pause": [{"event": "pause"}],
    "resume": [
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "resume"},
    ],
}
# What Telegram and web chat accept; a longer SMS is kept whole in the store.
MAX_TEXT_FOR_RASA = 4096


def retry_delay(attempts: int) -> float:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1] if attempts else 0.0


def text_for_rasa(record: InboundRecord, conversation: Conversation) -> str:
    """What Rasa is sent for a stored message: the client's own words, always.

    What the safety screen found goes with them as metadata (:func:`metadata_for_rasa`), so
    that the NLU still hears what was asked for beside the risk. An SMS answer "2" to a
    numbered list stands for the option's payload.
    """
    if traits(record.channel).numbered_choices and record.kind == "text":
        choice = numbered_choice(record.text, conversation.buttons)
        if choice:
            return with_language(choice, record.language)
    if record.kind in ("payload", "location"):
        return with_language(record.text, record.language)
    return record.text[:MAX_TEXT_FOR_RASA]


def with_language(payload: str, language: str | None) -> str:
    """A payload ("/find_shelter", "/inform_location{...}") with the conversation's language
    among its entities: Rasa takes a payload without the NLU pipeline, so the metadata's
    language would not reach the ``language`` slot otherwise (rasa_addons/language.py)."""
    if not language or not payload.startswith("/"):
        return payload
    name, brace, rest = payload.partition("{")
    entities: dict[str, Any] = {}
    if brace:
        try:
            found = json.loads(brace + rest)
        except ValueError:
            return payload
        if not isinstance(found, dict):
            return payload
        entities = found
    entities.setdefault(META_LANGUAGE, language)
    return name + json.dumps(entities, separators=(",", ":"), ensure_ascii=False)


def numbered_choice(text: str, buttons: tuple[Button, ...]) -> str | None:
    """The payload a reply like "2" picks from the numbered options, if it is one."""
    answer = text.strip().rstrip(".)")
    if answer.isdigit() and 1 <= int(answer) <= len(buttons):
        return buttons[int(answer) - 1].payload
    return None


def metadata_for_rasa(record: InboundRecord) -> dict[str, Any]:
    """The metadata of a message for Rasa: its channel, its id, and what the screen found."""
    metadata: dict[str, Any] = {META_CHANNEL: record.channel, MESSAGE_ID_KEY: record.id}
    screen = record.screen_metadata()
    if screen is not None:
        metadata[META_SCREEN] = screen  # read by Rasa's risk triage (rasa_addons/triage.py)
    if record.crisis_sent:
        metadata[META_CRISIS_SENT] = True
    if record.language:
        metadata[META_LANGUAGE] = record.language  # the words of Rasa's responses
    return metadata


def without_repeated_crisis(messages: list[BotMessage], risk: str | None) -> list[BotMessage]:
    """Rasa's answer without its crisis text when the gateway has already sent its own.

    For a message the safety screen caught, the client already has the crisis reply (the same
    words and numbers, from the same region file). Rasa's rules say the crisis response first;
    it carries a ``{"handoff": {"reason": "risk_..."}}`` payload, which the REST channel sends
    as a second message after the text. So: when the answer opens with a text followed by (or
    carrying) that payload, the text is left out and the payload kept.
    """
    intent = INTENT_FOR_RISK.get(risk or "")
    if intent is None or not messages or not messages[0].text:
        return messages

    def crisis_payload(message: BotMessage) -> bool:
        handoff = (message.custom or {}).get(PAYLOAD_HANDOFF)
        return isinstance(handoff, dict) and handoff.get("reason") == intent

    first = messages[0]
    if crisis_payload(first):  # text and payload in one message
        return [BotMessage(custom=first.custom), *messages[1:]]
    if len(messages) > 1 and not first.custom and not first.buttons and crisis_payload(messages[1]):
        return messages[1:]
    return messages


def _was_down(record: InboundRecord) -> bool:
    return bool(record.last_error and record.last_error.startswith(RasaUnavailable.__name__))


@dataclass(eq=False)
class Pipeline(KeyedWorkers[str]):
    """Starts a Rasa worker for each conversation with messages waiting."""

    db: Database
    rasa: RasaClient
    health: RasaHealth
    outbox: Kickable
    texts: Catalog
    handoff: Handoff = NO_HANDOFF
    clock: Callable[[], float] = time.time
    followups: Followups | None = None  # bot/followups: the offer to check back after a listing
    _turns: dict[int, asyncio.Event] = field(default_factory=dict, init=False)
    _calls: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT_RASA_CALLS), init=False
    )

    def _task_name(self, key: str) -> str:
        return f"pipeline {short(key)}"

    async def resume(self) -> None:
        """After a start: answer every message left pending."""
        for conversation_id in await self.db.run(inbound.pending_conversations):
            self.kick(conversation_id)

    async def wait_turn(self, inbound_id: int, timeout: float) -> bool:
        """Wait until Rasa's first attempt at ``inbound_id`` is over; whether it is."""
        event = self._turns.setdefault(inbound_id, asyncio.Event())
        record = await self.db.run(inbound.get, inbound_id)
        if record is None or record.status != "pending" or record.attempts > 0:
            self._turns.pop(inbound_id, None)
            return True
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self._turns.pop(inbound_id, None)

    async def _work(self, conversation_id: str) -> None:
        try:
            while not self._stopping:
                found = await self.db.run(self._next_turn, conversation_id, self.clock())
                if found is None:
                    return
                # Only this worker changes the conversation's state.
                record, conversation, route = found
                start(route.effects, self.outbox, self, self.handoff)
                if route.to == "relayed":
                    self._turn_over(record)
                    continue
                wait = record.next_attempt_at - self.clock()
                if wait > 0:  # a retry; after a refusal, as soon as Rasa's probe sees it up
                    waiting = (
                        self.health.wait_up(self.rasa.base_for(conversation_id), wait)
                        if _was_down(record)
                        else asyncio.sleep(wait)
                    )
                    if not await self._unless_stopped(waiting):
                        return
                async with self._calls:
                    if record.kind == "control":
                        await self._control(record, conversation)
                    else:
                        await self._answer(record, conversation, route)
        except Exception:
            log.exception(
                "pipeline worker for %s failed; it restarts on the next kick",
                short(conversation_id),
            )

    def _next_turn(
        self, c: Connection, cid: str, now: float
    ) -> tuple[InboundRecord, Conversation, Route] | None:
        """The conversation's oldest message waiting for Rasa, and where it goes now."""
        found = inbound.next_turn(c, cid)
        if found is None:
            return None
        record, conversation = found
        route = Route() if record.kind == "control" else self.handoff.route(c, record, now)
        return record, conversation, route

    def _turn_over(self, record: InboundRecord) -> None:
        """A web chat request may be waiting for this message's turn: it is over."""
        event = self._turns.get(record.id)
        if event is not None:
            event.set()

    async def _answer(
        self, record: InboundRecord, conversation: Conversation, route: Route
    ) -> None:
        cid = record.conversation_id
        opening = route.to == "opening"
        try:
            messages = await self._ask_rasa(record, conversation, route.text)
        except RasaError as exc:
            await self._failed(record, conversation, exc, quiet=opening)
        else:
            self.health.report_up(self.rasa.base_for(cid))
            messages, reports = without_reports(messages)
            sent = record.risk if record.crisis_sent else None
            kept = without_repeated_crisis(messages, sent)
            await self._finish(record, conversation, kept, route, reports)
        finally:
            self._turn_over(record)

    async def _control(self, record: InboundRecord, conversation: Conversation) -> None:
        """Pause or resume the conversation in Rasa (human handoff); no client is told."""
        cid = record.conversation_id
        events_ = CONTROL_EVENTS.get(record.text)
        if events_ is None:
            unknown = RasaBadReply(f"unknown control {record.text!r}")
            await self._defer(record, conversation, unknown, give_up=True, quiet=True)
            return
        try:
            await self.rasa.append_events(cid, events_)
        except RasaError as exc:
            await self._failed(record, conversation, exc, quiet=True, control=True)
        else:
            self.health.report_up(self.rasa.base_for(cid))
            await self.db.run(answered, record, [], [], None, [], self.clock())
            log.info("%s conversation %sd in Rasa", short(cid), record.text)

    async def _ask_rasa(
        self, record: InboundRecord, conversation: Conversation, text: str | None = None
    ) -> list[BotMessage]:
        cid = record.conversation_id
        if record.last_error and record.last_error.startswith(RasaTimeout.__name__):
            found = await self.rasa.answer_in_tracker(cid, record.id)
            if found is not None:
                log.info("%s message %d: Rasa finished it after a timeout", short(cid), record.id)
                if not found:
                    raise RasaBadReply("Rasa recorded the message but answered nothing")
                return found
        metadata = metadata_for_rasa(record)
        return await self.rasa.send(cid, text or text_for_rasa(record, conversation), metadata)

    async def _finish(
        self,
        record: InboundRecord,
        conversation: Conversation,
        messages: list[BotMessage],
        route: Route,
        reports: list[Any],
    ) -> None:
        handoffs = [h for h in map(_handoff_payload, messages) if h]
        if handoffs:  # one line a turn: the crisis response and action_handoff each carry one
            reasons = sorted({str(h.get("reason")) for h in handoffs})
            needs = sorted({str(h.get("need")) for h in handoffs if h.get("need")})
            log.warning(
                "%s handoff requested: reason=%s risk=%s need=%s",
                short(record.conversation_id),
                ",".join(reasons),
                "high" if any(h.get("risk") == "high" for h in handoffs) else "normal",
                ",".join(needs) or None,
            )
        effects, units = await self.db.run(
            self._answer_in_store, record, conversation, messages, route, reports
        )
        start(effects, self.outbox, self, self.handoff)
        log.info(
            "%s message %d answered (%d units)", short(record.conversation_id), record.id, units
        )

    def _answer_in_store(
        self,
        c: Connection,
        record: InboundRecord,
        conversation: Conversation,
        messages: list[BotMessage],
        route: Route,
        reports: list[Any],
    ) -> tuple[Effects, int]:
        """Rasa's answer, in one transaction: human handoff reads it (a message of a case, or
        an answer that asks for a person), it is rendered, and its units are queued with what
        the handoff tells the client; events kept, and what the report counts of it."""
        now = self.clock()
        found = [("handoff", payload) for payload in map(_handoff_payload, messages) if payload]
        # Human handoff reads every answer: one that asks for a person, a case's opening
        # message, and one that comes back after a case opened (its question goes unheard).
        answer = self.handoff.on_answer(c, record, messages, now)
        channel = conversation.channel
        texts = self.texts.of(record.language or conversation.language)
        kept = messages if answer.messages is None else answer.messages
        offer = []
        if self.followups is not None and answer.messages is None:
            offer = self.followups.offer(c, record, conversation, reports, kept, texts, now)
        if traits(channel).language_button and inbound.first_of(c, record):
            kept = with_language_button(kept, texts, self.texts)
        told = [BotMessage(text) for text in answer.texts]
        notices = render(channel, told, "handoff", texts).items if told else []
        rendered = render(channel, kept, "reply", texts)
        if offer:  # its own message (on SMS too: the listing keeps its segments)
            rendered = rendered.then(render(channel, offer, "followup", texts))
        for key, payload in rendered.long_payloads.items():
            meta.save_payload(c, key, payload)
        buttons = rendered.buttons if traits(channel).numbered_choices else None
        answered(c, record, notices, rendered.items, buttons, found, now)
        if answer.messages is not None and not answer.messages:
            reports = []  # a message of a case: the client was not given Rasa's answer
        report.from_answer(c, channel, record.risk, reports, [p for _, p in found], now)
        answer.effects.outbox.add(record.conversation_id)
        return answer.effects, len(rendered.items)

    async def _failed(
        self,
        record: InboundRecord,
        conversation: Conversation,
        exc: RasaError,
        quiet: bool,
        control: bool = False,
    ) -> None:
        """Rasa gave no usable answer. Down or slow: the message waits as long as it takes. An
        answer that is no use, or (for a pause or a resume) a refusal such as a wrong token, so
        that the client's later messages do not wait behind it: a few tries, then give up."""
        refused = control and isinstance(exc, RasaRefused)
        if isinstance(exc, RasaUnavailable) and not refused:
            self.health.report_down(self.rasa.base_for(record.conversation_id))
        limited = refused or isinstance(exc, RasaBadReply)
        give_up = limited and record.attempts + 1 >= MAX_BAD_REPLY_ATTEMPTS
        if refused and give_up:
            what, cid = record.text, short(record.conversation_id)
            log.error("%s cannot %s the conversation in Rasa: %s", cid, what, exc)
        await self._defer(record, conversation, exc, give_up=give_up, quiet=quiet)

    async def _defer(
        self,
        record: InboundRecord,
        conversation: Conversation,
        exc: RasaError,
        give_up: bool,
        quiet: bool = False,
    ) -> None:
        """Keep the message for later.

        ``quiet``: the message is a case's (its opening message, a pause or a resume), so the
        client is told nothing unless a message of theirs waits behind it (a case closed, and
        the client wrote to the assistant again).
        """
        if quiet and conversation.degraded_at is None:
            cid = record.conversation_id
            quiet = not await self.db.run(inbound.pending_after, cid, record.id)
        notices = []
        texts = self.texts.of(record.language or conversation.language)
        if conversation.degraded_at is None and not quiet:
            notices.append(BotMessage(text=texts.assistant_down))
        if record.risk and not record.crisis_sent and record.attempts == 0 and not quiet:
            # Words that may mean risk, and Rasa cannot check: the lines now.
            notices.append(BotMessage(text=texts.lines_while_down))
        if give_up and not quiet:
            notices.append(BotMessage(text=texts.gave_up))
        items = render(conversation.channel, notices, "notice", texts).items if notices else []
        delay = retry_delay(record.attempts + 1)
        if isinstance(exc, RasaTimeout):  # give a slow turn as long again to finish
            delay = max(delay, self.rasa.timeout)
        next_at = self.clock() + delay
        error = f"{type(exc).__name__}: {exc}"
        await self.db.run(deferred, record, error, next_at, items, give_up, self.clock())
        outcome = "given up" if give_up else "kept for later"
        log.warning(
            "%s message %d %s: %s", short(record.conversation_id), record.id, outcome, error
        )
        if items:
            self.outbox.kick(record.conversation_id)


def with_language_button(
    messages: list[BotMessage], texts: Messages, catalog: Catalog
) -> list[BotMessage]:
    """The first reply of a conversation, with a button to each other language of the region
    on its last message ("Español" under an English reply): a client whose first words did not
    say their language is one tap from it. SMS shows it as a numbered option."""
    others = [x for x in catalog.languages if x != texts.language]
    if not others or not messages:
        return messages
    buttons = tuple(Button(catalog.of(x).language_button, payload_for(x)) for x in others)
    last = messages[-1]
    if not (last.text or last.buttons):
        return messages
    return [*messages[:-1], dataclasses.replace(last, buttons=(*last.buttons, *buttons))]


def without_reports(messages: list[BotMessage]) -> tuple[list[BotMessage], list[Any]]:
    """Rasa's answer without the ``report`` payloads, which are for the report, never the
    client; and those payloads (see :func:`bot.db.report.from_answer`)."""
    kept, reports = [], []
    for message in messages:
        custom = message.custom or {}
        if PAYLOAD_REPORT not in custom:
            kept.append(message)
            continue
        reports.append(custom[PAYLOAD_REPORT])
        rest = {k: v for k, v in custom.items() if k != PAYLOAD_REPORT}
        if message.text or message.buttons or message.image or rest:
            kept.append(dataclasses.replace(message, custom=rest or None))
    return kept, reports


def _handoff_payload(message: BotMessage) -> dict[str, Any] | None:
    payload = (message.custom or {}).get(PAYLOAD_HANDOFF)
    return payload if isinstance(payload, dict) else None


def answered(
    c: Connection,
    record: InboundRecord,
    notices: list[OutboxItem],
    replies: list[OutboxItem],
    buttons: Any,
    found: list[tuple[str, dict[str, Any]]],
    now: float,
) -> None:
    """Rasa answered ``record``: its units queued (after the handoff's ``notices``, which answer
    no message), its buttons and events kept, the outage over (inside one transaction)."""
    cid, channel = record.conversation_id, record.channel
    outbox.queue(c, cid, channel, None, notices, now)
    inbound.done(c, record, now)
    outbox.queue(c, cid, channel, record.id, replies, now)
    conversations.answered(c, cid, now, buttons)
    for kind, data in found:
        events.add(c, cid, record.id, kind, data, now)


def deferred(
    c: Connection,
    record: InboundRecord,
    error: str,
    next_attempt_at: float,
    notices: list[OutboxItem],
    give_up: bool,
    now: float,
) -> None:
    """Rasa gave no usable answer: the message kept for later (or given up), a notice queued."""
    inbound.defer(c, record, error, next_attempt_at, now, give_up)
    if notices:
        cid = record.conversation_id
        outbox.queue(c, cid, record.channel, record.id, notices, now)
        conversations.degraded(c, cid, now)
