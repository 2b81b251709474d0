"""The configured region: emergency number, 24/7 lines, time zone, gazetteer area, office hours.

Shared by the action server and the gateway, so that no number a client reads is written in
Python. The file is YAML (see ``region/san-mateo.yml``); its path comes from ``REGION_FILE``.
Loading is strict: a region with no emergency number or no line for a risk topic is refused at
start-up, not discovered during a crisis. Office hours (when staff are at their desks, for
the gateway's human handoff) are parsed in :mod:`region.hours`.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from contract import DEFAULT_LANGUAGE, LANGUAGES, Language
from region.hours import OfficeHours, OfficeHoursError, parse_office_hours

DEFAULT_REGION_FILE = Path(__file__).with_name("san-mateo.yml")
# The words around the numbers and times, in each language a conversation can be in; the
# region file never translates (names and numbers stay as they are).
WORDS_FILE = Path(__file__).with_name("words.yml")

# Topics that must have a line: they are what a reply to a risk message names.
REQUIRED_TOPICS = ("self_harm", "domestic_violence", "general")


class RegionError(ValueError):
    """The region file is missing, unreadable, or lacks something a crisis reply needs."""


@dataclass(frozen=True)
class Reach:
    """How a line is reached in one language: its numbers, the option to press, the keyword."""

    phone: str | None = None
    sms: str | None = None
    sms_keyword: str | None = None
    phone_option: str | None = None


@dataclass(frozen=True)
class CrisisLine:
    """A service that answers 24 hours a day, every day, by phone or text.

    ``languages`` says how it is reached in each language it answers in (988 in Spanish: call
    and press 2, or text AYUDA); a line with none listed answers in the region's first language.
    """

    id: str
    name: str
    topics: tuple[str, ...]
    phone: str | None = None
    sms: str | None = None
    sms_keyword: str | None = None
    url: str | None = None
    languages: dict[str, Reach] = field(default_factory=dict, compare=False)

    @property
    def how_to_reach(self) -> str:
        """'call 988 or text 988', 'text HOME to 741741': how a client reaches the line."""
        return self.reach_in(DEFAULT_LANGUAGE)

    def serves(self, language: str) -> bool:
        return not self.languages or language in self.languages

    def reach(self, language: str) -> Reach:
        own = Reach(self.phone, self.sms, self.sms_keyword)
        return self.languages.get(language, own) if self.languages else own

    def reach_in(self, language: str) -> str:
        """How to reach the line, in ``language``'s words ("llama al 988 y marca el 2...")."""
        words = words_of(language)
        reach = self.reach(language)
        parts = []
        if reach.phone:
            parts.append(
                words["call_option"].format(phone=reach.phone, option=reach.phone_option)
                if reach.phone_option
                else words["call"].format(phone=reach.phone)
            )
        if reach.sms:
            parts.append(
                words["text_keyword"].format(keyword=reach.sms_keyword, sms=reach.sms)
                if reach.sms_keyword
                else words["text"].format(sms=reach.sms)
            )
        return words["or"].join(parts)


def words_of(language: str) -> dict[str, str]:
    """The region's words in ``language`` (region/words.yml)."""
    table = _words_table()
    if language not in table:
        raise RegionError(f"{WORDS_FILE} has no words for the language {language!r}")
    return table[language]


@functools.lru_cache(maxsize=1)
def _words_table() -> dict[str, dict[str, str]]:
    raw = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {str(k): {str(n): str(t) for n, t in v.items()} for k, v in raw.items()}


@dataclass(frozen=True)
class Gazetteer:
    """Which part of the country the assistant knows place names for."""

    country: str
    state: str
    counties: tuple[str, ...]
    example_place: str
    example_postcode: str
    # Names clients use for where they are that the post office does not (neighbourhoods,
    # unincorporated areas), each with the ZIP code that stands for it; a pair per name.
    neighbourhoods: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Region:
    name: str
    timezone: str
    emergency_number: str
    gazetteer: Gazetteer
    crisis_lines: tuple[CrisisLine, ...]
    office_hours: OfficeHours | None = None  # None: no office, so no after-hours routing
    # The languages a conversation can be in here; the first is the default.
    languages: tuple[Language, ...] = (DEFAULT_LANGUAGE,)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def language(self) -> Language:
        """The region's first language: a conversation's until it says otherwise."""
        return self.languages[0]

    def line_for(self, topic: str, language: str | None = None) -> CrisisLine:
        """The first line that serves ``topic`` (in ``language``, if one does), else the
        general line."""
        found = [line for line in self.crisis_lines if topic in line.topics]
        if language is not None:
            speaking = [line for line in found if line.serves(language)]
            found = speaking or found
        if found:
            return found[0]
        return self.line_for("general", language) if topic != "general" else self.crisis_lines[0]

    def template_values(self, language: str | None = None) -> dict[str, str]:
        """Values for the placeholders of the domain's and the gateway's texts, in
        ``language`` (the region's first language when none is given)."""
        language = language or self.language
        values = {
            "emergency_number": self.emergency_number,
            "region_name": self.name,
            "example_place": self.gazetteer.example_place,
            "example_postcode": self.gazetteer.example_postcode,
        }
        for topic in ("self_harm", "domestic_violence", "general"):
            line = self.line_for(topic, language)
            values[f"{topic}_line_name"] = line.name
            values[f"{topic}_line_contact"] = line.reach_in(language)
        return values


