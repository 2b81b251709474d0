"""Handing the client to a person: what staff need to know first.

The gateway owns the handoff itself (queue, staff relay, pausing the conversation). The rule
that runs this action has already said `utter_handoff` or a crisis response, each carrying a
minimal `handoff` custom payload. This action sends a second `handoff` payload with what the
bot understood (reason, risk, need, place, who the client is, the recent messages), for the
summary staff read before they answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from contract import NOT_SAFE, PAYLOAD_HANDOFF, REQUEST_HUMAN, urgency

# "deny" runs this action only as the answer "No" to "Are you safe right now?".
REASON_BY_INTENT = {"affirm": REQUEST_HUMAN, "deny": NOT_SAFE}
RECENT_MESSAGES = 5


def recent_understanding(
    events: list[dict[str, Any]], limit: int = RECENT_MESSAGES
) -> list[dict[str, Any]]:
    """The client's last messages with the intent and confidence the bot gave each."""
    turns = []
    for event in events:
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        turns.append(
            {
                "text": event.get("text"),
                "intent": intent.get("name"),
                "confidence": round(float(intent.get("confidence") or 0.0), 2),
            }
        )
    return turns[-limit:]


def handoff_payload(tracker: Tracker) -> dict[str, Any]:
    """The custom payload the gateway adds to the case it opened for this conversation."""
    intent = (tracker.latest_message.get("intent") or {}).get("name") or REQUEST_HUMAN
    reason = REASON_BY_INTENT.get(intent, intent)
    return {
        PAYLOAD_HANDOFF: {
            "reason": reason,
            "risk": urgency(reason),
            "need": tracker.get_slot("need"),
            "location": tracker.get_slot("location"),
            "population": tracker.get_slot("population") or [],
            "recent": recent_understanding(list(tracker.events)),
        }
    }


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(json_message=handoff_payload(tracker))
        # A person is coming: no "Are you safe?" check is left for a later search.
        return [SlotSet("risk_check", None)] if tracker.get_slot("risk_check") else []
