"""The one way text is normalised before patterns read it, in every process.

Lower case, accents folded (``está`` -> ``esta``: clients type both), apostrophes dropped
(``don't`` -> ``dont``), everything else that is not a letter or a digit turned into a space,
one space at each end so that a pattern can anchor on ``" word "``.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case ASCII words separated by single spaces; apostrophes dropped."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " " + _NOT_WORD.sub(" ", _APOSTROPHES.sub("", ascii_only)).strip() + " "


# An entity annotation of Rasa's training data: [daly city](location), [teen]{"entity": ...}.
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def unannotated(text: str) -> str:
    """A training example's words as the client wrote them: its entity annotations taken out."""
    return ANNOTATION.sub(r"\1", text)


def example_key(text: str) -> str:
    """What makes two training examples "the same" (a label the admins add, the NLU data's
    own check for duplicates): case, punctuation and spacing do not count."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())
