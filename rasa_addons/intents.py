"""The intent classifier: Rasa's logistic regression, with its regularisation as a setting.

Rasa's ``LogisticRegressionClassifier`` fits scikit-learn's ``LogisticRegression`` with the
inverse regularisation strength ``C`` left at 1.0 and no way to change it. On this data (word
and character n-gram counts, about 20,000 examples, 26 intents, balanced class weights) that
flattens the probabilities of a message carried by one decisive word seen in few examples:
"sos" came out ``nlu_fallback`` (0.30) where DIET, which this replaced, said
``risk_immediate_danger`` (0.96). ``C`` was chosen by cross-validation on the training data
alone (docs/figures.md, "The intent model"); everything else is Rasa's component as it is, so
the model is saved and loaded by its code (skops).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier


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
