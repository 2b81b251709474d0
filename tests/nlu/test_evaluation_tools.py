"""The NLU evaluation tools: reading Rasa's reports, the fallback rule, the pass/fail decision.

Fast tests work on report files shaped exactly like those `rasa test nlu` writes. The slow test
runs the real tools end to end: it cross-validates and trains a real candidate pipeline on a tiny
data set, then runs the held-out check on the model it trained.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import compare_pipelines
import evaluate_nlu
import pytest
from compare_pipelines import ComparisonError, Figures, best, candidate_configs
from evaluate_nlu import Reports, SetOutcome, failures, report
from first_reply import Figures as FirstFigures
from nlu_fallback import Parsed, falls_back, format_sweep, sweep
from nlu_report import (
    Misclassified,
    ReportInvalid,
    ReportMissing,
    entity_f1,
    format_entity_f1,
    intent_f1_by_label,
    intent_macro_f1,
    misclassified,
)

from tests.nlu.conftest import ROOT


def scores(f1: float, support: int = 10) -> dict[str, float | int]:
    return {"precision": f1, "recall": f1, "f1-score": f1, "support": support}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """A results folder as `rasa test nlu` leaves it."""
    files = {
        "intent_report.json": {
            "greet": {**scores(0.9), "confused_with": {"goodbye": 1}},
            "risk_self_harm": scores(1.0, 40),
            "accuracy": 0.95,
            "macro avg": scores(0.95, 50),
            "weighted avg": scores(0.97, 50),
        },
        "intent_errors.json": [
            {
                "text": "ttyl",
                "intent": "goodbye",
                "intent_prediction": {"name": "thank", "confidence": 0.75},
            }
        ],
        "DIETClassifier_report.json": {
            "location": {**scores(0.97, 41), "confused_with": {}},
            "population": scores(0.8),
            "micro avg": scores(0.93, 51),
            "macro avg": scores(0.88, 51),
            "weighted avg": scores(0.94, 51),
            "accuracy": 0.99,
        },
        "RegexEntityExtractor_report.json": {
            "location": scores(1.0, 41),
            "population": scores(0.0),
            "micro avg": scores(0.89, 51),
        },
    }
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    return tmp_path


def test_reads_intent_figures(results: Path) -> None:
    assert intent_macro_f1(results) == 0.95
    assert intent_f1_by_label(results) == {"greet": 0.9, "risk_self_harm": 1.0}


def test_reads_entity_figures_of_each_extractor(results: Path) -> None:
    figures = entity_f1(results)
    assert figures == {
        "DIETClassifier": {"all": 0.93, "location": 0.97, "population": 0.8},
        "RegexEntityExtractor": {"all": 0.89, "location": 1.0, "population": 0.0},
    }
    assert format_entity_f1(figures)[0] == (
        "DIETClassifier: all 0.930, location 0.970, population 0.800"
    )


def test_reads_misclassified_examples(results: Path) -> None:
    assert misclassified(results) == [Misclassified("ttyl", "goodbye", "thank", 0.75)]


def test_no_errors_file_means_no_misclassified_examples(results: Path) -> None:
    (results / "intent_errors.json").unlink()
    assert misclassified(results) == []


def test_a_missing_report_says_which_file(results: Path) -> None:
    (results / "intent_report.json").unlink()
    with pytest.raises(ReportMissing, match=r"intent_report\.json is missing"):
        intent_macro_f1(results)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("intent_report.json", "{not json", "not valid JSON"),
        ("intent_report.json", json.dumps({"greet": scores(1.0)}), "no 'macro avg' f1-score"),
        ("intent_report.json", json.dumps({"macro avg": {"f1-score": "high"}}), "not a number"),
        ("intent_report.json", json.dumps([1, 2]), "no 'macro avg' f1-score"),
        ("intent_errors.json", json.dumps({"text": "hi"}), "not a JSON list"),
        ("intent_errors.json", json.dumps([{"text": "hi"}]), "lacks text, intent or prediction"),
    ],
)
def test_a_report_that_is_not_what_rasa_writes_is_refused(
    results: Path, name: str, content: str, message: str
) -> None:
    (results / name).write_text(content)
    with pytest.raises(ReportInvalid, match=message):
        intent_macro_f1(results) if name == "intent_report.json" else misclassified(results)


@pytest.mark.parametrize(
    ("ranking", "threshold", "ambiguity", "expected"),
    [
        ([], 0.5, 0.1, True),  # nothing predicted at all
        ([("greet", 0.49)], 0.5, 0.1, True),  # below the threshold
        ([("greet", 0.5)], 0.5, 0.1, False),  # at the threshold: Rasa compares with <
        ([("greet", 0.9), ("goodbye", 0.05)], 0.5, 0.1, False),
        ([("risk_self_harm", 0.52), ("risk_immediate_danger", 0.45)], 0.5, 0.1, True),  # ambiguous
        ([("risk_self_harm", 0.52), ("risk_immediate_danger", 0.45)], 0.5, 0.0, False),
    ],
)
def test_falls_back_like_rasas_fallback_classifier(
    ranking: list[tuple[str, float]], threshold: float, ambiguity: float, expected: bool
) -> None:
    assert falls_back(ranking, threshold, ambiguity) is expected


def parsed(text: str, expected: str, ranking: list[tuple[str, float]], final: str = "") -> Parsed:
    return Parsed(text, expected, final or ranking[0][0], tuple(ranking))


def test_sweep_counts_what_each_setting_costs_and_catches() -> None:
    examples = [
        parsed("hi", "greet", [("greet", 0.95), ("goodbye", 0.01)]),
        parsed("ttyl", "goodbye", [("thank", 0.45), ("goodbye", 0.40)]),  # wrong, unsure
        parsed("kms", "risk_self_harm", [("risk_self_harm", 0.55), ("greet", 0.2)]),
        parsed("ya", "affirm", [("affirm", 0.42), ("deny", 0.40)]),  # right, unsure
        parsed("sos", "risk_immediate_danger", [("affirm", 0.2), ("greet", 0.1)]),  # missed anyway
    ]
    rows = {
        (r.threshold, r.ambiguity_threshold): r for r in sweep(examples, [0.3, 0.5, 0.6], [0.0])
    }
    counts = {
        key: (r.fallbacks, r.correct_lost, r.wrong_caught, r.risk_lost) for key, r in rows.items()
    }
    assert counts[0.3, 0.0] == (1, 0, 1, 0)
    assert counts[0.5, 0.0] == (3, 1, 2, 0)
    # Only now does the fallback take a crisis response away from a risk message.
    assert counts[0.6, 0.0] == (4, 2, 2, 1)
    assert "0.60      0.00 |         4            2            2         1" in format_sweep(
        list(rows.values()), len(examples)
    )


def dev_outcome(macro_f1: float = 0.95, risk: int = 2, line_given: int = 2) -> SetOutcome:
    counts = {"examples": 3, "risk": risk, "risk_line_given": line_given,
              "hard_negative": 0, "ordinary": 1}  # fmt: skip
    rates = {"risk_line_given": line_given / risk if risk else None}
    reports = Reports(
        macro_f1, {"affirm": 1.0}, {"DIETClassifier": {"all": 0.9}},
        [Misclassified("ttyl", "goodbye", "thank", 0.75)],
    )  # fmt: skip
    return SetOutcome("development", reports, FirstFigures(counts, rates), 0)


def test_the_check_passes_with_good_figures_and_every_risk_given_the_line() -> None:
    assert failures(dev_outcome(), [], {}) == []
    text = "\n".join(report(dev_outcome(), show_errors=True))
    assert "Intent macro-F1 0.950" in text
    assert "'ttyl': goodbye -> thank (0.75)" in text


def test_the_check_fails_below_the_required_macro_f1() -> None:
    (problem,) = failures(dev_outcome(macro_f1=0.85), [], {})
    assert "intent macro-F1 0.850 is below 0.90" in problem


def test_the_check_fails_when_a_risk_message_would_get_no_line() -> None:
    (problem,) = failures(dev_outcome(line_given=1), [], {})
    assert problem.startswith("development set: 1 risk example(s) would get neither")


def test_evaluation_without_a_model_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = evaluate_nlu.main(["evaluate_nlu.py", "--model", str(tmp_path / "none.tar.gz")])
    assert code == 2
    err = capsys.readouterr().err
    assert "no model at" in err
    assert "make train" in err


def test_evaluation_without_a_heldout_set_stops_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    argv = ["evaluate_nlu.py", "--model", str(model), "--heldout", str(tmp_path / "no.yml"),
            "--dev-only"]  # fmt: skip
    assert evaluate_nlu.main(argv) == 2
    assert "no held-out set at" in capsys.readouterr().err


def test_candidates_are_the_pipeline_files_and_a_wrong_name_is_refused(tmp_path: Path) -> None:
    names = [c.stem for c in candidate_configs([])]
    assert {"diet_char_ngrams", "logreg_crf"} <= set(names)
    assert [c.stem for c in candidate_configs(["logreg_crf"])] == ["logreg_crf"]
    with pytest.raises(ComparisonError, match=r"no candidate named nope \(have: .*logreg_crf"):
        candidate_configs(["nope"])
    with pytest.raises(ComparisonError, match="no candidate pipelines"):
        candidate_configs([], tmp_path)


def test_the_best_candidate_has_the_highest_macro_f1_then_trains_faster() -> None:
    slow_good = Figures("a", "a.yml", cv_intent_macro_f1=0.931, train_seconds=300)
    fast_good = Figures("b", "b.yml", cv_intent_macro_f1=0.9312, train_seconds=20)
    worse = Figures("c", "c.yml", cv_intent_macro_f1=0.90, train_seconds=5)
    assert best([slow_good, worse]).name == "a"
    assert best([slow_good, fast_good, worse]).name == "b"  # equal to three decimals


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "/nonexistent/nlu"], "no NLU training data at /nonexistent/nlu"),
        (["--heldout", "/nonexistent.yml"], "no held-out set at /nonexistent.yml"),
        (["--only", "nope"], "no candidate named nope"),
    ],
)
def test_comparison_refuses_bad_arguments_before_any_training(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert compare_pipelines.main(["compare_pipelines.py", *args]) == 2
    assert message in capsys.readouterr().err


def test_comparison_needs_at_least_two_folds() -> None:
    with pytest.raises(SystemExit):
        compare_pipelines.main(["compare_pipelines.py", "--folds", "1"])


# Every shelter example names a place, so that each random cross-validation fold both trains
# and tests the location extractors (Rasa's folds are shuffled without a seed).
TINY_TRAINING = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hi
    - hello
    - hey there
    - good morning
    - hiya
    - howdy
- intent: find_shelter
  examples: |
    - need a bed tonight in [daly city](location)
    - where can i sleep in [redwood city](location)
    - homeless in [daly city](location) need a shelter
    - nowhere to sleep tonight in [redwood city](location)
    - bed in [redwood city](location)
    - shelter near [daly city](location)
- intent: risk_self_harm
  examples: |
    - i want to kill myself
    - i want to die
    - thinking of suicide
    - i cut myself again
    - i took all my pills
    - i dont want to live
- lookup: location
  examples: |
    - redwood city
    - daly city
"""

