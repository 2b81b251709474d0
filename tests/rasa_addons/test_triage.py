"""Risk triage as a table: what the dialogue sees for a parse and what the screen found."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's imports: TensorFlow's and jax's deprecations
    from rasa_addons.triage import Decision, triage

CLEAR = {"risk": "self_harm", "tier": "clear"}
UNCERTAIN = {"risk": "danger", "tier": "uncertain"}
DIE = "risk_self_harm"
DANGER = "risk_immediate_danger"


def ranked(*pairs: tuple[str, float]) -> tuple[tuple[str, float], ...]:
    return pairs


@pytest.mark.parametrize(
    ("text", "intent", "ranking", "screen", "expected"),
    [
        # A confident risk intent: the crisis reply; a need named beside it is searched too.
        (
            "i want to die",
            DIE,
            ranked((DIE, 0.95), ("find_shelter", 0.02)),
            None,
            Decision(DIE, "clear", "self_harm", None, check=False),
        ),
        (
            "i want to die, i need a bed",
            DIE,
            ranked((DIE, 0.9), ("find_shelter", 0.08)),
            CLEAR,
            Decision(DIE, "clear", "self_harm", "shelter", check=False),
        ),
        # A clear screen makes even an unsure risk intent clear.
        (
            "i have the pills and im going to take them all",
            DIE,
            ranked((DIE, 0.4), ("find_health_care", 0.3)),
            CLEAR,
            Decision(DIE, "clear", "self_harm", None, check=False),
        ),
        # A risk intent on top but unsure, nothing else named: the check alone, the risk kept,
        # never swapped for a need the model only half guessed.
        (
            "i swallowed all my meds like an hour ago",
            DIE,
            ranked((DIE, 0.45), ("find_domestic_violence_help", 0.13)),
            None,
            Decision(DIE, "uncertain", "self_harm", None, check=True),
        ),
        # ... and with a need the words name: that need's services, then the check.
        (
            "dont wanna be here anymore, need a bed",
            DIE,
            ranked((DIE, 0.6), ("find_shelter", 0.3)),
            None,
            Decision("find_shelter", "uncertain", "self_harm", None, check=True),
        ),
        # A figurative screen pattern makes a confident risk intent a question, not an alarm.
        (
            "my mum will kill me",
            DANGER,
            ranked((DANGER, 0.92), ("find_family_support", 0.05)),
            UNCERTAIN,
            Decision(DANGER, "uncertain", "danger", None, check=True),
        ),
        # A need on top with risk as a strong runner-up: the need, then the check.
        (
            "this rent is killing me",
            "find_financial_help",
            ranked(("find_financial_help", 0.7), (DIE, 0.2)),
            None,
            Decision("find_financial_help", "uncertain", "self_harm", None, check=True),
        ),
        # Risk far down the ranking: nothing to say about risk.
        (
            "need food in daly city",
            "find_food",
            ranked(("find_food", 0.97), (DIE, 0.01)),
            None,
            Decision("find_food", None, None, None, check=False),
        ),
        # Answers to the bot's own questions keep their meaning and get no check.
        (
            "absolutely",
            "affirm",
            ranked(("affirm", 0.6), (DANGER, 0.3)),
            None,
            Decision("affirm", "uncertain", "danger", None, check=False),
        ),
        # Small talk on top, a need as runner-up above the bar: that need, then the check.
        (
            "its so cold out here",
            "out_of_scope",
            ranked(("out_of_scope", 0.5), ("find_shelter", 0.25), (DIE, 0.15)),
            None,
            Decision("find_shelter", "uncertain", "self_harm", None, check=True),
        ),
    ],
)
def test_what_the_dialogue_sees(text, intent, ranking, screen, expected):
    assert triage(text, intent, ranking, screen, 0.8, 0.1) == expected
