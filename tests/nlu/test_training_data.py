"""The NLU training data and held-out set keep their promises (fast: no training).

Enough examples of every intent of the domain, nothing taught as two intents, the held-out set
never trained on, entities only of the two kinds the actions read, population values the actions
understand, places the gazetteer resolves, and the generated lookup table up to date.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict

import pytest
from rasa.shared.nlu.training_data.training_data import TrainingData

import contract
from actions.gazetteer import gazetteer_for
from contract import example_key as normalise
from region import load_region
from tests.nlu.conftest import NLU_DATA, ROOT, DomainNames

RISK_INTENTS = ("risk_self_harm", "risk_immediate_danger")
ENTITIES = {"location", "population"}
POPULATIONS = set(contract.POPULATIONS)
TWO_NEEDS_RULE = (
    "risk_immediate_danger > risk_self_harm > find_domestic_violence_help > find_shelter",
    "> find_health_care > find_food > the rest.",
)


def minimum_training_examples(intent: str) -> int:
    if intent in RISK_INTENTS:
        return 80
    if intent.startswith("find_"):
        return 40
    return 25


def minimum_heldout_examples(intent: str) -> int:
    return 40 if intent in RISK_INTENTS else 12


def examples_by_intent(data: TrainingData) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for message in data.intent_examples:
        found[str(message.get("intent"))].append(str(message.get("text")))
    return found


def annotated(data: TrainingData) -> list[tuple[str, str, str, str]]:
    """(text, entity, annotated words, value) of every entity annotation."""
    return [
        (
            str(m.get("text")),
            e["entity"],
            str(m.get("text"))[e["start"] : e["end"]],
            str(e["value"]),
        )
        for m in data.entity_examples
        for e in m.get("entities") or []
    ]


def test_every_domain_intent_has_enough_training_examples(
    training: TrainingData, domain: DomainNames
) -> None:
    counts = {i: len(x) for i, x in examples_by_intent(training).items()}
    short = {
        intent: f"{counts.get(intent, 0)} < {minimum_training_examples(intent)}"
        for intent in domain.intents
        if counts.get(intent, 0) < minimum_training_examples(intent)
    }
    assert not short, f"intents with too few training examples: {short}"


def test_training_data_names_only_intents_of_the_domain(
    training: TrainingData, domain: DomainNames
) -> None:
    assert set(examples_by_intent(training)) <= set(domain.intents)


def test_no_example_is_taught_twice_or_as_two_intents(training: TrainingData) -> None:
    intents_of: dict[str, set[str]] = defaultdict(set)
    copies: Counter[str] = Counter()
    for intent, texts in examples_by_intent(training).items():
        for text in texts:
            intents_of[normalise(text)].add(intent)
            copies[normalise(text)] += 1
    in_two = {text: sorted(i) for text, i in intents_of.items() if len(i) > 1}
    assert not in_two, f"examples in more than one intent: {in_two}"
    assert not [t for t, n in copies.items() if n > 1], "examples repeated within an intent"


def test_no_heldout_example_is_in_the_training_data(
    training: TrainingData, heldout: TrainingData
) -> None:
    trained = {normalise(str(m.get("text"))) for m in training.intent_examples}
    leaked = [str(m.get("text")) for m in heldout.intent_examples]
    assert not [t for t in leaked if normalise(t) in trained], "held-out examples in data/nlu"


def test_heldout_set_covers_every_domain_intent(heldout: TrainingData, domain: DomainNames) -> None:
    counts = {i: len(x) for i, x in examples_by_intent(heldout).items()}
    assert set(counts) <= set(domain.intents)
    short = {
        intent: counts.get(intent, 0)
        for intent in domain.intents
        if counts.get(intent, 0) < minimum_heldout_examples(intent)
    }
    assert not short, f"intents with too few held-out examples: {short}"


def test_heldout_set_has_no_example_in_two_intents(heldout: TrainingData) -> None:
    intents_of: dict[str, set[str]] = defaultdict(set)
    for intent, texts in examples_by_intent(heldout).items():
        for text in texts:
            intents_of[normalise(text)].add(intent)
    assert not {t: i for t, i in intents_of.items() if len(i) > 1}


def test_entities_are_only_location_and_population(
    training: TrainingData, heldout: TrainingData, domain: DomainNames
) -> None:
    used = {entity for data in (training, heldout) for _, entity, _, _ in annotated(data)}
    assert used == ENTITIES
    assert set(domain.entities) >= ENTITIES


def test_population_synonyms_map_only_to_canonical_values(training: TrainingData) -> None:
    values = set(training.entity_synonyms.values())
    assert values <= POPULATIONS, f"non-canonical synonym values: {values - POPULATIONS}"


@pytest.mark.parametrize("data_name", ["training", "heldout"])
def test_every_population_annotation_maps_to_a_canonical_value_or_an_age(
    data_name: str, request: pytest.FixtureRequest, training: TrainingData
) -> None:
    """The action understands a canonical value or a number (an age); nothing else."""
    data: TrainingData = request.getfixturevalue(data_name)
    synonyms = training.entity_synonyms  # what the trained EntitySynonymMapper applies
    unmapped = []
    for text, entity, words, value in annotated(data):
        if entity != "population":
            continue
        mapped = synonyms.get(value.lower(), value)
        is_age = mapped.isdigit() and 0 < int(mapped) < 120
        if mapped not in POPULATIONS and not is_age:
            unmapped.append(f"{words!r} in {text!r}")
    assert not unmapped, "population annotations with no canonical value: " + "; ".join(unmapped)


def test_ages_are_annotated_with_many_values(training: TrainingData) -> None:
    """The model learns that a number after "im" is an age, not the particular numbers."""
    ages = {v for _, e, _, v in annotated(training) if e == "population" and v.isdigit()}
    assert len(ages) >= 15, f"only {len(ages)} distinct ages annotated: {sorted(ages)}"


def test_every_find_intent_has_examples_with_a_place(training: TrainingData) -> None:
    with_place = Counter(
        str(m.get("intent"))
        for m in training.entity_examples
        if any(e["entity"] == "location" for e in m.get("entities") or [])
    )
    finds = [i for i in examples_by_intent(training) if i.startswith("find_")]
    assert {i: with_place[i] for i in finds if with_place[i] < 3} == {}


@pytest.mark.parametrize("data_name", ["training", "heldout"])
def test_every_annotated_place_resolves_in_the_gazetteer(
    data_name: str, request: pytest.FixtureRequest
) -> None:
    """A place the model learns to pick out is one the location validation can find."""
    data: TrainingData = request.getfixturevalue(data_name)
    gazetteer = gazetteer_for(load_region())
    places = {words for _, entity, words, _ in annotated(data) if entity == "location"}
    assert places
    assert sorted(p for p in places if gazetteer.resolve(p) is None) == []


def zip_regex(training: TrainingData) -> re.Pattern[str]:
    patterns = [r["pattern"] for r in training.regex_features if r["name"] == "location"]
    assert len(patterns) == 1, "location.yml has one ZIP code regex named location"
    return re.compile(patterns[0])


@pytest.mark.parametrize(
    ("message", "found"),
    [
        ("94063", ["94063"]),
        ("im near 94401 tonight", ["94401"]),
        ("zip 94063-1234", ["94063-1234"]),
        ("im 17 and need a bed", []),  # an age is not a ZIP code
        ("call me on 6505551234", []),  # nor part of a phone number
        ("bed 2nite", []),
        ("1234", []),
    ],
)
def test_the_zip_regex_finds_zip_codes_only(
    training: TrainingData, message: str, found: list[str]
) -> None:
    assert [m.group(0) for m in zip_regex(training).finditer(message)] == found


def test_the_lookup_table_is_what_the_gazetteer_generates() -> None:
    fresh = subprocess.run(
        [sys.executable, "-m", "actions.gazetteer", "lookup"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert (NLU_DATA / "lookup_location.yml").read_text() == fresh.stdout, (
        "data/nlu/lookup_location.yml is out of date: regenerate it from the gazetteer"
    )


def test_every_data_file_states_the_two_needs_rule() -> None:
    files = [f for f in sorted(NLU_DATA.glob("*.yml")) if f.name != "lookup_location.yml"]
    assert files
    missing = [f.name for f in files if not all(part in f.read_text() for part in TWO_NEEDS_RULE)]
    assert missing == []
