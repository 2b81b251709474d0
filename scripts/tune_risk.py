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
- of the risk examples that ask for a service beside (``needs``): the share whose need is read
  at the ``asked_threshold``, the model's reading first (as triage reads it) or the words' first.

DIET is left out: it never escalates (docs/design.md, "Risk tiers"), it only adds checks.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
                    "intent": str(m.get("intent")),
                }
            )
    return found


def out_of_fold(
    rows: list[dict[str, object]], folds: int, seed: int = 42, dealt: list[int] | None = None
) -> list[dict[str, object]]:
    """The risk model's scores of every example, from a model trained without its fold
    (``dealt``: the folds given, only those that hold examples; else stratified by level)."""
    from sklearn.model_selection import StratifiedKFold

    from contract.risk_model import RiskModel

    texts = [str(r["text"]) for r in rows]
    levels = [str(r["level"]) for r in rows]
    scores: list[dict[str, object]] = [{} for _ in rows]
    split: Any = StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, levels)
    if dealt is not None:
        split = [
            (
                [i for i, f in enumerate(dealt) if f != k],
                [i for i, f in enumerate(dealt) if f == k],
            )
            for k in sorted(set(dealt) - {-1})
        ]
    for k, (train, test) in enumerate(split):
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


DEMOTE = (None, 0.6, 0.7, 0.8, 0.9)


def _share(chosen: np.ndarray) -> float:
    """The share of True among ``chosen``; nan when there is none to share."""
    return float(chosen.mean()) if chosen.size else float("nan")


def diet_folds(rows: list[dict[str, object]], parses: Path) -> tuple[list[int], dict[str, Any]]:
    """The fold of each row as ``scripts/tune_nlu.py`` dealt them (so the risk model leaves out
    what DIET left out), and DIET's out-of-fold parse of each text its ``parses.json`` has."""
    from tune_nlu import _training_data, folds_of

    listed = [(str(m.get("text")), str(m.get("intent"))) for m in _training_data().intent_examples]
    fold_of = dict(zip(listed, folds_of(listed, 5), strict=True))
    folds = [fold_of.get((str(r["text"]), str(r["intent"])), -1) for r in rows]
    return folds, {p["text"]: p for p in json.loads(parses.read_text())}


def agreement(
    rows: list[dict[str, object]],
    scores: list[dict[str, object]],
    parsed: dict[str, Any],
    over_uncertain: float = 0.8,
) -> list[dict[str, object]]:
    """A second opinion from DIET: escalate when the risk model is at ``high``, or at ``low``
    with DIET's first intent a risk intent (the screen's clear tier escalates as always)."""
    from contract import RISK_FOR_INTENT

    kept = [(r, s) for r, s in zip(rows, scores, strict=True) if r["text"] in parsed]
    tier = np.array([((parsed[r["text"]]["screen"] or {}).get("tier")) for r, _ in kept])
    clear, uncertain = tier == "clear", tier == "uncertain"
    esc = np.array([float(s.get("escalate", 0.0)) for _, s in kept])  # type: ignore[arg-type]
    diet = np.array(
        [
            bool(parsed[r["text"]]["ranking"])
            and parsed[r["text"]]["ranking"][0][0] in RISK_FOR_INTENT
            for r, _ in kept
        ]
    )
    level = np.array([r["level"] for r, _ in kept])
    hard = np.array([bool(r["hard"]) for r, _ in kept])
    none = level == "none"
    table: list[dict[str, object]] = []
    for low in (0.3, 0.4, 0.5):
        for high in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
            if high < low:
                continue
            alone = esc >= np.where(uncertain, max(high, over_uncertain), high)
            agreed = diet & (esc >= np.where(uncertain, max(low, 0.5), low))
            escalated = clear | alone | agreed
            table.append(
                {
                    "low": low,
                    "high": high,
                    "examples": len(kept),
                    "escalated_of_to_escalate": _share(escalated[level == "escalate"]),
                    "hard_escalated": _share(escalated[none & hard]),
                    "ordinary_escalated": _share(escalated[none & ~hard]),
                }
            )
    return table


