"""The needs a message names in so many words, for a message whose intent is a risk.

A message that signals risk is labelled by the risk ("i want to die, i need a bed" is
``risk_self_harm``), and DIET's ranking says almost nothing of what else it asks for: its
confidences are near 1 and 0. So :mod:`rasa_addons.triage` reads the need beside the risk
from the words themselves, with this table. It looks only for words that ask for a service
("need a bed", "nowhere to sleep", "hungry", "detox"), never for words that are themselves
part of a crisis ("pills", "police", "hospital", "knife"): a wrong need here adds a search the
client did not ask for to a crisis reply.

The text is normalised as the gateway's safety screen does: lower case, apostrophes dropped,
anything that is not a letter or a digit turned into a space, one space around every word.
"""

from __future__ import annotations

import re
import unicodedata

# The need slot's values, most urgent first (the labelling order of data/nlu/*.yml): when a
# message names several, the first is searched.
NEED_CUES: dict[str, list[str]] = {
    "domestic_violence": [
        r"\b(?:domestic violence|domestic abuse|dv (?:help|support|services?|shelter|line))\b",
        r"\b(?:abusive|violent) (?:partner|husband|wife|boyfriend|girlfriend|bf|gf|ex|relationship)\b",
        r"\b(?:women s|womens|dv) (?:refuge|shelter)\b|\brefuge\b",
        r"\bsafe (?:house|place to stay|place to go|somewhere to stay)\b",
        r"\b(?:get|getting|run|running) away from (?:him|her|them|my (?:partner|husband|wife|bf|gf|boyfriend|girlfriend|ex))\b",
    ],
    "shelter": [
        r"\bbeds?\b|\bshel+t?h?ers?\b|\bhomeless\b|\bhousing\b|\bmotel\b|\bhostel\b",
        r"\bac+om+od?ations?\b",
        r"\b(?:place|somewhere|where|anywhere) (?:to |i can |can i |2 )?(?:sleep|stay|crash|live|go tonight)\b",
        r"\bnowhere (?:to |2 )?(?:sleep|stay|live|go)\b|\bno (?:place|home|roof)\b",
        r"\b(?:sleeping|sleep|slept) (?:rough|outside|on the street|in (?:my|the|a) car|in a park)\b",
        r"\b(?:on|living on) the streets?\b|\broof over\b|\bkicked out\b|\bcouch ?surf",
    ],
    "health_care": [
        r"\b(?:need|see|find|get|want) (?:a |an |to see a )?(?:doctor|dr|gp|dentist|nurse)\b",
        r"\bclinic\b|\bprescription\b|\bno (?:health )?insurance\b|\binsulin\b",
    ],
    "food": [
        r"\bfoo+d\b|\bhungry\b|\bhungery\b|\bstarv(?:ing|ed)\b|\bmeals?\b|\bgroceries\b",
        r"\b(?:something|anything|nothing) to eat\b|\bhavent (?:eaten|ate)\b|\bnot eaten\b",
        r"\b(?:food|foodbank|food bank|pantry|soup kitchen)\b",
    ],
    "mental_health": [
        r"\bsomeone to talk to\b|\bcounsel+(?:ing|or|ling|lor)\b|\btherap(?:y|ist)\b",
        r"\bmental health\b|\bpsychiatrist\b",
    ],
    "drug_alcohol": [
        r"\bdetox\b|\brehab\b|\baddict(?:ed|ion)?\b|\bget (?:clean|sober|off (?:the )?\w+)\b",
        r"\b(?:drinking|drug|alcohol) problem\b|\bsober\b|\bnarcan\b|\bneedle exchange\b",
    ],
    "financial": [
        r"\b(?:pay|paying|afford) (?:my |the )?(?:rent|bills?|electric|power|gas bill)\b",
        r"\b(?:no|any|need|some|for) money\b|\bbroke\b|\bcash\b|\brent\b|\bbills\b",
    ],
    "legal": [
        r"\blawyer\b|\blegal\b|\bevict(?:ed|ion|ing)?\b|\bcourt\b|\bcustody\b|\bimmigration\b",
        r"\brestraining order\b|\blandlord\b",
    ],
    "family_support": [
        r"\bfamily support\b|\bparenting\b|\bchildcare\b|\bdaycare\b|\bbaby formula\b|\bdiapers\b",
    ],
    "essentials": [
        r"\bshowers?\b|\blaundry\b|\bclothes\b|\bclothing\b|\blockers?\b|\btoiletries\b",
        r"\bcharge my phone\b|\bphone charg|\bblankets?\b|\bsleeping bag\b",
    ],
}

# The intent each need's search belongs to (domain.yml's `need` slot mappings).
INTENT_FOR_NEED: dict[str, str] = {
    "shelter": "find_shelter",
    "food": "find_food",
    "family_support": "find_family_support",
    "domestic_violence": "find_domestic_violence_help",
    "mental_health": "find_mental_health_support",
    "health_care": "find_health_care",
    "legal": "find_legal_help",
    "financial": "find_financial_help",
    "drug_alcohol": "find_drug_alcohol_support",
    "essentials": "find_essentials",
}
NEED_FOR_INTENT = {intent: need for need, intent in INTENT_FOR_NEED.items()}

_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case ASCII words separated by single spaces, with a space at each end: the
    gateway's safety screen's (bot.safety.normalise; the Rasa server does not ship bot/, and
    tests/rasa_addons/test_answers.py checks that the two agree)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " " + _NOT_WORD.sub(" ", _APOSTROPHES.sub("", ascii_only)).strip() + " "


_CUES = {need: re.compile("|".join(f"(?:{p})" for p in cues)) for need, cues in NEED_CUES.items()}


def needs_named(text: str) -> list[str]:
    """The needs ``text`` asks for in so many words, most urgent first."""
    words = normalise(text)
    return [need for need, cue in _CUES.items() if cue.search(words)]
