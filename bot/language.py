"""The language of a conversation: chosen by the client, hinted by the channel, or read from
the client's words, and kept.

In this order (docs/design.md, "Reach"):

1. **The client's explicit choice**: a whole message that is a choice ("ESPAÑOL", "espanol",
   "en español porfa", "AYUDA", "ENGLISH", "ingles", "english please"), or the language button.
   It holds until the client chooses again.
2. **The client's words**, when they say which: a message whose function words and whose
   letters (lingua, restricted to the region's languages, with place names, ZIP codes, numbers,
   emoji, words of no language such as "ok" and "no", and a name written as one (Title Case,
   no function word: "North Fair Oaks") taken out first) say which. Code-switching is common
   ("necesito un shelter en redwood city", "mi boyfriend me pego"): Spanish function words with
   English nouns are Spanish.
3. **The channel's hint** (Telegram's ``language_code``, the browser's language), for a first
   message whose words say little ("hi", "si", "94063"); two words of one language ("necesito
   ayuda") say more: a phone's setting may be someone else's.
4. The conversation's language so far, else the region's first.

It sticks: a short or ambiguous message ("ok", "San Mateo", "gracias", "thank you") never
changes a conversation's language once it has one; only a choice or a clear message (three
words or more that agree) does. Detection costs well under a millisecond a message
(``bench/language.py``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from contract import Language, normalise

EXPLICIT = "explicit"
DETECTED = "detected"
HINT = "hint"
DEFAULT = "default"

# Whole messages that choose a language.
_CHOICES: dict[Language, re.Pattern[str]] = {
    "es": re.compile(
        r"^ (?:(?:en|in|habla|hablame|hablar|quiero|puedes|can you|please|pls|porfa|por favor|"
        r"speak|write|answer|responde|respondeme|escribe|escribeme) )*"
        r"(?:espanol|espaniol|espanish|spanish|castellano|ayuda)"
        r"(?: (?:please|pls|porfa|por favor|plis|pls))* $"
    ),
    "en": re.compile(
        r"^ (?:(?:en|in|habla|hablame|quiero|puedes|can you|please|pls|porfa|por favor|speak|"
        r"write|answer|responde|escribe|escribeme) )*"
        r"(?:english|ingles|inglish|engl)"
        r"(?: (?:please|pls|porfa|por favor|plis))* $"
    ),
}

# Words that say which language a sentence is in (bot/language_words.yml).
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(str(words).split())
    for language, words in yaml.safe_load(
        Path(__file__).with_name("language_words.yml").read_text(encoding="utf-8")
    ).items()
}
_DIGITS = re.compile(r"\d")
# Words of no language: said the same by both ("ok", "no"), or letters of a chat ("k").
_NEUTRAL = frozenset(["ok", "okay", "okey", "oki", "okk", "k", "kk", "no"])
_LETTERS = re.compile(r"[^\W\d_]+")
# How many words of a message, at least, make it say its language clearly enough to change a
# conversation's language (a message of two words never does).
CLEAR_WORDS = 3
# How sure lingua must be when the function words are silent or tied.
CONFIDENT = 0.85


@dataclass(frozen=True)
class Reading:
    """What one message says of its language: which, and how strongly (see :data:`CLEAR`)."""

    language: Language | None
    strength: float

    @property
    def clear(self) -> bool:
        return self.strength >= CLEAR


@dataclass(frozen=True)
class Choice:
    """A conversation's language, how it was chosen, and how strongly it holds."""

    language: Language
    source: str  # explicit, detected, hint or default
    strength: float = 0.0


# How strongly a message or a hint says a language. A conversation's language changes only
# for a stronger reading, or for a clear one (a message that says its language plainly).
CLEAR = 2.0  # three words or more that agree
PAIR = 1.75  # two of one language's own words ("necesito ayuda", "thank you"): beat a hint,
# not a language the client's words set
HINTED = 1.5  # the channel's language: beaten by a pair or a clear message, not by "hi" or "si"
SOME = 1.0  # more of one language's words than the other's
FAINT = 0.5  # one word that only lingua places
CHOSEN = 100.0  # the client's own choice: only another choice changes it