TINY_HELDOUT = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello there
- intent: find_shelter
  examples: |
    - a bed in [daly city](location)
- intent: risk_self_harm
  examples: |
    - hey there
"""


@pytest.mark.slow
# The held-out check loads the Rasa model in this process: TensorFlow, SQLAlchemy and matplotlib
# warn as Rasa imports them, which is not ours to fix.
@pytest.mark.filterwarnings("ignore")
def test_compare_then_evaluate_with_real_rasa_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cross-validates and trains the real logistic-regression candidate on a tiny data set,
    then the held-out check reports its figures and fails: one "risk" example is a greeting."""
    candidates = tmp_path / "pipelines"
    candidates.mkdir()
    shutil.copy(ROOT / "scripts" / "pipelines" / "logreg_crf.yml", candidates)
    (tmp_path / "nlu.yml").write_text(TINY_TRAINING)
    (tmp_path / "heldout.yml").write_text(TINY_HELDOUT)
    out = tmp_path / "out"
    argv = ["compare_pipelines.py", "--candidates", str(candidates), "--folds", "2",
            "--data", str(tmp_path / "nlu.yml"), "--heldout", str(tmp_path / "heldout.yml"),
            "--out", str(out)]  # fmt: skip
    assert compare_pipelines.main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    (figures,) = summary["candidates"]
    assert (summary["best"], summary["folds"]) == ("logreg_crf", 2)
    assert 0.0 < figures["cv_intent_macro_f1"] <= 1.0
    assert 0.0 <= figures["heldout_intent_macro_f1"] <= 1.0
    assert figures["train_seconds"] > 0
    assert figures["model_bytes"] > 0
    # The lookup table's extractor always finds the places, so there are entity figures.
    assert figures["cv_entity_f1"]["RegexEntityExtractor"]["location"] == 1.0
    assert "logreg_crf" in capsys.readouterr().out

    model = out / "logreg_crf" / "model" / "logreg_crf.tar.gz"
    argv = ["evaluate_nlu.py", "--model", str(model), "--heldout", str(tmp_path / "heldout.yml"),
            "--out", str(tmp_path / "eval"), "--dev-only"]  # fmt: skip
    assert evaluate_nlu.main(argv) == 1
    captured = capsys.readouterr()
    assert "development: 3 examples (1 risk" in captured.out
    assert "Risk messages given the crisis line (escalation or safety check): 0/1" in captured.out
    assert "'hey there': risk_self_harm -> " in captured.out  # greet, or too unsure: fallback
    assert "1 risk example(s) would get neither" in captured.err


