"""Risk triage: how certain a risk signal is, and what else the message asks for.

A risk signal adds; it never replaces (DESIGN.md, "Safety rules"). This NLU component runs
last in the pipeline (after DIET and the FallbackClassifier) and decides, for every message:

- **clear** risk (a confident risk intent, or a strong pattern of the gateway's safety screen):
  the risk intent stays, and the crisis response and a person follow (data/rules/safety.yml).
  When the message also names a need in so many words ("i want to die, i need a bed"), a
  ``need`` entity is added, so the search runs beside the crisis response.
- **uncertain** risk (a risk intent below ``clear_threshold``, a risk intent that is the
  runner-up above ``runner_up_threshold``, or a figurative pattern of the screen such as
  "killing me"): the client gets what they asked for, plus a short check ("Are you safe right
  now?"), and a "No" escalates at once. The intent becomes what the client asked for (the best
  service need in the ranking or in the words), with a ``risk_check`` entity saying which
  risk; when nothing else was asked for, the risk intent stays with its ``risk_check`` entity,
  and the dialogue asks the check alone.

The gateway tells this component what its screen found, in the message's metadata:
``{"screen": {"risk": "self_harm" | "danger", "tier": "clear" | "uncertain"}}``. A clear
screen already gave the client the crisis reply and opened a case, so no check is added then.

The rules are in :func:`triage`, a pure function; the component only reads and writes Rasa's
message. The thresholds are chosen by ``python scripts/tune_nlu.py`` on cross-validation
predictions of the training data, never on a held-out set (README, "Risk tiers").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.needs import INTENT_FOR_NEED, NEED_FOR_INTENT, needs_named

RISK_INTENTS = {"risk_self_harm": "self_harm", "risk_immediate_danger": "danger"}
INTENT_FOR_RISK = {risk: intent for intent, risk in RISK_INTENTS.items()}
FALLBACK = "nlu_fallback"
# Intents that carry on with what the client is doing: an uncertain risk keeps them. The check
# follows the search they continue; answers to the bot's own questions and a request for a
# person get none (a person is coming, or the question was the bot's).
KEPT_WITH_CHECK = {"inform_location", "more_results"}
KEPT_WITHOUT_CHECK = {"request_human", "affirm", "deny"}
NEED_ENTITY = "need"
CHECK_ENTITY = "risk_check"
EXTRACTOR = "RiskTriage"


@dataclass(frozen=True)
class Decision:
    """What the dialogue sees: the intent, and the entities triage adds."""

    intent: str
    tier: str | None  # "clear", "uncertain" or None (no risk signal)
    risk: str | None  # "self_harm" or "danger"
    need: str | None  # a need named beside a clear risk (a `need` entity)
    check: bool  # ask "Are you safe right now?" (a `risk_check` entity)


def triage(
    text: str,
    intent: str,
    ranking: Sequence[tuple[str, float]],
    screen: dict[str, Any] | None = None,
    clear_threshold: float = 0.7,
    runner_up_threshold: float = 0.2,
) -> Decision:
    """The tier of a message's risk signal and what the dialogue should see.

    ``intent`` is the pipeline's intent so far (``nlu_fallback`` included); ``ranking`` the
    classifier's ranking without ``nlu_fallback``, best first.
    """
    scores = dict(ranking)
    risk_intent = max(RISK_INTENTS, key=lambda name: scores.get(name, 0.0))
    risk_score = scores.get(risk_intent, 0.0)
    screen_risk = (screen or {}).get("risk")
    screen_tier = (screen or {}).get("tier") if screen_risk in INTENT_FOR_RISK else None
    top = ranking[0][0] if ranking else FALLBACK
    named = needs_named(text)

    # A figurative phrase of the screen ("killing me") makes even a confident risk intent a
    # question to ask, not an alarm: the check names the emergency number all the same.
    if top in RISK_INTENTS and (
        screen_tier == "clear" or (risk_score >= clear_threshold and screen_tier != "uncertain")
    ):
        need = named[0] if named else None
        return Decision(top, "clear", RISK_INTENTS[top], need, check=False)
    if screen_tier == "clear":
        # The gateway gave the crisis reply and opened a case: Rasa answers the rest as asked.
        return Decision(intent, "clear", screen_risk, None, check=False)

    uncertain = (
        top in RISK_INTENTS or risk_score >= runner_up_threshold or screen_tier == "uncertain"
    )
    if not uncertain:
        return Decision(intent, None, None, None, check=False)
    if top in RISK_INTENTS:
        risk = RISK_INTENTS[top]
    elif risk_score >= runner_up_threshold:
        risk = RISK_INTENTS[risk_intent]
    else:
        risk = str(screen_risk)
    if intent in KEPT_WITHOUT_CHECK:
        return Decision(intent, "uncertain", risk, None, check=False)
    if intent in NEED_FOR_INTENT or intent in KEPT_WITH_CHECK:
        return Decision(intent, "uncertain", risk, None, check=True)
    # What else was asked for: a need the words name; or, when the model's first guess was not
    # risk (small talk, a question it cannot place), its best need. A risk intent on top is
    # never swapped for a need the model only half guessed ("i swallowed all my meds" is not a
    # request for services because a need scored 0.13): that gets the check alone.
    asked = next((name for name, _ in ranking if name in NEED_FOR_INTENT), None)
    best_need = INTENT_FOR_NEED[named[0]] if named else None
    if (
        best_need is None
        and top not in RISK_INTENTS
        and asked is not None
        and scores.get(asked, 0.0) >= runner_up_threshold
    ):
        best_need = asked
    if best_need is not None:
        return Decision(best_need, "uncertain", risk, None, check=True)
    # Nothing else asked for (small talk, a question it cannot place): the check alone.
    return Decision(INTENT_FOR_RISK[risk], "uncertain", risk, None, check=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RiskTriage(GraphComponent):
    """Applies :func:`triage` to every message (last in the NLU pipeline)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"clear_threshold": 0.7, "runner_up_threshold": 0.2}

    def __init__(self, config: dict[str, Any]) -> None:
        self.clear_threshold = float(config["clear_threshold"])
        self.runner_up_threshold = float(config["runner_up_threshold"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskTriage:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        intent = message.get("intent") or {}
        name = intent.get("name")
        if not name:
            return
        ranking = [
            (str(r["name"]), float(r["confidence"]))
            for r in message.get("intent_ranking") or []
            if r.get("name") != FALLBACK
        ]
        metadata = message.get("metadata") or {}
        screen = metadata.get("screen") if isinstance(metadata, dict) else None
        decision = triage(
            str(message.get("text") or ""),
            str(name),
            ranking,
            screen if isinstance(screen, dict) else None,
            self.clear_threshold,
            self.runner_up_threshold,
        )
        if decision.intent != name:
            confidence = dict(ranking).get(decision.intent, intent.get("confidence", 0.0))
            message.set("intent", {"name": decision.intent, "confidence": confidence}, True)
        added = []
        if decision.need is not None:
            added.append(_entity(message, NEED_ENTITY, decision.need))
        if decision.check and decision.risk is not None:
            added.append(_entity(message, CHECK_ENTITY, decision.risk))
        if added:
            message.set("entities", [*(message.get("entities") or []), *added], True)


def _entity(message: Message, entity: str, value: str) -> dict[str, Any]:
    text = str(message.get("text") or "")
    return {
        "entity": entity,
        "value": value,
        "start": 0,
        "end": len(text),
        "confidence": 1.0,
        "extractor": EXTRACTOR,
    }
