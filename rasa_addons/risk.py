"""The risk model: how likely a message is to need the full escalation, or at least a check.

A model of its own, apart from the intents (docs/figures.md, "Risk: what was compared"): the intent
classifier (DIET then) learnt twenty-odd intents at once and was confident about all of them, so a
risk word in a request ("car crash last week, need a doctor") pulled its risk intents up, and its
scores did not say how sure it was. This component learns one thing from the same training data,
with the contrast the data is written for (the same words at risk now, and about the past, grief,
other people, money, jokes): logistic regressions on word and character n-grams of the normalised
text, whose probabilities are calibrated enough to set thresholds on.

Labels come from the training data itself: an example of ``risk_self_harm`` or
``risk_immediate_danger`` is risk, to escalate unless its metadata says ``risk: check``; an
example of any other intent is no risk, unless its metadata says ``risk: check`` (a need asked
with an uncertain signal: "i cant do this anymore, i need a bed"). Three models are fitted:

- ``escalate``: risk to escalate against everything else;
- ``any``: risk of either level against no risk;
- ``self_harm``: among risk examples, self-harm against danger (which crisis reply);
- ``needs``: one regression per ``find_*`` intent, for what a message asks for beside a risk
  ("he hit me again, where can me and the kids sleep": shelter). The intent classifier cannot say
  this: it learns one intent per message. Its labels are the ``needs`` of an example's metadata,
  else the example's own ``find_*`` intent, else none.

For every message it sets ``risk_scores`` (``{"escalate": p, "any": p, "self_harm": p,
"needs": {intent: p}}``, needs of 0.2 and above), which :mod:`rasa_addons.triage` reads, and
nothing else: it changes no intent itself. Fine-tuned (``rasa train --finetune``, the admin
loop's candidates), it starts from the live model's regressions and keeps its features
(:meth:`RiskModel.refit`). The model is persisted with skops, as Rasa's own
LogisticRegressionClassifier is, and contains only scikit-learn's own types.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MultiLabelBinarizer

from contract import NEED_FOR_INTENT, RISK_FOR_INTENT, SELF_HARM, normalise

logger = logging.getLogger(__name__)

SCORES = "risk_scores"
# Types skops does not trust by default that a fitted model holds: TfidfTransformer keeps its
# idf weights as a sparse diagonal matrix.
EXPECTED_TYPES = {"scipy.sparse._csr.csr_matrix"}
ESCALATE, CHECK, NONE = "escalate", "check", "none"


def _meta(metadata: Any) -> dict[str, Any]:
    meta = metadata.get("example", metadata) if isinstance(metadata, dict) else {}
    return meta if isinstance(meta, dict) else {}


def level_of(intent: str | None, metadata: Any) -> tuple[str, str | None]:
    """(level, risk) of a training example: its intent, and the ``risk`` of its metadata."""
    said = _meta(metadata).get("risk")
    risk = RISK_FOR_INTENT.get(intent or "")
    if risk is not None:
        return (CHECK if said == CHECK else ESCALATE), risk
    return (CHECK if said == CHECK else NONE), None


def needs_of(intent: str | None, metadata: Any) -> list[str]:
    """The ``find_*`` intents a training example asks for (see the module's docstring)."""
    said = _meta(metadata).get("needs")
    if isinstance(said, list):
        return [str(n) for n in said if str(n) in NEED_FOR_INTENT]
    return [intent] if intent in NEED_FOR_INTENT else []


def features() -> FeatureUnion:
    """Word unigrams and bigrams, and character 3- to 6-grams across word boundaries
    (misspellings, SMS spelling, and short phrases: "ed my", "me now"). Chosen on
    cross-validation against char_wb 2-5, word trigrams and a sentence embedding
    (docs/figures.md, "Risk: what was compared")."""
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=False)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(3, 6), sublinear_tf=True, min_df=2,
                    lowercase=False,
                ),
            ),
        ]
    )  # fmt: skip


def _words(texts: list[str]) -> list[str]:
    """What the features read: each text as `contract.normalise` gives it."""
    return [normalise(t).strip() for t in texts]


