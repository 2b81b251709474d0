"""What every action may need to know beyond the tracker: the region, the client's channel."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

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
