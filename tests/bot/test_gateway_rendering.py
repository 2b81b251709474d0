"""What each channel sends: GSM-7 and SMS segments, Telegram splitting and keyboards, web chat."""

from __future__ import annotations

import pytest

from bot import gsm
from bot.channels.telegram.render import split_utf16
from bot.messages import load_messages
from bot.model import BotMessage, Button
from bot.pipeline import numbered_choice, without_repeated_crisis
from bot.render import payload_key, render
from region import load_region

TEXTS = load_messages(load_region().template_values()).of("en")
BUTTONS = (Button("A place to sleep", "/find_shelter"), Button("Food", "/find_food"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It’s “open” now – call first…", 'It\'s "open" now - call first...'),
        ("Café São Paulo, Zoë, naïve", "Café Sao Paulo, Zoe, naive"),
        ("Shelter 🏠 open 🙂", "Shelter open"),
        ("tab\there  and\u00a0nbsp", "tab here and nbsp"),
        ("€5 [max] {x} ~y ^z |w \\", "€5 [max] {x} ~y ^z |w \\"),
        ("中文", "??"),
        ("line 1\r\nline 2", "line 1\nline 2"),
    ],
)
def test_to_gsm(text, expected):
    assert gsm.to_gsm(text) == expected


@pytest.mark.parametrize(
    ("text", "count"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("€" * 80, 1), ("€" * 81, 2)],
)
def test_segments(text, count):
    assert gsm.segments(text) == count


def test_split_cuts_at_word_ends_within_two_segments():
    text = " ".join(f"word{i}" for i in range(200))
    parts = gsm.split(text)
    assert all(gsm.segments(p) <= 2 for p in parts)
    assert " ".join(parts) == text
    assert all(not p.endswith(" ") and not p.startswith(" ") for p in parts)


def test_split_counts_extension_characters_twice():
    parts = gsm.split("€" * 200)
    assert [gsm.septets(p) for p in parts] == [306, 94]


def test_sms_joins_a_turn_numbers_buttons_and_remembers_them():
    messages = [BotMessage("Hello."), BotMessage("What do you need?", buttons=BUTTONS)]
    rendered = render("sms", messages, "reply", TEXTS)
    [item] = rendered.items
    assert item.body["text"] == (
        "Hello.\n\nWhat do you need?\n\n1 A place to sleep\n2 Food\n\n"
        "Reply with a number, or tell me in your own words."
    )
    assert rendered.buttons == BUTTONS


def test_sms_forgets_buttons_after_a_turn_without_any():
    rendered = render("sms", [BotMessage("Where are you?")], "reply", TEXTS)
    assert rendered.buttons == ()


@pytest.mark.parametrize(
    ("reply", "payload"),
    [("2", "/find_food"), (" 1 ", "/find_shelter"), ("2.", "/find_food"), ("3", None), ("0", None),
     ("two", None), ("2 kids", None), ("", None)],
)  # fmt: skip
def test_numbered_choice(reply, payload):
    assert numbered_choice(reply, BUTTONS) == payload


def test_telegram_buttons_become_an_inline_keyboard():
    rendered = render(
        "telegram", [BotMessage("What do you need?", buttons=BUTTONS)], "reply", TEXTS
    )
    [item] = rendered.items
    assert item.body == {
        "text": "What do you need?",
        "buttons": [["A place to sleep", "/find_shelter"], ["Food", "/find_food"]],
    }


def test_telegram_long_payloads_go_by_key():
    payload = "/inform_location" + '{"location":"' + "x" * 80 + '"}'
    message = BotMessage("Here?", buttons=(Button("Yes", payload),))
    rendered = render("telegram", [message], "reply", TEXTS)
    key = payload_key(payload)
    assert rendered.items[0].body["buttons"] == [["Yes", key]]
    assert rendered.long_payloads == {key: payload}
    assert len(key.encode()) <= 64


def test_telegram_location_request_goes_on_the_question():
    messages = [BotMessage("Where are you now?"), BotMessage(custom={"request_location": True})]
    [item] = render("telegram", messages, "reply", TEXTS).items
    assert item.body == {"text": "Where are you now?", "request_location": "Share my location"}


def test_telegram_handoff_payloads_are_not_shown():
    messages = [BotMessage("Finding a person."), BotMessage(custom={"handoff": {"risk": "high"}})]
    assert [i.body for i in render("telegram", messages, "reply", TEXTS).items] == [
        {"text": "Finding a person."}
    ]


def test_telegram_splits_by_utf16_units():
    text = "😀" * 3000  # 6,000 UTF-16 units
    parts = split_utf16(text, 4096)
    assert [len(p.encode("utf-16-le")) // 2 for p in parts] == [4096, 1904]
    assert "".join(parts) == text


def test_webchat_keeps_messages_and_marks_the_location_request():
    messages = [
        BotMessage("Where are you now?"),
        BotMessage(custom={"request_location": True}),
        BotMessage("Or choose:", buttons=BUTTONS, image="https://example.org/map.png"),
    ]
    items = render("webchat", messages, "reply", TEXTS).items
    assert [i.body for i in items] == [
        {"text": "Where are you now?", "request_location": True},
        {
            "text": "Or choose:",
            "buttons": [
                {"title": "A place to sleep", "payload": "/find_shelter"},
                {"title": "Food", "payload": "/find_food"},
            ],
            "image": "https://example.org/map.png",
        },
    ]


CRISIS_PAYLOAD = {"handoff": {"reason": "risk_self_harm", "risk": "high"}}
FULL_PAYLOAD = {"handoff": {"reason": "risk_self_harm", "risk": "high", "need": None}}


@pytest.mark.parametrize(
    ("risk", "rasa_said", "kept"),
    [
        # As the REST channel sends a response with text and a custom payload: two messages.
        ("self_harm", [BotMessage("Rasa's crisis text"), BotMessage(custom=CRISIS_PAYLOAD),
                       BotMessage(custom=FULL_PAYLOAD)],
         [BotMessage(custom=CRISIS_PAYLOAD), BotMessage(custom=FULL_PAYLOAD)]),
        # Text and payload in one message.
        ("self_harm", [BotMessage("Rasa's crisis text", custom=CRISIS_PAYLOAD)],
         [BotMessage(custom=CRISIS_PAYLOAD)]),
        # Rasa left its crisis text out itself: nothing else is dropped.
        ("self_harm", [BotMessage("Other words"), BotMessage("More"), BotMessage(custom=FULL_PAYLOAD)],
         [BotMessage("Other words"), BotMessage("More"), BotMessage(custom=FULL_PAYLOAD)]),
        # The screen found danger; Rasa's payload is for self-harm: not the same response.
        ("danger", [BotMessage("Rasa's crisis text"), BotMessage(custom=CRISIS_PAYLOAD)],
         [BotMessage("Rasa's crisis text"), BotMessage(custom=CRISIS_PAYLOAD)]),
        # No screen: Rasa's crisis text is the client's first crisis reply and stays.
        (None, [BotMessage("Rasa's crisis text"), BotMessage(custom=CRISIS_PAYLOAD)],
         [BotMessage("Rasa's crisis text"), BotMessage(custom=CRISIS_PAYLOAD)]),
    ],
    ids=["split", "together", "already-left-out", "other-risk", "no-screen"],
)  # fmt: skip
def test_rasas_crisis_text_is_left_out_after_the_gateways(risk, rasa_said, kept):
    result = without_repeated_crisis(rasa_said, risk)
    assert [(m.text, m.custom) for m in result] == [(m.text, m.custom) for m in kept]
