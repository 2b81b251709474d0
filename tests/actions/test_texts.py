"""The action server's own words (actions/texts.yml)."""

from __future__ import annotations

import pytest

from actions.directory.render import to_gsm7
from actions.texts import TextError, catalog, placeholders, say
from region import load_region
from region.__main__ import DOMAIN_KEYS

# What GSM-7 lacks of Spanish, folded: never ñ (año is not ano), é, ¿ or ¡.
FOLD = str.maketrans("áíóúÁÍÓÚ", "aiouAIOU")

# The region's values a text may name: those Rasa's responses get, and the action server's own.
REGION_KEYS = {*DOMAIN_KEYS, "example_place", "example_postcode", "region_name"}


def test_region_values_are_filled_in() -> None:
    assert say("ask_location").startswith("Where are you now?")
    assert "Redwood City" in say("ask_location")


def test_a_missing_key_or_value_is_an_error_not_a_broken_message() -> None:
    with pytest.raises(TextError, match="no text"):
        say("no_such_text")
    with pytest.raises(TextError, match="needs place"):
        say("location_unknown")


def test_every_text_exists_in_every_language_of_the_region() -> None:
    languages = set(load_region().languages)
    missing = {key: languages - set(texts) for key, texts in catalog().items()}
    assert {key: gone for key, gone in missing.items() if gone} == {}


def test_every_text_is_sms_safe_and_names_only_known_placeholders() -> None:
    for key, texts in catalog().items():
        for language, template in texts.items():
            where = f"{key} ({language})"
            if language == "en":
                assert template.isascii(), f"{where}: SMS (GSM-7) has no curly quotes or emoji"
            # Spanish keeps é, ñ, ¿, ¡ (GSM-7 has them); only á, í, ó, ú fold for SMS.
            plain = template.replace("{", "").replace("}", "")
            assert to_gsm7(plain) == plain.translate(FOLD), where
            assert "\n" not in template, f"{where}: one line; the channel decides the layout"
            # time, day: open or closed (actions/directory/render.py); radius, near, line: the
            # directory's replies (actions/services.py); low, high: ages (who_*)
            allowed = {"place", "count", "distance", "name", "radius", "near", "line", "time",
                       "low", "high"}  # fmt: skip
            assert placeholders(template) - REGION_KEYS <= allowed, where
            # The same placeholders in every language: a translation never loses a number.
            assert placeholders(template) == placeholders(texts["en"]), where


def test_spanish_is_said_with_the_regions_spanish_contacts() -> None:
    text = say("ask_location_domestic_violence", "es")
    assert text.startswith("Siento mucho que te esté pasando esto.")
    assert "puedes llamar al 1-800-799-7233" in text
    assert say("ask_location", "es").startswith("¿Dónde estás ahora?")