def demotion(
    rows: list[dict[str, object]],
    scores: list[dict[str, object]],
    escalate: float = 0.5,
    check: float = 0.2,
    over_uncertain: float = 0.8,
    asked: float = 0.3,
) -> list[dict[str, object]]:
    """What a rule of issue 22 would cost and save: a model escalation that names a need.

    A message the risk model would escalate, that the screen does not call clear, and that names
    a need (in its words, or the model's reading of the needs at ``asked``) gets the check and
    the need's answer instead of the full escalation, unless the model's P(escalate) is at or
    above the row's ``need_escalate`` (None: no such rule, today's triage).
    """
    from bot.safety import Screen
    from rasa_addons.needs import needs_named
    from region import load_region

    screen = Screen(load_region().emergency_number)
    signals = [screen(str(r["text"])) for r in rows]
    clear = np.array([s is not None and s.clear for s in signals])
    uncertain = np.array([s is not None and not s.clear for s in signals])
    esc = np.array([float(s.get("escalate", 0.0)) for s in scores])  # type: ignore[arg-type]
    anyp = np.array([float(s.get("any", 0.0)) for s in scores])  # type: ignore[arg-type]

    def names_need(r: dict[str, object], s: dict[str, object]) -> bool:
        read = s.get("needs") or {}
        return bool(needs_named(str(r["text"]))) or any(
            float(v) >= asked
            for v in read.values()  # type: ignore[union-attr]
        )

    named = np.array([names_need(r, s) for r, s in zip(rows, scores, strict=True)])
    level = np.array([r["level"] for r in rows])
    hard = np.array([bool(r["hard"]) for r in rows])
    none = level == "none"
    table: list[dict[str, object]] = []
    for d in DEMOTE:
        needed = np.where(uncertain, over_uncertain, escalate)
        model = esc >= needed
        if d is not None:
            model &= ~(named & (esc < max(d, escalate)))
        escalated = clear | model
        checked = ~escalated & (clear | uncertain | (anyp >= check) | (esc >= escalate))
        table.append(
            {
                "need_escalate": d,
                "escalated_of_to_escalate": _share(escalated[level == "escalate"]),
                "escalated_of_to_escalate_naming_a_need": _share(
                    escalated[(level == "escalate") & named]
                ),
                "line_of_risk": _share((escalated | checked)[level != "none"]),
                "hard_escalated": _share(escalated[none & hard]),
                "hard_naming_a_need_escalated": _share(escalated[none & hard & named]),
                "ordinary_escalated": _share(escalated[none & ~hard]),
            }
        )
    return table


VETO = (None, 0.02, 0.05, 0.1, 0.15, 0.2)


def veto(
    rows: list[dict[str, object]],
    scores: list[dict[str, object]],
    escalate: float = 0.5,
    over_uncertain: float = 0.8,
) -> list[dict[str, object]]:
    """The screen's clear tier overruled by the risk model (bot/safety: VETO, NEVER_VETOED),
    by the threshold: the screen runs in the gateway and sends the crisis reply at once; a clear
    signal (but strangulation, a medical emergency now, a Spanish wish to die and the number
    alone) becomes uncertain when the model's P(escalate) of the message is below the row's
    ``veto`` (None: the screen alone); which signals may be overruled is the screen's own rule.
    Rows: of the examples to escalate, the share escalated and how many the veto demotes to the
    check; of the risk examples for a check and of the examples with no risk, the share
    escalated."""
    from bot.safety import Screen
    from region import load_region

    number = load_region().emergency_number
    screen = Screen(number)
    # The clear signals the built screen puts to the model at all (not strangulation, a medical
    # emergency, the number alone, nor a Spanish wish to die): those it overrules at P 0.
    asked = Screen(number, opinion=lambda _text: 0.0)
    signals = [screen(str(r["text"])) for r in rows]
    clear = np.array([s is not None and s.clear for s in signals])
    uncertain = np.array([s is not None and not s.clear for s in signals])
    overrulable = [
        bool(c) and bool(getattr(asked(str(r["text"])), "vetoed", False))
        for r, c in zip(rows, clear, strict=True)
    ]
    kept = clear & ~np.array(overrulable, dtype=bool)
    esc = np.array([float(s.get("escalate", 0.0)) for s in scores])  # type: ignore[arg-type]
    level = np.array([r["level"] for r in rows])
    hard = np.array([bool(r["hard"]) for r in rows])
    none = level == "none"
    table: list[dict[str, object]] = []
    for v in VETO:
        vetoed = clear & ~kept & (esc < v) if v is not None else np.zeros(len(rows), dtype=bool)
        screened = clear & ~vetoed
        model = esc >= np.where(uncertain | vetoed, over_uncertain, escalate)
        escalated = screened | model
        table.append(
            {
                "veto": v,
                "escalated_of_to_escalate": _share(escalated[level == "escalate"]),
                "to_escalate_demoted": int((vetoed & ~model)[level == "escalate"].sum()),
                "escalated_of_check": _share(escalated[level == "check"]),
                "hard_escalated": _share(escalated[none & hard]),
                "ordinary_escalated": _share(escalated[none & ~hard]),
            }
        )
    return table


