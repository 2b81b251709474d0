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
import asyncio
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from gate import mcnemar_p_worse  # noqa: E402
from nlu_fallback import quiet_rasa  # noqa: E402

RESULTS = ROOT / "results" / "nlu-heldout"


def parse_all(model: Path, sets: dict[str, list[tuple[str, str]]]) -> dict[str, list[str]]:
    """The intent ``model`` gives each example (risk triage included, as Rasa's server would)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, examples in sets.items():
            found[name] = []
            for text, _ in examples:
                parsed = await agent.parse_message(text)
                found[name].append(str(parsed["intent"]["name"]))
        return found

    return asyncio.run(run())


def compare(expected: list[str], a: list[str], b: list[str]) -> tuple[int, int, dict[str, int]]:
    """(only A right, only B right, per intent: B's gain) over the examples they disagree on."""
    a_only = b_only = 0
    by: Counter[str] = Counter()
    for want, x, y in zip(expected, a, b, strict=True):
        if (x == want) == (y == want):
            continue
        if x == want:
            a_only += 1
            by[want] -= 1
        else:
            b_only += 1
            by[want] += 1
    return a_only, b_only, {k: v for k, v in sorted(by.items()) if v}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="the model compared against (the live one)")
    parser.add_argument("b", type=Path, help="the model judged (the candidate)")
    parser.add_argument("--sets", nargs="+", default=["spanish", "spanish2"])
    args = parser.parse_args(argv[1:])
    quiet_rasa()
    from rasa.shared.nlu.training_data.loading import load_data

    sets: dict[str, list[tuple[str, str]]] = {}
    for name in args.sets:
        path = RESULTS / name / "examples.yml"
        if not path.is_file():
            print(f"{path} is missing: run make nlu-eval first", file=sys.stderr)
            return 2
        data = load_data(str(path))
        sets[name] = [(str(m.get("text")), str(m.get("intent"))) for m in data.intent_examples]
    first, second = parse_all(args.a, sets), parse_all(args.b, sets)
    for name, found in sets.items():
        expected = [intent for _, intent in found]
        a_only, b_only, by = compare(expected, first[name], second[name])
        print(
            f"{name}: {len(found)} examples; only A right {a_only}, only B right {b_only};"
            f" McNemar p (B worse) {mcnemar_p_worse(a_only, b_only):.3f}; B's gain by intent {by}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
