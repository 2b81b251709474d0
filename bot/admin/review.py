"""Which client messages an admin should review, and in which order (a pure function).

What Rasa recorded of each message (:class:`bot.tracker_store.UserEvent`: the words, the intent
and its confidence, the ranking, the entities the risk triage added, and what the gateway's
safety screen found, from the message's metadata) decides whether it goes to the review inbox:

1. **disagreement** (first in the list): the screen and the NLU disagree about risk, either
   way: the screen found risk and the NLU neither gave a risk intent nor asked the safety check,
   or the NLU gave a clear risk intent to words the screen found nothing in;
2. **staff**: staff marked the message as misread from a case (added by the console and the
   staff topic, not here);
3. **unsure**: the message fell to ``nlu_fallback``, its intent's confidence is below
   ``low_confidence``, or the runner-up is within ``margin`` of it;
4. **audit**: one in ``audit_every`` of the confident rest, chosen at random, to catch what
   the model gets wrong with confidence.

Button taps and shared locations (the gateway sends them as ``/intent`` payloads) are not the
client's words and are never reviewed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from bot.tracker_store import UserEvent
from contract import META_SCREEN, RISK_INTENTS

FALLBACK = "nlu_fallback"
PRIORITY = {"disagreement": 0, "staff": 1, "unsure": 2, "audit": 3}


@dataclass(frozen=True)
class Reason:
    kind: str  # disagreement, staff, unsure, audit
    detail: str  # what an admin reads beside the message

    @property
    def priority(self) -> int:
        return PRIORITY[self.kind]


def why_review(
    event: UserEvent,
    low_confidence: float = 0.6,
    margin: float = 0.15,
    audit_every: int = 50,
    draw: Callable[[], float] = random.random,
) -> Reason | None:
    """Why ``event`` should be reviewed, or None."""
    if not event.text.strip() or event.text.startswith("/"):
        return None
    screen = event.metadata.get(META_SCREEN) if isinstance(event.metadata, dict) else None
    screen_risk = screen.get("risk") if isinstance(screen, dict) else None
    intent = event.intent or FALLBACK
    checked = any(e.get("entity") == "risk_check" for e in event.entities)
    nlu_risk = intent in RISK_INTENTS and not checked
    if screen_risk and intent not in RISK_INTENTS and not checked:
        tier = screen.get("tier", "clear") if isinstance(screen, dict) else "clear"
        return Reason(
            "disagreement", f"the screen found {screen_risk} ({tier}); the NLU said {intent}"
        )
    if nlu_risk and not screen_risk:
        return Reason(
            "disagreement",
            f"the NLU said {intent} ({event.confidence:.2f}); the screen found nothing",
        )
    if intent == FALLBACK:
        best = event.ranking[0] if event.ranking else ("nothing", 0.0)
        return Reason("unsure", f"fell to nlu_fallback (best: {best[0]} {best[1]:.2f})")
    if event.confidence < low_confidence:
        return Reason("unsure", f"{intent} at only {event.confidence:.2f}")
    others = [(name, score) for name, score in event.ranking if name != intent]
    if others and event.confidence - others[0][1] < margin:
        return Reason(
            "unsure",
            f"{intent} {event.confidence:.2f}, {others[0][0]} {others[0][1]:.2f} close behind",
        )
    if audit_every > 0 and draw() < 1 / audit_every:
        return Reason("audit", f"{intent} at {event.confidence:.2f}: a random check")
    return None