def test_the_gate_counts_risk_misses_and_never_lists_the_blind_sets() -> None:
    from gate import score

    labelled = [
        ("i want to die", "risk_self_harm"),
        ("im in danger", "risk_immediate_danger"),
        ("bed tonight", "find_shelter"),
        ("food", "find_food"),
    ]
    predicted = [
        ("risk_self_harm", False),
        ("find_shelter", True),  # the safety check is asked: caught
        ("find_food", False),
        ("find_food", False),
    ]
    shown = score(labelled, predicted, blind=False)
    assert shown.risk_missed == []
    assert shown.confusions == {
        "find_shelter -> find_food": 1,
        "risk_immediate_danger -> find_shelter": 1,
    }
    missed = score(labelled, [("greet", False), *predicted[1:]], blind=True)
    assert missed.risk_missed_count == 1
    assert missed.missed_ids == [0]
    assert missed.risk_missed == []  # a blind example is counted, never shown
    assert missed.confusions == {}


def _blind(**rates: float) -> SetOutcome:
    good = {"risk_line_given": 0.99, "risk_escalated": 0.93, "need_served": 0.96, "macro_f1": 0.9,
            "hard_negative_escalated": 0.03, "ordinary_escalated": 0.01}  # fmt: skip
    reports = Reports(0.86, {"affirm": 0.99, "deny": 0.93}, {}, [])
    return SetOutcome("blind", reports, FirstFigures({}, {**good, **rates}), 0)


