"""What the core needs to know of each channel, declared once, here.

The core (the inbox, the router, the outbox, the handoff, privacy, the report) never asks
"is this SMS?": it asks the channel's traits. A channel added to the gateway adds its entry
here, and the core treats it by what it can do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

Channel = Literal["telegram", "sms", "webchat"]  # each a package of bot/channels/
NAMES: tuple[Channel, ...] = get_args(Channel)


@dataclass(frozen=True)
class Traits:
    name: str
    label: str  # as staff and the report name it
    address: re.Pattern[str]  # a client's address on it, as the provider gives it
    address_help: str  # what an address looks like, for an operator typing one
    address_noise: re.Pattern[str] | None = None  # what an operator may type around an address
    numbered_choices: bool = False  # buttons are sent as numbered answers ("Reply 1 or 2")
    opt_out: bool = False  # the provider's STOP/START keywords hold (carrier opt-out)
    pulled: bool = False  # the client fetches replies (a unit is delivered once stored)
    language_button: bool = True  # the first reply offers the region's other language
    proactive: bool = True  # the client can be messaged later, unasked (follow-ups)

    def clean_address(self, raw: str) -> str:
        """``raw`` as the channel writes an address; ValueError when it cannot be one."""
        value = self.address_noise.sub("", raw) if self.address_noise else raw.strip()
        if not self.address.fullmatch(value):
            raise ValueError(f"not a {self.name} client id: give {self.address_help}")
        return value


TRAITS: dict[str, Traits] = {
    t.name: t
    for t in (
        Traits("telegram", "Telegram", re.compile(r"-?\d{1,20}"), "the Telegram chat id, a number"),
        Traits(
            "sms",
            "SMS",
            re.compile(r"\+\d{6,15}"),
            "a phone number with + and the country code, as Twilio sends it",
            address_noise=re.compile(r"[\s().\-]"),
            numbered_choices=True,
            opt_out=True,
            # A numbered list already costs an SMS segment; "ESPAÑOL" or "AYUDA" switch.
            language_button=False,
        ),
        Traits(
            "webchat",
            "web chat",
            re.compile(r"[A-Za-z0-9_-]{1,128}"),
            "the web chat sender: 1 to 128 letters, digits, - or _",
            pulled=True,
            proactive=False,  # nothing reaches a closed tab
        ),
    )
}


def traits(channel: str) -> Traits:
    """The traits of ``channel`` (KeyError for a channel the gateway does not have)."""
    return TRAITS[channel]
