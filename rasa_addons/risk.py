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
(:meth:`RiskModel.refit`). The model itself is plain scikit-learn, in
:mod:`contract.risk_model`, which also writes and reads its file: the gateway reads the live
model's too, for the safety screen's second opinion (:mod:`bot.safety.opinion`).
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

from contract import NEED_FOR_INTENT, RISK_FOR_INTENT
from contract.risk_model import CHECK, ESCALATE, FILE, NONE, RiskModel, dumps, loads

logger = logging.getLogger(__name__)

SCORES = "risk_scores"
__all__ = ["CHECK", "ESCALATE", "NONE", "SCORES", "RiskClassifier", "RiskModel", "level_of"]


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
        assert self.model is not None
        with self._model_storage.write_to(self._resource) as directory:
            (directory / FILE).write_bytes(dumps(self.model))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RiskClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = loads((directory / FILE).read_bytes(), float(config["C"]))
        except (ValueError, OSError) as exc:
            logger.warning("RiskClassifier: no trained model to load (%s)", exc)
            return cls(config, model_storage, resource)
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