def load_region(path: str | os.PathLike[str] | None = None) -> Region:
    """Load and check the region file at ``path``, else ``$REGION_FILE``, else the demo region."""
    path = Path(path or os.environ.get("REGION_FILE") or DEFAULT_REGION_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegionError(f"cannot read region file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise RegionError(f"region file {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RegionError(f"region file {path} must hold a mapping")
    try:
        region = _parse(raw)
    except (KeyError, TypeError) as exc:
        raise RegionError(f"region file {path}: missing or malformed field {exc}") from exc
    except OfficeHoursError as exc:
        raise RegionError(f"region file {path}: {exc}") from exc
    _check(region, path)
    return region


def _parse(raw: dict[str, Any]) -> Region:
    gaz = raw["gazetteer"]
    lines = tuple(
        CrisisLine(
            id=str(item["id"]),
            name=str(item["name"]),
            topics=tuple(item["topics"]),
            phone=_opt_str(item.get("phone")),
            sms=_opt_str(item.get("sms")),
            sms_keyword=_opt_str(item.get("sms_keyword")),
            url=_opt_str(item.get("url")),
            languages={
                str(language): _reach(item, own or {})
                for language, own in (item.get("languages") or {}).items()
            },
        )
        for item in raw["crisis_lines"]
    )
    known = {
        "name", "timezone", "emergency_number", "gazetteer", "crisis_lines", "office_hours",
        "languages",
    }  # fmt: skip
    hours = raw.get("office_hours")
    languages = tuple(str(x) for x in raw.get("languages") or (DEFAULT_LANGUAGE,))
    return Region(
        name=str(raw["name"]),
        timezone=str(raw["timezone"]),
        emergency_number=str(raw["emergency_number"]),
        gazetteer=Gazetteer(
            country=str(gaz["country"]),
            state=str(gaz["state"]),
            counties=tuple(gaz["counties"]),
            example_place=str(gaz["example_place"]),
            example_postcode=str(gaz["example_postcode"]),
            neighbourhoods=tuple(
                (str(name), str(code)) for name, code in (gaz.get("neighbourhoods") or {}).items()
            ),
        ),
        crisis_lines=lines,
        office_hours=None if hours is None else parse_office_hours(hours, str(raw["timezone"])),
        languages=languages,  # type: ignore[arg-type]  # checked in _check
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _reach(line: dict[str, Any], own: dict[str, Any]) -> Reach:
    """A line's reach in one language: its own numbers, with what the language changes."""

    def value(name: str) -> str | None:
        return _opt_str(own[name]) if name in own else _opt_str(line.get(name))

    return Reach(
        value("phone"), value("sms"), value("sms_keyword"), _opt_str(own.get("phone_option"))
    )


def _check(region: Region, path: Path) -> None:
    if not region.emergency_number.strip():
        raise RegionError(f"region file {path}: emergency_number is empty")
    try:
        region.tz  # noqa: B018 - loading the zone is the check
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RegionError(f"region file {path}: unknown time zone {region.timezone!r}") from exc
    bad = [
        name for name, code in region.gazetteer.neighbourhoods if not re.fullmatch(r"\d{5}", code)
    ]
    if bad:
        raise RegionError(
            f"region file {path}: a neighbourhood's value is a five-digit ZIP code"
            f" (not one: {', '.join(bad)})"
        )
    for line in region.crisis_lines:
        if not (line.phone or line.sms):
            raise RegionError(f"region file {path}: line {line.id!r} has neither phone nor sms")
    covered = {topic for line in region.crisis_lines for topic in line.topics}
    missing = [t for t in REQUIRED_TOPICS if t not in covered]
    if missing:
        raise RegionError(f"region file {path}: no 24/7 line for {', '.join(missing)}")
    unknown = [x for x in region.languages if x not in LANGUAGES]
    if unknown or not region.languages:
        raise RegionError(
            f"region file {path}: languages must be some of {', '.join(LANGUAGES)}"
            f" (unknown: {', '.join(unknown) or 'none given'})"
        )
    for language in region.languages:
        words_of(language)
        for topic in REQUIRED_TOPICS:
            if not region.line_for(topic, language).reach_in(language):
                raise RegionError(
                    f"region file {path}: no way to reach the {topic} line in {language}"
                )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
