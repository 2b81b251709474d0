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
- is not worse than the live model on any set, the blind set's unseen examples included, by a
  paired test on the same examples: of the examples the two models disagree on (one right, the
  other wrong), the candidate must not get significantly more wrong (exact McNemar test,
  one-sided, p < 0.05). Two trainings of the same data differ by up to a few points of
  macro-F1 on sets this small (DIET's random start, the order of batches: ``python
  bench/gate_spread.py`` measures it), so a margin on macro-F1 refused good fixes at random;
  the paired test asks whether the difference is more than that noise. The macro-F1 of each
  model is still reported;
- passes every conversation test.
The blind set's risk misses are counted for both models and shown, never listed (its examples
are never read) and never a reason to refuse on their own: a retraining moves one or two of
them either way, and choosing models by them would spend the set. Its guards stay in `make
nlu-eval` (scripts/evaluate_nlu.py), which CI runs.

Each model is loaded once: it parses every set and runs the conversation tests in this
process. What a model gives is kept in ``models/gate-cache/`` under the model file's digest
and the digest of the sets and stories it was given, so the live model (and a candidate
gated before) is never run twice on the same examples: a gate after a training runs only the
candidate.

Exit status: 0 pass, 1 fail, 2 the gate could not run. The report (JSON) is written either way.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
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

MAX_MACRO_F1_DROP = 0.01  # the old rule, kept for bench/gate_spread.py's comparison
SIGNIFICANCE = 0.05  # the paired test's level: refuse when p < this
CACHE = ROOT / "models" / "gate-cache"
CACHE_VERSION = "2"  # bump when what a model's results mean changes
STORIES = ROOT / "tests"
PROGRESS_EVERY = 50  # examples between two progress lines
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


Predicted = list[tuple[str, bool]]  # (final intent, safety check asked) per example


def predictions_of_sets(model: Path, texts: dict[str, list[str]]) -> dict[str, Predicted]:
    """(final intent, safety check asked) of each set's texts, through the model's whole
    pipeline, the model loaded once."""
    agent = _load(model)
    return asyncio.run(_parse_all(agent, texts))


def _load(model: Path) -> Any:
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    from rasa.core.agent import Agent

    return Agent.load(str(model))


async def _parse_all(
    agent: Any, texts: dict[str, list[str]], who: str = "model"
) -> dict[str, Predicted]:
    found: dict[str, Predicted] = {}
    total, done = sum(len(batch) for batch in texts.values()), 0
    for name, batch in texts.items():
        found[name] = []
        for text in batch:
            if done % PROGRESS_EVERY == 0:
                say_progress(f"{who} parsed {done} of {total} examples")
            done += 1
            parsed = await agent.parse_message(text)
            intent = str((parsed.get("intent") or {}).get("name") or "nlu_fallback")
            check = any(e.get("entity") == "risk_check" for e in parsed.get("entities") or [])
            found[name].append((intent, check))
    return found


def say_progress(line: str) -> None:
    """A line the admin's page reads while the gate runs (bot/admin/training.py)."""
    print(f"gate: {line}", flush=True)


async def _conversations(agent: Any, out: Path) -> tuple[bool, str, bool]:
    """The conversation tests (as `rasa test core --stories tests/ --fail-on-prediction-errors`)
    on the loaded agent: passed, why not, and whether the outcome may be kept (an error that is
    not the model's, a full disk, is not)."""
    from rasa.core.test import WrongPredictionException
    from rasa.core.test import test as core_test

    out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before the tests run
    try:
        await core_test(
            str(STORIES),
            agent,
            out_directory=str(out),
            fail_on_prediction_errors=True,
            disable_plotting=True,
        )
    except WrongPredictionException as exc:
        return False, "\n".join(str(exc).strip().splitlines()[-8:]), True
    except Exception as exc:  # the candidate fails, and says why; never kept in the cache
        said = f"the conversation tests could not run: {type(exc).__name__}: {exc}"[:800]
        return False, said, False
    return True, "", True


def results(
    model: Path, texts: dict[str, list[str]], work: Path, who: str = "model"
) -> dict[str, Any]:
    """What ``model`` gives on ``texts`` and the conversation tests: from the cache when this
    model file was run on these examples and stories before, else computed (one load) and
    kept."""
    key = _cache_key(model, texts)
    cached = CACHE / f"{key}.json"
    if cached.is_file():
        try:
            found = json.loads(cached.read_text(encoding="utf-8"))
            found["parses"] = {k: [tuple(p) for p in v] for k, v in found["parses"].items()}
            found["cached"] = True
            say_progress(f"{who}: results kept from an earlier gate")
            return dict(found)
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # recomputed below
    say_progress(f"{who}: loading {model.name}")
    agent = _load(model)

    async def run() -> tuple[dict[str, Predicted], tuple[bool, str, bool]]:
        parses = await _parse_all(agent, texts, who)
        say_progress(f"{who}: conversation tests")
        return parses, await _conversations(agent, work / key)

    parses, (passed, failure, keep) = asyncio.run(run())
    found = {"parses": parses, "conversations": {"passed": passed, "failure": failure}}
    if keep:
        CACHE.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(".tmp")
        temporary.write_text(json.dumps(found), encoding="utf-8")
        temporary.replace(cached)
    return {**found, "cached": False}


