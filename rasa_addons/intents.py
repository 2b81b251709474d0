"""The intent classifier: Rasa's logistic regression, with its regularisation as a setting.

Rasa's ``LogisticRegressionClassifier`` fits scikit-learn's ``LogisticRegression`` with the
inverse regularisation strength ``C`` left at 1.0 and no way to change it. On this data (word
and character n-gram counts, about 20,000 examples, 23 intents, balanced class weights) that
flattens the probabilities of a message carried by one decisive word seen in few examples:
"sos" came out ``nlu_fallback`` (0.30) where DIET, which this replaced, said
``risk_immediate_danger`` (0.96). ``C`` was chosen by cross-validation on the training data
alone (docs/figures.md, "The intent model"); everything else is Rasa's component as it is, so
the model is saved and loaded by its code (skops).

A message with no Latin letter or digit ("😭", "?", "...", an emoji alone, a script the training
data has no word of; as :func:`contract.normalise` reads it) has no feature of its own:
a character n-gram of the spaces around a word is all every message shares, and the regression
then answers with its intercepts, the intent with the largest first: ``affirm`` at 0.53, above
the FallbackClassifier's threshold, so "😭" after "Are you safe right now?" was read as yes. DIET
gave such a message no confidence (``nlu_fallback``). Here it gets every intent at the same
confidence (one over their number), what the regression knows of it: the FallbackClassifier
makes it ``nlu_fallback``. A lone 👍 or 👎 is an answer, decided after this by
:mod:`rasa_addons.answers`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH

from contract import normalise


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RegularisedLogisticRegression(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` with ``C`` (default 1.0, scikit-learn's and Rasa's)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def process(self, messages: list[Message]) -> list[Message]:
        """Rasa's ranking of the intents, but every intent equally likely for a message with no
        Latin letter or digit."""
        if not messages:
            return messages
        x = self._create_X(messages)
        probabilities = self.clf.predict_proba(x)
        blank = [not normalise(str(m.get("text") or "")).strip() for m in messages]
        probabilities[np.array(blank, dtype=bool)] = 1.0 / len(self.clf.classes_)
        length = int(self.config[RANKING_LENGTH])
        for message, row in zip(messages, probabilities, strict=True):
            scored = sorted(
                ((str(name), float(p)) for name, p in zip(self.clf.classes_, row, strict=True)),
                key=lambda e: -e[1],
            )
            ranking = [{"name": name, "confidence": p} for name, p in scored]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[:length] if length > 0 else ranking,
                        add_to_output=True)  # fmt: skip
        return messages
