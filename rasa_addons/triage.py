"""Risk triage: how certain a risk signal is, and what else the message asks for.

A risk signal adds; it never replaces (docs/design.md, "Safety rules"). This NLU component runs last
in the pipeline and decides, for every message, from three readings of it: the gateway's safety
screen (patterns, in the message's metadata), the risk model (:mod:`rasa_addons.risk`: how likely
the message needs the full escalation, or at least a check) and the classifier's intents (what the
client asks for):

- **clear** risk: a clear screen signal, or the risk model at or above ``escalate_threshold``
  (``over_uncertain_threshold`` when the screen found words it knows to be ambiguous, or said of
  what is over: "i cant do this anymore", "car crash last week"). The risk intent stays (or replaces
  what the classifier guessed), and the crisis response and a person follow (data/rules/safety.yml).
  When the message also asks for a service (a need its words name, or the classifier's reading when
  that was a need), a ``need`` entity is added, so that the search runs beside the crisis response:
  "he hit me tonight, where can me and the kids sleep" gets the danger reply, a person and the
  shelters. When the screen was clear but neither the model nor the classifier reads risk, the
  gateway has already given the crisis reply and opened a case, and Rasa answers what was asked.
- **uncertain** risk: an uncertain screen signal ("car crash last week", "this rent is killing
  me"), the risk model at or above ``check_threshold``, or a risk intent on top of the classifier's
  ranking that the other two do not back. The client gets what they asked for, plus a short check
  ("Are you safe right now?"), and a "No" escalates at once: the intent becomes what the client
  asked for, with a ``risk_check`` entity; when nothing else was asked for, the risk intent stays
  with its ``risk_check`` entity, and the dialogue asks the check alone.

The rules are in :func:`triage`, a pure function; the component only reads and writes Rasa's
message. The thresholds are chosen by ``python scripts/tune_nlu.py`` on cross-validation of the
training data, never on a held-out set (docs/figures.md, "Risk").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from contract import (
    CLEAR,
    DANGER,
    INTENT_FOR_NEED,
    INTENT_FOR_RISK,
    META_SCREEN,
    NEED_FOR_INTENT,
    RISK_FOR_INTENT,
    RISKS,
    SELF_HARM,
    UNCERTAIN,
)
from rasa_addons.component import Configured
from rasa_addons.needs import needs_named
from rasa_addons.places import PLACE_ONLY
from rasa_addons.risk import SCORES

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


@dataclass(frozen=True)
class Thresholds:
    escalate: float = 0.5  # the risk model's P(escalate) for a clear risk
    check: float = 0.2  # its P(any risk) for an uncertain one
    need: float = 0.1  # the classifier's score for a need half guessed beside an uncertain risk
    asked: float = 0.3  # the risk model's P(a need is asked for) beside a risk
    # The risk model's P(escalate) for a clear risk when the screen found words it knows to be
    # ambiguous ("i cant do this anymore") or said of what is over ("car crash last week").
    over_uncertain: float = 0.8


def triage(
    text: str,
    intent: str,
    ranking: Sequence[tuple[str, float]],
    screen: Mapping[str, Any] | None = None,
    scores: Mapping[str, Any] | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Decision:
    """The tier of a message's risk signal and what the dialogue should see.

    ``intent`` is the pipeline's intent so far (``nlu_fallback`` included); ``ranking`` the
    classifier's ranking without ``nlu_fallback``, best first; ``screen`` what the gateway's screen
    found; ``scores`` the risk model's (:data:`rasa_addons.risk.SCORES`).
    """
    ranked = dict(ranking)
    screen_risk = (screen or {}).get("risk")
    screen_tier = (screen or {}).get("tier") if screen_risk in RISKS else None
    model = scores or {}
    escalate = float(model.get("escalate", 0.0))
    any_risk = float(model.get("any", 0.0))
    model_risk = SELF_HARM if float(model.get("self_harm", 0.5)) >= 0.5 else DANGER
    top = ranking[0][0] if ranking else FALLBACK
    diet_risk = RISK_FOR_INTENT.get(top)
    named = needs_named(text)
    # What the client asks for beside the risk: the risk model's reading of the needs, then the
    # words it names, then the classifier's own reading of the message. The model first: it reads
    # the need the client asked for more often than the word lists do, and gives no more needs
    # nobody asked for (docs/figures.md, "Round 15").
    read = model.get("needs") if isinstance(model.get("needs"), Mapping) else {}
    beside = max(read.items(), key=lambda item: item[1], default=(None, 0.0))  # type: ignore[union-attr]
    modelled = str(beside[0]) if beside[0] and float(beside[1]) >= thresholds.asked else None
    worded = INTENT_FOR_NEED[named[0]] if named else None
    asked = modelled or worded or (top if top in NEED_FOR_INTENT else None)

    needed = thresholds.over_uncertain if screen_tier == UNCERTAIN else thresholds.escalate
    model_clear = escalate >= needed
    if model_clear or (screen_tier == CLEAR and diet_risk is not None):
        risk = str(screen_risk if screen_tier == CLEAR else (diet_risk or model_risk))
        need = NEED_FOR_INTENT[asked] if asked else None
        return Decision(INTENT_FOR_RISK[risk], CLEAR, risk, need, check=False)
    if screen_tier == CLEAR:
        # The gateway gave the crisis reply and opened a case: Rasa answers the rest as asked.
        return Decision(intent, CLEAR, screen_risk, None, check=False)

    uncertain = screen_tier == UNCERTAIN or any_risk >= thresholds.check or diet_risk is not None
    if not uncertain:
        return Decision(intent, None, None, None, check=False)
    risk = str(screen_risk if screen_tier == UNCERTAIN else (diet_risk or model_risk))
    if intent in KEPT_WITHOUT_CHECK:
        return Decision(intent, UNCERTAIN, risk, None, check=False)
    if intent in NEED_FOR_INTENT or intent in KEPT_WITH_CHECK:
        return Decision(intent, UNCERTAIN, risk, None, check=True)
    # What else was asked for: a need the words name, or the risk model reads; or the classifier's
    # best need, when the classifier's first guess was not risk (small talk, a question it cannot
    # place) or was a risk the risk model does not back ("where can i get n95 masks, the smoke is
    # bad"). A risk intent both read is never swapped for a need the classifier only half guessed
    # ("i swallowed all my meds" is not a request for services because a need scored 0.13): that
    # gets the check alone.
    guessed = next((name for name, _ in ranking if name in NEED_FOR_INTENT), None)
    best = modelled or worded
    backed = any_risk >= thresholds.check
    if (
        best is None
        and (diet_risk is None or not backed)
        and guessed is not None
        and ranked.get(guessed, 0.0) >= thresholds.need
    ):
        best = guessed
    if best is not None:
        return Decision(best, UNCERTAIN, risk, None, check=True)
    # Nothing else asked for (small talk, a question it cannot place): the check alone.
    return Decision(INTENT_FOR_RISK[risk], UNCERTAIN, risk, None, check=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RiskTriage(Configured):
    """Applies :func:`triage` to every message (last in the NLU pipeline)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        defaults = Thresholds()
        return {
            "escalate_threshold": defaults.escalate,
            "check_threshold": defaults.check,
            "need_threshold": defaults.need,
            "asked_threshold": defaults.asked,
            "over_uncertain_threshold": defaults.over_uncertain,
        }

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        config = {**self.get_default_config(), **self.config}
        self.thresholds = Thresholds(
            float(config["escalate_threshold"]),
            float(config["check_threshold"]),
            float(config["need_threshold"]),
            float(config["asked_threshold"]),
            float(config["over_uncertain_threshold"]),
        )

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
        screen = metadata.get(META_SCREEN) if isinstance(metadata, dict) else None
        # A message that only names a place (rasa_addons/places.py): the screen's reading alone.
        scores = None if message.get(PLACE_ONLY) else message.get(SCORES)
        decision = triage(
            str(message.get("text") or ""),
            str(name),
            ranking,
            screen if isinstance(screen, dict) else None,
            scores if isinstance(scores, dict) else None,
            self.thresholds,
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
