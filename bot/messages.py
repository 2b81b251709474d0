"""The gateway's own texts (``bot/messages.yml``), filled from the region file once at start-up.

Filling is strict: a placeholder the region cannot fill stops start-up with a
:class:`~bot.errors.MessagesError`, so a crisis reply can never go out with a hole in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import MessagesError

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
REQUIRED = (
    "crisis_self_harm",
    "crisis_danger",
    "assistant_down",
    "lines_while_down",
    "gave_up",
    "help",
    "sms_stop_hint",
    "media",
    "empty",
    "bad_location",
    "person_button",
    "sms_choose",
    "share_location_button",
    "handoff_finding",
    "handoff_after_hours",
    "handoff_joined",
    "handoff_unavailable",
    "handoff_nobody",
    "staff_back",
    "handoff_closed",
    "handoff_timed_out",
    "handoff_still_waiting",
    "handoff_media",
    "erase_offer",
    "erase_yes_button",
    "erase_no_button",
    "erase_started",
    "erase_kept",
    "erase_not_now",
)
# Placeholders filled when a text is sent (written {{name}} in the file), and which texts have them.
RUNTIME = {
    "handoff_unavailable": ("back",),
    "handoff_timed_out": ("back",),
    "staff_back": ("when",),
}


@dataclass(frozen=True)
class Messages:
    crisis_self_harm: str
    crisis_danger: str
    assistant_down: str
    lines_while_down: str
    gave_up: str
    help: str
    sms_stop_hint: str
    media: str
    empty: str
    bad_location: str
    person_button: str
    sms_choose: str
    share_location_button: str
    handoff_finding: str
    handoff_after_hours: str
    handoff_joined: str
    handoff_unavailable: str
    handoff_nobody: str
    staff_back: str
    handoff_closed: str
    handoff_timed_out: str
    handoff_still_waiting: str
    handoff_media: str
    erase_offer: str
    erase_yes_button: str
    erase_no_button: str
    erase_started: str
    erase_kept: str
    erase_not_now: str

    def crisis(self, risk: str) -> str:
        """The crisis reply for a risk the safety screen found."""
        return self.crisis_self_harm if risk == "self_harm" else self.crisis_danger

    def with_back(self, text: str, when: str | None) -> str:
        """A handoff text with when staff are back ("tomorrow at 9:00 AM"), or without it."""
        back = self.staff_back.format(when=when) + " " if when else ""
        return text.format(back=back)


def load_messages(values: Mapping[str, str], path: Path = MESSAGES_FILE) -> Messages:
    """Read the message file and fill every text with the region's ``values``."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MessagesError(f"cannot read the gateway's messages {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise MessagesError(f"{path} must hold a mapping of names to texts")
    missing = [name for name in REQUIRED if not isinstance(raw.get(name), str)]
    if missing:
        raise MessagesError(f"{path} lacks {', '.join(missing)}")
    filled = {}
    for name in REQUIRED:
        try:
            filled[name] = " ".join(raw[name].format_map(values).split())
        except (KeyError, ValueError, IndexError) as exc:
            raise MessagesError(
                f"{path}: {name} has a placeholder the region lacks: {exc}"
            ) from exc
        try:  # what is left must be exactly the text's runtime placeholders
            filled[name].format(**dict.fromkeys(RUNTIME.get(name, ()), ""))
        except (KeyError, ValueError, IndexError) as exc:
            raise MessagesError(f"{path}: {name} has an unknown placeholder: {exc}") from exc
    return Messages(**filled)
