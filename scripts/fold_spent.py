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

from contract import NEED_FOR_INTENT, RISK_INTENTS, normalise, unannotated  # noqa: E402

NLU_DATA = ROOT / "data" / "nlu"
HELD_OUT = ROOT / "tests" / "nlu"
LOCATION = re.compile(r"\[([^\]]+)\]\(location\)")
METADATA = """\
# `metadata: {risk: check}` marks an example whose risk signal is uncertain (see
# contrast_self_harm.yml); every other risk example is one to escalate, and every other example
# is no risk. `needs:` lists the needs named beside a risk (see contrast_needs.yml)."""
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
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("sets", type=Path, nargs="+")
    parser.add_argument("--title", required=True, help="the file's opening comment")
    args = parser.parse_args()
    kept, read, dropped = fold(args.sets)
    args.out.write_text(render(kept, args.title))
    print(f"{args.out}: {read - dropped} examples of {read} ({dropped} repeats dropped)")


if __name__ == "__main__":
    main()
