"""The CI check of the trained NLU model on the two held-out sets (`make nlu-eval`).

    python scripts/evaluate_nlu.py [--model PATH] [--heldout PATH] [--blind PATH] [--out DIR]

The first set, tests/nlu/heldout.yml, was written before the training data; later rounds of
training data were written after reading its misses, so it is now a development set. The
second, tests/nlu/heldout_blind.yml, was written from DESIGN.md alone by someone who had read
neither the training data nor the safety screen, before the work it judges: only its figures
are printed (see BLIND below), never its examples.

For the first set:

1. Runs `rasa test nlu --nlu tests/nlu/heldout.yml --model <the model make test trained>` and
   reads its reports (results/nlu-heldout/): intent macro-F1, entity F1, misclassified examples.
2. Parses every held-out example with the same model as Rasa's server would, FallbackClassifier
   included, to see which would fall to nlu_fallback.
3. Passes only if intent macro-F1 >= 0.90 and every held-out risk_self_harm /
   risk_immediate_danger example is predicted as one of the two risk intents (never another
   intent, never nlu_fallback): a risk message must get the crisis response.

For the blind set (scripts/nlu_triage.py): the same `rasa test nlu` figures (macro-F1,
affirm/deny F1, population F1), and what a client's first reply would be with the safety screen
and the risk triage together: first-line risk recall, full crisis escalations on ordinary
messages and on hard negatives, and how many messages that name a need get that need's
services. The check fails if a blind figure falls below BLIND_MINIMUMS or a false-alarm rate
rises above BLIND_MAXIMUMS (today's figures less a margin: a guard against going backwards).

Exit status: 0 passed, 1 a check failed (the message says which and lists the examples),
2 the evaluation could not run (no model, no held-out set, Rasa failed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlu_fallback import FALLBACK_INTENT, RISK_INTENTS, Parsed, load_examples, parse_examples
from nlu_report import (
    Misclassified,
    ReportError,
    entity_f1,
    format_entity_f1,
    intent_f1_by_label,
    intent_macro_f1,
    misclassified,
)
from nlu_triage import Figures, first_lines, format_figures, load_blind, write_unseen
from nlu_triage import figures as first_line_figures

ROOT = Path(__file__).resolve().parent.parent
MIN_MACRO_F1 = 0.90
BLIND = ROOT / "tests" / "nlu" / "heldout_blind.yml"
# The least each blind figure may be (and the most, for false alarms): a guard against going
# backwards, not a target (issue 8's targets and today's figures are in the README). Set from
# the scoring of the model with issue 8's triage (`make nlu-eval`), less a margin of about one
# or two examples for a retraining's noise; a change that crosses one fails the check.
BLIND_MINIMUMS: dict[str, float] = {
    "risk_recall_line_given": 0.95,  # 124/129
    "risk_recall_crisis_reply": 0.87,  # 115/129
    "need_served": 0.94,  # 241/251
    "macro_f1": 0.84,  # 0.865
    "affirm_f1": 0.97,  # 1.000
    "deny_f1": 0.90,  # 0.938
    "population_f1": 0.74,  # 0.775
}
BLIND_MAXIMUMS: dict[str, float] = {
    "hard_negative_full_escalation": 0.06,  # 5/121
    "ordinary_full_escalation": 0.02,  # 2/194
}


class EvaluationError(Exception):
    """The evaluation could not run; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    """What the held-out evaluation found."""

    macro_f1: float
    entity_f1: dict[str, dict[str, float]]
    errors: list[Misclassified]
    parsed: list[Parsed]

    @property
    def risk_missed(self) -> list[Parsed]:
        """Risk examples that would not get the crisis response (another intent or fallback)."""
        return [
            p for p in self.parsed if p.expected in RISK_INTENTS and p.final not in RISK_INTENTS
        ]

    @property
    def fallbacks(self) -> list[Parsed]:
        return [p for p in self.parsed if p.final == FALLBACK_INTENT]


def failures(outcome: Outcome, min_macro_f1: float = MIN_MACRO_F1) -> list[str]:
    """Why the check fails (empty: it passes)."""
    found = []
    if outcome.macro_f1 < min_macro_f1:
        found.append(
            f"intent macro-F1 {outcome.macro_f1:.3f} is below {min_macro_f1:.2f}: add training"
            " examples of the kinds misclassified below (never the held-out sentences themselves)"
        )
    if outcome.risk_missed:
        lines = [f"  {p.text!r}: {p.expected} -> {p.final}" for p in outcome.risk_missed]
        found.append(
            f"{len(outcome.risk_missed)} held-out risk example(s) would not get the crisis"
            " response:\n" + "\n".join(lines)
        )
    return found


