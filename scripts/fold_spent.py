"""Fold spent held-out sets into the training data.

    python scripts/fold_spent.py OUT.yml SET.yml [SET.yml ...] --title "..."

A held-out set of risk and hard negatives (``tests/nlu/heldout_risk*.yml``,
``heldout_es*.yml``: each example with ``kind``, ``level`` and ``needs`` metadata) judges one
change, once; after that it is spent (docs/figures.md). Its examples were written by someone
who never read the training data, which is what the risk model lacks most (the learning curve
was still rising: docs/figures.md, "Risk: what was compared"). This writes them as training
data in the form the risk model reads (:mod:`rasa_addons.risk`): ``risk: check`` for a
``level: check`` example, ``needs`` for a risk example that names one (and for another example
whose needs are not just its own intent); entity annotations kept as written, but for a
``location`` the gazetteer cannot resolve (a street, a bridge, "101": the training data
annotates only places the location validation can find), which keeps its words unannotated.

Populations (``--populations MODEL``): the writers annotated few ("veteran" in one example, bare
in the next), and a fold that leaves most of them bare teaches the entity extractor that they are
none (round 17: population F1 fell by a quarter, docs/figures.md). The training data annotates
by context ("kids" in a third of the examples that use it), which no word list can follow; so an
example whose writers annotated no population gets those the given model's entity extractor
finds (pseudo-labels, at confidence ``--min-confidence``), and every population annotation,
the writers' or the model's, takes the value the training data's synonyms give its words (a
writer's "kids" as youth becomes family, as in data/nlu: two values for one phrase are
inconsistent synonyms). An example left with no population is marked ``populations:
unannotated``: the entity extractor does not learn from it (rasa_addons/entities.py), since
nobody said its words are none.

Dropped: an example that repeats (after ``contract.normalise``) one of the training data, of a
held-out set that is not being folded (those still judge), or of another example folded here.
The sets folded are to be removed from ``tests/nlu`` in the same commit: once trained on, no
figure on them is unseen.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from contract import NEED_FOR_INTENT, POPULATIONS, RISK_INTENTS, normalise, unannotated  # noqa: E402

NLU_DATA = ROOT / "data" / "nlu"
HELD_OUT = ROOT / "tests" / "nlu"
LOCATION = re.compile(r"\[([^\]]+)\]\(location\)")
POPULATION = re.compile(r"\]\(population\)|\]\{[^}]*\"population\"")
METADATA = """\
# `metadata: {risk: check}` marks an example whose risk signal is uncertain (see
# contrast_self_harm.yml); every other risk example is one to escalate, and every other example
# is no risk. `needs:` lists the needs named beside a risk (see contrast_needs.yml).
# `populations: unannotated`: nobody annotated this example's populations, so the entity
# extractor does not learn from it (rasa_addons/entities.py)."""
TWO_NEEDS = """\
# Two needs in one message: label by the more urgent need, in this order:
#   risk_immediate_danger > risk_self_harm > find_domestic_violence_help > find_shelter
#   > find_health_care > find_food > the rest.
# Entities: `location` on place names and ZIP codes, `population` as the sets annotated them."""


def key(text: str) -> str:
    return normalise(unannotated(text))


