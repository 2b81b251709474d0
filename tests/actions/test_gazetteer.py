"""Where a client says they are, resolved offline: places, ZIP codes, coordinates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions.gazetteer import Gazetteer, gazetteer_for, lookup_table_yaml
from region import load_region

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return gazetteer_for(load_region())


@pytest.mark.parametrize(
    ("text", "name", "slot_value"),
    [
        ("redwood city", "Redwood City", "Redwood City, CA"),
        ("Redwood City, CA", "Redwood City", "Redwood City, CA"),
        ("REDWOOD CITY", "Redwood City", "Redwood City, CA"),
        ("redwod city", "Redwood City", "Redwood City, CA"),  # misspelt
        ("rwc", "Redwood City", "Redwood City, CA"),  # what locals write
        ("e palo alto", "East Palo Alto", "East Palo Alto, CA"),
        ("so san francisco", "South San Francisco", "South San Francisco, CA"),
        ("foster city", "Foster City", "Foster City, CA"),  # a name the post office accepts
        ("montara", "Montara", "Montara, CA"),  # served by PO boxes only
        ("94063", "Redwood City", "94063"),
        ("94063-1234", "Redwood City", "94063"),
        ("reno", "Reno", "Reno, NV"),  # outside the state: the biggest place of the name
    ],
)
def test_places_and_zip_codes_resolve(
    gazetteer: Gazetteer, text: str, name: str, slot_value: str
) -> None:
    place = gazetteer.resolve(text)
    assert place is not None
    assert (place.name, place.slot_value) == (name, slot_value)


@pytest.mark.parametrize("text", ["reno", "atlantis", "miami", "springfield", "redwood city"])
def test_a_kept_slot_value_resolves_to_the_same_place(gazetteer: Gazetteer, text: str) -> None:
    """The form keeps "Name, ST"; the search resolves it again, outside the state too."""
    place = gazetteer.resolve(text)
    assert place is not None
    assert gazetteer.resolve(place.slot_value) == place


def test_a_shared_location_resolves_to_its_coordinates(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("geo:37.48,-122.23")
    assert place is not None
    assert (place.latitude, place.longitude) == (37.48, -122.23)
    assert place.slot_value == "geo:37.48000,-122.23000"
    assert gazetteer.resolve(place.slot_value) == place


@pytest.mark.parametrize(
    "text",
    ["narnia", "somewhere else", "", "   ", "geo:137.0,-122.0", "00000", "🏠🏠", "x" * 5000, "حي"],
)
def test_what_is_not_a_place_resolves_to_nothing(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.resolve(text) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("im at the caltrain in san carlos", "San Carlos"),
        ("near 94401 pls", "San Mateo"),
        ("i need food in daly city tonite", "Daly City"),
        ("sleeping in my car in half moon bay, no money", "Half Moon Bay"),
    ],
)
def test_a_place_inside_a_sentence_is_found(gazetteer: Gazetteer, text: str, name: str) -> None:
    place = gazetteer.find_in_text(text)
    assert place is not None
    assert place.name == name


@pytest.mark.parametrize("text", ["hope you can help me", "i need a bed", "x" * 5000])
def test_ordinary_words_are_not_taken_for_places(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.find_in_text(text) is None


def test_the_lookup_table_lists_the_regions_places_and_zip_codes(gazetteer: Gazetteer) -> None:
    table = lookup_table_yaml(gazetteer)
    for expected in ("    - redwood city", "    - east palo alto", "    - 94063", "    - rwc"):
        assert expected in table.splitlines()
    assert "    - reno" not in table.splitlines()


@pytest.mark.parametrize(
    ("text", "postcode", "county"),
    [
        # The post office's "Mission" is in Texas and its "Bayview" in Idaho; a client here
        # means San Francisco's.
        ("mission", "94110", "San Francisco County"),
        ("the mission", "94110", "San Francisco County"),
        ("bayview", "94124", "San Francisco County"),
        ("the tenderloin", "94102", "San Francisco County"),
        ("tenderlion", "94102", "San Francisco County"),  # misspelt
        ("noe valley", "94114", "San Francisco County"),  # not Pope Valley, Napa
        # Unincorporated areas of the county, which have no post office of their own.
        ("north fair oaks", "94063", "San Mateo County"),
        ("belle haven", "94025", "San Mateo County"),
        ("princeton", "94019", "San Mateo County"),  # not Princeton, Colusa County
    ],
)
def test_the_regions_neighbourhoods_resolve_ahead_of_other_states(
    gazetteer: Gazetteer, text: str, postcode: str, county: str
) -> None:
    place, post_office = gazetteer.resolve(text), gazetteer.resolve(postcode)
    assert place is not None
    assert post_office is not None
    assert (place.county, place.state) == (county, "CA")
    assert (place.latitude, place.longitude) == (post_office.latitude, post_office.longitude)
    assert gazetteer.resolve(place.slot_value) == place  # what the form keeps


def test_a_place_with_its_state_is_that_states() -> None:
    """ "mission tx" is still Mission, Texas: a neighbourhood never hides a named state."""
    place = gazetteer_for(load_region()).resolve("mission tx")
    assert place is not None
    assert (place.name, place.state) == ("Mission", "TX")


def test_the_regions_county_resolves_to_its_centre(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("san mateo county")
    assert place is not None
    assert (place.name, place.county, place.slot_value) == (
        "San Mateo County",
        "San Mateo County",
        "San Mateo County, CA",
    )
    assert 37.4 < place.latitude < 37.7
    assert -122.5 < place.longitude < -122.2
    assert gazetteer.resolve(place.slot_value) == place
    assert gazetteer.find_in_text("any shelter in san mateo county") == place


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("im in the mission need food", "94110"),
        ("sleeping near the tenderloin", "94102"),
        ("at balboa park bart rn", "94112"),
        ("estoy en bayview", "94124"),
    ],
)
def test_a_neighbourhood_inside_a_sentence_is_found(
    gazetteer: Gazetteer, text: str, postcode: str
) -> None:
    place, post_office = gazetteer.find_in_text(text), gazetteer.resolve(postcode)
    assert place is not None
    assert post_office is not None
    assert (place.latitude, place.longitude) == (post_office.latitude, post_office.longitude)


@pytest.mark.parametrize(
    "text", ["on a mission to find food", "watching the sunset lol", "my friend castro said hi"]
)
def test_a_neighbourhood_word_in_passing_is_not_a_place(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.find_in_text(text) is None


def test_a_neighbourhood_needs_a_real_zip_code() -> None:
    with pytest.raises(ValueError, match="00000 is not a ZIP code"):
        Gazetteer("CA", ["San Mateo County"], [("atlantis", "00000")])


def test_a_name_shared_by_equal_places_resolves_alike_in_every_process() -> None:
    """Places of one name and size in several states ("excelsior", "highlands") are ranked
    the same way whatever the hash seed: the gateway, the action server and a restart agree."""
    code = (
        "from actions.gazetteer import Gazetteer\n"
        "g = Gazetteer('CA', ['San Mateo County'])\n"
        "print([g.resolve(n).state for n in ('excelsior', 'highlands', 'springfield')])\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "3", "5")
    }
    assert len(seen) == 1, seen
