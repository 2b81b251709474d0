"""What the safety screen's second opinion costs the gateway (bot/safety/opinion.py).

    .venv/bin/python bench/screen_opinion.py [--model models/X.tar.gz] [--rounds 5]

Reads the risk model out of a model archive ``--rounds`` times, as the gateway does at start and
after a promotion (the median time; the process's resident memory before and after the first
read), and times the screen on the training data's examples with and without it: the model is
asked only for a message the screen calls clear. Medians of the rounds.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from bench.common import report, summary_ms
from bench.gateway_screen import examples
from bot.safety import Screen
from bot.safety.opinion import Opinion
from region import load_region


def rss_mb() -> float:
    """The process's resident memory now (Linux: /proc; else the peak so far)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--model", type=Path, help="a model archive (default: the current one)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from model import model_path

    path = args.model or model_path()
    texts = [text for _, text in examples([Path("data/nlu")])][:20000]
    number = load_region().emergency_number
    before = rss_mb()
    reads = []
    opinion = Opinion()
    for _ in range(max(1, args.rounds)):
        fresh = Opinion()
        start = time.perf_counter()
        if not fresh.read(path):
            raise SystemExit(f"{path} has no risk model")
        reads.append(time.perf_counter() - start)
        opinion = fresh
    after = rss_mb()
    alone, asked = Screen(number), Screen(number, opinion=opinion)
    rounds: dict[str, list[float]] = {"alone": [], "with_opinion": []}
    per_message: list[float] = []
    for _ in range(max(1, args.rounds)):
        for name, screen in (("alone", alone), ("with_opinion", asked)):
            start = time.perf_counter()
            for text in texts:
                screen(text)
            rounds[name].append(time.perf_counter() - start)
    clear = [t for t in texts if (s := alone(t)) is not None and s.clear]
    for text in clear[:500]:
        start = time.perf_counter()
        opinion(text)
        per_message.append(time.perf_counter() - start)
    figures = {
        "model": path.name,
        "read_seconds_median": round(statistics.median(reads), 3),
        "rss_mb_before_read": round(before, 1),
        "rss_mb_after_reads": round(after, 1),
        "messages": len(texts),
        "clear_messages_asked": len(clear),
        "screen_alone_ms_per_message_median": round(
            statistics.median(rounds["alone"]) / len(texts) * 1000, 4
        ),
        "screen_with_opinion_ms_per_message_median": round(
            statistics.median(rounds["with_opinion"]) / len(texts) * 1000, 4
        ),
        "opinion_on_a_clear_message": summary_ms(per_message),
    }
    report("screen_opinion", figures)


if __name__ == "__main__":
    main()
