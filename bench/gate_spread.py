"""How far apart two trainings of (nearly) the same data land, and what the gate says of them.

    python bench/gate_spread.py [--variants seed42,seed7,seed1234,plus_one] [--out DIR]

Trains the NLU alone (``rasa train nlu``: the gate's parses need nothing else) once per
variant, into ``var/gate-spread/`` (a model already there is reused):

- ``seedN``: today's data and config.yml with the intent classifier's seed set to N;
- ``plus_one``: today's data plus one harmless example ("any chance of a hot dinner tonight
  near daly city" as find_food, the label the gate refused in issue 24), config.yml as it is.

Then every model parses every held-out set of the gate (scripts/gate.py's SETS) once, and each
pair is compared as the gate compares a candidate with the live model: the macro-F1 difference
per set, the examples one gets right and the other wrong, the exact McNemar test on those, and
the verdict of the old rule (refuse on a macro-F1 drop over 0.01) and of the new one
(scripts/gate.py: refuse when the candidate is worse with p < 0.05 on the examples the two
disagree on, or misses a risk example the live model caught). Neither model of a pair is
better by design, so every refusal here is one the gate would make on noise.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


HARMLESS = ("any chance of a hot dinner tonight near daly city", "find_food")


def add_harmless(nlu: Path) -> None:
    """The harmless example (HARMLESS), a new label in a file of its own in the NLU data."""
    text, intent = HARMLESS
    extra = {"version": "3.1", "nlu": [{"intent": intent, "examples": f"- {text}\n"}]}
    (nlu / "zz_plus_one.yml").write_text(yaml.safe_dump(extra, sort_keys=False))


def rasa_train(name: str, arguments: list[str], cwd: Path) -> float:
    """``rasa ARGUMENTS`` (a training) run in ``cwd``; how long it took, in seconds."""
    rasa = Path(sys.executable).with_name("rasa")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    started = time.monotonic()
    subprocess.run([str(rasa), *arguments], cwd=cwd, env=env, check=True, capture_output=True)
    seconds = time.monotonic() - started
    print(f"trained {name} in {seconds:.0f} s", flush=True)
    return seconds


def parses(models: dict[str, Path], sets: dict[str, Any], out: Path) -> dict[str, Any]:
    """Each model's parses of the held-out sets' texts (scripts/gate.py held_out_sets), kept in
    ``out/NAME.parses.json``: those already there are read, not parsed again."""
    from gate import predictions_of_sets

    parsed = {}
    for name, model in models.items():
        cache = out / f"{name}.parses.json"
        if cache.exists():
            parsed[name] = json.loads(cache.read_text())
        else:
            texts = {s: [t for t, _ in labelled] for s, (labelled, _) in sets.items()}
            parsed[name] = predictions_of_sets(model, texts)
            cache.write_text(json.dumps(parsed[name]))
    return parsed


def train_variant(name: str, out: Path) -> Path:
    model = out / f"{name}.tar.gz"
    if model.exists():
        return model
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
        if name.startswith("seed"):
            seeds = {
                "DIETClassifier": "random_seed",
                "LogisticRegressionClassifier": "random_state",
                "rasa_addons.intents.RegularisedLogisticRegression": "random_state",
            }
            for component in config["pipeline"]:
                if component["name"] in seeds:
                    component[seeds[component["name"]]] = int(name.removeprefix("seed"))
        (work / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        data = work / "data"
        shutil.copytree(ROOT / "data" / "nlu", data / "nlu")
        if name == "plus_one":
            add_harmless(data / "nlu")
        rasa_train(
            name,
            ["train", "nlu", "--config", str(work / "config.yml"), "--nlu", str(data / "nlu"),
             "--out", str(out), "--fixed-model-name", name],
            ROOT,
        )  # fmt: skip
    return model


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--variants", default="seed42,plus_one,seed7,seed1234")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "gate-spread")
    args = parser.parse_args(argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    models = {name: train_variant(name, args.out) for name in names}
    from gate import MAX_MACRO_F1_DROP, compare, held_out_sets

    with tempfile.TemporaryDirectory() as tmp:
        sets = held_out_sets(Path(tmp))
        parsed = parses(models, sets, args.out)
    rows = []
    for live, candidate in itertools.permutations(names, 2):
        for set_name, (labelled, blind) in sets.items():
            old = [tuple(p) for p in parsed[live][set_name]]
            new = [tuple(p) for p in parsed[candidate][set_name]]
            found = compare(labelled, old, new, blind)
            rows.append({
                "live": live, "candidate": candidate, "set": set_name,
                "macro_f1_change": found["macro_f1_change"],
                "disagree": found["live_only"] + found["candidate_only"],
                "live_only": found["live_only"], "candidate_only": found["candidate_only"],
                "p": found["p_worse"],
                "old_rule_refuses": found["macro_f1_change"] < -MAX_MACRO_F1_DROP,
                "new_rule_refuses": bool(found["reasons"]),
                "reasons": found["reasons"],
            })  # fmt: skip
    (args.out / "spread.json").write_text(json.dumps(rows, indent=2))
    print(f"{'live':>9} {'candidate':>9} {'set':>9} {'dF1':>7} {'b':>3} {'c':>3} {'p':>6}  old new")
    for r in rows:
        print(
            f"{r['live']:>9} {r['candidate']:>9} {r['set']:>9} {r['macro_f1_change']:+.4f}"
            f" {r['live_only']:>3} {r['candidate_only']:>3} {r['p']:.3f}"
            f"  {'REF' if r['old_rule_refuses'] else 'ok':>3} {'REF' if r['new_rule_refuses'] else 'ok':>3}"
        )
    pairs = len(list(itertools.permutations(names, 2)))
    old = {(r["live"], r["candidate"]) for r in rows if r["old_rule_refuses"]}
    new = {(r["live"], r["candidate"]) for r in rows if r["new_rule_refuses"]}
    spread = [abs(r["macro_f1_change"]) for r in rows]
    print(
        f"macro-F1 change between trainings: up to {max(spread):.4f} (median {sorted(spread)[len(spread) // 2]:.4f})"
    )
    print(f"old rule refuses {len(old)} of {pairs} ordered pairs; new rule {len(new)} of {pairs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
