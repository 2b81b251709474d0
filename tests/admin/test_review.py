"""Which messages go to the review inbox, and why: a table of cases."""

from __future__ import annotations

from typing import Any

import pytest

from bot.admin.review import why_review
from bot.tracker_store import UserEvent


def event(
    text: str = "need a bed",
    intent: str | None = "find_shelter",
    confidence: float = 0.95,
    runner_up: tuple[str, float] = ("find_food", 0.02),
    screen: dict[str, str] | None = None,
    check: bool = False,
) -> UserEvent:
    entities: list[dict[str, Any]] = (
        [{"entity": "risk_check", "value": "self_harm"}] if check else []
    )
    return UserEvent(
        id=1, sender_id="c", timestamp=0.0, text=text, intent=intent, confidence=confidence,
        ranking=[(intent or "x", confidence), runner_up], entities=entities,
        metadata={"screen": screen} if screen else {},
    )  # fmt: skip


NEVER = lambda: 1.0  # noqa: E731  (the audit draw: never chosen)
ALWAYS = lambda: 0.0  # noqa: E731

CASES = [
    ("the screen found risk, the NLU did not", event(screen={"risk": "danger", "tier": "clear"}),
     "disagreement"),
    ("the NLU found clear risk, the screen did not",
     event(text="im so done with it all", intent="risk_self_harm", confidence=0.91),
     "disagreement"),
    ("uncertain screen, the NLU asked the check: they agree",
     event(screen={"risk": "danger", "tier": "uncertain"}, check=True), None),
    ("both found risk", event(intent="risk_self_harm", screen={"risk": "self_harm", "tier": "clear"}),
     None),
    ("fell to nlu_fallback", event(intent="nlu_fallback", confidence=0.7), "unsure"),
    ("low confidence", event(confidence=0.41), "unsure"),
    ("runner-up close behind", event(confidence=0.55, runner_up=("find_food", 0.45)), "unsure"),
    ("confident and alone", event(), None),
    ("a button tap is not the client's words", event(text="/find_shelter", confidence=0.2), None),
    ("no words", event(text="   ", confidence=0.1), None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "message", "expected"), CASES, ids=[c[0] for c in CASES])
def test_why_a_message_is_reviewed(case: str, message: UserEvent, expected: str | None) -> None:
    reason = why_review(message, draw=NEVER)
    assert (reason.kind if reason else None) == expected


def test_disagreements_come_first_and_say_what_each_side_found() -> None:
    reason = why_review(event(screen={"risk": "danger", "tier": "clear"}), draw=NEVER)
    assert reason is not None
    assert reason.priority == 0
    assert reason.detail == "the screen found danger (clear); the NLU said find_shelter"


def test_a_random_share_of_confident_messages_is_audited() -> None:
    reason = why_review(event(), draw=ALWAYS)
    assert reason is not None
    assert (reason.kind, reason.priority) == ("audit", 3)
    assert why_review(event(), audit_every=0, draw=ALWAYS) is None
