"""The safety screen: a deterministic check for risk to life, before any NLU, in the gateway.

It runs on every typed message the moment it is stored, whatever Rasa's state, so a client who
signals risk gets the emergency number and a 24/7 line in the first reply even when Rasa is
down. Rasa's risk model and intents catch the paraphrases it misses. What it finds is a
:class:`Signal` with a tier, as crisis text services triage (docs/design.md, "Risk tiers"):

- **clear**: words that say risk to life outright, for the writer or someone with them, now
  ("i want to kill myself", "hes got a knife", "he strangled me"). The gateway sends the crisis
  reply at once and opens a high-risk case.
- **uncertain**: words that often mean risk but are as often said in passing ("this traffic is
  killing me", "i cant do this anymore", "my mum will kill me"), and clear words said of what
  is over or not the writer's ("car crash last week and my neck still hurts", "my brother
  killed himself last year", "tried to kill myself as a teen, now im good", "kms lol"). Nothing
  is sent at once; Rasa answers what the client asked and adds "Are you safe right now?", and
  a "No" escalates. Strangulation by a partner stays clear unless it is years old: it predicts
  homicide.

Every message is read in every language the screen knows (:mod:`bot.safety.en`,
:mod:`bot.safety.es`), whatever language its conversation is in: people switch mid-way. Either
way the client's own words go to Rasa, with what the screen found as metadata: a risk signal
adds, it never replaces. ``bench/gateway_screen.py`` measures misses and false alarms on the
labelled training data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.safety import en, es
from bot.safety.patterns import Compiled, Patterns
from contract import (
    CLEAR,
    DANGER,
    INTENT_FOR_RISK,
    Language,
    Risk,
    Tier,
    normalise,
)

__all__ = ["INTENT_FOR_RISK", "LANGUAGES", "Screen", "Signal", "normalise", "screen"]

LANGUAGES: dict[Language, Patterns] = {"en": en.PATTERNS, "es": es.PATTERNS}


@dataclass(frozen=True)
class Signal:
    """What the screen found: which risk, how certain, and in which language's words."""

    risk: Risk
    tier: Tier
    language: Language = "en"
    # A medical emergency happening now (someone not breathing, an overdose): the crisis reply
    # says to call the emergency number, plainly, and names no domestic violence line.
    medical: bool = False

    @property
    def clear(self) -> bool:
        return self.tier == CLEAR

    def metadata(self) -> dict[str, str]:
        """What Rasa's risk triage reads from the message's metadata."""
        return {"risk": self.risk, "tier": self.tier, "language": self.language}


class Screen:
    """The screen for one region: its languages' patterns and its emergency number said alone."""

    def __init__(
        self, emergency_number: str | None = None, languages: Sequence[Language] = ("en", "es")
    ) -> None:
        digits = re.sub(r"\D", "", emergency_number or "")
        # The number alone ("911", "call 911 now"), or asked for in so many words anywhere.
        self._number = (
            re.compile(
                rf"^ (?:(?:call|dial|ring|need|get|help|please|llama|llamen|marca|ayuda|por favor) )*"
                rf"{digits}(?: (?:now|please|help|ya|ahora|ayuda|{digits}))* $"
                rf"|\b(?:call|dial|ring|llamen|llama|llamar|marca|marquen|marcar) (?:al? )?{digits}\b"
            )
            if digits
            else None
        )
        self._languages: list[Compiled] = [LANGUAGES[name].compile() for name in languages]

    def __call__(self, text: str) -> Signal | None:
        """What ``text`` signals, if anything. Clear beats uncertain; danger beats self-harm."""
        words = normalise(text)
        if self._number and self._number.search(words):
            return Signal(DANGER, CLEAR, self._languages[0].language)
        cues: set[str] = set()
        for patterns in self._languages:
            cues |= patterns.cues_in(words, text)
        best: tuple[int, Signal] | None = None
        for patterns in self._languages:
            for risk, tier, group in patterns.read(words, cues):
                rank = (tier == CLEAR) * 2 + (risk == DANGER)
                medical = tier == CLEAR and group == "medical"
                if best is None or rank > best[0] or (rank == best[0] and not medical):
                    best = (rank, Signal(risk, tier, patterns.language, medical))
        return best[1] if best else None


screen = Screen()  # without a region's number: for the benchmark and tests
