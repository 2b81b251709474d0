"""How the gateway's safety screen does on labelled messages: misses and false alarms.

    .venv/bin/python bench/gateway_screen.py [--data data/nlu tests/nlu] [--show 20]

Reads Rasa NLU files (every ``*.yml`` under the given folders): examples of ``risk_self_harm``
and ``risk_immediate_danger`` should trigger the screen (recall: the share that does), every
other intent's examples should not (false alarms: the share that does). A miss is not a hole
in the safety net by itself (Rasa's risk intents catch paraphrases the screen misses), but
only the screen works while Rasa is down. Prints the misses and false alarms to review.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report
from bot.safety import Screen
from region import load_region

RISK_INTENTS = {"risk_self_harm": "self_harm", "risk_immediate_danger": "danger"}
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def examples(folders: list[Path]) -> list[tuple[str, str]]:
    """(intent, text) for every example of every NLU file under ``folders``."""
    found: list[tuple[str, str]] = []
    for folder in folders:
        for path in sorted(folder.rglob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu") or []:
                if not isinstance(block, dict) or "intent" not in block:
                    continue
                for line in str(block.get("examples") or "").splitlines():
                    text = line.strip().removeprefix("- ").strip()
                    if text:
                        found.append((block["intent"], ANNOTATION.sub(r"\1", text)))
    return found


def measure(labelled: list[tuple[str, str]], show: int) -> dict[str, Any]:
    screen = Screen(load_region().emergency_number)  # as the gateway builds it
    risk = [(intent, text) for intent, text in labelled if intent in RISK_INTENTS]
    other = [(intent, text) for intent, text in labelled if intent not in RISK_INTENTS]
    misses = [(i, t) for i, t in risk if screen(t) is None]
    wrong_kind = [(i, t) for i, t in risk if screen(t) not in (None, RISK_INTENTS[i])]
    alarms = [(i, t) for i, t in other if screen(t) is not None]
    return {
        "risk_examples": len(risk),
        "recall": round(1 - len(misses) / len(risk), 3) if risk else None,
        "caught_as_the_other_risk": len(wrong_kind),
        "other_examples": len(other),
        "false_alarm_rate": round(len(alarms) / len(other), 3) if other else None,
        "misses": [f"{i}: {t}" for i, t in misses[:show]],
        "false_alarms": [f"{i}: {t}" for i, t in alarms[:show]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--data", nargs="+", type=Path, default=[Path("data/nlu"), Path("tests/nlu")]
    )
    parser.add_argument("--show", type=int, default=20)
    args = parser.parse_args()
    labelled = examples([folder for folder in args.data if folder.is_dir()])
    figures = measure(labelled, args.show)
    figures["data"] = [str(folder) for folder in args.data]
    report("gateway_screen", figures)


if __name__ == "__main__":
    main()
