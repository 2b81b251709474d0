"""Plain yes and no: whole messages that are only a common way of saying yes or no."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's imports: TensorFlow's and jax's deprecations
    from rasa.shared.nlu.training_data.message import Message

    from rasa_addons.answers import PlainAnswers, plain_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("absolutely", "affirm"),
        ("Definitely!", "affirm"),
        ("of course", "affirm"),
        ("yep", "affirm"),
        ("YES PLEASE", "affirm"),
        ("ok", "affirm"),
        ("nah", "deny"),
        ("not really", "deny"),
        ("definitely not", "deny"),
        ("No thanks.", "deny"),
        ("im not", "deny"),
        # Spanish, as clients write it (issue 19).
        ("sí", "affirm"),
        ("Simón", "affirm"),
        ("ándale pues", None),  # more than a plain answer: DIET's
        ("claro que si", "affirm"),
        ("nel", "deny"),
        ("para nada", "deny"),
        ("no estoy", "deny"),
        # Anything more is DIET's to read.
        ("yes but i need food", None),
        ("definitely need a bed", None),
        ("no food since yesterday", None),
        ("i want to die", None),
        ("", None),
        # "I'm OK" is yes: at the safety check a no is the full escalation (rasa_addons/answers.py).
        ("im ok", "affirm"),
        ("I'm fine!", "affirm"),
        ("im good now", "affirm"),
        ("estoy bien", "affirm"),
        ("im not ok", None),
        ("no im not safe", None),
        # A thumb or a tick alone, in any skin tone; any other emoji is no answer.
        ("👍", "affirm"),
        ("👍🏾👍🏾", "affirm"),
        ("✔️", "affirm"),
        ("👎", "deny"),
        ("😭", None),
        ("🔪", None),
        ("👍 but i need a bed", None),
    ],
)
def test_a_whole_message_that_is_only_yes_or_no(text, expected):
    assert plain_answer(text) == expected


def test_the_component_overrides_diets_guess_and_keeps_the_ranking():
    message = Message(
        data={
            "text": "definitely",
            "intent": {"name": "deny", "confidence": 0.51},
            "intent_ranking": [
                {"name": "deny", "confidence": 0.51},
                {"name": "affirm", "confidence": 0.4},
                {"name": "risk_self_harm", "confidence": 0.05},
            ],
        }
    )
    [out] = PlainAnswers().process([message])
    assert out.get("intent") == {"name": "affirm", "confidence": 1.0}
    assert [r["name"] for r in out.get("intent_ranking")] == ["affirm", "deny", "risk_self_harm"]
    other = Message(data={"text": "need a bed", "intent": {"name": "find_shelter"}})
    assert PlainAnswers().process([other])[0].get("intent") == {"name": "find_shelter"}


def test_the_rasa_servers_code_needs_nothing_of_the_gateway():
    """The Rasa server (and a training in a copy of the project) has rasa_addons/, not bot/."""
    import ast
    from pathlib import Path

    for path in Path("rasa_addons").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n == "bot" or n.startswith("bot.") for n in names), path
