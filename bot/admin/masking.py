"""What an admin may see of a client's words: the message with what identifies a person masked.

The review inbox shows admins what clients wrote that the assistant misread, and a label turns
the shown text into training data, which is kept in the repository. So the text is masked
before anyone sees it, and only the masked text can be labelled:

- e-mail addresses -> ``[email]``;
- card-like numbers (13 to 19 digits, in groups or not) -> ``[card]``;
- phone numbers (with a country code, in the North American 3-3-4 shape, or 7 digits as
  555-0199) -> ``[phone]``;
- street addresses (a house number, up to five words, and a street word such as "St", "Ave",
  "Road", "Camino Real"; with an apartment or unit) -> ``[address]``;
- any other run of seven or more digits (an id, an account) -> ``[number]``.

ZIP codes (five digits) and small numbers (ages, counts) stay: they are what the NLU must learn
from ("im 17", "94063"), and they do not identify a person alone.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_PHONE = re.compile(
    r"(?<![\w+])\+\d{1,3}[\s.\-]?(?:\(?\d{1,4}\)?[\s.\-]?){2,4}\d{2,4}\b"
    r"|(?<![\w])(?:1[\s.\-])?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}\b"
    r"|(?<![\w-])\d{3}[\s.\-]\d{4}\b"
)
_STREET_WORDS = (
    r"el camino real|camino real|street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|way|court|ct|place|pl|"
    r"terrace|ter|circle|cir|highway|hwy|parkway|pkwy|alley|square|sq|plaza|el camino|broadway"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,6}}[a-z]?\s+(?:[a-z0-9.'-]+\s+){{0,4}}?(?:{_STREET_WORDS})\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*#?\s*[\w-]+)?",
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"(?<![\w])\d[\d\s.\-]{5,}\d(?![\w])")
_DIGITS = re.compile(r"\d")

MASKS = ("[email]", "[card]", "[phone]", "[address]", "[number]")


def _long_digits(match: re.Match[str]) -> str:
    """A run of seven or more digits is masked; a shorter one (a ZIP and an age) is kept."""
    return "[number]" if len(_DIGITS.findall(match.group())) >= 7 else match.group()


def mask(text: str) -> str:
    """``text`` with e-mail addresses, cards, phone numbers, street addresses and ids masked."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(
        lambda m: "[card]" if len(_DIGITS.findall(m.group())) >= 13 else m.group(), text
    )
    text = _PHONE.sub("[phone]", text)
    text = _ADDRESS.sub("[address]", text)
    return _LONG_NUMBER.sub(_long_digits, text)
