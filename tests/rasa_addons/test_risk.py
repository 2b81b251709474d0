"""The risk model fitted from scratch and fine-tuned (rasa_addons/risk.py): a fine-tuned
candidate starts from the live model's regressions and keeps its vocabulary, and answers as a
fit from scratch over the same words does."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's imports: TensorFlow's and jax's deprecations
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from contract import NEED_FOR_INTENT, RISK_FOR_INTENT, SELF_HARM
    from rasa_addons.risk import ESCALATE, NONE, SCORES, RiskClassifier, RiskModel
    from tests.risk_models import RISK

SAFE = [
    "need a bed tonight in daly city", "where can i get food", "food bank near me",
    "my brother died last year need a counselor", "car crash last week need a doctor",
    "i nearly died laughing", "need a lawyer for my eviction", "shelter for me and my kids",
    "where is the nearest clinic", "help paying my rent",
]  # fmt: skip
NAMES = sorted(NEED_FOR_INTENT)  # each need asked once among SAFE


def data(extra: dict[str, str] | None = None) -> tuple[list, list, list, list]:
    """(texts, levels, risks, needs) as RiskClassifier.train reads them from the examples."""
    texts = RISK + SAFE + list(extra or {})
    intents = ["risk_self_harm" if i % 2 else "risk_immediate_danger" for i in range(len(RISK))]
    intents += [NAMES[i % len(NAMES)] for i in range(len(SAFE))] + list((extra or {}).values())
    levels = [ESCALATE if i.startswith("risk_") else NONE for i in intents]
    risks = [RISK_FOR_INTENT.get(i) for i in intents]
    needs = [[i] if i in NEED_FOR_INTENT else [] for i in intents]
    return texts, levels, risks, needs


PROBES = ["i want to die", "need food tonight", "he hit me with a bat", "my dog died last year"]


def test_a_refit_answers_as_a_fit_from_scratch_over_the_same_words_in_fewer_iterations():
    live = RiskModel().fit(*data())
    more = data({"landlord locked me out need a place to crash": "find_shelter"})
    refitted = copy.deepcopy(live).refit(*more)
    # From scratch over the live model's features: the same optimum, reached from nothing.
    fresh = copy.deepcopy(live)
    x = fresh.features.transform(more[0])
    fresh.escalate = copy.deepcopy(fresh.escalate).set_params(warm_start=False)
    fresh.escalate.fit(x, [level == ESCALATE for level in more[1]])
    got = [s["escalate"] for s in refitted.scores(PROBES)]
    assert got == pytest.approx([s["escalate"] for s in fresh.scores(PROBES)], abs=0.01)
    assert refitted.escalate.n_iter_[0] < fresh.escalate.n_iter_[0]
    assert refitted.escalate.get_params()["warm_start"] is False  # persisted as a plain fit
    # The vocabulary is the live model's: a word only the new example has is not learnt.
    assert "landlord" not in refitted.features.transformer_list[0][1].vocabulary_


def component(tmp_path: Path, finetuning: bool) -> RiskClassifier:
    (tmp_path / "storage").mkdir(parents=True)
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("risk")
    context = ExecutionContext(GraphSchema({}), is_finetuning=finetuning)
    if not finetuning:
        return RiskClassifier.create({"C": 32.0}, storage, resource, context)
    live = RiskClassifier.create({"C": 32.0}, storage, resource, context)
    live.train(training_data(data()))
    return RiskClassifier.load({"C": 32.0}, storage, resource, context)


def training_data(rows: tuple[list, list, list, list]) -> TrainingData:
    """The same examples as Rasa hands them to the component."""
    texts, _levels, risks, needs = rows
    intents = [
        ("risk_self_harm" if risk == SELF_HARM else "risk_immediate_danger") if risk else need[0]
        for risk, need in zip(risks, needs, strict=True)
    ]
    examples = [Message.build(text=t, intent=i) for t, i in zip(texts, intents, strict=True)]
    return TrainingData(training_examples=examples)


def test_the_component_fine_tuned_starts_from_the_loaded_model_and_from_scratch_otherwise(
    tmp_path: Path,
):
    more = training_data(data({"landlord locked me out need a place to crash": "find_shelter"}))
    tuned = component(tmp_path / "tuned", finetuning=True)
    vocabulary = dict(tuned.model.features.transformer_list[0][1].vocabulary_)
    tuned.train(more)
    scratch = component(tmp_path / "scratch", finetuning=False)
    scratch.train(more)
    assert tuned.model.features.transformer_list[0][1].vocabulary_ == vocabulary
    assert "landlord" in scratch.model.features.transformer_list[0][1].vocabulary_
    messages = [Message.build(text=t) for t in PROBES]
    tuned.process(messages)
    # Both read the same risk in the same messages.
    assert [m.get(SCORES)["escalate"] >= 0.5 for m in messages] == [True, False, True, False]
