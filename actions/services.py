"""action_find_services: the directory look-up behind every find_* need.

Reads the ``need``, ``location`` and ``population`` slots and the channel, asks the directory
(``actions.directory.service.find``, which knows nothing of Rasa) and says one reply: the
catalog's ``directory_*`` words (actions/texts.yml) around a listing composed from the
directory, with the need's 24/7 line. ``results_page`` remembers how far the client has read:
"more" (the ``more_results`` intent) shows the next page, anything else starts again at the
first. After a message with an uncertain risk signal (the ``risk_check`` slot, set by
rasa_addons/triage.py), the listing is followed by ``utter_safety_check`` ("Are you safe right
now?"), once: the client gets what they asked for, and then the check. A first page is
followed by a ``{"report": {...}}`` payload that the gateway keeps for the report and never
shows (:func:`actions.directory.service.report_of`).

On Telegram and the web chat the listing also goes as data (a ``{"listing": {...}}`` payload,
contract/listing.py) that the gateway draws as cards, links and a map pin, and it offers the
next steps as buttons: "More" when there is a next page, and "Talk to a person". SMS gets the
text alone: its two segments have no room for a numbered menu, and "more" or "person" work
typed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import LINE_OF_CRISIS, channel_of, crisis_this_turn, region
from actions.directory.db import db_path
from actions.directory.service import find
from actions.texts import language_of, speaker
from contract import PAYLOAD_LISTING, PAYLOAD_REPORT

logger = logging.getLogger(__name__)


def requested_page(tracker: Tracker) -> int:
    """The page to show: the next one after "more", else the first."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent != "more_results":
        return 0
    seen = tracker.get_slot("results_page")
    try:
        return int(seen or 0) + 1
    except (TypeError, ValueError):
        return 0


def named_line(tracker: Tracker) -> str | None:
    """The topic of the 24/7 line this turn's crisis reply named, if one did."""
    risk = crisis_this_turn(tracker)
    return LINE_OF_CRISIS[risk] if risk is not None else None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ActionFindServices(Action):
    """``now`` is the clock "open now" is read from: the wall clock, or one a test sets."""

    def __init__(self, now: Callable[[], dt.datetime] = utc_now) -> None:
        self.now = now

    def name(self) -> str:
        return "action_find_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        channel = channel_of(tracker)
        language = language_of(tracker)
        reply = find(
            db_path(),
            need=tracker.get_slot("need"),
            location=tracker.get_slot("location"),
            population=tracker.get_slot("population"),
            channel=channel,
            page=requested_page(tracker),
            now=self.now(),
            region=region(),
            say=speaker(language),
            language=language,
            named_line=named_line(tracker),
        )
        logger.info("directory reply %s (page %d, %s)", reply.key, reply.page, channel)
        say = speaker(language)
        buttons = []
        if reply.listing is not None:
            if reply.more:
                buttons.append({"title": say("listing_button_more"), "payload": "/more_results"})
            buttons.append({"title": say("need_button_person"), "payload": "/request_human"})
        dispatcher.utter_message(
            text=reply.text,
            buttons=buttons or None,
            json_message={PAYLOAD_LISTING: reply.listing} if reply.listing is not None else None,
        )
        if (
            reply.report is not None
        ):  # for the report: the gateway keeps it, the client never sees it
            dispatcher.utter_message(json_message={PAYLOAD_REPORT: reply.report})
        events: list[dict[str, Any]] = [SlotSet("results_page", float(reply.page))]
        if reply.forget_location:
            events.append(SlotSet("location", None))
        if tracker.get_slot("risk_check"):
            events += [SlotSet("risk_check", None), FollowupAction("utter_safety_check")]
        return events