def test_the_blind_guard_passes_todays_figures_and_fails_a_step_back() -> None:
    dev = dev_outcome()
    assert failures(dev, [_blind()], {}) == []
    [fewer_lines] = failures(dev, [_blind(risk_line_given=0.9)], {})
    assert fewer_lines == "blind set: risk_line_given 0.900 is below 0.980"
    [more_alarms] = failures(dev, [_blind(hard_negative_escalated=0.1)], {})
    assert more_alarms == "blind set: hard_negative_escalated 0.100 is above 0.045"
    [language] = failures(dev, [_blind()], {"language2": {"right_from_second": 0.95}})
    assert language == "language2 set: right_from_second 0.950 is below 0.980"


def test_the_population_guard_fails_a_model_that_forgot_who_the_help_is_for() -> None:
    """ "a shelter for women" must still find "women": the blind sets guard population F1."""
    dev = dev_outcome()

    def blind(population: float) -> SetOutcome:
        outcome = _blind()
        entities = {"CRFEntityExtractor": {"all": 0.9, "population": population},
                    "RegexEntityExtractor": {"all": 0.8, "population": 0.0}}  # fmt: skip
        reports = Reports(0.86, {"affirm": 0.99, "deny": 0.93}, entities, [])
        return SetOutcome("blind", reports, outcome.first, 0)

    assert failures(dev, [blind(0.70)], {}) == []
    [why] = failures(dev, [blind(0.594)], {})
    assert why == "blind set: population_f1 0.594 is below 0.650"


