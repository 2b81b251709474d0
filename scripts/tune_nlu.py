"""Choose the FallbackClassifier's threshold on cross-validation, never on a held-out set.

    python scripts/tune_nlu.py [--folds 5] [--out results/tuning]

Below config.yml's FallbackClassifier ``threshold`` a message gets a clarification instead of the
classifier's guess. Choosing it on a held-out set would make that set's figures in-sample. So this
script splits data/nlu into ``--folds`` folds (stratified by intent, a fixed seed), trains the NLU
pipeline of config.yml on all folds but one, and parses the one left out with the safety screen's
metadata, as the gateway sends it: every training example is then parsed by a model that never saw
it. On those out-of-fold parses it sweeps the threshold and prints what each would cost: right
guesses lost to a clarification, wrong ones caught, risk examples lost. The risk thresholds are
chosen by ``scripts/tune_risk.py``, which needs no intent classifier.

The table goes to ``<out>/sweep.json``; the folds' parses (the classifier's ranking of every
example) to ``<out>/parses.json``, so a second sweep (``--parses``) needs no training. Training the
folds takes several minutes each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu_fallback import FALLBACK_INTENT, RISK_INTENTS, falls_back, quiet_rasa  # noqa: E402

FALLBACK_THRESHOLDS = (0.2, 0.3, 0.4, 0.5)


@dataclass(frozen=True)
class FoldParse:
    """One training example parsed by the model of the folds that left it out."""

    text: str
    expected: str
    ranking: tuple[tuple[str, float], ...]  # the classifier's ranking, without nlu_fallback
    screen: dict[str, str] | None  # what the gateway's screen sends as metadata


def folds_of(examples: Sequence[tuple[str, str]], folds: int, seed: int = 42) -> list[int]:
    """A fold number for each example, each intent's examples dealt round the folds."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for index, (_, intent) in enumerate(examples):
        by_intent[intent].append(index)
    fold = [0] * len(examples)
    rng = random.Random(seed)
    for intent in sorted(by_intent):
        indices = by_intent[intent]
        rng.shuffle(indices)
        start = rng.randrange(folds)
        for position, index in enumerate(indices):
            fold[index] = (start + position) % folds
    return fold


def sweep_fallback(parses: Sequence[FoldParse]) -> list[dict[str, Any]]:
    rows = []
    for threshold in FALLBACK_THRESHOLDS:
        fell = [p for p in parses if falls_back(p.ranking, threshold, 0.0)]
        rows.append(
            {
                "threshold": threshold,
                "fallbacks": len(fell),
                "correct_lost": sum(p.ranking[0][0] == p.expected for p in fell),
                "wrong_caught": sum(p.ranking[0][0] != p.expected for p in fell),
                "risk_lost": sum(
                    p.expected in RISK_INTENTS and p.ranking[0][0] in RISK_INTENTS for p in fell
                ),
            }
        )
    return rows


def train_and_parse(
    fold: Sequence[int], folds: int, work: Path, only: int | None = None
) -> list[FoldParse]:
    """Train on all folds but one, parse that one; for every fold."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.safety import Screen
    from region import load_region

    screen = Screen(load_region().emergency_number)
    data = _training_data()
    examples = data.intent_examples
    parses: list[FoldParse] = []
    for k in range(folds) if only is None else [only]:
        kept = [m for m, f in zip(examples, fold, strict=True) if f != k]
        subset = TrainingData(
            training_examples=kept,
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        train_file = work / f"fold{k}" / "nlu.yml"
        train_file.parent.mkdir(parents=True, exist_ok=True)
        train_file.write_text(subset.nlu_as_yaml())
        out = work / f"fold{k}" / "model"
        command = [
            sys.executable, "-m", "rasa", "train", "nlu", "--nlu", str(train_file),
            "--config", str(ROOT / "config.yml"), "--out", str(out), "--fixed-model-name", "m",
        ]  # fmt: skip
        print(f"fold {k + 1}/{folds}: training on {len(kept)} examples", flush=True)
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        held = [
            (str(m.get("text")), str(m.get("intent")))
            for m, f in zip(examples, fold, strict=True)
            if f == k
        ]
        parses += _parse(out / "m.tar.gz", held, screen)
    return parses


def _parse(model: Path, held: Sequence[tuple[str, str]], screen: Any) -> list[FoldParse]:
    quiet_rasa()
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    agent = Agent.load(str(model))

    async def run() -> list[FoldParse]:
        found = []
        for text, expected in held:
            signal = screen(text)
            meta = signal.metadata() if signal is not None else None
            parsed = await agent.processor.parse_message(
                UserMessage(text, metadata={"screen": meta} if meta else {})
            )
            ranking = tuple(
                (str(r["name"]), float(r["confidence"]))
                for r in parsed.get("intent_ranking") or []
                if r.get("name") != FALLBACK_INTENT
            )
            found.append(FoldParse(text, expected, ranking, meta))
        return found

    return asyncio.run(run())


def _training_data() -> Any:
    """data/nlu as Rasa reads it: examples with their entities, lookups, regexes, synonyms."""
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(ROOT / "data" / "nlu"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "tuning")
    parser.add_argument("--parses", type=Path, help="reuse a parses.json: sweep only")
    parser.add_argument(
        "--only-fold", type=int, help="train and parse one fold only (a quicker, rougher look)"
    )
    args = parser.parse_args(argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    if args.parses:
        rows = json.loads(args.parses.read_text())
        parses = [
            FoldParse(r["text"], r["expected"], tuple(map(tuple, r["ranking"])), r["screen"])
            for r in rows
        ]
    else:
        quiet_rasa()
        examples = [(str(m.get("text")), str(m.get("intent")))
                    for m in _training_data().intent_examples]  # fmt: skip
        fold = folds_of(examples, args.folds)
        with tempfile.TemporaryDirectory(prefix="tune-nlu-") as work:
            parses = train_and_parse(fold, args.folds, Path(work), args.only_fold)
        (args.out / "parses.json").write_text(json.dumps([asdict(p) for p in parses]))
    fallback_rows = sweep_fallback(parses)
    print(f"{len(parses)} training examples, each parsed by a model that never saw it.\n")
    print("FallbackClassifier threshold | fallbacks correct-lost wrong-caught risk-lost")
    for r in fallback_rows:
        print(f"  {r['threshold']:4.2f} | {r['fallbacks']:9d} {r['correct_lost']:12d}"
              f" {r['wrong_caught']:12d} {r['risk_lost']:9d}")  # fmt: skip
    (args.out / "sweep.json").write_text(
        json.dumps(
            {
                "examples": len(parses),
                "fallback": fallback_rows,
            },
            indent=2,
        )
    )
    print(f"\nwritten to {args.out / 'sweep.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
