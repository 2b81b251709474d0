"""The promotion gate: is a candidate model better than the live one, and no less safe?

    python scripts/gate.py --live models/A.tar.gz --candidate models/B.tar.gz --out report.json

Both models parse every example of the held-out sets (tests/nlu/heldout.yml, the blind set's
examples that are not in the training data, tests/nlu/heldout_reviewed.yml when admins have
labelled some) in this process, as Rasa's server would, risk triage included; and both run the
conversation tests (`rasa test core --stories tests/ --fail-on-prediction-errors`). The report
has, per set and model: intent macro-F1, F1 per intent (better or worse), the confusions that
appeared or went away, and the risk examples each model misses (a risk example is caught when
the model gives it a risk intent, or a ``risk_check`` for the safety check).

The verdict is **pass** only if the candidate
- misses no risk example of the first held-out set or of the reviewed one;
- loses no more than 0.01 macro-F1 on any set, the blind set's unseen examples included.
The blind set's risk misses are counted for both models and shown, never listed (its examples
are never read) and never a reason to refuse: a retraining moves one or two of them either way,
so a gate on them would refuse every candidate, and choosing models by them would spend the
set. Its guards stay in `make nlu-eval` (scripts/evaluate_nlu.py), which CI runs;
- passes every conversation test.

Exit status: 0 pass, 1 fail, 2 the gate could not run. The report (JSON) is written either way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from first_reply import write_unseen  # noqa: E402

from contract import RISK_INTENTS  # noqa: E402

MAX_MACRO_F1_DROP = 0.01
SETS = {
    "heldout": (ROOT / "tests" / "nlu" / "heldout.yml", False),
    "blind": (ROOT / "tests" / "nlu" / "heldout_blind.yml", True),
    "reviewed": (ROOT / "tests" / "nlu" / "heldout_reviewed.yml", False),
}


class GateError(Exception):
    """The gate could not run: a model is missing, Rasa failed."""


@dataclass
class Scored:
    """One model on one set."""

    macro_f1: float
    f1: dict[str, float]
    confusions: dict[str, int]  # "expected -> predicted": count
    risk_total: int
    risk_missed: list[str] = field(default_factory=list)  # texts (none for the blind set)
    risk_missed_count: int = 0
    missed_ids: list[int] = field(default_factory=list)  # indexes: for comparison only


def examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(str(m.get("text")), str(m.get("intent"))) for m in data.intent_examples]


def predictions(model: Path, texts: Sequence[str]) -> list[tuple[str, bool]]:
    """(final intent, safety check asked) of each text, through the model's whole pipeline."""
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> list[tuple[str, bool]]:
        found = []
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = str((parsed.get("intent") or {}).get("name") or "nlu_fallback")
            check = any(e.get("entity") == "risk_check" for e in parsed.get("entities") or [])
            found.append((intent, check))
        return found

    return asyncio.run(run())


def score(
    labelled: list[tuple[str, str]], predicted: list[tuple[str, bool]], blind: bool
) -> Scored:
    from sklearn.metrics import f1_score

    expected = [intent for _, intent in labelled]
    got = [intent for intent, _ in predicted]
    labels = sorted(set(expected))
    per_intent = f1_score(expected, got, labels=labels, average=None, zero_division=0)
    confusions = Counter(f"{e} -> {g}" for e, g in zip(expected, got, strict=True) if e != g)
    missed = [
        index
        for index, ((_, e), (g, check)) in enumerate(zip(labelled, predicted, strict=True))
        if e in RISK_INTENTS and g not in RISK_INTENTS and not check
    ]
    return Scored(
        macro_f1=round(
            float(f1_score(expected, got, labels=labels, average="macro", zero_division=0)), 4
        ),
        f1={label: round(float(value), 4) for label, value in zip(labels, per_intent, strict=True)},
        confusions=dict(confusions) if not blind else {},
        risk_total=sum(e in RISK_INTENTS for e in expected),
        risk_missed=[] if blind else [labelled[i][0] for i in missed],
        risk_missed_count=len(missed),
        missed_ids=missed,
    )


def conversation_tests(model: Path, out: Path) -> tuple[bool, str]:
    rasa = Path(sys.executable).with_name("rasa")
    cmd = [str(rasa), "test", "core", "--stories", "tests/", "--model", str(model),
           "--fail-on-prediction-errors", "--out", str(out), "--quiet"]  # fmt: skip
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
    return done.returncode == 0, "" if done.returncode == 0 else tail


def gate(live: Path, candidate: Path, work: Path) -> dict[str, Any]:
    for model in (live, candidate):
        if not model.is_file():
            raise GateError(f"no model at {model}")
    report: dict[str, Any] = {"live": str(live), "candidate": str(candidate), "sets": {}}
    reasons: list[str] = []
    for name, (path, blind) in SETS.items():
        if not path.is_file():
            continue
        if blind:
            path, _ = write_unseen(path, ROOT / "data" / "nlu", work / "blind_unseen.yml")
        labelled = examples(path)
        texts = [text for text, _ in labelled]
        old = score(labelled, predictions(live, texts), blind)
        new = score(labelled, predictions(candidate, texts), blind)
        report["sets"][name] = {
            "examples": len(labelled),
            "live": {k: v for k, v in asdict(old).items() if k != "missed_ids"},
            "candidate": {k: v for k, v in asdict(new).items() if k != "missed_ids"},
            "better": sorted(i for i in new.f1 if new.f1[i] > old.f1.get(i, 0.0) + 1e-9),
            "worse": sorted(i for i in new.f1 if new.f1[i] < old.f1.get(i, 0.0) - 1e-9),
            "confusions_appeared": sorted(set(new.confusions) - set(old.confusions)),
            "confusions_gone": sorted(set(old.confusions) - set(new.confusions)),
        }
        if new.macro_f1 < old.macro_f1 - MAX_MACRO_F1_DROP:
            reasons.append(
                f"{name}: macro-F1 {new.macro_f1:.3f} is more than {MAX_MACRO_F1_DROP} below"
                f" the live model's {old.macro_f1:.3f}"
            )
        if not blind and new.risk_missed:
            reasons.append(
                f"{name}: misses {len(new.risk_missed)} risk example(s): {new.risk_missed}"
            )
    passed_live, _ = conversation_tests(live, work / "core-live")
    passed_new, failure = conversation_tests(candidate, work / "core-candidate")
    report["conversations"] = {"live": passed_live, "candidate": passed_new, "failure": failure}
    if not passed_new:
        reasons.append("the conversation tests fail with the candidate")
    report["verdict"] = "fail" if reasons else "pass"
    report["reasons"] = reasons
    return report


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--live", type=Path, required=True)
    parser.add_argument("--candidate", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="where the JSON report goes")
    args = parser.parse_args(argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        try:
            report = gate(args.live, args.candidate, Path(tmp))
        except GateError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"verdict: {report['verdict']}")
    for reason in report["reasons"]:
        print(f"  {reason}")
    return 0 if report["verdict"] == "pass" else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