LABELLED = [(f"text {i}", "find_food" if i % 2 else "find_shelter") for i in range(40)]


def _predicted(wrong: set[int]) -> list[tuple[str, bool]]:
    flip = {"find_food": "find_shelter", "find_shelter": "find_food"}
    return [(flip[e] if i in wrong else e, False) for i, (_, e) in enumerate(LABELLED)]


def test_the_gate_lets_a_difference_within_training_noise_pass() -> None:
    from gate import compare

    # Two trainings of the same data: each gets a few examples the other misses.
    found = compare(LABELLED, _predicted({1, 2, 3}), _predicted({4, 5, 6, 7, 8}), False, "heldout")
    assert (found["live_only"], found["candidate_only"]) == (5, 3)
    assert found["macro_f1_change"] < -0.01  # the old 0.01 margin would have refused it
    assert found["p_worse"] > 0.3
    assert found["reasons"] == []


def test_the_gate_refuses_a_candidate_worse_beyond_noise() -> None:
    from gate import compare

    found = compare(LABELLED, _predicted(set()), _predicted(set(range(8))), False, "heldout")
    assert found["p_worse"] == round(0.5**8, 4)
    [reason] = found["reasons"]
    assert reason.startswith("heldout: worse than the live model beyond training noise: of the 8")


def test_the_gate_still_refuses_any_risk_example_missed() -> None:
    from gate import compare

    labelled = [*LABELLED, ("i want to end it", "risk_self_harm")]
    old = [*_predicted(set()), ("risk_self_harm", False)]
    new = [*_predicted(set()), ("find_food", False)]
    [reason] = compare(labelled, old, new, False, "reviewed")["reasons"]
    assert reason == "reviewed: misses 1 risk example(s): ['i want to end it']"
    assert compare(labelled, old, new, True, "blind")["reasons"] == []  # counted, not a reason


def test_a_models_results_are_computed_once_per_model_file_and_examples(tmp_path, monkeypatch):
    import gate

    loads: list[str] = []
    monkeypatch.setattr(gate, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(gate, "_load", lambda model: loads.append(model.name) or model)

    async def parse_all(agent, texts, who="model"):
        return {name: [("find_food", False)] * len(batch) for name, batch in texts.items()}

    async def conversations(agent, out):
        return True, "", True

    monkeypatch.setattr(gate, "_parse_all", parse_all)
    monkeypatch.setattr(gate, "_conversations", conversations)
    model = tmp_path / "model-a.tar.gz"
    model.write_bytes(b"model a")
    texts = {"heldout": ["a bed", "food"]}
    first = gate.results(model, texts, tmp_path)
    again = gate.results(model, texts, tmp_path)
    assert (first["cached"], again["cached"]) == (False, True)
    assert again["parses"] == first["parses"]
    assert loads == ["model-a.tar.gz"]  # loaded once, for the parses and the stories together
    gate.results(model, {"heldout": ["a bed", "food", "a doctor"]}, tmp_path)  # new examples
    model.write_bytes(b"model a, retrained")  # the same name, another model
    gate.results(model, texts, tmp_path)
    assert loads == ["model-a.tar.gz"] * 3

    async def broken(agent, out):  # a full disk, not the model: not kept
        return False, "the conversation tests could not run: OSError: disk full", False

    monkeypatch.setattr(gate, "_conversations", broken)
    other = tmp_path / "model-b.tar.gz"
    other.write_bytes(b"model b")
    assert gate.results(other, texts, tmp_path)["conversations"]["passed"] is False
    monkeypatch.setattr(gate, "_conversations", conversations)
    assert gate.results(other, texts, tmp_path)["conversations"]["passed"] is True


WRONG_STORY = """version: "3.1"
stories:
- story: a greeting answered with goodbye
  steps:
  - user: |
      hello
    intent: greet
  - action: utter_goodbye
"""


@pytest.mark.slow
def test_the_gates_conversation_tests_pass_todays_stories_and_catch_a_wrong_one(
    tmp_path, monkeypatch
):
    import asyncio

    import gate

    from scripts.model import train

    agent = gate._load(train())  # the model of the current data (trained once per run)
    assert asyncio.run(gate._conversations(agent, tmp_path / "good")) == (True, "", True)
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "test_wrong.yml").write_text(WRONG_STORY)
    monkeypatch.setattr(gate, "STORIES", tmp_path / "stories")
    passed, failure, kept = asyncio.run(gate._conversations(agent, tmp_path / "bad"))
    assert not passed
    assert kept  # the model's own failure: kept with its results
    assert "utter_goodbye  # predicted: utter_greet" in failure


