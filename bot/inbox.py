"""The durable inbox: what every channel calls with a new client message, before it answers.

:meth:`Inbox.accept` stores the message (a repeat of the provider's id is dropped), runs the
safety screen on the client's words, and, in the same transaction, queues the replies the
gateway gives itself without Rasa: the crisis reply, SMS HELP, "only text is understood",
"no words". Only then does the channel acknowledge its webhook. A message for Rasa is left
pending for the router (:mod:`bot.pipeline`).

Human handoff joins the same transaction (:mod:`bot.handoff.intake`): a message of a client who
is talking with staff is relayed to them instead, and a request for a person or a risk message
opens a case, before the webhook is acknowledged.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.messages import Messages
from bot.model import TO_RASA, Accepted, BotMessage, Button, Incoming, OutboxItem
from bot.outbox import Outbox
from bot.payloads import typed
from bot.pipeline import Pipeline
from bot.privacy import SenderHasher, short
from bot.render import render
from bot.safety import Screen, Signal, screen
from bot.store import Store

if TYPE_CHECKING:
    from bot.handoff.intake import Intake

log = logging.getLogger(__name__)

REQUEST_HUMAN = "/request_human"


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

    @property
    def crisis_risk(self) -> str | None:
        """The risk of a clear signal: the crisis reply is sent and a case opens."""
        return self.risk if self.risk_tier == "clear" else None


def plan_for(
    incoming: Incoming, texts: Messages, check: Callable[[str], Signal | None] = screen
) -> Plan:
    """Where a message goes and what the gateway answers at once (a pure function).

    A clear risk signal gets the crisis reply now; an uncertain one nothing yet (Rasa answers
    what was asked and checks). Either way the client's words still go to Rasa.
    """
    kind = incoming.kind
    signal = None
    if kind in ("text", "media"):
        signal = check(incoming.text) if incoming.text.strip() else None
        if signal is not None and signal.clear:
            crisis = [BotMessage(texts.crisis(signal.risk))]
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
        text = texts.help + (" " + texts.sms_stop_hint if incoming.channel == "sms" else "")
        return Plan("handled", replies=[BotMessage(text)], reply_kind="help")
    if kind == "empty":
        return Plan("handled", replies=[BotMessage(texts.empty)], reply_kind="empty")
    if kind == "bad_location":
        return Plan("handled", replies=[BotMessage(texts.bad_location)], reply_kind="location")
    if kind == "opt_out":
        # A distressed person may type END: staff see it as a safeguarding signal (DESIGN.md).
        return Plan("handled", opted_out=True, event=("opt_out", {"word": incoming.text.strip()}))
    if kind == "opt_in":
        return Plan("handled", opted_out=False, event=("opt_in", {"word": incoming.text.strip()}))
    return Plan("ignored")


class Inbox:
    """Stores new messages and starts their processing."""

    def __init__(
        self,
        store: Store,
        hasher: SenderHasher,
        texts: Messages,
        pipeline: Pipeline,
        outbox: Outbox,
        screen: Screen,
    ) -> None:
        self.screen = screen
        self.store = store
        self.hasher = hasher
        self.texts = texts
        self.pipeline = pipeline
        self.outbox = outbox
        self.intake: Intake | None = None  # human handoff, set by the app

    def conversation_id(self, channel: str, address: str) -> str:
        return self.hasher(channel, address)

    async def accept(self, incoming: Incoming) -> Accepted:
        """Store ``incoming`` durably (raises StoreError if it cannot), then start its work."""
        incoming = typed(incoming)  # typed words never reach Rasa as an intent
        cid = self.conversation_id(incoming.channel, incoming.address)
        if incoming.kind == "opt_in":
            # START only means "send again" after a STOP; otherwise it is a word for Rasa (a
            # client may text START here meaning the hotline's keyword).
            conversation = await self.store.conversation_for(cid)
            if conversation is None or not conversation.opted_out:
                incoming = dataclasses.replace(incoming, kind="text")
        plan = plan_for(incoming, self.texts, self.screen)
        items: list[OutboxItem] = []
        if plan.replies:
            rendered = render(incoming.channel, plan.replies, plan.reply_kind, self.texts)
            items = rendered.items
        hook = None
        if self.intake is not None:
            hook = self.intake.accept_hook(cid, incoming, plan.crisis_risk, items)
        accepted = await self.store.accept(
            cid,
            incoming,
            status=plan.status,
            risk=plan.risk,
            risk_tier=plan.risk_tier,
            replies=items,
            opted_out=plan.opted_out,
            event=plan.event,
            hook=hook,
        )
        if accepted.duplicate:
            log.info(
                "%s %s repeat of message %d dropped",
                short(cid),
                incoming.channel,
                accepted.inbound_id,
            )
            return accepted
        if plan.reply_kind == "crisis":
            accepted = dataclasses.replace(accepted, crisis=True)
        log.info(
            "%s %s message %d stored: %s%s%s",
            short(cid),
            incoming.channel,
            accepted.inbound_id,
            incoming.kind,
            f", risk={plan.risk} ({plan.risk_tier})" if plan.risk else "",
            ", relayed to staff" if accepted.status == "relayed" else "",
        )
        if accepted.status == "pending":
            self.pipeline.kick(cid)
        if items:
            self.outbox.kick(cid)
        if self.intake is not None and accepted.hooked is not None:
            self.intake.core.apply(accepted.hooked)
        return accepted
