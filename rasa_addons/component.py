"""What the project's NLU components share: those that keep nothing trained are built from their
``config.yml`` entry alone (``create``), and a trained model loads them the same way; those that
decide a whole message by rule set its intent the same way (:func:`decide_intent`)."""

from __future__ import annotations

from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

C = TypeVar("C", bound="Configured")


class Configured(GraphComponent):
    """A component made from its configuration alone (``self.config``)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = dict(config or {})

    @classmethod
    def create(
        cls: type[C],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls(config)


def decide_intent(message: Message, name: str) -> None:
    """Set ``name`` as the message's intent with confidence 1.0, first in the ranking (a whole
    message a rule is sure of: a plain yes or no, a place alone)."""
    message.set("intent", {"name": name, "confidence": 1.0}, True)
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != name]
    message.set("intent_ranking", [{"name": name, "confidence": 1.0}, *ranking], True)
