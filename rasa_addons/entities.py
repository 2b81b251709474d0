"""The entity extractor, taught only by examples whose populations were annotated.

Rasa's ``CRFEntityExtractor`` learns from every training example what is an entity and what is
not: a word left bare teaches it "no entity". The spent held-out rounds folded into
``data/nlu`` (``scripts/fold_spent.py``) were written by helpers who annotated places but few
populations; their examples, thousands of them, would teach that "veteran" or "mis hijos" is
none (round 17 measured it: population F1 fell by a quarter, docs/figures.md). The fold marks
an example whose populations nobody annotated ``populations: unannotated``; such an example
teaches the intents and the risk model, and this extractor leaves it out. Everything else is
Rasa's CRF as it is (its features in ``config.yml``, its persistence, its predictions).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

UNANNOTATED = {"populations": "unannotated"}


def unannotated(message: Message) -> bool:
    """Whether the example's metadata says nobody annotated its populations."""
    metadata: Any = message.get("metadata") or {}
    example = metadata.get("example", metadata) if isinstance(metadata, dict) else {}
    return isinstance(example, dict) and all(example.get(k) == v for k, v in UNANNOTATED.items())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class AnnotatedCRFEntityExtractor(CRFEntityExtractor):
    """Rasa's CRF entity extractor, trained on the examples whose populations were annotated."""

    def train(self, training_data: TrainingData) -> Resource:
        kept = [m for m in training_data.training_examples if not unannotated(m)]
        return super().train(
            TrainingData(
                kept,
                entity_synonyms=training_data.entity_synonyms,
                regex_features=training_data.regex_features,
                lookup_tables=training_data.lookup_tables,
            )
        )
