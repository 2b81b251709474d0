"""Plain places: a whole message that only says where the client is reads as inform_location."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's imports: TensorFlow's and jax's deprecations
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from rasa_addons.places import PlainPlaces, known_places, only_a_place, region_neighbourhoods

PLACES = known_places(
    ["Daly City", "bernal heights", "tenderloin", "balboa park", "mission", "la honda"]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bernal heights", True),
        ("Bernal Heights!", True),
        ("im in the tenderloin", True),
        ("i'm at balboa park rn", True),
        ("near daly city, ca", True),
        ("Daly City CA 94014", True),
        ("94110", True),
        ("estoy en la mission", True),
        ("en el tenderloin", True),
        ("en la misión", False),  # not the place's name
        ("la honda", True),  # a town whose name starts with an article
        ("en la", False),
        ("en mission", True),
        ("cerca de daly city", True),
        # Anything more than where the client is stays DIET's (and the screen's).
        ("bernal heights need a bed", False),
        ("im in daly city and i want to die", False),
        ("balboa park is where i sleep", False),
        ("im in danger", False),
        ("in", False),
        ("the", False),
        ("", False),
        ("🙂", False),
        ("daly city " * 400, False),  # a place three times over is not an answer
    ],
)
def test_a_whole_message_that_only_names_a_place(text, expected):
    assert only_a_place(text, PLACES) is expected


def test_a_place_that_is_a_means_of_harm_is_never_decided_here():
    places = known_places(["golden gate bridge", "the train tracks", "ocean beach", "north beach"])
    assert places == {"north beach"}
    assert not only_a_place("im at the golden gate bridge", places)
    assert not only_a_place("at the train tracks", places)


def test_the_region_neighbourhoods_are_known():
    names = region_neighbourhoods()
    assert "bernal heights" in names
    assert "north fair oaks" in names


def test_trained_on_the_lookup_table_the_annotations_and_the_region(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("places")
    component = PlainPlaces({}, storage, resource)
    data = TrainingData(
        training_examples=[
            Message(
                data={
                    "text": "im in half moon bay",
                    "intent": "inform_location",
                    "entities": [{"entity": "location", "start": 6, "end": 19, "value": "x"}],
                }
            )
        ],
        lookup_tables=[{"name": "location", "elements": ["redwood city", "94063"]}],
    )
    component.train(data)
    loaded = PlainPlaces.load({}, storage, resource, None)  # type: ignore[arg-type]
    assert {"half moon bay", "redwood city", "bernal heights"} <= loaded.places
    message = Message(
        data={
            "text": "half moon bay",
            "intent": {"name": "risk_self_harm", "confidence": 0.9},
            "intent_ranking": [
                {"name": "risk_self_harm", "confidence": 0.9},
                {"name": "inform_location", "confidence": 0.05},
            ],
        }
    )
    [out] = loaded.process([message])
    assert out.get("intent") == {"name": "inform_location", "confidence": 1.0}
    assert [r["name"] for r in out.get("intent_ranking")] == ["inform_location", "risk_self_harm"]
    other = Message(
        data={"text": "half moon bay i want to die", "intent": {"name": "risk_self_harm"}}
    )
    assert loaded.process([other])[0].get("intent") == {"name": "risk_self_harm"}


def _parsed(text: str, screen: dict | None, scores: dict) -> Message:
    """A message as DIET and the risk model left it: DIET's risk guess, the model's reading."""
    return Message(
        data={
            "text": text,
            "intent": {"name": "risk_self_harm", "confidence": 0.99},
            "intent_ranking": [
                {"name": "risk_self_harm", "confidence": 0.99},
                {"name": "inform_location", "confidence": 0.01},
            ],
            "metadata": {"screen": screen} if screen else {},
            "risk_scores": scores,
        }
    )


@pytest.mark.parametrize(
    ("text", "screen", "intent", "checked"),
    [
        # A place alone: neither DIET's guess nor the risk model's reading of the name counts.
        ("im in hunters point", None, "inform_location", False),
        # The screen still does: an uncertain signal keeps the place and asks the check.
        (
            "im in hunters point",
            {"risk": "self_harm", "tier": "uncertain"},
            "inform_location",
            True,
        ),
        # More than a place: the risk model is read as before (a clear risk).
        ("hunters point, i want to end it", None, "risk_self_harm", False),
    ],
)
def test_risk_triage_reads_the_screen_alone_for_a_place(text, screen, intent, checked):
    from rasa_addons.triage import RiskTriage

    places = PlainPlaces({}, None, Resource("places"), known_places(["hunters point"]))  # type: ignore[arg-type]
    scores = {"escalate": 0.9, "any": 0.95, "self_harm": 0.9, "needs": {}}
    [out] = RiskTriage().process(places.process([_parsed(text, screen, scores)]))
    assert out.get("intent")["name"] == intent
    assert any(e["entity"] == "risk_check" for e in out.get("entities") or []) is checked
