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
    "gave_up",
    "help",
    "sms_stop_hint",
    "media",
    "empty",
    "person_button",
    "sms_choose",
    "share_location_button",
)


@dataclass(frozen=True)
class Messages:
    crisis_self_harm: str
    crisis_danger: str
    assistant_down: str
    gave_up: str
    help: str
    sms_stop_hint: str
    media: str
    empty: str
    person_button: str
    sms_choose: str
    share_location_button: str

    def crisis(self, risk: str) -> str:
        """The crisis reply for a risk the safety screen found."""
        return self.crisis_self_harm if risk == "self_harm" else self.crisis_danger


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
    return Messages(**filled)
