"""action_find_services: the directory look-up behind every find_* need.

Interim: the service directory (HSDS 3.0 in SQLite, open-now, eligibility, rendering per
channel) is being built in actions/directory/; until it lands this action names the region's
general 24/7 line, so that no client is left without somewhere to turn.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import region


class ActionFindServices(Action):
    def name(self) -> str:
        return "action_find_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        line = region().line_for(tracker.get_slot("need") or "general")
        dispatcher.utter_message(text=f"{line.name}: {line.how_to_reach}, 24/7.")
        return []
