"""Asking where the client is, and understanding the answer.

``service_search_form`` collects ``need`` and ``location``. The location may come as a place
("redwood city", "rwc", "redwod city"), a ZIP code, a sentence with a place in it, or
"geo:lat,lon" from a location shared on Telegram. It is kept in the slot in canonical form, so a
later need ("and food?") searches the same place without asking again, while "somewhere else"
forgets it and asks.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import crisis_this_turn, region
from actions.gazetteer import Gazetteer, gazetteer_for
from actions.texts import Say, language_of, speaker
from contract import DANGER, PAYLOAD_REQUEST_LOCATION

MAX_ECHO = 40  # characters of an unknown place repeated back to the client


def wants_another_place(gazetteer: Gazetteer, tracker: Tracker) -> bool:
    """True when the client said where they are without naming anywhere ("somewhere else").

    An ``inform_location`` message with no location entity and no place in its text means the
    place the assistant remembers is no longer right.
    """
    latest = tracker.latest_message or {}
    if (latest.get("intent") or {}).get("name") != "inform_location":
        return False
    if any(e.get("entity") == "location" for e in latest.get("entities") or []):
        return False
    return gazetteer.find_in_text(latest.get("text") or "") is None


# The needs offered as buttons when the client has not said one: (text key, payload).
NEED_BUTTONS = (
    ("need_button_shelter", "/find_shelter"),
    ("need_button_food", "/find_food"),
    ("need_button_mental_health", "/find_mental_health_support"),
    ("need_button_domestic_violence", "/find_domestic_violence_help"),
    ("need_button_person", "/request_human"),
)


class ActionAskNeed(Action):
    """Asks what the client needs, with the main needs and a person as buttons."""

    def name(self) -> str:
        return "action_ask_need"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        say = speaker(language_of(tracker))
        buttons = [{"title": say(key), "payload": payload} for key, payload in NEED_BUTTONS]
        dispatcher.utter_message(text=say("ask_need"), buttons=buttons)
        return []


class ActionAskLocation(Action):
    """Asks where the client is, with the region's own example place and ZIP code.

    The `request_location` payload lets the gateway offer Telegram's "share location" button.
    Someone telling of abuse at home hears the 24/7 domestic violence line before the question,
    the first time it is asked: they may never answer it; unless the danger reply of this very
    turn has just named it (no line twice in one turn). A message with an uncertain risk signal
    hears the emergency number with the question: "Are you safe right now?" follows the
    listing, which waits for the answer.
    """

    def name(self) -> str:
        return "action_ask_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        say = speaker(language_of(tracker))
        first_ask = tracker.get_slot("requested_slot") != "location"
        if (
            first_ask
            and tracker.get_slot("need") == "domestic_violence"
            and crisis_this_turn(tracker) != DANGER
        ):
            dispatcher.utter_message(text=say("ask_location_domestic_violence"))
        question = say("ask_location")
        if first_ask and tracker.get_slot("risk_check"):
            question = f"{question} {say('ask_location_unsure')}"
        dispatcher.utter_message(text=question)
        dispatcher.utter_message(json_message={PAYLOAD_REQUEST_LOCATION: True})
        return []


class ValidateServiceSearchForm(FormValidationAction):
    def name(self) -> str:
        return "validate_service_search_form"

    def validate_need(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """The need as the NLU read it (its values are the domain's own)."""
        return {"need": slot_value}

    def validate_location(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Keep a place the gazetteer knows, in canonical form; otherwise say so and ask again."""
        gazetteer = gazetteer_for(region())
        if isinstance(slot_value, list):
            slot_value = slot_value[-1] if slot_value else None
        value = str(slot_value) if slot_value is not None else None
        if wants_another_place(gazetteer, tracker):
            return {"location": None}
        place = gazetteer.locate(value)
        if place is None:
            shown = (value or "").strip()
            if len(shown) > MAX_ECHO:
                shown = shown[: MAX_ECHO - 3].rstrip() + "..."
            say: Say = speaker(language_of(tracker))
            dispatcher.utter_message(text=say("location_unknown", place=shown))
            return {"location": None}
        return {"location": place.slot_value}
