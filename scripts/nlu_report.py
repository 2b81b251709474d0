"""Reading what `rasa test nlu` writes: intent and entity figures, misclassified examples.

Shared by scripts/evaluate_nlu.py (the held-out check) and scripts/compare_pipelines.py (cross-
validation of the candidate pipelines). Both the plain and the cross-validation runs write the
same files into their --out folder: intent_report.json, intent_errors.json, and one
<Extractor>_report.json per entity extractor.

Errors (all subclasses of ReportError, each with a message saying what to do):
    ReportError          base class
      ReportMissing      an expected file is not there (the Rasa run failed or wrote elsewhere)
      ReportInvalid      a file is there but is not the JSON Rasa writes
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Reports that are not of an entity extractor: RiskTriage (rasa_addons/triage.py) only adds the
# `need` and `risk_check` entities the data never annotates, so Rasa scores it at 0.
NON_ENTITY_REPORTS = {
    "intent_report.json",
    "response_selection_report.json",
    "RiskTriage_report.json",
}


class ReportError(Exception):
    """A result of `rasa test nlu` could not be read."""


class ReportMissing(ReportError):
    """An expected result file does not exist."""


class ReportInvalid(ReportError):
    """A result file exists but does not hold what Rasa writes."""


@dataclass(frozen=True)
class Misclassified:
    """One example the model got wrong."""

    text: str
    expected: str
    predicted: str
    confidence: float


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ReportMissing(f"{path} is missing: did `rasa test nlu` run and finish?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportInvalid(f"{path} is not valid JSON: {exc}") from exc


def _f1(report: Any, path: Path, key: str) -> float:
    try:
        value = report[key]["f1-score"]
    except (KeyError, TypeError) as exc:
        raise ReportInvalid(f"{path} has no '{key}' f1-score") from exc
    if not isinstance(value, (int, float)):
        raise ReportInvalid(f"{path}: '{key}' f1-score is not a number: {value!r}")
    return float(value)


def intent_macro_f1(out_dir: Path) -> float:
    """Macro-averaged intent F1: every intent counts the same, however many examples it has."""
    path = out_dir / "intent_report.json"
    return _f1(_read_json(path), path, "macro avg")


def intent_f1_by_label(out_dir: Path) -> dict[str, float]:
    """F1 of each intent, from the same report."""
    path = out_dir / "intent_report.json"
    return _f1_by_label(_read_json(path), path)


def entity_f1(out_dir: Path) -> dict[str, dict[str, float]]:
    """Entity F1 of each entity extractor: micro-averaged ("all") and per entity type.

    Rasa scores each extractor against every annotated entity, so an extractor that only knows
    one type (RegexEntityExtractor: location) is low on "all": read its own type's figure.
    """
    figures: dict[str, dict[str, float]] = {}
    for path in sorted(out_dir.glob("*_report.json")):
        if path.name in NON_ENTITY_REPORTS:
            continue
        report = _read_json(path)
        overall = (
            "micro avg" if isinstance(report, dict) and "micro avg" in report else "weighted avg"
        )
        name = path.name.removesuffix("_report.json")
        figures[name] = {"all": _f1(report, path, overall), **_f1_by_label(report, path)}
    return figures


def format_entity_f1(figures: dict[str, dict[str, float]]) -> list[str]:
    """One line per extractor: "DIETClassifier: all 0.953, location 0.97, population 0.91"."""
    return [
        f"{name}: " + ", ".join(f"{label} {f1:.3f}" for label, f1 in by_label.items())
        for name, by_label in figures.items()
    ]


def _f1_by_label(report: Any, path: Path) -> dict[str, float]:
    if not isinstance(report, dict):
        raise ReportInvalid(f"{path} is not a JSON object")
    return {
        label: _f1(report, path, label)
        for label, value in report.items()
        if isinstance(value, dict) and "support" in value and not label.endswith(" avg")
    }


def misclassified(out_dir: Path) -> list[Misclassified]:
    """The examples whose predicted intent was wrong (intent_errors.json; absent means none)."""
    path = out_dir / "intent_errors.json"
    if not path.exists():
        return []
    rows = _read_json(path)
    if not isinstance(rows, list):
        raise ReportInvalid(f"{path} is not a JSON list")
    try:
        return [
            Misclassified(
                text=str(row["text"]),
                expected=str(row["intent"]),
                predicted=str(row["intent_prediction"]["name"]),
                confidence=float(row["intent_prediction"]["confidence"] or 0.0),
            )
            for row in rows
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportInvalid(f"{path}: an entry lacks text, intent or prediction ({exc})") from exc
