"""Why a client is handed to a person, and how urgent it is: the action server sends these in
a ``handoff`` payload, the gateway opens, ranks and counts cases by them.

A reason is the intent that led to the handoff (a risk intent, ``request_human``) or
``not_safe`` (a "No" to "Are you safe right now?"). A risk reason, and ``not_safe``, make a
high-risk case; a request for a person a normal one. ``checkin_reply`` is the gateway's own: a
client answered a check-in staff scheduled (:mod:`bot.handoff.checkins`), and the answer goes
to staff.
"""

from __future__ import annotations

from typing import Literal

from contract.risk import INTENT_FOR_RISK, RISK_INTENTS

Urgency = Literal["high", "normal"]

HIGH: Urgency = "high"
NORMAL: Urgency = "normal"

REQUEST_HUMAN = "request_human"
NOT_SAFE = "not_safe"
CHECKIN_REPLY = "checkin_reply"
REASONS: tuple[str, ...] = (REQUEST_HUMAN, *INTENT_FOR_RISK.values(), NOT_SAFE, CHECKIN_REPLY)
HIGH_RISK_REASONS: frozenset[str] = RISK_INTENTS | {NOT_SAFE}


def urgency(reason: str) -> Urgency:
    """How urgent a case opened for ``reason`` is."""
    return HIGH if reason in HIGH_RISK_REASONS else NORMAL