def _cache_key(model: Path, texts: dict[str, list[str]]) -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    with model.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(json.dumps(texts, sort_keys=True).encode())
    # What the answers also depend on: the stories (Rasa reads tests/ through), the project's
    # own NLU components and contract, and the Rasa it runs on.
    code = [*STORIES.rglob("*.yml"), *(ROOT / "rasa_addons").rglob("*.py"),
            *(ROOT / "contract").rglob("*.py"), ROOT / "requirements" / "rasa.txt"]  # fmt: skip
    for path in sorted(p for p in code if p.is_file()):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def mcnemar_p_worse(live_only: int, candidate_only: int) -> float:
    """One-sided exact McNemar: how likely the candidate gets at least ``live_only`` of the
    ``live_only + candidate_only`` disagreements wrong if neither model is better."""
    from scipy.stats import binomtest

    disagree = live_only + candidate_only
    if disagree == 0:
        return 1.0
    return float(binomtest(live_only, disagree, 0.5, alternative="greater").pvalue)


def compare(
    labelled: list[tuple[str, str]], old: Predicted, new: Predicted, blind: bool, name: str = ""
) -> dict[str, Any]:
    """A candidate against the live model on one set: the figures, and why it is refused."""
    expected = [intent for _, intent in labelled]
    live_right = [g == e for (g, _), e in zip(old, expected, strict=True)]
    candidate_right = [g == e for (g, _), e in zip(new, expected, strict=True)]
    live_only = sum(a and not b for a, b in zip(live_right, candidate_right, strict=True))
    candidate_only = sum(b and not a for a, b in zip(live_right, candidate_right, strict=True))
    p_worse = mcnemar_p_worse(live_only, candidate_only)
    before, after = score(labelled, old, blind), score(labelled, new, blind)
    reasons = []
    if p_worse < SIGNIFICANCE:
        reasons.append(
            f"{name or 'set'}: worse than the live model beyond training noise: of the"
            f" {live_only + candidate_only} examples they disagree on, the candidate gets"
            f" {live_only} wrong that the live model gets right, and {candidate_only} right"
            f" (McNemar p = {p_worse:.3f}; macro-F1 {after.macro_f1:.3f} against"
            f" {before.macro_f1:.3f})"
        )
    if not blind and after.risk_missed:
        reasons.append(
            f"{name or 'set'}: misses {len(after.risk_missed)} risk example(s): {after.risk_missed}"
        )
    return {
        "live": before,
        "candidate": after,
        "macro_f1_change": round(after.macro_f1 - before.macro_f1, 4),
        "live_only": live_only,
        "candidate_only": candidate_only,
        "p_worse": round(p_worse, 4),
        "reasons": reasons,
    }


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


def held_out_sets(work: Path) -> dict[str, tuple[list[tuple[str, str]], bool]]:
    """Each held-out set the project has: its labelled examples, and whether it is blind (of
    the blind set, only the examples the training data does not have, written into ``work``)."""
    sets: dict[str, tuple[list[tuple[str, str]], bool]] = {}
    for name, (path, blind) in SETS.items():
        if not path.is_file():
            continue
        if blind:
            path, _ = write_unseen(path, ROOT / "data" / "nlu", work / "blind_unseen.yml")
        sets[name] = (examples(path), blind)
    return sets


def gate(live: Path, candidate: Path, work: Path) -> dict[str, Any]:
    for model in (live, candidate):
        if not model.is_file():
            raise GateError(f"no model at {model}")
    report: dict[str, Any] = {"live": str(live), "candidate": str(candidate), "sets": {}}
    reasons: list[str] = []
    sets = held_out_sets(work)
    texts = {name: [text for text, _ in labelled] for name, (labelled, _) in sets.items()}
    old_results = results(live, texts, work, "live model")
    new_results = results(candidate, texts, work, "candidate")
    report["cached"] = {"live": old_results["cached"], "candidate": new_results["cached"]}
    for name, (labelled, blind) in sets.items():
        found = compare(
            labelled, old_results["parses"][name], new_results["parses"][name], blind, name
        )
        old, new = found["live"], found["candidate"]
        report["sets"][name] = {
            "examples": len(labelled),
            "live": {k: v for k, v in asdict(old).items() if k != "missed_ids"},
            "candidate": {k: v for k, v in asdict(new).items() if k != "missed_ids"},
            "disagree": {
                "live_only": found["live_only"],
                "candidate_only": found["candidate_only"],
                "p_worse": found["p_worse"],
            },
            "better": sorted(i for i in new.f1 if new.f1[i] > old.f1.get(i, 0.0) + 1e-9),
            "worse": sorted(i for i in new.f1 if new.f1[i] < old.f1.get(i, 0.0) - 1e-9),
            "confusions_appeared": sorted(set(new.confusions) - set(old.confusions)),
            "confusions_gone": sorted(set(old.confusions) - set(new.confusions)),
        }
        reasons += found["reasons"]
    passed_live = old_results["conversations"]["passed"]
    passed_new = new_results["conversations"]["passed"]
    failure = new_results["conversations"]["failure"]
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