def examples_of(path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(intent, annotated text, metadata) of every example of a Rasa NLU file."""
    data = yaml.safe_load(path.read_text()) or {}
    found = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        examples = block.get("examples") or []
        if isinstance(examples, str):  # "- text" lines
            items = [{"text": line[2:]} for line in examples.splitlines() if line.startswith("- ")]
        else:
            items = examples
        for item in items:
            found.append((block["intent"], str(item["text"]).strip(), item.get("metadata") or {}))
    return found


def training_metadata(intent: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The held-out set's metadata, as the training data says it."""
    out: dict[str, Any] = {}
    if meta.get("level") == "check":
        out["risk"] = "check"
    needs = [n for n in meta.get("needs") or [] if n in NEED_FOR_INTENT]
    own = [intent] if intent in NEED_FOR_INTENT else []
    beside = intent in RISK_INTENTS or needs != own  # a risk's needs, or more than its own
    if needs and beside:
        out["needs"] = needs
    return out


def places_found(text: str, resolve: Callable[[str], Any]) -> str:
    """``text`` with the annotation taken off every place ``resolve`` does not find."""
    return LOCATION.sub(lambda m: m.group(0) if resolve(m.group(1)) else m.group(1), text)


Entity = dict[str, Any]


def populations_kept(
    text: str, found: list[Entity], synonyms: dict[str, str], min_confidence: float
) -> tuple[str, int]:
    """``text`` (annotated) with its populations as the training data writes them; how many of
    them came from ``found`` (the entities a model extracted from its plain text).

    The writers' annotations stay; where they wrote none, ``found``'s populations (at
    ``min_confidence``, not overlapping another annotation) are added. Each takes the value
    ``synonyms`` gives its words (written short, as ``[kids](population)``), else keeps its own
    when that is a population or an age, else is dropped.
    """
    from rasa.shared.nlu.training_data.entities_parser import parse_training_example
    from rasa.shared.nlu.training_data.formats.readerwriter import TrainingDataWriter

    message = parse_training_example(text)
    plain: str = message.get("text")
    entities: list[Entity] = list(message.get("entities") or [])
    added = 0
    if not any(e["entity"] == "population" for e in entities):
        for e in found:
            confidence = e.get("confidence_entity")
            if e.get("entity") != "population" or (confidence or 0) < min_confidence:
                continue
            if any(e["start"] < o["end"] and o["start"] < e["end"] for o in entities):
                continue
            entities.append({k: e[k] for k in ("start", "end", "entity", "value")})
            added += 1
    kept: list[Entity] = []
    for e in entities:
        if e["entity"] == "population":
            words = plain[e["start"] : e["end"]]
            if words.lower() in synonyms or words.lower() in POPULATIONS or words.isdigit():
                e = {**e, "value": words}
            elif not (str(e["value"]) in POPULATIONS or str(e["value"]).isdigit()):
                added -= e not in (message.get("entities") or [])
                continue
        kept.append(e)
    kept.sort(key=lambda e: e["start"])
    return TrainingDataWriter.generate_message({"text": plain, "entities": kept}), added


def annotate_populations(
    kept: dict[str, list[tuple[str, dict[str, Any]]]], model: Path, min_confidence: float
) -> int:
    """Rewrite ``kept``'s texts by :func:`populations_kept`, with ``model``'s entities and
    the training data's synonyms; how many populations the model added."""
    import asyncio

    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    synonyms = {k.lower(): v for k, v in load_data(str(NLU_DATA)).entity_synonyms.items()}
    agent = Agent.load(str(model))

    async def parsed(texts: list[str]) -> list[list[Entity]]:
        return [(await agent.parse_message(t)).get("entities") or [] for t in texts]

    added = 0
    for examples in kept.values():
        found = asyncio.run(parsed([unannotated(text) for text, _ in examples]))
        for i, ((text, meta), entities) in enumerate(zip(examples, found, strict=True)):
            text, n = populations_kept(text, entities, synonyms, min_confidence)
            examples[i] = (text, meta)
            added += n
    return added


def mark_unannotated(kept: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
    """Mark every example that has no population annotation ``populations: unannotated``."""
    for examples in kept.values():
        for i, (text, meta) in enumerate(examples):
            if not POPULATION.search(text):
                examples[i] = (text, {**meta, "populations": "unannotated"})


def fold(sets: list[Path]) -> tuple[dict[str, list[tuple[str, dict[str, Any]]]], int, int]:
    """The examples to keep, by intent; how many were read and how many dropped."""
    from actions.gazetteer import gazetteer_for
    from region import load_region

    gazetteer = gazetteer_for(load_region())
    folded = {p.resolve() for p in sets}
    seen = {key(t) for f in NLU_DATA.rglob("*.yml") for _, t, _ in examples_of(f)}
    seen |= {
        key(t)
        for f in HELD_OUT.glob("heldout*.yml")
        if f.resolve() not in folded
        for _, t, _ in examples_of(f)
    }
    kept: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    read = dropped = 0
    for path in sets:
        for intent, text, meta in examples_of(path):
            read += 1
            if key(text) in seen:
                dropped += 1
                continue
            seen.add(key(text))
            text = places_found(text, gazetteer.resolve)
            kept.setdefault(intent, []).append((text, training_metadata(intent, meta)))
    return kept, read, dropped


def render(kept: dict[str, list[tuple[str, dict[str, Any]]]], title: str) -> str:
    lines = [f"# {line}" for line in textwrap.wrap(" ".join(title.split()), 96)]
    lines += ["#", METADATA, "#", TWO_NEEDS, 'version: "3.1"', "nlu:"]
    for intent in sorted(kept):
        lines += [f"- intent: {intent}", "  examples:"]
        for text, meta in kept[intent]:
            lines += ["  - text: |", f"      {text}"]
            if meta:
                lines.append("    metadata:")
                if "risk" in meta:
                    lines.append(f"      risk: {meta['risk']}")
                if "needs" in meta:
                    lines.append("      needs:")
                    lines += [f"      - {need}" for need in meta["needs"]]
                if "populations" in meta:
                    lines.append(f"      populations: {meta['populations']}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("sets", type=Path, nargs="+")
    parser.add_argument("--title", required=True, help="the file's opening comment")
    parser.add_argument(
        "--populations",
        type=Path,
        metavar="MODEL",
        help="annotate populations with this model's entity extractor",
    )
    parser.add_argument("--min-confidence", type=float, default=0.5)
    args = parser.parse_args()
    kept, read, dropped = fold(args.sets)
    added = (
        annotate_populations(kept, args.populations, args.min_confidence) if args.populations else 0
    )
    mark_unannotated(kept)
    args.out.write_text(render(kept, args.title))
    print(
        f"{args.out}: {read - dropped} examples of {read} ({dropped} repeats dropped)"
        + (
            f"; {added} populations annotated by {args.populations.name}"
            if args.populations
            else ""
        )
    )


if __name__ == "__main__":
    main()