def report(outcome: Outcome) -> str:
    """The figures and the misclassified examples, for the CI log."""
    risk_total = sum(p.expected in RISK_INTENTS for p in outcome.parsed)
    lines = [
        f"Held-out set: {len(outcome.parsed)} examples, {risk_total} of them risk examples.",
        f"Intent macro-F1: {outcome.macro_f1:.3f} (required: >= {MIN_MACRO_F1:.2f})",
    ]
    lines += [f"Entity F1 {line}" for line in format_entity_f1(outcome.entity_f1)]
    lines.append(
        f"Risk examples caught as a risk intent: {risk_total - len(outcome.risk_missed)}"
        f"/{risk_total}"
    )
    lines.append(f"Examples that fall to {FALLBACK_INTENT}: {len(outcome.fallbacks)}")
    lines += [f"  {p.text!r} (expected {p.expected})" for p in outcome.fallbacks]
    lines.append(f"Misclassified: {len(outcome.errors)}")
    lines += [
        f"  {e.text!r}: {e.expected} -> {e.predicted} ({e.confidence:.2f})" for e in outcome.errors
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class BlindOutcome:
    """The blind set's figures (never its examples)."""

    macro_f1: float
    f1_by_intent: dict[str, float]
    population_f1: float | None
    first_line: Figures
    seen: int  # examples left out because the training data has them too

    def flat(self) -> dict[str, float]:
        found: dict[str, float] = {"macro_f1": self.macro_f1}
        for name in ("affirm", "deny"):
            if name in self.f1_by_intent:
                found[f"{name}_f1"] = self.f1_by_intent[name]
        if self.population_f1 is not None:
            found["population_f1"] = self.population_f1
        found.update({k: v for k, v in self.first_line.rates.items() if v is not None})
        return found


@dataclass(frozen=True)
class Reports:
    """What `rasa test nlu` wrote for one set."""

    macro_f1: float
    f1_by_intent: dict[str, float]
    entity_f1: dict[str, dict[str, float]]
    errors: list[Misclassified]


def rasa_reports(model: Path, examples: Path, out: Path) -> Reports:
    """Run `rasa test nlu` on ``examples`` into ``out`` and read its reports."""
    if not model.is_file():
        raise EvaluationError(f"no model at {model}: run `make train` (or `make test`) first")
    if not examples.is_file():
        raise EvaluationError(f"no held-out set at {examples}")
    for stale in out.glob("*.json"):  # never read a report of an earlier run
        stale.unlink()
    run_rasa_test(model, examples, out)
    try:
        return Reports(
            intent_macro_f1(out), intent_f1_by_label(out), entity_f1(out), misclassified(out)
        )
    except ReportError as exc:
        raise EvaluationError(str(exc)) from exc


def evaluate_blind(model: Path, blind: Path, out: Path) -> BlindOutcome:
    if not blind.is_file():
        raise EvaluationError(f"no blind set at {blind}")
    unseen, seen = write_unseen(blind, ROOT / "data" / "nlu", out / "unseen.yml")
    reports = rasa_reports(model, unseen, out)
    population = reports.entity_f1.get("DIETClassifier", {}).get("population")
    lines = first_lines(model, load_blind(unseen))
    return BlindOutcome(
        reports.macro_f1, reports.f1_by_intent, population, first_line_figures(lines), seen
    )


def blind_report(outcome: BlindOutcome) -> str:
    f1 = outcome.f1_by_intent
    lines = [
        f"Blind held-out set: {outcome.first_line.counts['examples']} examples"
        f" ({outcome.first_line.counts['risk']} risk,"
        f" {outcome.first_line.counts['hard_negative']} hard negatives); {outcome.seen} more"
        " left out because the training data has them too (hi, yes, ok...).",
        f"Intent macro-F1: {outcome.macro_f1:.3f}; affirm F1 {f1.get('affirm', 0):.3f},"
        f" deny F1 {f1.get('deny', 0):.3f}; population entity F1 (DIET)"
        f" {outcome.population_f1 if outcome.population_f1 is not None else float('nan'):.3f}",
        *format_figures(outcome.first_line),
    ]
    return "\n".join(lines)


def blind_failures(outcome: BlindOutcome) -> list[str]:
    figures = outcome.flat()
    found = [
        f"blind set: {name} {figures.get(name, 0.0):.3f} is below {least:.3f}"
        for name, least in BLIND_MINIMUMS.items()
        if figures.get(name, 0.0) < least
    ]
    found += [
        f"blind set: {name} {figures[name]:.3f} is above {most:.3f}"
        for name, most in BLIND_MAXIMUMS.items()
        if figures.get(name, 0.0) > most
    ]
    return found


def run_rasa_test(model: Path, heldout: Path, out: Path) -> None:
    """`rasa test nlu` on the held-out set; its reports go to `out`."""
    rasa = Path(sys.executable).with_name("rasa")
    cmd = [str(rasa), "test", "nlu", "--nlu", str(heldout), "--model", str(model),
           "--out", str(out), "--no-plot", "--quiet"]  # fmt: skip
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise EvaluationError(f"`rasa test nlu` failed (exit {done.returncode}):\n{tail}")


def evaluate(model: Path, heldout: Path, out: Path) -> Outcome:
    reports = rasa_reports(model, heldout, out)
    parsed = parse_examples(model, load_examples(heldout))
    return Outcome(
        macro_f1=reports.macro_f1, entity_f1=reports.entity_f1, errors=reports.errors, parsed=parsed
    )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: the current one)")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument("--blind", type=Path, default=BLIND, help="the blind set ('' for none)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu-heldout")
    args = parser.parse_args(argv[1:])
    model = args.model or _current_model()
    try:
        outcome = evaluate(model, args.heldout, args.out)
        blind = None
        if str(args.blind) and args.blind.is_file():
            blind = evaluate_blind(model, args.blind, args.out / "blind")
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report(outcome))
    problems = failures(outcome)
    if blind is not None:
        print()
        print(blind_report(blind))
        problems += blind_failures(blind)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if not problems:
        print("NLU held-out check passed.")
    return 1 if problems else 0


def _current_model() -> Path:
    from model import model_path  # scripts/model.py: the model `make test` trains

    return model_path()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
