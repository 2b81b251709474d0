"""Directory replies as the real action writes them, in the shape Rasa's REST channel sends.

The gateway's tests of listings (Telegram, the web chat page) script the fake Rasa with these,
so that what they draw is the action server's real output on the shipped directory data, not a
payload written by hand: ``await directory_answer(path, "food", "Redwood City, CA", "telegram")``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.executor import CollectingDispatcher

from actions.directory import build
from actions.services import ActionFindServices
from tests.actions.helpers import tracker

LA = ZoneInfo("America/Los_Angeles")
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LA)


def built_directory(folder: Path) -> Path:
    path = folder / "directory.db"
    if not path.exists():
        build.build(path)
    return path


async def directory_answer(
    directory: Path,
    need: str,
    location: str,
    channel: str,
    at: dt.datetime = MONDAY_NOON,
    language: str = "en",
) -> list[dict[str, Any]]:
    """What Rasa's REST channel answers after action_find_services: each uttered message as one
    element for its text and buttons and one for its custom payload (as Rasa's
    ``OutputChannel.send_response`` splits them)."""
    dispatcher = CollectingDispatcher()
    slots = {"need": need, "location": location, "results_page": 0.0}
    metadata = {"channel": channel, "language": language}
    before = os.environ.get("DIRECTORY_DB")
    os.environ["DIRECTORY_DB"] = str(directory)
    try:
        await ActionFindServices(now=lambda: at).run(
            dispatcher, tracker("...", intent="find_" + need, slots=slots, metadata=metadata), {}
        )
    finally:
        if before is None:
            os.environ.pop("DIRECTORY_DB", None)
        else:
            os.environ["DIRECTORY_DB"] = before
    return rest_elements(dispatcher.messages)


def rest_elements(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    for message in messages:
        shown = {k: message[k] for k in ("text", "buttons") if message.get(k)}
        if shown:
            elements.append(shown)
        if message.get("custom"):
            elements.append({"custom": message["custom"]})
    return elements
