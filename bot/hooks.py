"""What the inbox and the router ask of human handoff, and the gateway without it.

The inbox (:mod:`bot.inbox`) and the router (:mod:`bot.pipeline`) are built with a
:class:`Handoff`: human handoff's client side (:class:`bot.handoff.intake.Intake`), or
:data:`NO_HANDOFF`, the base itself, which decides nothing. Its decisions are made inside the caller's
transaction, so that a message and the case it opens or joins are stored together or not at
all; what they leave to do once the transaction has committed (deliver units, ask Rasa, post to
staff, look at the waiting cases) is collected in :class:`Effects` and started by :func:`start`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.db import Connection
from bot.model import BotMessage, InboundRecord, Incoming


@dataclass
class Effects:
    """What to start once the transaction has committed."""

    outbox: set[str] = field(default_factory=set)  # conversations with units to send
    pipeline: set[str] = field(default_factory=set)  # conversations with work for Rasa
    staff: set[int] = field(default_factory=set)  # cases with staff posts to send
    watch: bool = False  # the watcher should look at the open cases again
    erase: bool = False  # a client confirmed an erasure: the privacy task should do it now


@dataclass
class Decision:
    """What human handoff decided about a new client message (inside the inbox's transaction).

    ``status``: the message's new status (``relayed`` to staff, ``handled``), None to keep it;
    ``texts``: what the client is told beyond the gateway's own replies, or instead of them
    when ``replace``.
    """

    status: str | None = None
    texts: list[str] = field(default_factory=list)
    replace: bool = False
    effects: Effects = field(default_factory=Effects)


@dataclass
class Route:
    """Where the router sends a pending client message (decided inside its transaction).

    ``rasa``: to Rasa as usual; ``opening``: to Rasa for what staff should know, the message
    having opened a case (sent as ``text`` when given); ``relayed``: to staff, done (the case
    opened after the message arrived).
    """

    to: Literal["rasa", "opening", "relayed"] = "rasa"
    text: str | None = None
    effects: Effects = field(default_factory=Effects)


@dataclass
class Answer:
    """What human handoff made of Rasa's answer (inside the router's transaction).

    ``messages``: what the client gets of Rasa's answer (None: all of it); ``texts``: what
    the client is told besides, before it.
    """

    messages: list[BotMessage] | None = None
    texts: list[str] = field(default_factory=list)
    effects: Effects = field(default_factory=Effects)


@dataclass(frozen=True)
class NewMessage:
    """A client message the inbox has just stored and screened."""

    cid: str
    incoming: Incoming
    inbound_id: int
    risk: str | None  # the clear risk the screen found, if any
    person: bool  # the client asked for a person in words the gateway recognises
    language: str | None = None  # the conversation's language, with this message
    checkin_of: int | None = None  # it answers a check-in staff scheduled from this case


class Handoff:
    """Human handoff as the inbox and the router see it.

    This base decides nothing: it is the gateway without human handoff (:data:`NO_HANDOFF`),
    where every message goes to Rasa and every answer to the client.
    :class:`bot.handoff.intake.Intake` is the one that opens cases. (A base class rather than a
    protocol and a do-nothing class beside it: the methods and what they mean are written once.)
    """

    def on_message(self, c: Connection, new: NewMessage, now: float) -> Decision:
        """A new message was stored and screened: does it open a case, or go to one?"""
        return Decision()

    def route(self, c: Connection, record: InboundRecord, now: float) -> Route:
        """Before Rasa: where the message goes (it may be relayed to staff here and now)."""
        return Route()

    def on_answer(
        self, c: Connection, record: InboundRecord, messages: list[BotMessage], now: float
    ) -> Answer:
        """Rasa answered ``record`` with ``messages`` (a ``handoff`` payload opens a case)."""
        return Answer()

    def after(self, effects: Effects) -> None:
        """Start the handoff's own work once the transaction has committed."""
        return None


NO_HANDOFF = Handoff()


class Kickable(Protocol):
    """A set of keyed workers (:class:`bot.workers.KeyedWorkers`): make sure one runs for a key."""

    def kick(self, key: Any) -> None: ...


class NoWorkers:
    """Workers that are not there (no staff Telegram group to post to): a kick starts nothing."""

    def kick(self, key: Any) -> None:
        return None


class Wakeable(Protocol):
    """A background task that looks for work now rather than at its next round."""

    def wake(self) -> None: ...


def start(
    effects: Effects,
    outbox: Kickable,
    pipeline: Kickable,
    handoff: Handoff,
    privacy: Wakeable | None = None,
) -> None:
    """Start what a committed transaction left to do."""
    for cid in effects.outbox:
        outbox.kick(cid)
    for cid in effects.pipeline:
        pipeline.kick(cid)
    if effects.erase and privacy is not None:
        privacy.wake()
    handoff.after(effects)
