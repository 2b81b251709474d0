"""Benchmark of the NLU model: training time, model size, and parse time in process.

    python bench/nlu_training.py [--runs 3] [--config config.yml]

Trains the NLU part of config.yml on data/nlu `--runs` times (each into a temporary folder)
and reports the median wall time and the model size; then loads the last model and parses every
held-out message once to warm up and once timed, reporting the median and 95th percentile time
of one parse inside the process (no HTTP: bench/ scripts of the server measure /model/parse).
The figures go to stdout and results/bench/nlu_training.json. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "scripts"))

from nlu_fallback import load_examples, quiet_rasa  # noqa: E402  (scripts/ is not a package)


def train_once(config: Path, data: Path, out: Path) -> tuple[float, int]:
    """Seconds to train, and the model's size in bytes."""
    rasa = Path(sys.executable).with_name("rasa")
    # No training cache (.rasa/cache): a component restored from it would make the time a lie.
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "RASA_MAX_CACHE_SIZE": "0"}  # fmt: skip
    cmd = [str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(data),
           "--out", str(out), "--fixed-model-name", "bench", "--quiet"]  # fmt: skip
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=3 * 3600)
    elapsed = time.monotonic() - started
    return elapsed, (out / "bench.tar.gz").stat().st_size


def parse_times(model: Path, texts: list[str]) -> list[float]:
    """Seconds per parse of each text, after one warm-up pass."""
    quiet_rasa()
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> list[float]:
        for text in texts:
            await agent.parse_message(text)
        times = []
        for text in texts:
            started = time.perf_counter()
            await agent.parse_message(text)
            times.append(time.perf_counter() - started)
        return times

    return asyncio.run(run())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "results" / "bench" / "nlu_training.json"
    )
    args = parser.parse_args(argv[1:])
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for i in range(args.runs):
            seconds, size = train_once(args.config, args.data, Path(tmp) / str(i))
            print(f"run {i + 1}/{args.runs}: trained in {seconds:.1f} s, model {size / 1e6:.2f} MB")
            runs.append((seconds, size))
        texts = [text for text, _ in load_examples(args.heldout)]
        times = parse_times(Path(tmp) / str(args.runs - 1) / "bench.tar.gz", texts)
    figures = {
        "config": str(args.config),
        "runs": args.runs,
        "train_seconds": [round(s, 1) for s, _ in runs],
        "train_seconds_median": round(statistics.median(s for s, _ in runs), 1),
        "model_bytes": runs[-1][1],
        "parses": len(times),
        "parse_ms_p50": round(1000 * statistics.median(times), 2),
        "parse_ms_p95": round(1000 * percentile(times, 0.95), 2),
    }
    print(json.dumps(figures, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
