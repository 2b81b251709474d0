"""Plain data of human handoff: a case, its transcript, a member of staff, a request for a person.

No behaviour beyond small derived values, so that every handoff module can share these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from contract import HIGH, INTENT_FOR_RISK, NORMAL, REQUEST_HUMAN, Urgency

Status = Literal["waiting", "claimed", "closed"]
Risk = Urgency
RISK_ORDER = {HIGH: 0, NORMAL: 1}  # the queue: high risk first, then the longest waiting
# Reasons a case opens for (contract/handoff.py): the screen's risks open a case for their intent.
HUMAN = REQUEST_HUMAN
REASON_FOR_SCREEN = INTENT_FOR_RISK
DETAIL_KEYS = ("need", "location", "population", "recent")


@dataclass(frozen=True)
class Request:
    """A request for a person: why, how urgent, and what the bot understood (may be empty)."""

    reason: str
    risk: Risk
    details: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def merged(payloads: list[dict[str, Any]]) -> Request | None:
        """Every ``handoff`` payload of one Rasa turn as one request (None if there is none).

        The crisis and handoff responses carry ``{"reason", "risk"}``; ``action_handoff`` adds
        need, location, population and the recent messages. Risk is the highest given; a
        later non-empty detail wins over an earlier one.
        """
        if not payloads:
            return None
        reason, risk, details = HUMAN, "normal", {}
        for payload in payloads:
            given = payload.get("reason")
            if isinstance(given, str) and given and (reason == HUMAN or given != HUMAN):
                reason = given[:64]
            if payload.get("risk") == "high":
                risk = "high"
            for key in DETAIL_KEYS:
                value = payload.get(key)
                if value not in (None, "", []):
                    details[key] = value
        return Request(reason, "high" if risk == "high" else "normal", clean_details(details))


def clean_details(details: dict[str, Any]) -> dict[str, Any]:
    """What Rasa said, kept to the shapes staff views expect (strings, lists of strings...)."""
    clean: dict[str, Any] = {}
    for key in ("need", "location"):
        if isinstance(details.get(key), str):
            clean[key] = details[key][:200]
    population = details.get("population")
    if isinstance(population, str):
        population = [population]
    if isinstance(population, list):
        clean["population"] = [str(p)[:50] for p in population if p][:10]
    recent = details.get("recent")
    if isinstance(recent, list):
        turns = []
        for turn in recent[-10:]:
            if isinstance(turn, dict) and isinstance(turn.get("text"), str):
                confidence = turn.get("confidence")
                turns.append(
                    {
                        "text": turn["text"][:500],
                        "intent": str(turn.get("intent") or "")[:64],
                        "confidence": float(confidence)
                        if isinstance(confidence, (int, float))
                        else None,
                    }
                )
        clean["recent"] = turns
    return clean


@dataclass(frozen=True)
class Staff:
    """A member of staff as the gateway knows them: a key (never a Telegram id) and a name.

    The name is shown to other staff only; clients never learn who they talk with.
    """

    key: str
    name: str


@dataclass(frozen=True)
class Case:
    id: int
    conversation_id: str
    channel: str
    status: Status
    risk: Risk
    reason: str
    details: dict[str, Any]
    route: str
    staff_chat_id: int | None
    topic_id: int | None
    summary_message_id: int | None
    opened_at: float
    claimed_at: float | None
    claimed_by: str | None
    claimed_by_name: str | None
    closed_at: float | None
    closed_by_name: str | None
    close_reason: str | None
    reminders: int
    on_call_paged_at: float | None
    backup_paged_at: float | None
    client_told_unavailable_at: float | None
    opted_out: bool = False  # the client's SMS opt-out (from the conversation)
    language: str | None = None  # the client's language (from the conversation)

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    def queue_key(self) -> tuple[int, float, int]:
        """Where the case stands in the queue: risk first, then how long it has waited."""
        return RISK_ORDER.get(self.risk, 1), self.opened_at, self.id


@dataclass(frozen=True)
class Entry:
    """One line of a case's transcript."""

    id: int
    case_id: int
    direction: Literal["client", "staff", "note", "system"]
    text: str
    author_name: str | None
    created_at: float
