"""The router: answers each stored message through Rasa, in order per conversation.

One worker per conversation takes its pending messages oldest first; different conversations
run in parallel (at most :data:`MAX_CONCURRENT_RASA_CALLS` calls to Rasa at once). For each
message the worker asks Rasa, renders the answer for the client's channel and queues it in
the outbox in the same transaction that marks the message answered.

When Rasa is down or slow the message stays pending: the client gets the gateway's honest
notice with the emergency number and the 24/7 line (once per outage), and the worker waits for
Rasa to answer its health probe, then tries again. After a timeout Rasa may have answered
anyway; the worker reads the conversation's tracker first so as not to send the message twice.
A reply Rasa cannot give (an empty answer, e.g. the action server is down) is retried a few
times, then the client is told to ask again.

Human handoff (:mod:`bot.handoff.intake`) adds its branch here: while the conversation has an
open case, a message goes to staff instead of Rasa; a case's opening message goes to Rasa only
for what staff should know (the client was already told what happens, so Rasa's words are left
out, and no notice is sent if Rasa is down); and the ``control`` messages a case queues pause
the conversation in Rasa when it opens and resume it when it closes, in order with the rest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.errors import RasaBadReply, RasaError, RasaRefused, RasaTimeout, RasaUnavailable
from bot.messages import Messages
from bot.model import BotMessage, Conversation, InboundRecord
from bot.outbox import Outbox
from bot.privacy import short
from bot.rasa import MESSAGE_ID_KEY, RasaClient, RasaHealth
from bot.render import numbered_choice, render
from bot.safety import INTENT_FOR_RISK
from bot.store import Store
from bot.workers import KeyedWorkers

if TYPE_CHECKING:
    from bot.handoff.intake import Intake

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
    if record.channel == "sms" and record.kind == "text":
        choice = numbered_choice(record.text, conversation.buttons)
        if choice:
            return choice
    return record.text[:MAX_TEXT_FOR_RASA]


def metadata_for_rasa(record: InboundRecord) -> dict[str, Any]:
    """The metadata of a message for Rasa: its channel, its id, and what the screen found."""
    metadata: dict[str, Any] = {"channel": record.channel, MESSAGE_ID_KEY: record.id}
    screen = record.screen_metadata()
    if screen is not None:
        metadata["screen"] = screen  # read by Rasa's risk triage (rasa_addons/triage.py)
    if record.crisis_sent:
        metadata["crisis_reply_sent"] = True
    return metadata


def without_repeated_crisis(messages: list[BotMessage], risk: str | None) -> list[BotMessage]:
    """Rasa's answer without its crisis text when the gateway has already sent its own.

    For a message the safety screen caught, the client already has the crisis reply (the same
    words and numbers, from the same region file). Rasa's rules say the crisis response first;
    it carries a ``{"handoff": {"reason": "risk_..."}}`` payload, which the REST channel sends
    as a second message after the text. So: when the answer opens with a text followed by (or
    carrying) that payload, the text is left out and the payload kept.
    """
    intent = INTENT_FOR_RISK.get(risk)  # type: ignore[call-overload]
    if intent is None or not messages or not messages[0].text:
        return messages

    def crisis_payload(message: BotMessage) -> bool:
        handoff = (message.custom or {}).get("handoff")
        return isinstance(handoff, dict) and handoff.get("reason") == intent

    first = messages[0]
    if crisis_payload(first):  # text and payload in one message
        return [BotMessage(custom=first.custom), *messages[1:]]
    if len(messages) > 1 and not first.custom and not first.buttons and crisis_payload(messages[1]):
        return messages[1:]
    return messages


def _was_down(record: InboundRecord) -> bool:
    return bool(record.last_error and record.last_error.startswith(RasaUnavailable.__name__))


class Pipeline(KeyedWorkers[str]):
    """Starts a Rasa worker for each conversation with messages waiting."""

    def __init__(
        self,
        store: Store,
        rasa: RasaClient,
        health: RasaHealth,
        outbox: Outbox,
        texts: Messages,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.store = store
        self.rasa = rasa
        self.health = health
        self.outbox = outbox
        self.texts = texts
        self.clock = clock
        self._turns: dict[int, asyncio.Event] = {}
        self._calls = asyncio.Semaphore(MAX_CONCURRENT_RASA_CALLS)
        self.handoff: Intake | None = None  # human handoff, set by the app

    def _task_name(self, key: str) -> str:
        return f"pipeline {short(key)}"

    async def resume(self) -> None:
        """After a start: answer every message left pending."""
        for conversation_id in await self.store.pending_inbound_conversations():
            self.kick(conversation_id)

    async def wait_turn(self, inbound_id: int, timeout: float) -> bool:
        """Wait until Rasa's first attempt at ``inbound_id`` is over; whether it is."""
        event = self._turns.setdefault(inbound_id, asyncio.Event())
        record = await self.store.inbound_record(inbound_id)
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
        base = self.rasa.base_for(conversation_id)
        try:
            while not self._stopping:
                found = await self.store.next_turn(conversation_id)
                if found is None:
                    return
                record, conversation = found  # only this worker changes the conversation's state
                opening = False
                if self.handoff is not None and record.kind != "control":
                    route = await self.handoff.route(record)
                    if route.to == "relay":
                        await self.handoff.relay(record)
                        if record.id in self._turns:  # a web chat request waiting for it
                            self._turns[record.id].set()
                        continue
                    opening = route.to == "opening"
                wait = record.next_attempt_at - self.clock()
                if wait > 0 and _was_down(record):
                    # Rasa refused: try again as soon as its health probe sees it answer.
                    await self.health.wait_up(base, wait)
                elif wait > 0:
                    await asyncio.sleep(wait)
                async with self._calls:
                    if record.kind == "control":
                        await self._control(record, conversation)
                    else:
                        await self._answer(record, conversation, opening)
        except Exception:
            log.exception(
                "pipeline worker for %s failed; it restarts on the next kick",
                short(conversation_id),
            )

    async def _answer(
        self, record: InboundRecord, conversation: Conversation, opening: bool = False
    ) -> None:
        cid = record.conversation_id
        try:
            messages = await self._ask_rasa(record, conversation, opening)
        except RasaUnavailable as exc:
            self.health.report_down(self.rasa.base_for(cid))
            await self._defer(record, conversation, exc, give_up=False, quiet=opening)
        except RasaTimeout as exc:
            await self._defer(record, conversation, exc, give_up=False, quiet=opening)
        except RasaBadReply as exc:
            give_up = record.attempts + 1 >= MAX_BAD_REPLY_ATTEMPTS
            await self._defer(record, conversation, exc, give_up=give_up, quiet=opening)
        else:
            self.health.report_up(self.rasa.base_for(cid))
            sent = record.risk if record.crisis_sent else None
            await self._finish(record, conversation, without_repeated_crisis(messages, sent))
        finally:
            event = self._turns.get(record.id)
            if event is not None:
                event.set()

    async def _control(self, record: InboundRecord, conversation: Conversation) -> None:
        """Pause or resume the conversation in Rasa (human handoff); no client is told."""
        cid = record.conversation_id
        events = CONTROL_EVENTS.get(record.text)
        try:
            if events is None:
                raise RasaBadReply(f"unknown control {record.text!r}")
            await self.rasa.append_events(cid, events)
        except RasaRefused as exc:  # a wrong token, say: the client's later messages must not wait
            give_up = record.attempts + 1 >= MAX_BAD_REPLY_ATTEMPTS
            if give_up:
                log.error("%s cannot %s the conversation in Rasa: %s", short(cid), record.text, exc)
            await self._defer(record, conversation, exc, give_up=give_up, quiet=True)
        except RasaUnavailable as exc:
            self.health.report_down(self.rasa.base_for(cid))
            await self._defer(record, conversation, exc, give_up=False, quiet=True)
        except RasaTimeout as exc:
            await self._defer(record, conversation, exc, give_up=False, quiet=True)
        except RasaBadReply as exc:
            give_up = events is None or record.attempts + 1 >= MAX_BAD_REPLY_ATTEMPTS
            await self._defer(record, conversation, exc, give_up=give_up, quiet=True)
        else:
            self.health.report_up(self.rasa.base_for(cid))
            await self.store.finish(record, [])
            log.info("%s conversation %sd in Rasa", short(cid), record.text)

    async def _ask_rasa(
        self, record: InboundRecord, conversation: Conversation, opening: bool = False
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
        text = text_for_rasa(record, conversation)
        if opening and self.handoff is not None:
            text = self.handoff.text_for_rasa(record, opening) or text
        return await self.rasa.send(cid, text, metadata)

    async def _finish(
        self, record: InboundRecord, conversation: Conversation, messages: list[BotMessage]
    ) -> None:
        events = []
        for message in messages:
            handoff = (message.custom or {}).get("handoff")
            if isinstance(handoff, dict):
                events.append(("handoff", handoff))
                log.warning(
                    "%s handoff requested: reason=%s risk=%s need=%s",
                    short(record.conversation_id),
                    handoff.get("reason"),
                    handoff.get("risk"),
                    handoff.get("need"),
                )
        rendered = render(conversation.channel, messages, "reply", self.texts)
        for key, payload in rendered.long_payloads.items():
            await self.store.save_payload(key, payload)
        buttons = rendered.buttons if conversation.channel == "sms" else None
        hook = None
        if self.handoff is not None:
            hook = self.handoff.finish_hook(record, conversation, messages)
        effects = await self.store.finish(
            record, rendered.items, buttons=buttons, events_=events, hook=hook
        )
        if self.handoff is not None and effects is not None:
            self.handoff.core.apply(effects)
        log.info(
            "%s message %d answered (%d units)",
            short(record.conversation_id),
            record.id,
            len(rendered.items),
        )
        self.outbox.kick(record.conversation_id)

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
            quiet = not await self.store.client_waits_behind(record)
        notices = []
        if conversation.degraded_at is None and not quiet:
            notices.append(BotMessage(text=self.texts.assistant_down))
        if record.risk and not record.crisis_sent and record.attempts == 0 and not quiet:
            # Words that may mean risk, and Rasa cannot check: the lines now.
            notices.append(BotMessage(text=self.texts.lines_while_down))
        if give_up and not quiet:
            notices.append(BotMessage(text=self.texts.gave_up))
        items = render(conversation.channel, notices, "notice", self.texts).items if notices else []
        delay = retry_delay(record.attempts + 1)
        if isinstance(exc, RasaTimeout):  # give a slow turn as long again to finish
            delay = max(delay, self.rasa.timeout)
        next_at = self.clock() + delay
        error = f"{type(exc).__name__}: {exc}"
        await self.store.defer(record, error, next_at, items, give_up=give_up)
        outcome = "given up" if give_up else "kept for later"
        log.warning(
            "%s message %d %s: %s", short(record.conversation_id), record.id, outcome, error
        )
        if items:
            self.outbox.kick(record.conversation_id)