def needs_read(rows: list[dict[str, object]], scores: list[dict[str, object]]) -> dict[str, float]:
    """Of risk examples that ask for a need beside, the share whose first need is read; and of
    risk examples that ask for nothing else, the share given a need anyway (a search nobody asked
    for). Two orders: the words' own need first, else the model's best at the threshold
    (``words``); the model's best at the threshold first, else the words' (``model``)."""
    from rasa_addons.needs import INTENT_FOR_NEED, needs_named

    found: dict[str, float] = {}
    risky = [(r, s) for r, s in zip(rows, scores, strict=True) if r["risk"] is not None]
    named = {id(r): needs_named(str(r["text"])) for r, _ in risky}
    for order in ("words", "model"):
        for t in (0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
            hits = asked = wrong = plain = 0
            for r, s in risky:
                read = s.get("needs") or {}
                best = max(read.items(), key=lambda kv: kv[1], default=(None, 0.0))  # type: ignore[union-attr]
                modelled = best[0] if best[1] >= t else None  # type: ignore[operator]
                words = INTENT_FOR_NEED[named[id(r)][0]] if named[id(r)] else None
                given = (words or modelled) if order == "words" else (modelled or words)
                if r["needs"]:
                    asked += 1
                    hits += given in r["needs"]  # type: ignore[operator]
                else:
                    plain += 1
                    wrong += given is not None
            found[f"{order} {t}"] = hits / asked if asked else float("nan")
            found[f"{order} {t} wrong"] = wrong / plain if plain else float("nan")
    return found


def _or_none(value: object, spec: str) -> str:
    return "none" if value is None else format(value, spec)


def _table(header: str, rows: list[dict[str, Any]], line: Callable[[dict[str, Any]], str]) -> None:
    print(header)
    for row in rows:
        print(line(row))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "tuning" / "risk.json")
    parser.add_argument(
        "--diet",
        type=Path,
        help="scripts/tune_nlu.py's parses.json: also measure DIET as a second opinion, on the"
        " folds it parsed (the risk model then leaves out the same examples)",
    )
    args = parser.parse_args(argv[1:])
    rows = examples()
    if args.diet:
        dealt, parsed = diet_folds(rows, args.diet)
        scores = out_of_fold(rows, args.folds, dealt=dealt)
        seen = [k for k, r in enumerate(rows) if r["text"] in parsed and scores[k]]
        rows, scores = [rows[k] for k in seen], [scores[k] for k in seen]
        agreed = agreement(rows, scores, parsed)
        print(f"\nDIET as a second opinion, on {len(rows)} examples DIET parsed out of fold:")
        print("  low high | to escalate: escalated | hard: escalated | ordinary: escalated")
        for t in agreed:
            print(
                f"  {t['low']:.1f} {t['high']:4.2f} | {t['escalated_of_to_escalate']:6.1%} |"
                f" {t['hard_escalated']:6.1%} | {t['ordinary_escalated']:6.1%}"
            )
    else:
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
    demoted = demotion(rows, scores)
    _table(
        "\nA model escalation that names a need becomes the check, below need_escalate"
        " (escalate 0.5, check 0.2):\nneed_escalate | to escalate: escalated (naming a need)"
        " | risk: line | hard: escalated (naming a need) | ordinary: escalated",
        demoted,
        lambda t: (
            f"  {_or_none(t['need_escalate'], '.1f'):>4} | {t['escalated_of_to_escalate']:6.1%}"
            f" ({t['escalated_of_to_escalate_naming_a_need']:6.1%}) | {t['line_of_risk']:6.1%} |"
            f" {t['hard_escalated']:6.1%} ({t['hard_naming_a_need_escalated']:6.1%}) |"
            f" {t['ordinary_escalated']:6.1%}"
        ),
    )
    vetoes = veto(rows, scores)
    _table(
        "\nThe screen's clear tier overruled by the model below veto (bot/safety VETO; escalate 0.5):"
        "\n veto | to escalate: escalated, demoted to the check | check: escalated"
        " | hard: escalated | ordinary: escalated",
        vetoes,
        lambda t: (
            f"  {_or_none(t['veto'], '.2f'):>4} | {t['escalated_of_to_escalate']:6.1%}"
            f" {t['to_escalate_demoted']:4d} | {t['escalated_of_check']:6.1%} |"
            f" {t['hard_escalated']:6.1%} | {t['ordinary_escalated']:6.1%}"
        ),
    )
    needs = needs_read(rows, scores)
    print("\nneeds beside a risk read (words first or the model first, at asked_threshold), and"
          " a need given to a risk example that asks for none: "
          + ", ".join(f"{t}: {v:.1%}" for t, v in needs.items()))  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "examples": len(rows),
                "sweep": table,
                "demotion": demoted,
                "veto": vetoes,
                "needs": needs,
                **({"diet": agreed} if args.diet else {}),
            },
            indent=2,
        )
    )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
