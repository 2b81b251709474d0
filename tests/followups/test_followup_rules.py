"""The follow-ups' pure rules: when a proactive message may go, and what a client's words mean."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.db.followups import Followup
from bot.followups import answers, schedule, search_again

LA = ZoneInfo("America/Los_Angeles")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> float:
    return datetime(2026, month, day, hour, minute, tzinfo=LA).timestamp()


@pytest.mark.parametrize(
    ("said_yes", "asked"),
    [
        (at(24, 23), at(25, 9)),  # a bed at 11 pm: asked at 9 the next morning
        (at(25, 2), at(25, 9)),  # at 2 am: the same morning, 7 hours on
        (at(25, 4), at(26, 9)),  # at 4 am: 9:00 is 5 hours away, too soon after a night's search
        (at(25, 10), at(26, 9)),  # in the day: the next morning
    ],
)
def test_tomorrow_morning_is_the_first_9am_a_night_away(said_yes: float, asked: float) -> None:
    assert schedule.tomorrow_morning(said_yes, LA) == asked


def test_quiet_hours_are_the_clients_and_end_at_9_and_start_at_20() -> None:
    assert not schedule.in_day(at(25, 3), LA)
    assert schedule.next_day_start(at(25, 3), LA) == at(25, 9)
    assert schedule.in_day(at(25, 9), LA)
    assert schedule.in_day(at(25, 19, 59), LA)
    assert not schedule.in_day(at(25, 20), LA)
    assert schedule.next_day_start(at(25, 20, 30), LA) == at(26, 9)
    assert schedule.next_day_start(at(25, 12), LA) == at(25, 12)  # in the day: now


def test_the_clocks_going_back_do_not_move_the_morning() -> None:
    # 1 November 2026: Pacific time goes from PDT to PST at 2:00.
    assert schedule.tomorrow_morning(at(31, 23, month=10), LA) == at(1, 9, month=11)
    assert schedule.day_start(at(1, 15, month=11), LA) == at(1, 0, month=11)


@pytest.mark.parametrize(
    ("words", "outcome"),
    [
        ("1", 1), ("2.", 2), ("#3", 3), ("4", 4), ("5", 5),
        ("yeah got one", 1), ("Yes I got a bed!", 1), ("found a place", 1), ("si consegui", 1),
        ("they were full", 2), ("no beds", 2), ("they turned me away", 2), ("estaba lleno", 2),
        ("yes but it was full", 2), ("they said no", 2), ("no me aceptaron", 2),
        ("couldn't get there", 3), ("too far, no bus", 3), ("no pude llegar", 3),
        ("i didnt go", 4), ("no I didn't go", 4), ("no fui", 4),
        ("i need help now", 5), ("necesito ayuda ahora", 5),
    ],
)  # fmt: skip
def test_an_answer_in_numbers_or_words(words: str, outcome: int) -> None:
    assert answers.outcome(words) == outcome


@pytest.mark.parametrize(
    "words",
    ["7", "0", "😀", "hello", "where is the food bank", "no", "x" * 4000, ""],
)
def test_what_is_not_an_answer(words: str) -> None:
    assert answers.outcome(words) is None


@pytest.mark.parametrize(
    ("words", "meaning"),
    [("YES", True), ("yeah", True), ("sí", True), ("claro", True), ("ok", True),
     ("No", False), ("nah", False), ("no gracias", False), ("nel", False),
     ("yes where is the food bank", None), ("maybe", None)],
)  # fmt: skip
def test_yes_or_no_is_a_whole_message(words: str, meaning: bool | None) -> None:
    assert answers.yes_or_no(words) is meaning


@pytest.mark.parametrize(
    "words",
    ["STOP", "stop", "Stop checking on me", "stop messaging me please", "unsubscribe",
     "dont text me again", "no more check ins", "ya no me escribas", "PARAR"],
)  # fmt: skip
def test_stop_in_the_words_people_use(words: str) -> None:
    assert answers.stop(words)


@pytest.mark.parametrize("words", ["stop the bleeding", "bus stop near me", "i cant stop crying"])
def test_stop_inside_a_sentence_is_not_an_opt_out(words: str) -> None:
    assert not answers.stop(words)


def followup(place: str | None, postcode: str | None = None, need: str = "shelter") -> Followup:
    return Followup(
        1, "cid", "telegram", 1, "question", need, place, postcode, None, False, "asked",
        0.0, 0.0, 0.0,
    )  # fmt: skip


def test_a_full_shelter_searches_again_where_the_client_was() -> None:
    assert search_again(followup("Redwood City")) == '/find_shelter{"location":"Redwood City"}'
    assert search_again(followup("Daly City", "94014")) == '/find_shelter{"location":"94014"}'
    assert search_again(followup(None, need="food")) == "/find_food"
    assert search_again(followup("outside the region")) == "/find_shelter"
