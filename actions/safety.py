"""The crisis response: the emergency number and a 24/7 line, first, whatever else happens.

The words are the domain's (utter_crisis_self_harm, utter_crisis_danger); the numbers are the
region file's. The gateway's deterministic screen gives the same numbers when Rasa is down.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import region

RESPONSE_FOR_INTENT = {
    "risk_self_harm": "utter_crisis_self_harm",
    "risk_immediate_danger": "utter_crisis_danger",
}


def crisis_response_for(intent: str | None) -> str:
    """Which crisis response answers ``intent``; danger is the safe default for anything else."""
    return RESPONSE_FOR_INTENT.get(intent or "", "utter_crisis_danger")


class ActionCrisisResponse(Action):
    def name(self) -> str:
        return "action_crisis_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=crisis_response_for(intent), **region().template_values())
        return []
