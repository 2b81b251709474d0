"""The cost of checking one action server answer in Rasa, per answer (`make bench`, or alone).

Rasa 3.6 checks every answer with ``jsonschema.validate(result, spec)``, which checks the schema
and builds a validator each time; rasa_addons/validation.py builds the validator once. This
times both on a real answer of ``action_find_services`` (a listing and its slots), in CPU
seconds per call, median of several rounds. Results: results/bench/rasa_validation.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from jsonschema import validate
    from rasa.core.actions.action import RemoteAction

    from rasa_addons.validation import cached_validator

# The shape of a search answer: the listing, and the slots the action sets.
ANSWER: dict[str, Any] = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "location", "value": "Redwood City, CA"},
        {"event": "slot", "timestamp": None, "name": "results_page", "value": 1.0},
        {"event": "slot", "timestamp": None, "name": "need", "value": "shelter"},
    ],
    "responses": [
        {
            "text": "Places to sleep near Redwood City:\n" + "1. A shelter, 0.4 mi, open now\n" * 5,
            "buttons": [{"title": "More", "payload": "/more_results"}],
            "custom": {},
            "template": None,
            "response": None,
            "image": None,
            "attachment": None,
            "elements": [],
        }
    ],
}


def cpu_per_call(fn: Any, calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    spec = RemoteAction.action_response_format_spec()
    validator = cached_validator()
    per_call: dict[str, list[float]] = {"jsonschema_validate_ms": [], "cached_validator_ms": []}
    for _ in range(args.rounds):
        per_call["jsonschema_validate_ms"].append(
            cpu_per_call(lambda: validate(ANSWER, spec), args.calls // 10) * 1000
        )
        per_call["cached_validator_ms"].append(
            cpu_per_call(lambda: validator.validate(ANSWER), args.calls) * 1000
        )
    figures = {key: round(statistics.median(values), 3) for key, values in per_call.items()}
    figures["rounds"] = args.rounds
    report("rasa_validation", figures)


if __name__ == "__main__":
    main()