def test_what_each_example_received_is_never_shown_for_a_blind_set(capsys) -> None:
    import first_reply

    for blind in first_reply.BLIND_SETS.values():
        assert first_reply.main(["first_reply.py", str(blind), "--show"]) == 2
        assert "a blind set's examples are never read" in capsys.readouterr().err
    example = first_reply.Example(
        "he hit me, need a bed", "risk_immediate_danger", "risk", ("find_shelter",), "escalate"
    )
    received = first_reply.Received(
        example, "danger/clear", "risk_immediate_danger", True, False, None, True
    )
    assert first_reply.outcome(received) == (
        "   risk/escalate ESCALATED intent=risk_immediate_danger need find_shelter->none"
        " LINE TWICE | he hit me, need a bed"
    )


def _row(text: str, level: str, hard: bool = False, needs: list[str] | None = None) -> dict:
    return {
        "text": text,
        "level": level,
        "risk": None if level == "none" else "self_harm",
        "needs": needs or [],
        "hard": hard,
        "intent": "x",
    }


def test_the_need_rule_turns_a_model_escalation_that_names_a_need_into_the_check():
    """tune_risk's `demotion`: below need_escalate, a message the risk model alone escalates and
    that names a need ("need a lawyer") is not escalated; above it, and without a need, it is."""
    from tune_risk import demotion

    rows = [
        _row("that night keeps coming back, i need a lawyer for custody", "none", hard=True),
        _row("i keep thinking about it and need a lawyer", "escalate"),
        _row("i keep thinking about it", "escalate"),
    ]
    scores = [{"escalate": 0.65, "any": 0.9}, {"escalate": 0.95, "any": 1.0},
              {"escalate": 0.65, "any": 0.9}]  # fmt: skip
    table = {t["need_escalate"]: t for t in demotion(rows, scores)}

    assert table[None]["hard_escalated"] == 1.0
    assert table[0.7]["hard_escalated"] == 0.0  # 0.65 < 0.7, and it names a lawyer
    assert table[0.7]["escalated_of_to_escalate"] == 1.0  # 0.95 holds; no need named at 0.65
    assert table[0.9]["line_of_risk"] == 1.0


def test_the_risk_models_veto_takes_the_screens_clear_tier_off_but_never_strangulation():
    """tune_risk's `veto` (the built screen's rule, by threshold): below the veto, a clear screen
    signal the risk model gives no weight becomes the check; a partner's strangulation never does."""
    from tune_risk import veto

    rows = [
        _row("my cousin got shot and now the cops want me to testify", "none", hard=True),
        _row("he choked me last month and i still live with him", "escalate"),
        _row("im going to kill myself tonight", "escalate"),
    ]
    scores = [{"escalate": 0.03}, {"escalate": 0.03}, {"escalate": 0.97}]
    table = {t["veto"]: t for t in veto(rows, scores)}

    assert table[None]["hard_escalated"] == 1.0  # the screen's clear tier, as today
    assert table[0.05]["hard_escalated"] == 0.0  # 0.03 < 0.05: the check instead
    assert table[0.05]["escalated_of_to_escalate"] == 1.0  # strangulation, and 0.97
    assert table[0.05]["to_escalate_demoted"] == 0
    assert table[0.02]["hard_escalated"] == 1.0


