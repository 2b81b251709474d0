"""A client asks for their own messages to be forgotten: recognised and answered by the gateway.

Where it is recognised: in the gateway, before Rasa, as the gateway recognises "talk to a
person". The intent names are an interface that tests and evaluation sets use, so no intent is
added; a few exact phrases ("delete my messages", "forget me", :data:`_ASKS`), Telegram's
``/delete`` command and the web chat's "Delete my messages" button (both the gateway's own
payload :data:`REQUEST`) are enough, and they work while Rasa is down.

What happens (:func:`answer`, inside the inbox's transaction of the message):

1. the request is answered with what erasing does (everything written and replied, case
   transcripts included, for good; not the copy on their phone) and two buttons, "Yes, delete
   them" (:data:`CONFIRM`) and "No, keep them" (:data:`CANCEL`); on SMS they are the numbered
   options 1 and 2;
2. a confirmation within :data:`OFFER_MINUTES` of the offer queues the erasure
   (:func:`bot.privacy.service.request_by_client`) and tells the client it is under way; the
   gateway's privacy task erases the conversation everywhere once that reply has left;
3. never while a case is open (a person from the team is with them, perhaps about a risk to
   their life): the client is told so, and their request reaches staff like every message of
   a case (the inbox relays it), so staff can talk it through.

SMS opt-out words (STOP, END...) are not requests to erase: they keep their meaning.
"""

from __future__ import annotations

import dataclasses
import re

from bot.channels.traits import traits
from bot.db import Connection, any_since, conversations, events
from bot.db.schema import events as events_table
from bot.messages import Messages
from bot.model import BotMessage, Button, Incoming
from bot.pipeline import numbered_choice
from bot.privacy.service import request_by_client
from bot.safety import normalise

REQUEST, CONFIRM, CANCEL = "/erase_request", "/erase_confirm", "/erase_cancel"
PAYLOADS = {REQUEST: "request", CONFIRM: "confirm", CANCEL: "cancel"}
OFFERED = "erase_offered"  # the event kept when the offer is made
OFFER_MINUTES = 30
_ASKS = re.compile(
    r"^ (?:please |pls |can you |could you |i want to |i want you to )?"
    r"(?:delete|erase|remove|wipe|clear|forget) "
    r"(?:all |all of )?(?:my|this|these|the|our) "
    r"(?:messages|message|msgs|texts|chat|conversation|chats|data|history|info|information)"
    r"(?: please| pls| now)* $"
    r"|^ (?:please )?forget (?:me|about me|everything|everything i said)(?: please| pls| now)* $"
)


def asked(incoming: Incoming) -> str | None:
    """``request``, ``confirm`` or ``cancel`` if the message is about erasing, else None."""
    if incoming.kind == "payload":
        return PAYLOADS.get(incoming.text.strip())
    if incoming.kind == "text" and len(incoming.text) <= 80:
        return "request" if _ASKS.match(normalise(incoming.text)) else None
    return None


def numbered(c: Connection, cid: str, incoming: Incoming) -> Incoming:
    """An SMS "1" or "2" answering the gateway's own offer, as the button it picks."""
    if not traits(incoming.channel).numbered_choices or incoming.kind != "text":
        return incoming
    conversation = conversations.get(c, cid)
    choice = numbered_choice(incoming.text, conversation.buttons) if conversation else None
    if choice in (CONFIRM, CANCEL):
        return dataclasses.replace(incoming, kind="payload", text=choice)
    return incoming


def answer(
    c: Connection,
    cid: str,
    what: str,
    during_case: bool,
    inbound_id: int,
    texts: Messages,
    now: float,
) -> list[BotMessage]:
    """What the client is told (and what is queued) for a request, a confirmation or a no."""
    if during_case:
        return [BotMessage(texts.erase_not_now)]
    if what == "cancel":
        return [BotMessage(texts.erase_kept)]
    if what == "confirm" and _offered_since(c, cid, now - OFFER_MINUTES * 60):
        request_by_client(c, cid, now)
        return [BotMessage(texts.erase_started)]
    # A request, or a confirmation without a recent offer (an old button): explain and ask.
    events.add(c, cid, inbound_id, OFFERED, {}, now)
    buttons = (Button(texts.erase_yes_button, CONFIRM), Button(texts.erase_no_button, CANCEL))
    return [BotMessage(texts.erase_offer, buttons=buttons)]


def _offered_since(c: Connection, cid: str, since: float) -> bool:
    return any_since(c, events_table, cid, "created_at", since, events_table.c.kind == OFFERED)
