"""Files generated from the region file and the gazetteer match what they are generated from."""

from __future__ import annotations

from pathlib import Path

from actions.gazetteer import gazetteer_for, lookup_table_yaml
from region import load_region
from region.__main__ import with_region

ROOT = Path(__file__).resolve().parents[2]


def test_domain_region_slots_match_the_region_file() -> None:
    domain = (ROOT / "domain.yml").read_text()
    assert domain == with_region(domain, load_region()), (
        "the region's slots in domain.yml are out of date: run `make region` and retrain"
    )


def test_the_location_lookup_table_matches_the_gazetteer() -> None:
    expected = lookup_table_yaml(gazetteer_for(load_region()))
    assert (ROOT / "data" / "nlu" / "lookup_location.yml").read_text() == expected, (
        "data/nlu/lookup_location.yml is out of date: run `make region`"
    )
