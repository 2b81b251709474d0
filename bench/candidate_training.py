"""How a candidate is trained fastest without being worse than a full retraining (issue 24).

    python bench/candidate_training.py [--fractions 0.1,0.2] [--repeat 3] [--out DIR]

On a copy of the project with one new label (the harmless example of bench/gate_spread.py:
"any chance of a hot dinner tonight near daly city" as find_food), trains:

- ``full``: ``rasa train`` as the admin loop ran it before (every component from scratch);
- ``finetuneF``: ``rasa train --finetune LIVE --epoch-fraction F --skip-validation``, from
  the live model (``scripts/model.py live``): Rasa loads the live model's components and trains
  DIET for F of its epochs, the featurizers keeping the live vocabulary (Rasa's own incremental
  training; the data was validated when the label was written, bot/admin/labels.py).

Each model is timed (wall clock; ``--repeat N`` trains each fine-tuning N times and keeps the
median: a full retraining, ten minutes here, once), then every
model parses the gate's held-out sets (scripts/gate.py SETS, the blind set's unseen examples)
and each finetuned model is compared with the full retraining as the gate compares a candidate
with the live model: the macro-F1 difference per set, the examples only one gets right, and the
risk examples the full retraining caught and the finetuned one missed. The criterion (issue 24):
as good as a full retraining, that is no more than 0.005 macro-F1 below it on any set, and no
risk example lost. Models and parses are kept in
``var/candidate-training/`` (a model already there is reused: delete it to time it again).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench.gate_spread import add_harmless, parses, rasa_train  # noqa: E402
from scripts.fakes.project import copy_project  # noqa: E402
from scripts.model import live_model  # noqa: E402

WITHIN = 0.005  # macro-F1, the bound


def train(project: Path, out: Path, name: str, extra: list[str]) -> tuple[Path, float | None]:
    model = out / f"{name}.tar.gz"
    if model.exists():
        return model, None
    # --fixed-model-name cuts at the first dot ("finetune0.1" would be "finetune0"): no dots.
    seconds = rasa_train(
        name,
        ["train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
         "--out", str(out), "--fixed-model-name", name, *extra],
        project,
    )  # fmt: skip
    return model, seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--fractions", default="0.1,0.2")
    parser.add_argument("--repeat", type=int, default=1, help="trainings of each fine-tuning")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "candidate-training")
    args = parser.parse_args(argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    live = live_model()
    from gate import compare, held_out_sets

    times_file = args.out / "times.json"
    times = json.loads(times_file.read_text()) if times_file.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        add_harmless(project / "data" / "nlu")
        models = {}
        models["full"], seconds = train(project, args.out, "full", [])
        times.setdefault("full", seconds)
        for fraction in [f.strip() for f in args.fractions.split(",") if f.strip()]:
            name = "finetune" + fraction.replace(".", "")
            flags = ["--finetune", str(live), "--epoch-fraction", fraction, "--skip-validation"]
            runs = []
            for run in range(args.repeat):
                model, seconds = train(project, args.out, name + (f"_{run}" if run else ""), flags)
                runs.append(seconds)
                models.setdefault(name, model)
            if all(seconds is not None for seconds in runs):
                times[name] = statistics.median(runs)  # type: ignore[type-var]
                times[name + "_runs"] = runs
        times_file.write_text(json.dumps(times, indent=2))
        sets = held_out_sets(Path(tmp))
    parsed = parses(models, sets, args.out)
    rows = []
    for name in models:
        if name == "full":
            continue
        for set_name, (labelled, blind) in sets.items():
            full = [tuple(p) for p in parsed["full"][set_name]]
            tuned = [tuple(p) for p in parsed[name][set_name]]
            found = compare(labelled, full, tuned, blind)
            lost = sorted(set(found["candidate"].missed_ids) - set(found["live"].missed_ids))
            rows.append({
                "model": name, "set": set_name, "seconds": times.get(name),
                "full_seconds": times.get("full"),
                "macro_f1_full": found["live"].macro_f1,
                "macro_f1": found["candidate"].macro_f1,
                "change": found["macro_f1_change"],
                "full_only": found["live_only"], "finetuned_only": found["candidate_only"],
                "risk_lost": len(lost),
                "ok": found["macro_f1_change"] >= -WITHIN and not lost,
            })  # fmt: skip
    (args.out / "comparison.json").write_text(json.dumps(rows, indent=2))
    print(f"{'model':>12} {'set':>9} {'s':>5} {'F1 full':>8} {'F1':>7} {'change':>7}"
          f" {'b':>3} {'c':>3} {'risk lost':>9}  as good")  # fmt: skip
    for r in rows:
        seconds = f"{r['seconds']:.0f}" if r["seconds"] else "-"
        print(
            f"{r['model']:>12} {r['set']:>9} {seconds:>5} {r['macro_f1_full']:8.4f}"
            f" {r['macro_f1']:7.4f} {r['change']:+7.4f} {r['full_only']:>3}"
            f" {r['finetuned_only']:>3} {r['risk_lost']:>9}  {'yes' if r['ok'] else 'NO'}"
        )
    full_time = times.get("full")
    print(f"full retraining: {full_time:.0f} s" if full_time else "full retraining: reused")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
