"""The action server's own words (actions/texts.yml)."""

from __future__ import annotations

import pytest

from actions.texts import TextError, catalog, placeholders, say

REGION_KEYS = {
    "emergency_number",
    "example_place",
    "example_postcode",
    "region_name",
    "self_harm_line_name",
    "self_harm_line_contact",
    "domestic_violence_line_name",
    "domestic_violence_line_contact",
    "general_line_name",
    "general_line_contact",
}


def test_region_values_are_filled_in() -> None:
    assert say("ask_location").startswith("Where are you now?")
    assert "Redwood City" in say("ask_location")


def test_a_missing_key_or_value_is_an_error_not_a_broken_message() -> None:
    with pytest.raises(TextError, match="no text"):
        say("no_such_text")
    with pytest.raises(TextError, match="needs place"):
        say("location_unknown")


def test_every_text_is_plain_sms_safe_and_names_only_known_placeholders() -> None:
    for key, template in catalog().items():
        assert template.isascii(), f"{key}: SMS (GSM-7) has no curly quotes or emoji"
        assert "\n" not in template, f"{key}: one line; the channel decides the layout"
        # radius, near, line: the directory's replies (actions/services.py)
        allowed = {"place", "count", "distance", "name", "radius", "near", "line"}
        assert placeholders(template) - REGION_KEYS <= allowed, key
