"""One language's patterns for the safety screen, compiled, and how they are read.

A language module (:mod:`bot.safety.en`, :mod:`bot.safety.es`) declares:

- ``idioms``: phrases that only sound alarming ("dead tired", "me muero de hambre"), taken out
  of the text before any other pattern runs;
- ``negated``: risk said and denied in one breath, taken out too but signalling uncertain risk;
- ``clear``: groups of patterns that say risk outright, each with its risk and the cues that
  make it uncertain instead ("long_ago", "grief", "laugh"...);
- ``uncertain``: words that often mean risk and as often do not;
- ``cues``: patterns of time, person and tone, by name; ``present`` ("right now", "again")
  overrules every other cue;
- ``negators``: what, said just before a clear pattern, denies it ("nobody is" hurting me, "im
  not" in danger, "no im not thinking about" suicide): a clear pattern every match of which is
  denied so is uncertain, as ``negated`` is (the client is asked, never alarmed). This is NegEx's
  rule (Chapman et al., 2001), with a window of the negator and a few words that carry it, never
  further: "he would not stop hitting me" is not denied.

:meth:`Compiled.read` gives every (risk, tier) the text signals in this language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from contract import CLEAR, UNCERTAIN, Language, Risk, Tier, normalise

# Put where the text had a comma, a full stop or a line break, for the negators (the normalised
# text has lost them): a word no pattern knows.
CLAUSE = "qqclauseqq"
_CLAUSE_BREAK = re.compile(r"[,.;:!?¿¡\n]+|\s[-–—]+\s")


def clauses(text: str) -> str:
    """``text`` normalised, with :data:`CLAUSE` between its clauses."""
    return normalise(_CLAUSE_BREAK.sub(f" {CLAUSE} ", text))


# Emoji a laugh is typed with: the normalised text has lost them.
_LAUGHING = re.compile("[\U0001f602\U0001f923\U0001f606\U0001f605\U0001f639]")


@dataclass(frozen=True)
class Patterns:
    language: Language
    idioms: Sequence[str]
    negated: Sequence[str]
    clear: Mapping[str, tuple[Risk, Sequence[str], Sequence[str]]]
    uncertain: Mapping[Risk, Sequence[str]]
    cues: Mapping[str, Sequence[str]]
    negators: Sequence[str] = ()

    def compile(self) -> Compiled:
        return Compiled(self)


# The groups of clear patterns, the risk each signals, and the cues that make it a question
# ("car crash last week", grief, "as a teen", "lol"): one rule for every language.
GROUPS: dict[str, tuple[Risk, tuple[str, ...]]] = {
    "violence": ("danger", ("long_ago", "weeks_ago", "recovery", "grief", "topic", "laugh")),
    "strangulation": ("danger", ("years_ago",)),
    "unsafe": ("danger", ("long_ago", "weeks_ago", "recovery", "topic", "laugh")),
    "call": ("danger", ("long_ago", "weeks_ago", "topic", "laugh")),
    "medical": ("danger", ("long_ago", "weeks_ago", "recovery", "grief", "topic", "care", "laugh")),
    "self_harm": ("self_harm", ("long_ago", "recovery", "laugh")),
    # "asked_about" (someone's work or study, a question about what the service does) speaks to
    # the bare words "suicide", "overdose" only: beside violence or an emergency it would hide
    # one ("can you help with my friend he overdosed and isnt breathing").
    "self_harm_others": (
        "self_harm",
        ("long_ago", "weeks_ago", "recovery", "grief", "topic", "laugh", "asked_about"),
    ),
}


def clear_groups(
    found: Mapping[str, Sequence[str]], cues: Mapping[str, tuple[str, ...]] | None = None
) -> dict[str, tuple[Risk, Sequence[str], Sequence[str]]]:
    """A language's clear patterns by group, with :data:`GROUPS`' risks and cues (``cues``:
    where the language's own words need other ones)."""
    return {
        group: (risk, found[group], (cues or {}).get(group, default))
        for group, (risk, default) in GROUPS.items()
    }


def _union(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)")


class Compiled:
    """A language's patterns, compiled once."""

    def __init__(self, patterns: Patterns) -> None:
        self.language = patterns.language
        self._idioms = _union([*patterns.idioms, *patterns.negated])
        self._negated = _union(patterns.negated)
        self._clear = [
            (group, risk, _union(found), tuple(cues))
            for group, (risk, found, cues) in patterns.clear.items()
        ]
        self._uncertain = [(risk, _union(found)) for risk, found in patterns.uncertain.items()]
        self._cues = {name: _union(found) for name, found in patterns.cues.items()}
        # Matched against the text before a clear pattern's match: it must end with a negator.
        self._negator = (
            # Not the "dont" of a condition: "if i dont get my meds today im taking them all".
            re.compile(
                r"(?:^| )(?<! if i )(?<! if he )(?<! if she )(?<! if they )(?<! if we )"
                r"(?<! if you )(?<! if u )"
                rf"(?:{'|'.join(f'(?:{n})' for n in patterns.negators)}) $"
            )
            if patterns.negators
            else None
        )
        unknown = {c for _, _, _, cues in self._clear for c in cues} - set(self._cues)
        if unknown:
            raise ValueError(f"{self.language}: clear groups name unknown cues {sorted(unknown)}")

    def without_idioms(self, words: str) -> str:
        return self._idioms.sub(" ", words)

    def cues_in(self, words: str, text: str) -> set[str]:
        """The names of the cues ``words`` (normalised ``text``) holds in this language;
        ``present`` when it says the risk is now, whatever else it says."""
        found = {
            name for name, cue in self._cues.items() if name != "present" and cue.search(words)
        }
        if _LAUGHING.search(text):
            found.add("laugh")
        if "present" in self._cues:
            # "im fine now" is not "now": recovery's words are taken out before looking.
            rest = self._cues["recovery"].sub(" ", words) if "recovery" in self._cues else words
            if self._cues["present"].search(rest):
                found.add("present")
        return found

    def read(
        self, words: str, cues: set[str], text: str | None = None
    ) -> list[tuple[Risk, Tier, str]]:
        """Every (risk, tier, group) signalled, given the message's ``cues`` (in every
        language: "as a teen" is a cue for a Spanish word too); empty when nothing is.
        ``text``: the message as written (``words`` normalised it), whose commas and full stops
        the negators never reach across ("no, me esta pegando"); read only when a clear pattern
        matches."""
        plain = self.without_idioms(words)
        marked: str | None = None  # clauses(text), its idioms taken out, when first needed
        found: list[tuple[Risk, Tier, str]] = []
        demoting = set() if "present" in cues else cues
        for group, risk, pattern, demoted_by in self._clear:
            if not pattern.search(plain):
                continue
            if self._negator is not None and marked is None:
                marked = self.without_idioms(clauses(text) if text is not None else words)
            if marked is not None and self._denied(pattern, marked):
                found.append((risk, UNCERTAIN, "negated"))
                continue
            tier = UNCERTAIN if demoting & set(demoted_by) else CLEAR
            found.append((risk, tier, group))
        for risk, pattern in self._uncertain:
            if pattern.search(plain):
                found.append((risk, UNCERTAIN, "uncertain"))
        if self._negated.search(words):
            found.append(("self_harm", UNCERTAIN, "negated"))
        return found

    def _denied(self, pattern: re.Pattern[str], marked: str) -> bool:
        """Every match of ``pattern`` in ``marked`` comes just after a negator, in its clause."""
        assert self._negator is not None
        matches = list(pattern.finditer(marked))
        return bool(matches) and all(self._negator.search(marked, 0, m.start()) for m in matches)
