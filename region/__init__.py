"""The configured region: emergency number, 24/7 lines, time zone, gazetteer area, office hours.

Shared by the action server and the gateway, so that no number a client reads is written in
Python. The file is YAML (see ``region/san-mateo.yml``); its path comes from ``REGION_FILE``.
Loading is strict: a region with no emergency number or no line for a risk topic is refused at
start-up, not discovered during a crisis. Office hours (when staff are at their desks, for
the gateway's human handoff) are parsed in :mod:`region.hours`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from region.hours import OfficeHours, OfficeHoursError, parse_office_hours

DEFAULT_REGION_FILE = Path(__file__).with_name("san-mateo.yml")

# Topics that must have a line: they are what a reply to a risk message names.
REQUIRED_TOPICS = ("self_harm", "domestic_violence", "general")


class RegionError(ValueError):
    """The region file is missing, unreadable, or lacks something a crisis reply needs."""


@dataclass(frozen=True)
class CrisisLine:
    """A service that answers 24 hours a day, every day, by phone or text."""

    id: str
    name: str
    topics: tuple[str, ...]
    phone: str | None = None
    sms: str | None = None
    sms_keyword: str | None = None
    url: str | None = None

    @property
    def how_to_reach(self) -> str:
        """'call 988 or text 988', 'text HOME to 741741': how a client reaches the line."""
        parts = []
        if self.phone:
            parts.append(f"call {self.phone}")
        if self.sms:
            parts.append(
                f"text {self.sms_keyword} to {self.sms}" if self.sms_keyword else f"text {self.sms}"
            )
        return " or ".join(parts)


@dataclass(frozen=True)
class Gazetteer:
    """Which part of the country the assistant knows place names for."""

    country: str
    state: str
    counties: tuple[str, ...]
    example_place: str
    example_postcode: str


@dataclass(frozen=True)
class Region:
    name: str
    timezone: str
    emergency_number: str
    gazetteer: Gazetteer
    crisis_lines: tuple[CrisisLine, ...]
    office_hours: OfficeHours | None = None  # None: no office, so no after-hours routing
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def line_for(self, topic: str) -> CrisisLine:
        """The first line that serves ``topic``, else the general line."""
        for line in self.crisis_lines:
            if topic in line.topics:
                return line
        return self.line_for("general") if topic != "general" else self.crisis_lines[0]

    def template_values(self) -> dict[str, str]:
        """Values for the placeholders of the domain's and the gateway's texts."""
        values = {
            "emergency_number": self.emergency_number,
            "region_name": self.name,
            "example_place": self.gazetteer.example_place,
            "example_postcode": self.gazetteer.example_postcode,
        }
        for topic in ("self_harm", "domestic_violence", "general"):
            line = self.line_for(topic)
            values[f"{topic}_line_name"] = line.name
            values[f"{topic}_line_contact"] = line.how_to_reach
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
        )
        for item in raw["crisis_lines"]
    )
    known = {"name", "timezone", "emergency_number", "gazetteer", "crisis_lines", "office_hours"}
    hours = raw.get("office_hours")
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
        ),
        crisis_lines=lines,
        office_hours=None if hours is None else parse_office_hours(hours, str(raw["timezone"])),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _check(region: Region, path: Path) -> None:
    if not region.emergency_number.strip():
        raise RegionError(f"region file {path}: emergency_number is empty")
    try:
        region.tz  # noqa: B018 - loading the zone is the check
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RegionError(f"region file {path}: unknown time zone {region.timezone!r}") from exc
    for line in region.crisis_lines:
        if not (line.phone or line.sms):
            raise RegionError(f"region file {path}: line {line.id!r} has neither phone nor sms")
    covered = {topic for line in region.crisis_lines for topic in line.topics}
    missing = [t for t in REQUIRED_TOPICS if t not in covered]
    if missing:
        raise RegionError(f"region file {path}: no 24/7 line for {', '.join(missing)}")


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
