"""The gateway's plain data: what arrives, what Rasa says, what the store keeps.

No behaviour lives here beyond parsing Rasa's REST reply, so that every other module can share
these types without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.channels.traits import Channel
from contract import PAYLOAD_LISTING

# What an inbound message is, which decides where it goes:
#   text      typed words: screened for risk, then to Rasa
#   payload   a button tap or a command mapped to an intent ("/find_shelter"): to Rasa as is
#   location  a shared location, already written as "/inform_location{...}": to Rasa
#   bad_location  a shared location with coordinates not on Earth: the gateway asks for a place
#   media     a photo, sticker, voice note, file: the gateway answers that only text is read
#   help      SMS HELP/INFO or Telegram /help: the gateway's help text with the crisis line
#   empty     no words at all: the gateway asks for a few words
#   opt_out   an SMS opt-out word: recorded, nothing more is sent
#   opt_in    START/UNSTOP after an opt-out: recorded, sending resumes
#   ignored   an update the gateway does not handle: recorded (so a repeat is dropped), no reply
#   control   not the client's: "pause" or "resume" for Rasa's tracker (human handoff)
Kind = Literal[
    "text",
    "payload",
    "location",
    "bad_location",
    "media",
    "help",
    "empty",
    "opt_out",
    "opt_in",
    "ignored",
    "control",
]
TO_RASA: frozenset[str] = frozenset({"text", "payload", "location"})
# The payload of the "Talk to a person" button, and what Rasa is sent for a request for a person
# the gateway recognised itself ("talk to a person", /human).
REQUEST_HUMAN = "/request_human"

# Inbound statuses: pending (waiting for Rasa), done, handled (answered by the gateway itself),
# failed (Rasa never gave a usable answer; the gateway's notice was sent), relayed (the client
# was talking with staff: the message went to them, not to Rasa).
# Outbox statuses: pending, sent, failed, suppressed (the recipient opted out).


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One message for the client, from Rasa or the gateway, before channel rendering."""

    text: str | None = None
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Incoming:
    """What a channel adapter hands the inbox: one client message, not yet stored.

    ``address`` is where replies go (Telegram chat id, phone number, web chat sender); it is
    stored but never logged. ``provider_id`` is the provider's own id (update_id, MessageSid,
    or the web page's message id), used to drop repeats.
    """

    channel: Channel
    address: str
    kind: Kind
    text: str
    provider_id: str | None = None
    # The channel's word on the client's language (Telegram's language_code, the browser's
    # language), when it gives one: a hint, not a choice (bot/language.py).
    language_hint: str | None = None


@dataclass(frozen=True)
class Conversation:
    id: str
    channel: Channel
    address: str
    opted_out: bool
    buttons: tuple[Button, ...]
    degraded_at: float | None
    # The conversation's language and how it was chosen (bot/language.py): None until its
    # first message.
    language: str | None = None
    language_source: str | None = None
    language_strength: float | None = None


@dataclass(frozen=True)
class InboundRecord:
    id: int
    conversation_id: str
    channel: Channel
    kind: Kind
    text: str
    risk: str | None  # what the safety screen found: "self_harm", "danger" or None
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    received_at: float
    risk_tier: str | None = None  # "clear" (the crisis reply was sent) or "uncertain"
    language: str | None = None  # the conversation's language when it arrived

    @property
    def crisis_sent(self) -> bool:
        """Whether the gateway gave this message its crisis reply (a clear screen signal)."""
        return self.risk is not None and self.risk_tier != "uncertain"

    def screen_metadata(self) -> dict[str, str] | None:
        """What the screen found, as Rasa's triage reads it from the message's metadata."""
        if self.risk is None:
            return None
        found = {"risk": self.risk, "tier": "uncertain" if not self.crisis_sent else "clear"}
        if self.language:
            found["language"] = self.language
        return found


@dataclass(frozen=True)
class OutboxItem:
    """One unit to deliver: exactly one provider API call (one Telegram message, one SMS)."""

    kind: str
    body: dict[str, Any]


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    conversation_id: str
    inbound_id: int | None
    channel: Channel
    kind: str
    body: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: float
    created_at: float


@dataclass(frozen=True)
class Accepted:
    """The inbox's answer to a new inbound message."""

    inbound_id: int
    conversation_id: str
    duplicate: bool
    status: str
    crisis: bool = False  # the gateway's crisis reply is queued with it (a clear risk signal)
    risk: str | None = None  # what the safety screen found, if anything
    risk_tier: str | None = None  # clear or uncertain
    language: str | None = None  # the conversation's language with this message


def parse_rasa_reply(raw: Any) -> tuple[list[BotMessage], list[str]]:
    """Rasa's REST reply as messages, and a note for each element that had to be dropped.

    Raises ``ValueError`` when the reply is not a list at all.
    """
    if not isinstance(raw, list):
        raise ValueError(f"expected a JSON list, got {type(raw).__name__}")
    messages: list[BotMessage] = []
    dropped: list[str] = []
    for index, item in enumerate(raw):
        try:
            message = _bot_message(item)
        except ValueError as exc:
            dropped.append(f"element {index}: {exc}")
            continue
        if _belongs_to_previous(message, messages):
            messages[-1] = replace(messages[-1], custom=message.custom)
        else:
            messages.append(message)
    return messages, dropped


def _belongs_to_previous(message: BotMessage, before: list[BotMessage]) -> bool:
    """Whether ``message`` is the listing of the text before it: Rasa's REST channel sends a
    message's text (and buttons) and its custom payload as two elements."""
    return (
        bool(before)
        and message.text is None
        and not message.buttons
        and message.image is None
        and set(message.custom or ()) == {PAYLOAD_LISTING}
        and before[-1].text is not None
        and before[-1].custom is None
    )


def _bot_message(item: Any) -> BotMessage:
    if not isinstance(item, dict):
        raise ValueError("not an object")
    text, image, custom = item.get("text"), item.get("image"), item.get("custom")
    if text is not None and not isinstance(text, str):
        raise ValueError("text is not a string")
    if image is not None and not isinstance(image, str):
        raise ValueError("image is not a string")
    if custom is not None and not isinstance(custom, dict):
        raise ValueError("custom is not an object")
    buttons = tuple(_button(b) for b in item.get("buttons") or ())
    if not (text or image or custom or buttons):
        raise ValueError("has nothing to show")
    return BotMessage(text=text or None, buttons=buttons, image=image, custom=custom)


def _button(raw: Any) -> Button:
    if not isinstance(raw, dict):
        raise ValueError("a button is not an object")
    title, payload = raw.get("title"), raw.get("payload")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("a button has no title")
    if not isinstance(payload, str) or not payload.strip():
        raise ValueError("a button has no payload")
    return Button(title=title.strip(), payload=payload.strip())