class LanguageDetector:
    """Reads which of the region's languages a message is in (see the module's docstring)."""

    def __init__(self, languages: Sequence[Language], places: Iterable[str] = ()) -> None:
        self.languages: tuple[Language, ...] = tuple(languages)
        # Longest first, so that "east palo alto" goes before "palo alto".
        names = sorted({normalise(p).strip() for p in places if p.strip()}, key=len, reverse=True)
        self._places = (
            re.compile(r"(?<= )(?:" + "|".join(re.escape(n) for n in names) + r")(?= )")
            if names
            else None
        )

    def choice(self, text: str) -> Language | None:
        """The language a whole message explicitly chooses, if it does."""
        words = normalise(text)
        for language in self.languages:
            pattern = _CHOICES.get(language)
            if pattern is not None and pattern.search(words):
                return language
        return None

    def words(self, text: str) -> list[str]:
        """The message's words that can say its language: no place, no number, no word of no
        language, nothing when the message is a name."""
        words = normalise(text)
        if self._places is not None:
            words = self._places.sub(" ", words)
        kept = [w for w in words.split() if not _DIGITS.search(w) and w not in _NEUTRAL]
        return [] if _a_name(text, kept) else kept

    def read(self, text: str) -> Reading:
        """Which language ``text`` is in, if it says, and how strongly."""
        words = self.words(text)
        if not words or len(self.languages) < 2:
            return Reading(None, 0.0)
        counts = {
            language: sum(w in _FUNCTION_WORDS.get(language, ()) for w in words)
            for language in self.languages
        }
        ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
        (first, top), (_, second) = ranked[0], ranked[1]
        guess, sure = _lingua(self.languages)(" ".join(words))
        if top > second:
            # The grammar's words win: "necesito un shelter" is Spanish.
            agree = guess == first or top - second >= 2
            if len(words) >= CLEAR_WORDS and (agree or (top >= 2 and second == 0)):
                return Reading(first, CLEAR)
            return Reading(first, PAIR if top >= 2 and second == 0 else SOME)
        if guess is not None and sure >= CONFIDENT:
            return Reading(guess, CLEAR if len(words) >= CLEAR_WORDS else FAINT)
        return Reading(None, 0.0)

    def choose(
        self, incoming_kind: str, text: str, current: Choice | None, hint: Language | None
    ) -> tuple[Choice, bool]:
        """The conversation's language after a message of ``incoming_kind``, and whether the
        message itself is a choice (answered by the gateway: "OK, I'll write in English")."""
        if incoming_kind == "payload":
            chosen = chosen_by_payload(text, self.languages)
            if chosen is not None:
                return Choice(chosen, EXPLICIT, CHOSEN), True
        if incoming_kind == "text":
            choice = self.decide(text, current, hint)
            return choice, self.choice(text) is not None
        if current is not None:
            return current, False
        if hint in self.languages:
            return Choice(hint, HINT, HINTED), False
        return Choice(self.languages[0], DEFAULT, 0.0), False

    def decide(self, text: str, current: Choice | None, hint: Language | None = None) -> Choice:
        """The conversation's language after ``text`` (see the module's docstring)."""
        chosen = self.choice(text)
        if chosen is not None:
            return Choice(chosen, EXPLICIT, CHOSEN)
        if current is not None and current.source == EXPLICIT:
            return current
        if current is None and hint in self.languages:
            current = Choice(hint, HINT, HINTED)
        reading = self.read(text)
        if reading.language is not None and (
            current is None
            or reading.strength > current.strength
            or (reading.clear and reading.language != current.language)
        ):
            return Choice(reading.language, DETECTED, reading.strength)
        return current or Choice(self.languages[0], DEFAULT, 0.0)


def _a_name(text: str, words: list[str]) -> bool:
    """Whether a message is a name, as a place or a person is written: every word in Title Case
    ("North Fair Oaks", "Maria Lopez"), none a function word of either language. A name says
    nothing of the language its writer speaks."""
    written = _LETTERS.findall(text)
    if not written or not words:
        return False
    if any(w in vocabulary for w in words for vocabulary in _FUNCTION_WORDS.values()):
        return False
    return all(w[0].isupper() and not w.isupper() for w in written if len(w) > 1)


def payload_for(language: str) -> str:
    """The gateway's own payload that chooses ``language`` (the first reply's language button,
    the web chat page's toggle)."""
    return f"/language_{language}"


def chosen_by_payload(payload: str, languages: Sequence[Language]) -> Language | None:
    """The language a language button's payload chooses, if it is one."""
    for language in languages:
        if payload.strip() == payload_for(language):
            return language
    return None


def hint_of(code: str | None, languages: Sequence[Language]) -> Language | None:
    """A channel's language code ("es-MX", "es", "en-US") as one of ``languages``, if it is."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in languages else None  # type: ignore[return-value]


@functools.lru_cache(maxsize=4)
def _detector(languages: tuple[Language, ...]) -> object:
    from lingua import Language as Lingua
    from lingua import LanguageDetectorBuilder

    names = {"en": Lingua.ENGLISH, "es": Lingua.SPANISH}
    return (
        LanguageDetectorBuilder.from_languages(*(names[x] for x in languages))
        .with_preloaded_language_models()
        .build()
    )


def _lingua(languages: tuple[Language, ...]):  # type: ignore[no-untyped-def]
    codes = {"ENGLISH": "en", "SPANISH": "es"}

    def guess(text: str) -> tuple[Language | None, float]:
        values = _detector(languages).compute_language_confidence_values(text)  # type: ignore[attr-defined]
        if not values:
            return None, 0.0
        best = values[0]
        return codes.get(best.language.name), float(best.value)  # type: ignore[return-value]

    return guess


def places_of(root: object) -> list[str]:
    """The region's place names, as the NLU lookup table lists them (generated from the
    gazetteer by `make region`): taken out of a message before its language is read."""
    path = Path(str(root)) / "data" / "nlu" / "lookup_location.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    found: list[str] = []
    for block in raw.get("nlu") or []:
        if block.get("lookup") == "location":
            found += [line[2:].strip() for line in str(block.get("examples", "")).splitlines()
                      if line.strip().startswith("- ")]  # fmt: skip
    return found
