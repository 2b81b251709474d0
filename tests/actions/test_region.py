"""The region file: every number a client reads comes from it, checked at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from region import DEFAULT_REGION_FILE, RegionError, load_region


def write_region(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load(DEFAULT_REGION_FILE.read_text())
    data.update(changes)
    path = tmp_path / "region.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_demo_region_names_911_988_and_the_dv_hotline() -> None:
    values = load_region().template_values()
    assert values["emergency_number"] == "911"
    assert values["self_harm_line_contact"] == "call 988 or text 988"
    assert "1-800-799-7233" in values["domestic_violence_line_contact"]
    assert values["general_line_contact"].startswith("call 211")


def test_region_file_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGION_FILE", str(write_region(tmp_path, emergency_number="000")))
    assert load_region().emergency_number == "000"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"emergency_number": " "}, "emergency_number is empty"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        (
            {"crisis_lines": [{"id": "x", "name": "X", "phone": "1", "topics": ["general"]}]},
            "no 24/7 line for self_harm, domestic_violence",
        ),
        (
            {
                "crisis_lines": [
                    {
                        "id": "x",
                        "name": "X",
                        "topics": ["self_harm", "domestic_violence", "general"],
                    }
                ]
            },
            "neither phone nor sms",
        ),
        ({"gazetteer": None}, "missing or malformed field"),
        (
            {
                "gazetteer": {
                    "country": "US",
                    "state": "CA",
                    "counties": ["San Mateo County"],
                    "example_place": "Redwood City",
                    "example_postcode": "94063",
                    "neighbourhoods": {"the mission": "mission st"},
                }
            },
            "a neighbourhood's value is a five-digit ZIP code",
        ),
    ],
)
def test_a_region_that_could_fail_a_client_in_crisis_is_refused(
    tmp_path: Path, changes: dict, message: str
) -> None:
    with pytest.raises(RegionError, match=message):
        load_region(write_region(tmp_path, **changes))


def test_an_unreadable_region_file_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(RegionError, match=r"cannot read region file .*missing\.yml"):
        load_region(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("name: [unclosed")
    with pytest.raises(RegionError, match="not valid YAML"):
        load_region(bad)
