"""Two models on the same held-out examples: where they disagree, which one is right.

    python scripts/compare_models.py models/A.tar.gz models/B.tar.gz [--sets spanish spanish2]

Macro-F1 on a set with intents of one or two examples moves by points when one message is read
differently, so a drop in it says little on its own. This parses each set's unseen examples
(the ``examples.yml`` that ``make nlu-eval`` writes under ``results/nlu-heldout/<set>/``) with
both models, counts the examples only A gets right and only B gets right, and gives the exact
one-sided McNemar p that B is worse (``scripts/gate.py``'s test). Figures only, per set and per
intent; no example is printed (reading them would be tuning on the set).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from gate import Predicted, compare, examples, predictions_of_sets  # noqa: E402

RESULTS = ROOT / "results" / "nlu-heldout"


def gain_by_intent(labelled: list[tuple[str, str]], a: Predicted, b: Predicted) -> dict[str, int]:
    """Per expected intent, of the examples only one model gets right: B's minus A's."""
    by: Counter[str] = Counter()
    for (_, want), (x, _), (y, _) in zip(labelled, a, b, strict=True):
        if (x == want) != (y == want):
            by[want] += 1 if y == want else -1
    return {intent: n for intent, n in sorted(by.items()) if n}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("a", type=Path, help="the model compared against (the live one)")
    parser.add_argument("b", type=Path, help="the model judged (the candidate)")
    parser.add_argument("--sets", nargs="+", default=["spanish", "spanish2"])
    args = parser.parse_args(argv[1:])
    sets: dict[str, list[tuple[str, str]]] = {}
    for name in args.sets:
        path = RESULTS / name / "examples.yml"
        if not path.is_file():
            print(f"{path} is missing: run make nlu-eval first", file=sys.stderr)
            return 2
        sets[name] = examples(path)
    texts = {name: [text for text, _ in labelled] for name, labelled in sets.items()}
    first, second = predictions_of_sets(args.a, texts), predictions_of_sets(args.b, texts)
    for name, labelled in sets.items():
        # The gate's comparison (blind: the set's examples are never listed).
        found = compare(labelled, first[name], second[name], blind=True, name=name)
        print(
            f"{name}: {len(labelled)} examples; only A right {found['live_only']}, only B right"
            f" {found['candidate_only']}; McNemar p (B worse) {found['p_worse']:.3f};"
            f" B's gain by intent {gain_by_intent(labelled, first[name], second[name])}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
