"""What deciding a conversation's language costs: time per message, and memory.

    .venv/bin/python bench/language.py [--rounds 3] [--messages 2000]

Runs the gateway's language choice (bot/language.py: explicit choice, function words, lingua
restricted to the region's languages, with place names and numbers taken out) on messages of
the training data, English and Spanish, in a fresh process per round (so that the memory is
the detector's own: lingua's models for the two languages, loaded once). Prints the median over
rounds of the per-message p50/p95 in milliseconds, and of the process's resident memory before
and after the detector is built (targets: under 1 ms a message, under 150 MB).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, report

ONE_ROUND = """
import json, resource, sys, time, random
sys.path.insert(0, {root!r})
from pathlib import Path
import yaml
def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
texts = []
for path in sorted(Path({root!r}, "data", "nlu").rglob("*.yml")):
    raw = yaml.safe_load(path.read_text())
    for block in raw.get("nlu") or []:
        examples = block.get("examples")
        if not block.get("intent") or not examples:
            continue
        if isinstance(examples, str):
            texts += [l[2:] for l in examples.splitlines() if l.startswith("- ")]
        else:
            texts += [e["text"].strip() for e in examples]
random.Random(7).shuffle(texts)
texts = texts[:{messages}]
before = rss_mb()
from bot.language import LanguageDetector, places_of
from region import load_region
detector = LanguageDetector(load_region().languages, places_of({root!r}))
detector.read("warm up the models")
after = rss_mb()
samples = []
current = None
for text in texts:
    start = time.perf_counter()
    current = detector.decide(text, current)
    samples.append(time.perf_counter() - start)
samples.sort()
print(json.dumps({{
    "messages": len(samples),
    "p50_ms": samples[len(samples) // 2] * 1000,
    "p95_ms": samples[int(len(samples) * 0.95)] * 1000,
    "rss_before_mb": before,
    "rss_after_mb": after,
    "detector_mb": after - before,
}}))
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args(argv[1:])
    rounds = []
    for _ in range(args.rounds):
        code = ONE_ROUND.format(root=str(ROOT), messages=args.messages)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
        )
        rounds.append(json.loads(done.stdout.strip().splitlines()[-1]))
    figures = {key: round(statistics.median(r[key] for r in rounds), 3) for key in rounds[0]} | {
        "rounds": len(rounds)
    }
    report("language", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
