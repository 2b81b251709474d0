"""The handoff's pure rules, as tables: who asks for a person, how Rasa's payloads merge, the
queue's order, what a waiting case needs when, where a case goes at what hour, what staff read.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from bot.channels.telegram.render import utf16_len
from bot.handoff import texts
from bot.handoff.intake import for_staff
from bot.handoff.model import Case, Request
from bot.handoff.oncall.queue import Due, due
from bot.handoff.oncall.roster import Roster
from bot.handoff.settings import HandoffSettings
from bot.inbox import asks_for_person
from bot.model import Incoming
from region import load_region
from tests.handoff.conftest import LA

PERSON = [
    "human",
    "Human please",
    "a real person",
    "person",
    "talk to a person",
    "Talk to a human!",
    "i need to talk to someone",
    "I want to speak with someone now",
    "can i talk to a real person",
    "can I speak to a counselor",
    "i wanna talk to somebody pls",
    "get me a human",
    "is there a real person there?",
    "hi i need to talk to someone",
    "Talk to someone",
    "quiero hablar con una persona",
    "Necesito hablar con alguien",
    "puedo hablar con un humano porfa",
    "una persona por favor",
    "¿hay alguien ahí?",
    "quisiera hablar con una consejera",
]
NOT_PERSON = [
    "i need someone to talk to",  # docs/design.md: find_mental_health_support, Rasa answers it
    "a person hit me",
    "i need to talk to someone about my rent",
    "where can i sleep tonight",
    "my friend is a good person",
    "human resources phone number",
    "necesito alguien con quien hablar",  # as "i need someone to talk to": Rasa answers it
    "una persona me pegó",
    "quiero hablar con alguien de mi renta",
    "",
]


@pytest.mark.parametrize("words", PERSON)
def test_the_gateway_itself_recognises_a_request_for_a_person(words):
    assert asks_for_person(Incoming("sms", "+16505550100", "text", words))


@pytest.mark.parametrize("words", NOT_PERSON)
def test_other_words_go_to_rasa(words):
    assert not asks_for_person(Incoming("sms", "+16505550100", "text", words))


def test_buttons_and_commands_for_a_person_are_recognised_too():
    assert asks_for_person(Incoming("telegram", "1", "payload", "/request_human"))
    assert not asks_for_person(Incoming("telegram", "1", "payload", "/find_shelter"))


@pytest.mark.parametrize(
    ("kind", "text", "shown"),
    [
        ("payload", "/request_human", "[asked for a person]"),
        ("payload", "/find_food", "[tapped a button: find_food]"),
        (
            "location",
            '/inform_location{"location":"geo:37.48520,-122.23635"}',
            "[shared a location: 37.48520,-122.23635]",
        ),
        ("media", "", "[sent a photo or file, not shown]"),
        ("media", "me", "[sent a photo or file, not shown, with the words: me]"),
        ("text", "hello", "hello"),
    ],
)
def test_what_staff_read_for_each_kind_of_client_message(kind, text, shown):
    assert for_staff(kind, text) == shown


def test_payloads_of_one_turn_are_one_request():
    request = Request.merged(
        [
            {"reason": "risk_self_harm", "risk": "high"},
            {
                "reason": "risk_self_harm",
                "risk": "high",
                "need": "shelter",
                "location": "Redwood City, CA",
                "population": ["youth"],
                "recent": [
                    {"text": "i want to die", "intent": "risk_self_harm", "confidence": 0.97}
                ],
            },
        ]
    )
    assert request == Request(
        "risk_self_harm",
        "high",
        {
            "need": "shelter",
            "location": "Redwood City, CA",
            "population": ["youth"],
            "recent": [{"text": "i want to die", "intent": "risk_self_harm", "confidence": 0.97}],
        },
    )
    assert Request.merged([]) is None


def test_malformed_payload_details_are_dropped_not_shown():
    request = Request.merged(
        [
            {
                "reason": 42,
                "risk": "extreme",
                "need": ["x"],
                "recent": [{"text": 1}, "no"],
                "population": "youth",
            }
        ]
    )
    assert request == Request("request_human", "normal", {"population": ["youth"], "recent": []})


def case(**changes) -> Case:
    base = Case(
        id=1, conversation_id="a3f9c1b2" * 4, channel="sms", status="waiting", risk="normal",
        reason="request_human", details={}, route="office", staff_chat_id=None, topic_id=None,
        summary_message_id=None, opened_at=1000.0, claimed_at=None, claimed_by=None,
        claimed_by_name=None, closed_at=None, closed_by_name=None, close_reason=None, reminders=0,
        on_call_paged_at=None, backup_paged_at=None, client_told_unavailable_at=None,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


def test_the_queue_puts_risk_first_then_the_longest_waiting():
    cases = [
        case(id=1, opened_at=100.0),
        case(id=2, opened_at=300.0, risk="high"),
        case(id=3, opened_at=50.0),
        case(id=4, opened_at=200.0, risk="high"),
    ]
    assert [c.id for c in sorted(cases, key=Case.queue_key)] == [4, 2, 3, 1]


SETTINGS = HandoffSettings(unclaimed_minutes=5, give_up_minutes=30, backup_phone="+16505550922")


@pytest.mark.parametrize(
    ("changes", "minutes", "expected"),
    [
        ({}, 4.9, Due()),
        ({}, 5.0, Due(remind=True)),
        ({"reminders": 1}, 9.0, Due()),
        ({"reminders": 1}, 10.0, Due(remind=True, page_backup=True, tell_client=True)),
        ({"reminders": 2, "backup_paged_at": 1.0, "client_told_unavailable_at": 1.0}, 12.0, Due()),
        (
            {"reminders": 5, "backup_paged_at": 1.0, "client_told_unavailable_at": 1.0},
            30.0,
            Due(close=True),
        ),
        (
            {
                "risk": "high",
                "reminders": 5,
                "backup_paged_at": 1.0,
                "client_told_unavailable_at": 1.0,
            },
            30.0,
            Due(remind=True),
        ),
        ({"risk": "high", "reminders": 600}, 600 * 5.0, Due(page_backup=True, tell_client=True)),
        ({"status": "claimed"}, 60.0, Due()),
        ({"status": "closed"}, 60.0, Due()),
    ],
)
def test_what_a_waiting_case_needs_and_when(changes, minutes, expected):
    assert due(case(**changes), 1000.0 + minutes * 60, SETTINGS) == expected


def test_without_a_backup_number_nobody_is_paged_but_the_client_is_still_told():
    need = due(case(reminders=1), 1000.0 + 600, HandoffSettings())
    assert (need.page_backup, need.tell_client) == (False, True)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=LA).timestamp()


ROUTING = HandoffSettings(staff_chat_id=-1, on_call_chat_id=-2, on_call_phone="+16505550911")


@pytest.mark.parametrize(
    ("moment", "name", "chat", "phone", "back"),
    [
        ("2026-11-24 10:00", "office", -1, None, None),
        ("2026-11-24 02:00", "on_call", -2, "+16505550911", "today at 9:00 AM"),
        ("2026-11-24 17:30", "on_call", -2, "+16505550911", "tomorrow at 9:00 AM"),
        ("2026-11-26 11:00", "on_call", -2, "+16505550911", "on Monday at 9:00 AM"),  # Thanksgiving
    ],
)
def test_a_case_goes_to_the_office_in_office_hours_and_on_call_after(
    moment, name, chat, phone, back
):
    now = at(moment)
    roster = Roster(ROUTING, load_region().office_hours, console=False, clock=lambda: now)
    route = roster.route()
    assert (route.name, route.chat_id, route.page_phone, route.reachable) == (
        name,
        chat,
        phone,
        True,
    )
    assert roster.back_when() == back


def test_with_nobody_configured_nobody_is_reachable_and_a_console_is_enough():
    now = at("2026-11-24 10:00")
    hours = load_region().office_hours
    assert not Roster(HandoffSettings(), hours, False, lambda: now).route().reachable
    assert Roster(HandoffSettings(), hours, True, lambda: now).route().reachable
    assert Roster(HandoffSettings(), None, False, lambda: now).route().name == "office"


def test_staff_read_a_case_without_the_client_number_or_account():
    shown = case(
        details={"need": "shelter", "location": "Redwood City, CA", "population": ["youth"]},
        opted_out=True,
    )
    summary = texts.summary(shown, "+16505550142 here, help", "Tue 02:04")
    assert "SMS client a3f9c1" in summary
    assert "Need: shelter · Place: Redwood City, CA · For: youth" in summary
    assert "opted out of SMS" in summary
    assert texts.title(shown) == "🔵 #1 SMS · shelter"
    assert texts.title(case(risk="high")) == "🔴 #1 HIGH RISK · SMS · asked for a person"
    assert len(texts.title(case(details={"need": "x" * 300}))) <= 128


def test_every_post_to_staff_fits_telegrams_limits():
    recent = [{"text": "🙏" * 500, "intent": "find_shelter", "confidence": 0.9}] * 10
    worst = case(
        risk="high",
        details={"need": "😢" * 200, "location": "x" * 200, "population": ["y" * 50] * 10,
                 "recent": recent},
        opted_out=True,
    )  # fmt: skip
    opening = "i want to die " + "😢" * 4080  # 4,094 characters, 8,174 UTF-16 units
    summary = texts.summary(worst, opening, "Tue 02:04")
    assert utf16_len(summary) <= 4096
    assert "The client wrote:\n“i want to die 😢" in summary
    assert "more characters not shown]”" in summary  # the quote says it was cut
    assert texts.HOW_TO in summary  # what staff must do is never cut off
    assert utf16_len(texts.title(worst)) <= 128
    words = texts.client_words(worst, ["a" * 4096, "b" * 10], topics=False)
    assert utf16_len(words) <= 4096
    assert "#1 › " + "a" * 100 in words
    many = [case(id=n) for n in range(1, 301)]
    listed = texts.queue_lines(many, now=2000.0)
    assert utf16_len(listed) <= 4096
    assert listed.endswith("more.")
    assert texts.summary(worst, opening, "Tue 02:04", limit=None).count("😢") > 4000  # console


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("x" * 100, 40, "x" * 7 + "… [93 more characters not shown]"),
        ("🙂" * 30, 40, "🙂" * 4 + "… [26 more characters not shown]"),
    ],
)
def test_fit_cuts_at_the_limit_and_says_how_much_went(text, limit, expected):
    assert texts.fit(text, limit) == expected
    assert utf16_len(texts.fit(text, limit)) <= limit
