"""Asking where the client is and understanding the answer (validate_service_search_form)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.location import ActionAskLocation, ActionAskNeed, ValidateServiceSearchForm
from tests.actions.helpers import location_entity, tracker


def validate(
    value: Any, text: str, intent: str = "inform_location", entities: list | None = None
) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    result = ValidateServiceSearchForm().validate_location(
        value, dispatcher, tracker(text=text, intent=intent, entities=entities), {}
    )
    return result, [m["text"] for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("value", "text", "entities", "kept"),
    [
        (
            "redwood city",
            "im in redwood city",
            [location_entity("redwood city")],
            "Redwood City, CA",
        ),
        ("rwc", "rwc", [location_entity("rwc")], "Redwood City, CA"),
        ("94063", "94063", [location_entity("94063")], "94063"),
        # No entity found, but the answer names a place: the from_text mapping passes it whole.
        (
            "near the caltrain in san carlos",
            "near the caltrain in san carlos",
            [],
            "San Carlos, CA",
        ),
        (
            "geo:37.48,-122.23",
            '/inform_location{"location":"geo:37.48,-122.23"}',
            [location_entity("geo:37.48,-122.23")],
            "geo:37.48000,-122.23000",
        ),
    ],
)
def test_a_known_place_is_kept_in_canonical_form(
    value: str, text: str, entities: list, kept: str
) -> None:
    result, said = validate(value, text, entities=entities)
    assert result == {"location": kept}
    assert said == []


@pytest.mark.parametrize("value", ["narnia", "the moon 🌙", "x" * 5000, "بيروت الشرقية"])
def test_an_unknown_place_is_refused_with_an_example(value: str) -> None:
    result, said = validate(value, value, entities=[location_entity(value)])
    assert result == {"location": None}
    assert len(said) == 1
    # The client sees what was not understood (cut short), and the region's own example.
    assert "Redwood City" in said[0]
    assert "94063" in said[0]
    assert len(said[0]) < 250


def test_somewhere_else_forgets_the_remembered_place_and_asks_again() -> None:
    result, said = validate("Redwood City, CA", "somewhere else")
    assert result == {"location": None}
    assert said == []  # the form then asks where, once


def test_a_remembered_place_stays_when_a_second_need_comes() -> None:
    result, said = validate("Redwood City, CA", "i need food too", intent="find_food")
    assert result == {"location": "Redwood City, CA"}
    assert said == []


async def test_asking_where_names_the_regions_example_and_offers_location_sharing() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskLocation().run(dispatcher, tracker(), {})
    text, custom = dispatcher.messages
    assert "Redwood City" in text["text"]
    assert "94063" in text["text"]
    assert custom["custom"] == {"request_location": True}


async def test_someone_telling_of_abuse_hears_the_dv_line_before_the_question_once() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskLocation().run(dispatcher, tracker(slots={"need": "domestic_violence"}), {})
    line, question, _ = dispatcher.messages
    assert "National Domestic Violence Hotline" in line["text"]
    assert "1-800-799-7233" in line["text"]
    assert "911" in line["text"]
    assert question["text"].startswith("Where are you now?")
    # Asked again after a place it did not know: the question alone.
    again = CollectingDispatcher()
    slots = {"need": "domestic_violence", "requested_slot": "location"}
    await ActionAskLocation().run(again, tracker(slots=slots), {})
    assert [m["text"] for m in again.messages if m.get("text")] == [question["text"]]


async def test_other_needs_hear_the_question_alone() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskLocation().run(dispatcher, tracker(slots={"need": "shelter"}), {})
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    assert len(texts) == 1
    assert texts[0].startswith("Where are you now?")


async def test_asking_the_need_offers_the_main_needs_and_a_person() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskNeed().run(dispatcher, tracker(), {})
    (message,) = dispatcher.messages
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[0] == "/find_shelter"
    assert "/request_human" in payloads
