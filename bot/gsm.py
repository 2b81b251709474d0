"""SMS text: normalise to the GSM-7 alphabet, count segments, split into short messages.

A reply with one character outside GSM-7 (a curly quote, an emoji) is sent as UCS-2, which
halves the characters per segment and can triple the cost and the number of parts a cheap
phone has to reassemble. So replies are folded to GSM-7 first: typographic punctuation to its
plain form, accented letters to their base letter where GSM-7 lacks them, emoji dropped, and
anything left that GSM-7 cannot show replaced by "?".

Segments: 160 septets in one message; 153 per segment when concatenated; the extension table
characters (``^{}\\[~]|€`` and form feed) take two septets each.
"""

from __future__ import annotations

import re
import unicodedata

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"
_BASIC_SET = frozenset(BASIC) - {"\x1b"}
_EXTENSION_SET = frozenset(EXTENSION)

SINGLE_SEGMENT = 160
MULTI_SEGMENT = 153
MAX_SEGMENTS = 2
MAX_SEPTETS = MAX_SEGMENTS * MULTI_SEGMENT  # 306: the most one reply may take

_REPLACEMENTS = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "―": "-", "‐": "-", "‑": "-", "−": "-", "•": "-", "·": "-",
    "…": "...", "\t": " ", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
    "©": "(c)", "®": "(R)", "™": "TM", "½": "1/2", "¼": "1/4", "×": "x", "÷": "/",
}  # fmt: skip
_SPACES = re.compile(r"[ ]{2,}")


def to_gsm(text: str) -> str:
    """``text`` in the GSM-7 alphabet (see the module docstring for how)."""
    out: list[str] = []
    for ch in text.replace("\r\n", "\n"):
        out.append(_fold(ch))
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(out).split("\n")]
    return "\n".join(lines).strip()


def _fold(ch: str) -> str:
    if ch in _BASIC_SET or ch in _EXTENSION_SET:
        return ch
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    category = unicodedata.category(ch)
    if category in ("So", "Sk", "Cf", "Cs", "Co", "Mn") or 0x1F000 <= ord(ch) <= 0x1FAFF:
        return ""  # emoji, modifiers, joiners, variation selectors
    if category.startswith("Z"):
        return " "
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(c in _BASIC_SET or c in _EXTENSION_SET for c in base):
        return base
    return "?"


def septets(text: str) -> int:
    """How many GSM-7 septets ``text`` takes (it must already be GSM-7)."""
    return sum(2 if ch in _EXTENSION_SET else 1 for ch in text)


def segments(text: str) -> int:
    """How many SMS segments ``text`` is sent as (GSM-7)."""
    length = septets(text)
    if length <= SINGLE_SEGMENT:
        return 1
    return -(-length // MULTI_SEGMENT)


def split(text: str, limit: int = MAX_SEPTETS) -> list[str]:
    """``text`` cut into parts of at most ``limit`` septets, at paragraph, line or word ends."""
    parts: list[str] = []
    rest = text.strip()
    while septets(rest) > limit:
        cut = _cut_point(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _cut_point(text: str, limit: int) -> int:
    """The index to cut ``text`` at so that the head fits ``limit`` septets."""
    fits = 0
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ch in _EXTENSION_SET else 1
        if used > limit:
            break
        fits = index + 1
    head = text[:fits]
    for separator in ("\n\n", "\n", ". ", " "):
        at = head.rfind(separator)
        if at > fits // 3:
            return at + len(separator)
    return fits
