"""Choose the NLU pipeline by measurement (`make compare-pipelines`; slow: tens of minutes).

    python scripts/compare_pipelines.py [--folds 5] [--only NAME ...] [--data data/nlu]

For each candidate scripts/pipelines/<name>.yml:
  1. `rasa test nlu --nlu data/nlu --config <candidate> --cross-validation --folds 5`: intent
     macro-F1 and entity F1 over the held-back folds (results/pipelines/<name>/cv/);
  2. `rasa train nlu` once on all of data/nlu, timed: the train time and the model size;
  3. `rasa test nlu` of that model on the held-out set, for information only: the choice is made
     on cross-validation, so that the held-out set stays an honest final check.
Prints a table and writes results/pipelines/summary.json. Keep the best candidate's pipeline in
config.yml, with a comment citing the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nlu_report import ReportError, entity_f1, format_entity_f1, intent_macro_f1

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = ROOT / "scripts" / "pipelines"
# A step that takes longer than this has hung: stop it rather than wait for ever.
STEP_TIMEOUT_S = 3 * 60 * 60


class ComparisonError(Exception):
    """A candidate could not be measured; the message says which step failed and why."""


@dataclass
class Figures:
    """What one candidate pipeline measured."""

    name: str
    config: str
    cv_intent_macro_f1: float = 0.0
    cv_entity_f1: dict[str, dict[str, float]] = field(default_factory=dict)
    cv_seconds: float = 0.0
    train_seconds: float = 0.0
    model_bytes: int = 0
    heldout_intent_macro_f1: float | None = None


def rasa(args: Sequence[str], what: str) -> float:
    """Run one rasa command; returns its wall time in seconds."""
    exe = Path(sys.executable).with_name("rasa")
    # No training cache (.rasa/cache): a component restored from it would make the time a lie.
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "RASA_MAX_CACHE_SIZE": "0"}  # fmt: skip
    started = time.monotonic()
    try:
        done = subprocess.run(
            [str(exe), *args], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=STEP_TIMEOUT_S, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise ComparisonError(f"{what}: no result after {STEP_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise ComparisonError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return time.monotonic() - started


def measure(config: Path, data: Path, heldout: Path | None, folds: int, out: Path) -> Figures:
    """Cross-validate, train once and (optionally) score one candidate."""
    name = config.stem
    figures = Figures(
        name=name, config=str(config.relative_to(ROOT) if config.is_relative_to(ROOT) else config)
    )
    cv_dir, model_dir, heldout_dir = out / name / "cv", out / name / "model", out / name / "heldout"
    figures.cv_seconds = rasa(
        ["test", "nlu", "--nlu", str(data), "--config", str(config), "--cross-validation",
         "--folds", str(folds), "--out", str(cv_dir), "--no-plot", "--quiet"],
        f"{name}: cross-validation",
    )  # fmt: skip
    try:
        figures.cv_intent_macro_f1 = intent_macro_f1(cv_dir)
        figures.cv_entity_f1 = entity_f1(cv_dir)
    except ReportError as exc:
        raise ComparisonError(f"{name}: {exc}") from exc
    figures.train_seconds = rasa(
        ["train", "nlu", "--config", str(config), "--nlu", str(data), "--out", str(model_dir),
         "--fixed-model-name", name, "--quiet"],
        f"{name}: training",
    )  # fmt: skip
    model = model_dir / f"{name}.tar.gz"
    figures.model_bytes = model.stat().st_size
    if heldout is not None:
        rasa(
            ["test", "nlu", "--nlu", str(heldout), "--model", str(model), "--out",
             str(heldout_dir), "--no-plot", "--quiet"],
            f"{name}: held-out test",
        )  # fmt: skip
        try:
            figures.heldout_intent_macro_f1 = intent_macro_f1(heldout_dir)
        except ReportError as exc:
            raise ComparisonError(f"{name}: {exc}") from exc
    return figures


def best(candidates: Sequence[Figures]) -> Figures:
    """The candidate with the highest cross-validated intent macro-F1 (faster training on a tie)."""
    return max(candidates, key=lambda f: (round(f.cv_intent_macro_f1, 3), -f.train_seconds))


def table(candidates: Sequence[Figures]) -> str:
    lines = [
        f"{'candidate':<22} {'CV intent macro-F1':>18} {'train s':>8} {'model MB':>9}"
        f" {'held-out macro-F1':>18}"
    ]
    for f in candidates:
        heldout = "-" if f.heldout_intent_macro_f1 is None else f"{f.heldout_intent_macro_f1:.3f}"
        lines.append(
            f"{f.name:<22} {f.cv_intent_macro_f1:>18.3f} {f.train_seconds:>8.1f}"
            f" {f.model_bytes / 1e6:>9.2f} {heldout:>18}"
        )
        lines += [f"    CV entity F1 {line}" for line in format_entity_f1(f.cv_entity_f1)]
    return "\n".join(lines)


def candidate_configs(only: Sequence[str], folder: Path = CANDIDATES) -> list[Path]:
    configs = sorted(folder.glob("*.yml"))
    if only:
        unknown = set(only) - {c.stem for c in configs}
        if unknown:
            known = ", ".join(c.stem for c in configs)
            raise ComparisonError(
                f"no candidate named {', '.join(sorted(unknown))} (have: {known})"
            )
        configs = [c for c in configs if c.stem in only]
    if not configs:
        raise ComparisonError(f"no candidate pipelines in {folder}")
    return configs


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=[], help="candidate names (file stems)")
    parser.add_argument("--candidates", type=Path, default=CANDIDATES)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument("--no-heldout", action="store_true", help="skip the held-out figure")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "pipelines")
    args = parser.parse_args(argv[1:])
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    try:
        configs = candidate_configs(args.only, args.candidates)
        if not args.data.exists():
            raise ComparisonError(f"no NLU training data at {args.data}")
        heldout = None if args.no_heldout else args.heldout
        if heldout is not None and not heldout.is_file():
            raise ComparisonError(f"no held-out set at {heldout} (or pass --no-heldout)")
        measured = []
        for config in configs:
            print(f"Measuring {config.stem} ({args.folds}-fold cross-validation)...", flush=True)
            measured.append(measure(config, args.data, heldout, args.folds, args.out))
    except ComparisonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(table(measured))
    winner = best(measured)
    print(f"Best by cross-validated intent macro-F1: {winner.name}")
    args.out.mkdir(parents=True, exist_ok=True)
    summary = {
        "folds": args.folds,
        "best": winner.name,
        "candidates": [asdict(f) for f in measured],
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"Summary written to {args.out / 'summary.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
