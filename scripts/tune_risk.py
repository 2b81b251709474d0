"""Choose the risk thresholds on cross-validation of the training data, never on a held-out set.

    python scripts/tune_risk.py [--folds 5] [--out results/tuning/risk.json]

config.yml's RiskTriage has two numbers that decide what a client gets: ``escalate_threshold``
(the risk model's probability at which a message gets the crisis reply and a person) and
``check_threshold`` (at which it gets "Are you safe right now?" beside what it asked for).
This script trains the risk model (rasa_addons/risk.py, seconds: it is plain scikit-learn) on
all folds of data/nlu but one, scores the one left out, and screens every example with the
gateway's safety screen as the gateway would; then, for each pair of thresholds, prints:

- of the examples a worker would escalate (risk intents without ``risk: check``): the share
  escalated (the screen's clear tier, or the model at the threshold), and given at least the
  check;
- of the examples with no risk: the share escalated and checked, for the contrast files'
  examples (``contrast_*``, "hard": violent or deathly words with no risk) and for the rest
  ("ordinary");
- of the risk examples that ask for a service beside (``needs``): the share whose need the
  model reads at the ``asked_threshold``.

DIET is left out: it never escalates (docs/design.md, "Risk tiers"), it only adds checks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

ESCALATE = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
CHECK = (0.1, 0.15, 0.2, 0.3)


def examples() -> list[dict[str, object]]:
    """data/nlu's examples, with their level, risk, needs and file."""
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    from rasa.shared.nlu.training_data.loading import load_data

    from rasa_addons.risk import level_of, needs_of

    found = []
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        if path.name == "lookup_location.yml":
            continue
        for m in load_data(str(path)).intent_examples:
            level, risk = level_of(m.get("intent"), m.get("metadata"))
            found.append(
                {
                    "text": str(m.get("text")),
                    "level": level,
                    "risk": risk,
                    "needs": needs_of(m.get("intent"), m.get("metadata")),
                    "hard": path.name.startswith("contrast_"),
                }
            )
    return found


def out_of_fold(
    rows: list[dict[str, object]], folds: int, seed: int = 42
) -> list[dict[str, object]]:
    """The risk model's scores of every example, from a model trained without its fold."""
    from sklearn.model_selection import StratifiedKFold

    from rasa_addons.risk import RiskModel

    texts = [str(r["text"]) for r in rows]
    levels = [str(r["level"]) for r in rows]
    scores: list[dict[str, object]] = [{} for _ in rows]
    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for k, (train, test) in enumerate(split.split(texts, levels)):
        print(f"fold {k + 1}/{folds}: training on {len(train)} examples", flush=True)
        model = RiskModel().fit(
            [texts[i] for i in train],
            [levels[i] for i in train],
            [rows[i]["risk"] for i in train],  # type: ignore[misc]
            [rows[i]["needs"] for i in train],  # type: ignore[misc]
        )
        for i, s in zip(test, model.scores([texts[i] for i in test]), strict=True):
            scores[i] = s
    return scores


def sweep(rows: list[dict[str, object]], scores: list[dict[str, object]]) -> list[dict[str, float]]:
    from bot.safety import Screen
    from region import load_region

    screen = Screen(load_region().emergency_number)
    signals = [screen(str(r["text"])) for r in rows]
    clear = np.array([s is not None and s.clear for s in signals])
    any_signal = np.array([s is not None for s in signals])
    esc = np.array([float(s.get("escalate", 0.0)) for s in scores])  # type: ignore[arg-type]
    anyp = np.array([float(s.get("any", 0.0)) for s in scores])  # type: ignore[arg-type]
    level = np.array([r["level"] for r in rows])
    hard = np.array([bool(r["hard"]) for r in rows])
    to_escalate = level == "escalate"
    risk = level != "none"
    none = level == "none"
    table = []
    for a in ESCALATE:
        for b in CHECK:
            escalated = clear | (esc >= a)
            checked = ~escalated & (any_signal | (anyp >= b))
            table.append(
                {
                    "escalate_threshold": a,
                    "check_threshold": b,
                    "escalated_of_to_escalate": float(escalated[to_escalate].mean()),
                    "line_of_risk": float((escalated | checked)[risk].mean()),
                    "hard_escalated": float(escalated[none & hard].mean()),
                    "hard_checked": float(checked[none & hard].mean()),
                    "ordinary_escalated": float(escalated[none & ~hard].mean()),
                    "ordinary_checked": float(checked[none & ~hard].mean()),
                }
            )
    return table


def needs_read(rows: list[dict[str, object]], scores: list[dict[str, object]]) -> dict[str, float]:
    """Of risk examples that ask for a need beside, the share whose first need the model reads."""
    found: dict[str, float] = {}
    beside = [
        (r, s) for r, s in zip(rows, scores, strict=True) if r["risk"] is not None and r["needs"]
    ]
    for t in (0.3, 0.4, 0.5, 0.6):
        hits = 0
        for r, s in beside:
            read = s.get("needs") or {}
            best = max(read.items(), key=lambda kv: kv[1], default=(None, 0.0))  # type: ignore[union-attr]
            hits += best[0] in r["needs"] and best[1] >= t  # type: ignore[operator]
        found[str(t)] = hits / len(beside) if beside else float("nan")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "tuning" / "risk.json")
    args = parser.parse_args(argv[1:])
    rows = examples()
    scores = out_of_fold(rows, args.folds)
    table = sweep(rows, scores)
    print(
        f"\n{len(rows)} training examples, each scored by a model that never saw it."
        "\nescalate check | to escalate: escalated | risk: line given | hard: escalated checked"
        " | ordinary: escalated checked"
    )
    for t in table:
        print(
            f"  {t['escalate_threshold']:4.2f} {t['check_threshold']:5.2f} |"
            f" {t['escalated_of_to_escalate']:6.1%} | {t['line_of_risk']:6.1%} |"
            f" {t['hard_escalated']:6.1%} {t['hard_checked']:6.1%} |"
            f" {t['ordinary_escalated']:6.1%} {t['ordinary_checked']:6.1%}"
        )
    needs = needs_read(rows, scores)
    print("\nneeds beside a risk read at asked_threshold: "
          + ", ".join(f"{t}: {v:.1%}" for t, v in needs.items()))  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"examples": len(rows), "sweep": table, "needs": needs}, indent=2)
    )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
