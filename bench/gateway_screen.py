"""How the gateway's safety screen does on labelled messages: misses and false alarms.

    .venv/bin/python bench/gateway_screen.py [--data data/nlu tests/nlu] [--show 20]

Reads Rasa NLU files (every ``*.yml`` under the given folders or the given files): examples of
``risk_self_harm`` and ``risk_immediate_danger`` should trigger the screen (recall: the share
that does, at the clear tier and at either tier), every other intent's examples should not
(false alarms: the share that does, per tier). A miss is not a hole in the safety net by itself
(Rasa's risk intents catch paraphrases the screen misses), but only the screen works while
Rasa is down. Prints the misses and false alarms to review.

The default data is what the screen may be tuned on: the training data and the first held-out
set. The blind held-out set (tests/nlu/heldout_blind.yml) is scored by
``scripts/evaluate_nlu.py``, which prints only its figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report
from bot.safety import Screen
from contract import RISK_FOR_INTENT, RISK_INTENTS, unannotated
from region import load_region


def examples(paths: list[Path]) -> list[tuple[str, str]]:
    """(intent, text) for every example of every NLU file given or under a folder given."""
    found: list[tuple[str, str]] = []
    files = [f for p in paths for f in (sorted(p.rglob("*.yml")) if p.is_dir() else [p])]
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            listed = block.get("examples") or []
            if isinstance(listed, str):
                texts = [line.strip().removeprefix("- ").strip() for line in listed.splitlines()]
            else:  # a list of {"text": ..., "metadata": ...}
                texts = [str(e.get("text", "")).strip() for e in listed if isinstance(e, dict)]
            found += [(block["intent"], unannotated(t)) for t in texts if t]
    return found


def measure(labelled: list[tuple[str, str]], show: int) -> dict[str, Any]:
    screen = Screen(load_region().emergency_number)  # as the gateway builds it
    risk = [(intent, text) for intent, text in labelled if intent in RISK_INTENTS]
    other = [(intent, text) for intent, text in labelled if intent not in RISK_INTENTS]
    signals = {text: screen(text) for _, text in labelled}
    misses = [(i, t) for i, t in risk if signals[t] is None]
    not_clear = [(i, t) for i, t in risk if signals[t] is not None and not signals[t].clear]
    wrong_kind = [(i, t) for i, t in risk if signals[t] and signals[t].risk != RISK_FOR_INTENT[i]]
    clear_alarms = [(i, t) for i, t in other if signals[t] is not None and signals[t].clear]
    checks = [(i, t) for i, t in other if signals[t] is not None and not signals[t].clear]

    def share(found: list[Any], of: list[Any]) -> float | None:
        return round(len(found) / len(of), 3) if of else None

    return {
        "risk_examples": len(risk),
        "recall_clear": share([x for x in risk if x not in misses + not_clear], risk),
        "recall_any_tier": share([x for x in risk if x not in misses], risk),
        "caught_as_the_other_risk": len(wrong_kind),
        "other_examples": len(other),
        "false_alarm_rate_clear": share(clear_alarms, other),
        "check_rate_uncertain": share(checks, other),
        "misses": [f"{i}: {t}" for i, t in misses[:show]],
        "risk_only_uncertain": [f"{i}: {t}" for i, t in not_clear[:show]],
        "false_alarms_clear": [f"{i}: {t}" for i, t in clear_alarms[:show]],
        "checks_on_other": [f"{i}: {t}" for i, t in checks[:show]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--data", nargs="+", type=Path, default=[Path("data/nlu"), Path("tests/nlu/heldout.yml")]
    )
    parser.add_argument("--show", type=int, default=20)
    args = parser.parse_args()
    labelled = examples([path for path in args.data if path.exists()])
    figures = measure(labelled, args.show)
    figures["data"] = [str(folder) for folder in args.data]
    report("gateway_screen", figures)


if __name__ == "__main__":
    main()
