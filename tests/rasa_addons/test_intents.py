"""The intent classifier (rasa_addons/intents.py): Rasa's logistic regression with its C as a
setting. A short cry carried by one word the training data has in few examples must not come out
flat: at Rasa's fixed C (1.0) "sos" fell below the fallback threshold (0.3)."""

from __future__ import annotations

import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's imports: TensorFlow's and jax's deprecations
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer,
    )
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from rasa_addons.intents import RegularisedLogisticRegression

EXAMPLES = {
    "risk_immediate_danger": [
        "hes outside with a knife", "someone is breaking in", "he is hitting me right now",
        "sos please", "help hes choking me", "my ex is at the door with a gun",
    ],
    "find_food": [
        "where can i get food", "food bank near me", "im hungry", "need groceries",
        "any free meals tonight", "soup kitchen open now",
    ],
    "find_shelter": [
        "where can i sleep tonight", "need a bed", "shelter near me", "nowhere to stay",
        "emergency housing", "somewhere to sleep please",
    ],
    "greet": ["hi", "hello", "hey there", "good evening", "hola", "hi bot"],
}  # fmt: skip


class Features:
    """Rasa's whitespace tokenizer and character n-gram counts, trained on the examples."""

    def __init__(self, tmp_path: Path, data: TrainingData) -> None:
        (tmp_path / "features").mkdir(exist_ok=True)
        self.tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        self.counts = CountVectorsFeaturizer.create(
            {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "max_ngram": 4},
            LocalModelStorage(tmp_path / "features"), Resource("counts"),
            ExecutionContext(GraphSchema({})),
        )  # fmt: skip
        self.tokenizer.process_training_data(data)
        self.counts.train(data)
        self.counts.process_training_data(data)

    def of(self, text: str) -> list[Message]:
        messages = [Message(data={"text": text})]
        self.tokenizer.process(messages)
        self.counts.process(messages)
        return messages


def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts]
    )


def config(c: float) -> dict:
    return {**RegularisedLogisticRegression.get_default_config(), "C": c, "solver": "liblinear"}


def trained(tmp_path: Path, c: float) -> tuple[RegularisedLogisticRegression, Features]:
    data = training_data()
    features = Features(tmp_path, data)
    (tmp_path / f"c{c}").mkdir()
    component = RegularisedLogisticRegression.create(
        config(c), LocalModelStorage(tmp_path / f"c{c}"), Resource("intents"),
        ExecutionContext(GraphSchema({})),
    )  # fmt: skip
    component.train(data)
    return component, features


def read(component: RegularisedLogisticRegression, features: Features, text: str) -> dict:
    [message] = component.process(features.of(text))
    return message.get("intent")


def test_the_setting_reaches_the_regression_and_rasas_default_is_kept():
    default = RegularisedLogisticRegression.get_default_config()
    assert default["C"] == 1.0  # Rasa's own, unchanged
    assert default["solver"] == "lbfgs"
    component = RegularisedLogisticRegression(
        {"C": 2.0},
        "intents",
        None,  # type: ignore[arg-type]  # no storage: nothing is trained or saved here
        Resource("intents"),
    )
    assert component.clf.get_params()["C"] == 2.0
    assert component.clf.get_params()["class_weight"] == "balanced"


def test_a_rare_decisive_word_is_read_more_sharply_with_less_regularisation(tmp_path):
    flat = read(*trained(tmp_path, 1.0), "sos")
    sharp = read(*trained(tmp_path, 4.0), "sos")
    assert flat["name"] == sharp["name"] == "risk_immediate_danger"
    assert sharp["confidence"] > flat["confidence"]


def test_saved_and_loaded_it_answers_as_it_did(tmp_path):
    component, features = trained(tmp_path, 2.0)
    before = read(component, features, "any food near me")
    loaded = RegularisedLogisticRegression.load(
        config(2.0), component._model_storage, component._resource,
        ExecutionContext(GraphSchema({})),
    )  # fmt: skip
    after = read(loaded, features, "any food near me")
    assert after["name"] == before["name"] == "find_food"
    assert abs(after["confidence"] - before["confidence"]) < 1e-9
    assert loaded.clf.get_params()["C"] == 2.0


def test_a_message_with_no_letter_or_digit_gets_no_intent_over_another(tmp_path):
    """ "😭", "?" or "..." share only the spaces around a word with other messages: the regression
    would answer with its intercepts (affirm, 0.53 on the real data, so "😭" to "Are you safe
    right now?" was a yes). Every intent is as likely: below any fallback threshold."""
    component, features = trained(tmp_path, 2.0)
    for text in ("😭", "?", "...", "🔪🔪"):
        read = read_all(component, features, text)
        assert read["intent"]["confidence"] == 1 / len(EXAMPLES)
        assert {r["confidence"] for r in read["intent_ranking"]} == {1 / len(EXAMPLES)}
    assert read_all(component, features, "sos")["intent"]["confidence"] > 1 / len(EXAMPLES)


def read_all(component: RegularisedLogisticRegression, features: Features, text: str) -> dict:
    [message] = component.process(features.of(text))
    return {"intent": message.get("intent"), "intent_ranking": message.get("intent_ranking")}
