"""Labels an admin gives to misread messages: into the training data, or the held-out set.

A label is a masked message (:mod:`bot.admin.masking`), an intent of the domain and, if any,
``location`` and ``population`` spans of the text. It is written in Rasa's NLU format to

- ``data/nlu/reviewed.yml``: what the next training learns from; or, for every fifth label,
- ``tests/nlu/heldout_reviewed.yml``: a third held-out set of real, reviewed messages, never
  trained on, which ``make nlu-eval`` and the promotion gate score (so the evaluation grows
  with real data, not only the training).

A text already labelled anywhere (training data or a held-out set, compared as the tests do:
case, punctuation and spacing aside) with another intent is refused, naming the file and line;
with the same intent it is a no-op. Both files stay valid for ``rasa data validate
--fail-on-warnings``: one block per intent, in the domain's order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from contract import POPULATIONS, example_key, unannotated

REVIEWED = Path("data/nlu/reviewed.yml")
HELDOUT_REVIEWED = Path("tests/nlu/heldout_reviewed.yml")
HELDOUT_EVERY = 5  # every fifth label goes to the held-out set
ENTITIES = ("location", "population")
POPULATION_VALUES = POPULATIONS
HEADERS = {
    REVIEWED: (
        "# Messages clients wrote that the assistant misread, labelled by an admin in the review\n"
        "# inbox (bot/admin). Written by `python -m bot.admin label` and the /admin page; masked\n"
        "# before anyone saw them. Every fifth label goes to tests/nlu/heldout_reviewed.yml.\n"
    ),
    HELDOUT_REVIEWED: (
        "# Held-out set of real, reviewed messages: every fifth label an admin gives in the\n"
        "# review inbox (bot/admin/labels.py). NEVER trained on; `make nlu-eval` and the\n"
        "# promotion gate score it.\n"
    ),
}


class LabelError(ValueError):
    """A label that cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Span:
    """An entity in the text: its words (a substring of the text) and, for population, the value."""

    entity: str
    words: str
    value: str | None = None


@dataclass(frozen=True)
class Label:
    text: str  # the masked text, as the admin saw it
    intent: str
    spans: tuple[Span, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Found:
    """Where a text is labelled already."""

    path: Path
    line: int
    intent: str


def annotated(label: Label) -> str:
    """The example line: the text with each span marked as Rasa reads it."""
    text = label.text
    for span in label.spans:
        if span.entity not in ENTITIES:
            raise LabelError(f"unknown entity {span.entity!r}: use one of {', '.join(ENTITIES)}")
        if not span.words.strip() or span.words not in text:
            raise LabelError(f"{span.words!r} is not in the message: mark words it contains")
        if any(ch in span.words for ch in "[](){}"):
            raise LabelError("an entity cannot include brackets or a masked part")
        if span.entity == "population":
            value = span.value or span.words
            if value not in POPULATION_VALUES and not value.isdigit():
                raise LabelError(
                    f"population {value!r} is not one of {', '.join(POPULATION_VALUES)} or an age"
                )
            mark = json.dumps({"entity": "population", "value": value})
            marked = (
                f"[{span.words}]{mark}" if value != span.words else f"[{span.words}](population)"
            )
        else:
            marked = f"[{span.words}](location)"
        text = text.replace(span.words, marked, 1)
    return text


def examples_in(path: Path) -> Iterable[tuple[int, str, str]]:
    """(line number, intent, text without annotations) of every example of an NLU file."""
    if not path.is_file():
        return
    intent = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("- intent:"):
            intent = stripped.removeprefix("- intent:").strip()
        elif stripped.startswith("- ") and intent and line.startswith("    "):
            yield number, intent, unannotated(stripped[2:].strip())
        elif stripped.startswith(("- synonym:", "- lookup:", "- regex:")):
            intent = None


def find(text: str, files: Sequence[Path]) -> Found | None:
    """Where ``text`` is labelled already, if anywhere."""
    wanted = example_key(unannotated(text))
    for path in files:
        for number, intent, example in examples_in(path):
            if example_key(example) == wanted:
                return Found(path, number, intent)
    return None


def labelled_files(root: Path) -> list[Path]:
    """Every file a label may already be in: the training data and the held-out sets."""
    return sorted((root / "data" / "nlu").glob("*.yml")) + sorted(
        (root / "tests" / "nlu").glob("heldout*.yml")
    )


def count_labels(root: Path) -> int:
    return sum(1 for path in (REVIEWED, HELDOUT_REVIEWED) for _ in examples_in(root / path))


def add(label: Label, intents: Sequence[str], root: Path) -> Path | None:
    """Write ``label`` to the training data or the held-out set; the file, or None if it was
    there already with the same intent. Raises :class:`LabelError` when it cannot be written."""
    if label.intent not in intents:
        raise LabelError(f"unknown intent {label.intent!r}: pick one of the domain's intents")
    if not label.text.strip():
        raise LabelError("the message is empty")
    line = annotated(label)
    found = find(line, labelled_files(root))
    if found is not None:
        if found.intent == label.intent:
            return None
        where = found.path.relative_to(root) if found.path.is_relative_to(root) else found.path
        raise LabelError(
            f"already labelled {found.intent} at {where}:{found.line}; change it there first"
        )
    target = HELDOUT_REVIEWED if (count_labels(root) + 1) % HELDOUT_EVERY == 0 else REVIEWED
    _append(root / target, target, label.intent, line, intents)
    return target


def _append(path: Path, kind: Path, intent: str, line: str, intents: Sequence[str]) -> None:
    blocks: dict[str, list[str]] = {}
    if path.is_file():  # keep the annotated lines as written
        current = None
        for raw in path.read_text(encoding="utf-8").splitlines():
            stripped = raw.strip()
            if stripped.startswith("- intent:"):
                current = stripped.removeprefix("- intent:").strip()
            elif current and raw.startswith("    - "):
                blocks.setdefault(current, []).append(stripped[2:])
    blocks.setdefault(intent, []).append(line)
    order = [i for i in intents if i in blocks]
    out = [HEADERS[kind], 'version: "3.1"\n', "nlu:\n"]
    for name in order:
        out.append(f"- intent: {name}\n  examples: |\n")
        out += [f"    - {example}\n" for example in blocks[name]]
    text = "".join(out)
    yaml.safe_load(text)  # never write a file Rasa cannot read
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
