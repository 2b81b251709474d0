"""The conversation's language, message by message (bot/language.py), as the inbox decides it:
what a client notices is the language of the next reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language import LanguageDetector, places_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(("en", "es"), places_of(ROOT))


def replies_in(detector: LanguageDetector, messages: list[str], hint: str | None = None):
    current, languages = None, []
    for text in messages:
        current = detector.decide(text, current, hint)  # type: ignore[arg-type]
        languages.append(current.language)
    return languages


@pytest.mark.parametrize("answer", ["ok", "OK", "okay", "k", "no", "👍", "94063", "2"])
def test_an_answer_of_no_language_keeps_spanish(detector, answer):
    assert replies_in(detector, ["necesito un lugar para dormir", answer]) == ["es", "es"]


def test_an_answer_of_no_language_after_words_that_did_not_tell_is_not_english(detector):
    """ "ok" once read as English (lingua is sure of it), which set a conversation nothing had
    set yet; now it says nothing, and the client's next words decide."""
    assert detector.read("ok").language is None
    assert replies_in(detector, ["oye", "ok", "quiero hablar con una persona"])[-1] == "es"


@pytest.mark.parametrize("name", ["North Fair Oaks", "Maria Lopez", "Sequoia High"])
def test_a_name_written_as_one_says_no_language(detector, name):
    assert detector.read(name).language is None
    assert replies_in(detector, ["necesito un doctor", name]) == ["es", "es"]


def test_a_sentence_in_title_case_is_still_read(detector):
    assert detector.read("Necesito Ayuda Por Favor").language == "es"
    assert detector.read("I Need Help Tonight").language == "en"


@pytest.mark.parametrize("polite", ["thank you", "thanks so", "gracias amigo"])
def test_two_polite_words_in_the_other_language_do_not_switch(detector, polite):
    spanish = replies_in(detector, ["el rent esta bien caro, necesito help", polite])
    english = replies_in(detector, ["i need a place to sleep tonight", polite])
    assert spanish[-1] == "es"
    assert english[-1] == "en"


def test_a_clear_sentence_in_the_other_language_switches(detector):
    assert replies_in(detector, ["necesito comida", "actually i need a doctor more"]) == [
        "es",
        "en",
    ]


def test_two_words_of_one_language_beat_the_phones_language_and_one_word_does_not(detector):
    assert replies_in(detector, ["necesito ayuda"], hint="en") == ["es"]
    assert replies_in(detector, ["hi"], hint="es") == ["es"]