class RiskModel:
    """The three regressions and their shared features; plain scikit-learn, no Rasa."""

    def __init__(self, c: float = 32.0) -> None:
        self.c = c
        self.features = features()
        self.escalate = LogisticRegression(C=c, max_iter=4000)
        self.any = LogisticRegression(C=c, max_iter=4000)
        self.self_harm = LogisticRegression(C=c, max_iter=4000)
        self.needs = OneVsRestClassifier(LogisticRegression(C=c, max_iter=4000))
        self.need_names = MultiLabelBinarizer(classes=sorted(NEED_FOR_INTENT))

    def fit(
        self,
        texts: list[str],
        levels: list[str],
        risks: list[str | None],
        needs: list[list[str]] | None = None,
    ) -> RiskModel:
        x = self.features.fit_transform(_words(texts))
        for estimator, rows_x, y in self._risk_targets(x, levels, risks):
            estimator.fit(rows_x, y)
        self.needs.fit(x, self.need_names.fit_transform(needs or [[] for _ in texts]))
        return self

    def _risk_targets(
        self, x: Any, levels: list[str], risks: list[str | None]
    ) -> list[tuple[LogisticRegression, Any, list[bool]]]:
        """Each risk regression with the rows of ``x`` it learns from and their labels."""
        rows = [i for i, risk in enumerate(risks) if risk is not None]
        return [
            (self.escalate, x, [level == ESCALATE for level in levels]),
            (self.any, x, [level != NONE for level in levels]),
            (self.self_harm, x[rows], [risks[i] == SELF_HARM for i in rows]),
        ]

    def can_refit(self) -> bool:
        """Whether :meth:`refit` can start from this fitted model: every regression fitted
        (a need with no example has a constant predictor instead, with nothing to start from)."""
        estimators = getattr(self.needs, "estimators_", [])
        return bool(estimators) and all(isinstance(e, LogisticRegression) for e in estimators)

    def refit(
        self,
        texts: list[str],
        levels: list[str],
        risks: list[str | None],
        needs: list[list[str]] | None = None,
    ) -> RiskModel:
        """Fit again on ``texts`` from this model's coefficients, with its features as they
        are (the vocabulary of the data it was first fitted on, as Rasa's own featurizers keep
        theirs when fine-tuning). The regressions are convex, so this reaches the same optimum
        as a fit from scratch over the same features, in a few iterations instead of a hundred
        or more: in a fine-tuned candidate, 14 s instead of 38 s (docs/admin.md)."""
        x = self.features.transform(_words(texts))
        labels = self.need_names.transform(needs or [[] for _ in texts])
        fits = self._risk_targets(x, levels, risks) + [
            (e, x, labels[:, j]) for j, e in enumerate(self.needs.estimators_)
        ]
        for estimator, rows_x, y in fits:
            estimator.set_params(warm_start=True).fit(rows_x, y)
            estimator.set_params(warm_start=False)
        return self

    def scores(self, texts: list[str]) -> list[dict[str, Any]]:
        x = self.features.transform(_words(texts))
        escalate = self.escalate.predict_proba(x)[:, 1]
        any_risk = self.any.predict_proba(x)[:, 1]
        self_harm = self.self_harm.predict_proba(x)[:, 1]
        needs = self.needs.predict_proba(x)
        names = list(self.need_names.classes)
        return [
            {"escalate": round(float(e), 4), "any": round(float(max(a, e)), 4),
             "self_harm": round(float(s), 4),
             "needs": {names[j]: round(float(p), 4) for j, p in enumerate(row) if p >= 0.2}}
            for e, a, s, row in zip(escalate, any_risk, self_harm, needs, strict=True)
        ]  # fmt: skip


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RiskClassifier(GraphComponent):
    """Sets ``risk_scores`` on every message (before RiskTriage in the pipeline)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 32.0}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: RiskModel | None = None,
        finetuning: bool = False,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.finetuning = finetuning

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, levels, risks, needs = [], [], [], []
        for example in training_data.intent_examples:
            level, risk = level_of(example.get("intent"), example.get("metadata"))
            texts.append(str(example.get("text")))
            levels.append(level)
            risks.append(risk)
            needs.append(needs_of(example.get("intent"), example.get("metadata")))
        if not any(risk is not None for risk in risks) or ESCALATE not in levels:
            logger.warning("RiskClassifier: no risk examples in the training data; not trained")
            return self._resource
        refitted = False
        if self.finetuning and self.model is not None and self.model.can_refit():
            # `rasa train --finetune` loaded the live model's: start from it (RiskModel.refit).
            try:
                self.model.refit(texts, levels, risks, needs)
                refitted = True
            except ValueError as exc:  # a regression left with one class: fit from scratch
                logger.warning("RiskClassifier: fitting from scratch, not fine-tuning (%s)", exc)
        if not refitted:
            self.model = RiskModel(float(self.config["C"])).fit(texts, levels, risks, needs)
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        assert self.model is not None
        with self._model_storage.write_to(self._resource) as directory:
            parts = {
                "features": self.model.features,
                "escalate": self.model.escalate,
                "any": self.model.any,
                "self_harm": self.model.self_harm,
                "needs": self.model.needs,
                "need_names": self.model.need_names,
            }
            sio.dump(parts, directory / "risk.skops")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RiskClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / "risk.skops"
                untrusted = set(sio.get_untrusted_types(file=path)) - EXPECTED_TYPES
                if untrusted:  # only scikit-learn's, numpy's and scipy's own types are written
                    raise ValueError(f"untrusted types in {path}: {sorted(untrusted)}")
                parts = sio.load(path, trusted=sorted(EXPECTED_TYPES))
        except ValueError as exc:
            logger.warning("RiskClassifier: no trained model to load (%s)", exc)
            return cls(config, model_storage, resource)
        model = RiskModel(float(config["C"]))
        model.features = parts["features"]
        model.escalate, model.any, model.self_harm = (
            parts["escalate"], parts["any"], parts["self_harm"],
        )  # fmt: skip
        model.needs, model.need_names = parts["needs"], parts["need_names"]
        return cls(config, model_storage, resource, model, execution_context.is_finetuning)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        texts = [str(m.get("text") or "") for m in messages]
        for message, scores in zip(messages, self.model.scores(texts), strict=True):
            message.set(SCORES, scores)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
