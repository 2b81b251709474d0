"""Handing the client to a person: the reply, and the signal the gateway opens a case from.

The gateway owns the handoff itself (queue, staff relay, pausing the conversation). This action
tells the client a person is being found and sends the gateway a ``handoff`` custom payload with
what staff need to know first: why, how urgent, the need and the place.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import region

RISK_INTENTS = {"risk_self_harm": "high", "risk_immediate_danger": "high"}


def handoff_payload(intent: str | None, need: str | None, location: str | None) -> dict[str, Any]:
    """The custom payload the gateway opens a case from."""
    return {
        "handoff": {
            "reason": intent or "request_human",
            "risk": RISK_INTENTS.get(intent or "", "normal"),
            "need": need,
            "location": location,
        }
    }


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response="utter_handoff", **region().template_values())
        dispatcher.utter_message(
            json_message=handoff_payload(intent, tracker.get_slot("need"), tracker.get_slot("location"))
        )
        return []
