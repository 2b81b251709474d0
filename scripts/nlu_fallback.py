"""Which messages fall to nlu_fallback, and at which FallbackClassifier settings.

    python scripts/nlu_fallback.py sweep [--model PATH] [--data tests/nlu/heldout.yml]

parses every held-out example with the trained model (in this process, as Rasa's server would)
and prints, for each threshold and ambiguity threshold, how many examples would fall to
nlu_fallback: correct predictions lost to a clarification, wrong predictions caught by one, and
risk examples lost: predicted as a risk intent, so given the crisis response, until the fallback
took it away (this must stay 0). It writes the table to results/nlu-fallback-sweep.json.
It shows what a setting does to a set; the setting itself is chosen on cross-validation of the
training data (scripts/tune_nlu.py), so that the held-out sets stay unseen.

`falls_back` repeats Rasa 3.6's FallbackClassifier rule (rasa/nlu/classifiers/
fallback_classifier.py): the top confidence is below the threshold, or the top two differ by less
than the ambiguity threshold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the contract and the pipeline's own components (rasa_addons/)
    sys.path.insert(0, str(ROOT))

from contract import RISK_INTENTS  # noqa: E402

FALLBACK_INTENT = "nlu_fallback"
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
AMBIGUITIES = (0.0, 0.05, 0.1, 0.2)


@dataclass(frozen=True)
class Parsed:
    """One labelled example and what the model made of it."""

    text: str
    expected: str
    final: str  # the intent the dialogue sees, nlu_fallback included
    ranking: tuple[tuple[str, float], ...]  # the classifier's ranking, without nlu_fallback

    @property
    def top(self) -> str:
        return self.ranking[0][0] if self.ranking else FALLBACK_INTENT


@dataclass(frozen=True)
class SweepRow:
    threshold: float
    ambiguity_threshold: float
    fallbacks: int
    correct_lost: int
    wrong_caught: int
    risk_lost: int


def falls_back(ranking: Sequence[tuple[str, float]], threshold: float, ambiguity: float) -> bool:
    """Whether Rasa's FallbackClassifier would replace this ranking's top intent."""
    if not ranking:
        return True
    if ranking[0][1] < threshold:
        return True
    return len(ranking) >= 2 and ranking[0][1] - ranking[1][1] < ambiguity


def sweep(
    parsed: Iterable[Parsed],
    thresholds: Iterable[float] = THRESHOLDS,
    ambiguities: Iterable[float] = AMBIGUITIES,
) -> list[SweepRow]:
    """The fallback count at every pair of settings (one row per pair)."""
    parsed = list(parsed)
    rows = []
    for threshold in thresholds:
        for ambiguity in ambiguities:
            fell = [p for p in parsed if falls_back(p.ranking, threshold, ambiguity)]
            rows.append(
                SweepRow(
                    threshold=threshold,
                    ambiguity_threshold=ambiguity,
                    fallbacks=len(fell),
                    correct_lost=sum(p.top == p.expected for p in fell),
                    wrong_caught=sum(p.top != p.expected for p in fell),
                    risk_lost=sum(
                        p.expected in RISK_INTENTS and p.top in RISK_INTENTS for p in fell
                    ),
                )
            )
    return rows


def format_sweep(rows: Sequence[SweepRow], total: int) -> str:
    lines = [
        f"{total} examples. threshold ambiguity | fallbacks correct-lost wrong-caught risk-lost",
    ]
    for r in rows:
        lines.append(
            f"      {r.threshold:4.2f}      {r.ambiguity_threshold:4.2f} |"
            f" {r.fallbacks:9d} {r.correct_lost:12d} {r.wrong_caught:12d} {r.risk_lost:9d}"
        )
    return "\n".join(lines)


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) of every example of a Rasa NLU file, entity markup removed."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(str(m.get("text")), str(m.get("intent"))) for m in data.intent_examples]


def parse_examples(model: Path, examples: Sequence[tuple[str, str]]) -> list[Parsed]:
    """Parse each example with the model, through Rasa's own message processing."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if str(ROOT) not in sys.path:  # the pipeline's own components (rasa_addons/)
        sys.path.insert(0, str(ROOT))
    quiet_rasa()
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[Parsed]:
        out = []
        for text, expected in examples:
            result = await agent.parse_message(text)
            ranking = tuple(
                (str(r["name"]), float(r["confidence"]))
                for r in result.get("intent_ranking", [])
                if r.get("name") != FALLBACK_INTENT
            )
            final = str((result.get("intent") or {}).get("name") or FALLBACK_INTENT)
            out.append(Parsed(text=text, expected=expected, final=final, ranking=ranking))
        return out

    return asyncio.run(parse_all())


def quiet_rasa() -> None:
    """Rasa logs every parse at debug level to stdout: keep only warnings and errors."""
    # Rasa 3.6 and its dependencies (sqlalchemy, tensorflow, pyparsing) warn as they load and
    # parse: nothing this script can act on. Rasa's own set-up changes the filters, so twice.
    warnings.filterwarnings("ignore")
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    warnings.filterwarnings("ignore")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["sweep"])
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: the current one)")
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu-fallback-sweep.json")
    args = parser.parse_args(argv[1:])
    model_file = args.model or _current_model()
    if not model_file.is_file():
        print(f"error: no model at {model_file}: run `make train` first", file=sys.stderr)
        return 2
    if not args.data.is_file():
        print(f"error: no NLU data at {args.data}", file=sys.stderr)
        return 2
    parsed = parse_examples(model_file, load_examples(args.data))
    rows = sweep(parsed)
    print(format_sweep(rows, len(parsed)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"model": str(model_file), "data": str(args.data), "examples": len(parsed)}
    args.out.write_text(json.dumps({**summary, "rows": [asdict(r) for r in rows]}, indent=2))
    print(f"written to {args.out}")
    return 0


def _current_model() -> Path:
    from model import model_path  # scripts/model.py: the model `make test` trains

    return model_path()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