def test_diet_as_a_second_opinion_escalates_below_high_only_when_diet_reads_risk():
    from tune_risk import agreement

    rows = [_row("i dont see the point anymore", "escalate"), _row("my phone died", "none")]
    scores = [{"escalate": 0.45}, {"escalate": 0.45}]
    parsed = {
        "i dont see the point anymore": {"screen": None, "ranking": [["risk_self_harm", 0.7]]},
        "my phone died": {"screen": None, "ranking": [["chitchat", 0.8]]},
    }
    table = {(t["low"], t["high"]): t for t in agreement(rows, scores, parsed)}

    assert table[(0.4, 0.8)]["escalated_of_to_escalate"] == 1.0  # 0.45 with DIET's risk
    assert table[(0.4, 0.8)]["ordinary_escalated"] == 0.0  # 0.45 without it
    assert table[(0.5, 0.8)]["escalated_of_to_escalate"] == 0.0


def test_two_models_are_compared_only_where_one_is_right_and_the_other_wrong():
    from compare_models import gain_by_intent
    from gate import compare

    expected = ["affirm", "deny", "find_food", "find_food", "greet"]
    labelled = [(f"text {i}", intent) for i, intent in enumerate(expected)]
    a = [(i, False) for i in ["affirm", "affirm", "find_food", "find_shelter", "deny"]]  # 0, 2
    b = [(i, False) for i in ["affirm", "deny", "find_shelter", "find_food", "thank"]]  # 0, 1, 3

    found = compare(labelled, a, b, blind=True)

    # Both right on 0, both wrong on 4: neither counts.
    assert (found["live_only"], found["candidate_only"]) == (1, 2)
    assert found["p_worse"] > 0.5
    assert not found["reasons"]
    assert gain_by_intent(labelled, a, b) == {"deny": 1}  # find_food: one each way


def test_a_held_out_sets_needs_are_read_by_intent_or_by_name(tmp_path: Path) -> None:
    """A set written with the training data's need names (shelter) is judged like one written
    with intents (find_shelter): each names a need to be served."""
    import first_reply

    held_out = tmp_path / "heldout.yml"
    held_out.write_text(
        'version: "3.1"\nnlu:\n- intent: risk_self_harm\n  examples:\n'
        "  - text: |\n      cant go on, need a bed\n"
        "    metadata: {kind: risk, level: check, needs: [shelter]}\n"
        "  - text: |\n      cant go on, need food\n"
        "    metadata: {kind: risk, level: check, needs: [find_food]}\n"
    )
    assert [e.needs for e in first_reply.load_set(held_out)] == [("find_shelter",), ("find_food",)]


def test_a_fold_annotates_populations_as_the_training_data_does() -> None:
    """The writers' populations keep their words with the training data's value; where they
    wrote none, the model's are added; an example left with none is marked for the extractor."""
    import fold_spent

    synonyms = {"kids": "family", "vet": "veteran"}
    found = [
        {"entity": "population", "start": 9, "end": 12, "value": "veteran",
         "confidence_entity": 0.9},
        {"entity": "location", "start": 26, "end": 35, "value": "daly city"},
    ]  # fmt: skip
    text, added = fold_spent.populations_kept(
        "im a sad vet, need a bed [daly city](location)", found, synonyms, 0.5
    )
    assert (text, added) == ("im a sad [vet](population), need a bed [daly city](location)", 1)
    # A writer's value that the synonyms contradict takes theirs; the model adds nothing more.
    text, added = fold_spent.populations_kept(
        'food for my [kids]{"entity": "population", "value": "youth"}', [], synonyms, 0.5
    )
    assert (text, added) == ("food for my [kids](population)", 0)
    # Below the confidence asked, or not a population the actions know: left bare.
    low = [{**found[0], "confidence_entity": 0.2}]
    assert fold_spent.populations_kept("im a sad vet", low, synonyms, 0.5) == ("im a sad vet", 0)
    odd = [{"entity": "population", "start": 0, "end": 5, "value": "nurse",
            "confidence_entity": 0.9}]  # fmt: skip
    assert fold_spent.populations_kept("nurse here", odd, synonyms, 0.5) == ("nurse here", 0)

    kept = {"find_shelter": [("a bed for my [kids](population)", {}), ("a bed", {"risk": "check"})]}
    fold_spent.mark_unannotated(kept)
    assert kept["find_shelter"] == [
        ("a bed for my [kids](population)", {}),
        ("a bed", {"risk": "check", "populations": "unannotated"}),
    ]
