"""Where a Rasa turn's time goes: NLU, each policy, the tracker store, the action call.

    .venv/bin/python bench/rasa_turn_profile.py [--conversations 100] [--rounds 3]
                                                [--store sqlite|postgresql]

Loads the current model in this process as `rasa run` would (the launcher's validator
included, rasa_addons/validation.py), with a SQLite tracker store in a temporary folder (or,
with ``--store postgresql``, a PostgreSQL tracker store and a Redis lock store as several
replicas share, started in a temporary folder) and the real action server on a free loopback
port, and runs the two-turn conversation of the load
benchmarks ("where can i sleep tonight" -> "redwood city") for many new conversations under
cProfile. For each part of a turn, the cumulative time of the function that owns it, per
message, in milliseconds (profiled: cProfile slows Python code more than TensorFlow's) and as a
share of the whole turn. Parts can nest (the form calls the action server to validate; a
custom action call includes its answer's validation), so the shares do not add up to 100. HTTP serving is not included: compare
``bench/rasa_latency.py`` for the whole request. Results: results/bench/rasa_turn_profile.json.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report
from scripts import datastores
from scripts.model import model_path
from scripts.stack import ROOT, Stack, actions_spec, free_port, store_settings

TURNS = ["where can i sleep tonight", "redwood city"]


def parts() -> list[tuple[str, Any]]:
    """(part, function): the functions whose cumulative time is each part of a turn."""
    from rasa.core.actions.action import ActionExtractSlots, RemoteAction
    from rasa.core.actions.forms import FormAction
    from rasa.core.lock_store import LockStore
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.policies.ted_policy import TEDPolicy
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore

    return [
        ("NLU (parse)", MessageProcessor._parse_message_with_graph),
        ("policy: MemoizationPolicy", MemoizationPolicy.predict_action_probabilities),
        ("policy: RulePolicy", RulePolicy.predict_action_probabilities),
        ("policy: TEDPolicy", TEDPolicy.predict_action_probabilities),
        ("tracker store: load", SQLTrackerStore.retrieve),
        ("tracker store: save", SQLTrackerStore.save),
        ("lock store", LockStore.lock),
        ("slot extraction", ActionExtractSlots.run),
        ("form (incl. its validation call)", FormAction.run),
        ("custom action call (HTTP, validation)", RemoteAction.run),
        ("action answer validation", RemoteAction._validate_action_result),
        ("whole turn", MessageProcessor.handle_message),
    ]


def _cumulative(stats: pstats.Stats, wanted: list[tuple[str, Any]]) -> dict[str, float]:
    """Cumulative seconds of each part's function (recursion counted once, by cProfile)."""
    import inspect

    where = {}
    for part, function in wanted:
        code = inspect.unwrap(function).__code__
        where[(code.co_filename, code.co_firstlineno, code.co_name)] = part
    found: dict[str, float] = {}
    raw: Any = stats.stats  # type: ignore[attr-defined]
    for key, (_, _, _, cumulative, _) in raw.items():
        if key in where:
            found[where[key]] = found.get(where[key], 0.0) + cumulative
    return found


async def conversations(agent: Any, count: int) -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    for _ in range(count):
        sender = f"profile-{uuid.uuid4().hex[:12]}"
        for text in TURNS:
            output = CollectingOutputChannel()
            await agent.handle_message(
                UserMessage(text, output, sender, metadata={"channel": "webchat"})
            )


def one_round(model: Path, action_url: str, count: int, stores: dict[str, str]) -> dict[str, float]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    from rasa_addons import validation

    validation.install()  # as the launcher runs Rasa; the tracker store is endpoints.yml's
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(stores)
        os.environ["ACTION_ENDPOINT_URL"] = action_url
        os.environ["RASA_TRACKER_DB"] = f"{tmp}/tracker.db"
        endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))

        async def load_and_run(count: int) -> Any:
            agent = await load_agent(model_path=str(model), endpoints=endpoints)
            await conversations(agent, count)  # warm up: TensorFlow's first calls
            return agent

        agent = asyncio.run(load_and_run(5))
        profile = cProfile.Profile()
        started = time.process_time()
        profile.enable()
        asyncio.run(conversations(agent, count))
        profile.disable()
        cpu = time.process_time() - started
    messages = count * len(TURNS)
    wanted = parts()
    cumulative = _cumulative(pstats.Stats(profile), wanted)
    whole = cumulative.get("whole turn", 0.0) or 1e-9
    figures = {"cpu_ms_per_message": round(cpu / messages * 1000, 2)}
    for part, _ in wanted:
        seconds = cumulative.get(part, 0.0)
        figures[f"{part} ms"] = round(seconds / messages * 1000, 2)
        figures[f"{part} %"] = round(seconds / whole * 100, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(ROOT / "scripts"))
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    model = model_path()
    port = free_port()
    stack = Stack()
    folder = Path(tempfile.mkdtemp(prefix="turn-profile-"))
    folder.chmod(0o755)  # PostgreSQL runs as the postgres user when this runs as root
    try:
        stores = store_settings(os.environ)
        if args.store == "postgresql":
            stores.update(datastores.start_shared(stack, folder))
        stack.start(actions_spec(port))
        stack.wait_ready()
        rounds = [
            one_round(model, f"http://127.0.0.1:{port}/webhook", args.conversations, stores)
            for _ in range(args.rounds)
        ]
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)
    median = {key: round(statistics.median(r[key] for r in rounds), 2) for key in rounds[0]}
    name = "rasa_turn_profile" + ("" if args.store == "sqlite" else f"_{args.store}")
    report(name, {"conversations": args.conversations, "store": args.store, "median": median})


if __name__ == "__main__":
    main()
