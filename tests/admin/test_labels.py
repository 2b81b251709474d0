"""Labels go into the training data, every fifth into the held-out set; a conflict is refused
with the file and line; what is written is what Rasa reads."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from bot.admin.labels import HELDOUT_REVIEWED, REVIEWED, Label, LabelError, Span, add

ROOT = Path(__file__).resolve().parents[2]
INTENTS = ["find_shelter", "find_food", "greet", "risk_self_harm", "out_of_scope"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "tests" / "nlu").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "nlu" / "food.yml", tmp_path / "data" / "nlu" / "food.yml")
    return tmp_path


def rasa_reads(path: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from rasa.shared.nlu.training_data.loading import load_data

        data = load_data(str(path))
    return [
        (
            m.get("text"),
            m.get("intent"),
            [(e["entity"], e["value"]) for e in m.get("entities") or []],
        )
        for m in data.intent_examples
    ]


def test_labels_go_to_training_and_every_fifth_to_the_heldout_set(root: Path) -> None:
    where = [
        add(Label(f"need a bed number {i} in [phone] land", "find_shelter"), INTENTS, root)
        for i in range(10)
    ]
    assert where == [REVIEWED] * 4 + [HELDOUT_REVIEWED] + [REVIEWED] * 4 + [HELDOUT_REVIEWED]
    assert len(rasa_reads(root / REVIEWED)) == 8
    assert len(rasa_reads(root / HELDOUT_REVIEWED)) == 2


def test_entities_are_written_as_rasa_reads_them(root: Path) -> None:
    label = Label(
        "me and my kids need a bed in daly city",
        "find_shelter",
        (Span("location", "daly city"), Span("population", "kids", "family")),
    )
    add(label, INTENTS, root)
    [(text, intent, entities)] = rasa_reads(root / REVIEWED)
    assert text == "me and my kids need a bed in daly city"
    assert intent == "find_shelter"
    assert sorted(entities) == [("location", "daly city"), ("population", "family")]


def test_a_text_labelled_with_another_intent_is_refused_with_the_file_and_line(
    root: Path,
) -> None:
    lines = (root / "data" / "nlu" / "food.yml").read_text().splitlines()
    number, line = next((n, x) for n, x in enumerate(lines, 1) if x.startswith("    - "))
    text = line.strip()[2:]
    if "[" in text:
        pytest.skip("the first food example is annotated")
    with pytest.raises(
        LabelError, match=rf"already labelled find_food at data/nlu/food.yml:{number}"
    ):
        add(Label(text.upper() + "!!", "find_shelter"), INTENTS, root)
    assert add(Label(text, "find_food"), INTENTS, root) is None  # the same label: nothing to do
    assert not (root / REVIEWED).exists()


@pytest.mark.parametrize(
    ("label", "message"),
    [
        (Label("hello there", "no_such_intent"), "unknown intent"),
        (Label("   ", "greet"), "empty"),
        (Label("bed in daly city", "find_shelter", (Span("location", "redwood city"),)), "not in"),
        (Label("bed for my cat", "find_shelter", (Span("population", "cat", "animals"),)), "not one of"),
        (Label("bed near [address]", "find_shelter", (Span("location", "[address]"),)), "brackets"),
        (Label("bed in rwc", "find_shelter", (Span("need", "bed"),)), "unknown entity"),
    ],
)  # fmt: skip
def test_a_label_that_cannot_be_written_says_why(root: Path, label: Label, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        add(label, INTENTS, root)
    assert not (root / REVIEWED).exists()


def test_blocks_follow_the_domains_order(root: Path) -> None:
    add(Label("yo whats up", "greet"), INTENTS, root)
    add(Label("any soup kitchen open", "find_food"), INTENTS, root)
    text = (root / REVIEWED).read_text()
    assert text.index("- intent: find_food") < text.index("- intent: greet")
