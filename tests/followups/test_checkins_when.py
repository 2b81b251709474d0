"""When and what a staff check-in sends (bot.handoff.checkins): the times staff write in
Telegram and the console, the times refused with why, the words a template gives."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.errors import CheckinRefused
from bot.handoff import checkins
from bot.messages import load_messages, region_values
from region import load_region
from tests.handoff.conftest import LA

NOW = datetime(2026, 11, 24, 16, 20, tzinfo=LA).timestamp()  # a Tuesday afternoon


def at(*args: int) -> float:
    return datetime(*args, tzinfo=LA).timestamp()


@pytest.mark.parametrize(
    ("said", "due", "rest"),
    [
        ("tomorrow 10:00", at(2026, 11, 25, 10, 0), ""),
        ("tomorrow", at(2026, 11, 25, 10, 0), ""),  # no time: 10:00
        ("today 17:30 how did it go?", at(2026, 11, 24, 17, 30), "how did it go?"),
        ("10:00", at(2026, 11, 25, 10, 0), ""),  # passed today: tomorrow
        ("18:00 hi", at(2026, 11, 24, 18, 0), "hi"),
        ("thu 9am", at(2026, 11, 26, 9, 0), ""),
        ("Tuesday 3:30 pm", at(2026, 12, 1, 15, 30), ""),  # today's weekday: next week's
        ("in 3h", NOW + 3 * 3600, ""),
        ("in 2 days see you", NOW + 2 * 86400, "see you"),
        ("2026-12-07 10:00", at(2026, 12, 7, 10, 0), ""),
        ("2026-12-07T11:15", at(2026, 12, 7, 11, 15), ""),  # a browser's date and time field
        ("tomorrow 3 things", at(2026, 11, 25, 10, 0), "3 things"),  # a bare number: words
    ],
)
def test_times_staff_write(said: str, due: float, rest: str) -> None:
    assert checkins.parse_when(said, NOW, LA) == (due, rest)


@pytest.mark.parametrize(
    ("said", "why"),
    [
        ("", "Say when"),
        ("soonish", "Say when"),
        ("in a while", "Say when"),
        ("2026-02-30 10:00", "There is no such day as 2026-02-30"),
        ("tomorrow 25:00", "25:00 is not a time"),
        ("tomorrow 13pm", "13pm is not a time"),
    ],
)
def test_times_that_are_not_times_say_how(said: str, why: str) -> None:
    with pytest.raises(CheckinRefused) as refused:
        checkins.parse_when(said, NOW, LA)
    assert why in str(refused.value)
    assert "tomorrow 10:00" in str(refused.value)  # and how to say it


@pytest.mark.parametrize(
    ("due", "why"),
    [
        (NOW - 60, "has passed"),
        (at(2026, 11, 25, 3, 0), "quiet hours: check-ins go between 09:00 and 20:00"),
        (at(2026, 11, 24, 20, 30), "quiet hours"),
        (at(2026, 12, 20, 10, 0), "more than 14 days ahead"),
    ],
)
def test_times_a_check_in_cannot_go_at_are_refused(due: float, why: str) -> None:
    with pytest.raises(CheckinRefused, match=why):
        checkins.check_when(due, NOW, LA)
    checkins.check_when(at(2026, 11, 25, 9, 0), NOW, LA)  # 9:00 is fine


def test_the_words_templates_give_in_the_clients_language() -> None:
    texts = load_messages(region_values(load_region()))
    assert checkins.compose("checkin", "", texts, "en").startswith("Hi, this is the help line")
    assert checkins.compose("checkin", "", texts, "es").startswith("Hola, te escribimos")
    reminder = checkins.compose(
        "appointment", "", texts, "es", "el martes a las 10", "Samaritan House"
    )
    assert reminder == (
        "Un recordatorio de la línea de ayuda: tienes una cita el martes a las 10, en "
        "Samaritan House."
    )
    # Staff's words are sent as they are, braces included (never a template of theirs).
    assert checkins.compose("own", "see you {tomorrow}", texts, "en") == "see you {tomorrow}"
    with pytest.raises(CheckinRefused, match="needs the day and time, and the place"):
        checkins.compose("appointment", "", texts, "en", "tuesday 10am", "")
    with pytest.raises(CheckinRefused, match="Write what the client should read"):
        checkins.compose("own", "  ", texts, "en")


def test_what_staff_write_after_the_time_in_telegram() -> None:
    assert checkins.read_words("appointment Tue 10am at Samaritan House, San Mateo") == (
        "appointment", "", "Tue 10am", "Samaritan House, San Mateo",
    )  # fmt: skip
    assert checkins.read_words("how are you doing?") == ("own", "how are you doing?", "", "")
    with pytest.raises(CheckinRefused, match="appointment DAY TIME at PLACE"):
        checkins.read_words("appointment")
