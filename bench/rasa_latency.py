"""Rasa's own figures: training time, model size, NLU latency through /model/parse, and a full
turn through the REST channel (NLU + dialogue + action server), one client and eight concurrent.

    .venv/bin/python bench/rasa_latency.py [--rounds 3] [--requests 200] [--train]

--train also times a full `rasa train` from scratch (minutes). Figures are medians over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import closed_loop, median_of_rounds, report, summary_ms
from scripts.model import domain_args, train
from scripts.stack import ROOT, Stack, actions_spec, free_port, rasa_spec

MESSAGES = [
    "where can i sleep tonight",
    "im hungry where can i get food in daly city",
    "my partner hits me what can i do",
    "i need someone to talk to",
    "can i talk to a real person",
    "94063",
]


def time_training() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).with_name("rasa")), "train", "--config", "config.yml",
             *domain_args(), "--data", "data", "--out", out, "--fixed-model-name", "bench"],
            cwd=ROOT, check=True, capture_output=True,
            # An empty cache: otherwise Rasa restores trained components and times nothing.
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false",
                 "RASA_CACHE_DIRECTORY": str(Path(out) / "cache")},
        )  # fmt: skip
        return time.perf_counter() - start


async def measure(rasa_url: str, token: str, requests: int) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def parse(i: int) -> None:
            body = {"text": MESSAGES[i % len(MESSAGES)]}
            async with session.post(f"{rasa_url}/model/parse?token={token}", json=body) as r:
                r.raise_for_status()
                await r.read()

        run_id = uuid.uuid4().hex[:6]

        async def turn(i: int) -> None:
            # Conversations of two turns: a need, then a place.
            sender = f"bench-{run_id}-{i // 2}"
            text = MESSAGES[(i // 2) % 4] if i % 2 == 0 else "redwood city"
            body = {"sender": sender, "message": text}
            async with session.post(f"{rasa_url}/webhooks/rest/webhook", json=body) as r:
                r.raise_for_status()
                await r.read()

        for clients in (1, 8):
            await closed_loop(parse, clients, 10, 30)  # warm-up
            figures[f"parse_{clients}_clients"] = summary_ms(
                await closed_loop(parse, clients, requests, 120)
            )
        for clients in (1, 8):
            figures[f"turn_{clients}_clients"] = summary_ms(
                await closed_loop(turn, clients, requests, 180)
            )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--train", action="store_true", help="also time a full training")
    args = parser.parse_args()

    model = train()
    figures: dict[str, object] = {
        "model": model.name,
        "model_size_mb": round(model.stat().st_size / 1e6, 1),
    }
    if args.train:
        figures["train_seconds"] = round(time_training(), 1)
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack()
        actions_port, rasa_port, token = free_port(), free_port(), secrets.token_urlsafe(16)
        try:
            start = time.perf_counter()
            stack.start(actions_spec(actions_port))
            stack.start(rasa_spec(rasa_port, model, token, f"http://127.0.0.1:{actions_port}/webhook",
                                  f"{tmp}/tracker.db"))  # fmt: skip
            stack.wait_ready()
            figures["startup_seconds"] = round(time.perf_counter() - start, 1)
            rounds = [
                asyncio.run(measure(f"http://127.0.0.1:{rasa_port}", token, args.requests))
                for _ in range(args.rounds)
            ]
        finally:
            stack.stop()
    for key in rounds[0]:
        figures[key] = median_of_rounds([r[key] for r in rounds])
    figures["rounds"] = args.rounds
    report("rasa_latency", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
