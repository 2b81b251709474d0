"""What every action may need to know beyond the tracker: the region, the client's channel."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from contract import CLEAR, DANGER, INTENT_FOR_RISK, META_SCREEN, RISKS, SELF_HARM, Risk
from region import Region, load_region

if TYPE_CHECKING:  # only for its type: the directory's CLI uses region() without rasa_sdk
    from rasa_sdk import Tracker

CHANNELS = ("sms", "telegram", "webchat")


@functools.lru_cache(maxsize=1)
def region() -> Region:
    """The region of this process (REGION_FILE), loaded once and checked at first use."""
    return load_region()


def channel_of(tracker: Tracker) -> str:
    """The client's channel, from the metadata the gateway sends with each message.

    Unknown or absent (a test, a curl to Rasa's REST channel) counts as web chat: the richest
    rendering that is still plain text.
    """
    metadata: Any = (tracker.latest_message or {}).get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return channel if channel in CHANNELS else "webchat"


# The 24/7 line each crisis reply names (domain.yml's utter_crisis_*, the gateway's crisis_*):
# a line of the region file by its topic.
LINE_OF_CRISIS: dict[Risk, str] = {SELF_HARM: "self_harm", DANGER: "domestic_violence"}


def crisis_this_turn(tracker: Tracker) -> Risk | None:
    """Which crisis reply this turn sent, if one did: Rasa's (a clear risk intent) or the
    gateway's (its screen's clear signal, in the metadata). Its line is not named again in the
    same turn."""
    latest = tracker.latest_message or {}
    intent = (latest.get("intent") or {}).get("name")
    metadata: Any = latest.get("metadata") or {}
    screen: Any = metadata.get(META_SCREEN) if isinstance(metadata, dict) else None
    screened = (
        screen.get("risk") if isinstance(screen, dict) and screen.get("tier") == CLEAR else None
    )
    for risk in RISKS:
        if intent == INTENT_FOR_RISK[risk] or screened == risk:
            return risk
    return None
