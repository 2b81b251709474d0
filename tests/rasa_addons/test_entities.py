"""The entity extractor learns who the help is for only from examples whose populations were
annotated: folded examples whose writers left "veteran" bare do not teach it that it is none."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import scipy.sparse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's imports: TensorFlow's and jax's deprecations
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.entities_parser import parse_training_example
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from rasa_addons.entities import UNANNOTATED, AnnotatedCRFEntityExtractor, unannotated

ANNOTATED = [
    "im a [veteran](population) and need a bed tonight",
    "shelter for [women](population) in daly city",
    "any food for [seniors](population)",
    "[veteran](population) looking for housing",
    "help for [veteran](population) with rent",
    "is there a clinic for [women](population)",
]
# As the spent rounds were written: the words of a population, left bare.
BARE = [
    f"{who} {what}"
    for who in ("veteran here", "im a veteran", "my dad is a veteran", "veteran and homeless")
    for what in ("need a bed", "cant pay rent", "need food", "need to talk to someone",
                 "need a doctor", "lost my job", "need a lawyer", "need a shower")
]  # fmt: skip


def example(text: str, marked: bool = False) -> Message:
    message = parse_training_example(text, "find_shelter")
    return Message.build(
        message.get("text"),
        "find_shelter",
        message.get("entities"),
        example_metadata=dict(UNANNOTATED) if marked else None,
    )


def tokenized(messages: list[Message]) -> list[Message]:
    """Tokens, and a featurizer's mark: Rasa's CRF learns only from examples with features."""
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(messages)
    for message in messages:
        tokens = message.get(TOKENS_NAMES[TEXT])
        matrix = scipy.sparse.coo_matrix(np.ones((len(tokens), 1)))
        message.add_features(Features(matrix, FEATURE_TYPE_SEQUENCE, TEXT, "test"))
    return messages


def trained(cls: type[CRFEntityExtractor], tmp_path: Path, marked: bool) -> CRFEntityExtractor:
    data = TrainingData(
        tokenized([example(t) for t in ANNOTATED] + [example(t, marked) for t in BARE])
    )
    storage = tmp_path / cls.__name__
    storage.mkdir()
    extractor = cls.create(
        cls.get_default_config(),
        LocalModelStorage(storage),
        Resource("crf"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    extractor.train(data)
    return extractor


def populations(extractor: CRFEntityExtractor, text: str) -> list[str]:
    [message] = extractor.process(tokenized([Message.build(text)]))
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == "population"]


def test_the_mark_is_read_from_the_examples_metadata() -> None:
    assert unannotated(example("veteran here need a bed", marked=True))
    assert not unannotated(example("veteran here need a bed"))
    assert not unannotated(Message.build("hi"))


def test_bare_words_of_unannotated_examples_do_not_teach_that_a_veteran_is_none(
    tmp_path: Path,
) -> None:
    text = "im a veteran need a bed"
    # Rasa's own CRF, taught by the bare words, misses the veteran (the fault being fixed)...
    assert populations(trained(CRFEntityExtractor, tmp_path, marked=True), text) == []
    # ...and this one, taught only by the annotated examples, finds it.
    learnt = trained(AnnotatedCRFEntityExtractor, tmp_path, marked=True)
    assert populations(learnt, text) == ["veteran"]


def test_an_unmarked_example_still_teaches_the_extractor(tmp_path: Path) -> None:
    # Unmarked, the same bare examples count as annotated: no population in them.
    learnt = trained(AnnotatedCRFEntityExtractor, tmp_path, marked=False)
    assert populations(learnt, "im a veteran need a bed") == []
