"""Which services answer which need: the admin-editable map ``actions/directory/data/needs.yml``.

Each need names taxonomy terms (by code or name; a term covers the terms below it) and
keywords (whole words or phrases in a service's name, description and keyword attributes).
The index stores, per service, a bit per need in the order of the file; the order and a
fingerprint of the file are kept in the database so that search reads the bits it was built with.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from actions.directory.errors import NeedsMapError

DEFAULT_NEEDS = Path(__file__).resolve().parent / "data" / "needs.yml"


@dataclass(frozen=True)
class Need:
    name: str
    terms: frozenset[str]  # lower-case codes and names
    pattern: re.Pattern[str] | None  # keywords, whole words

    def matches(self, terms: set[str], text: str) -> bool:
        return bool(self.terms & terms) or bool(self.pattern and self.pattern.search(text))


@dataclass(frozen=True)
class NeedsMap:
    needs: tuple[Need, ...]
    fingerprint: str

    @property
    def names(self) -> list[str]:
        return [n.name for n in self.needs]

    def mask(self, terms: set[str], text: str) -> int:
        """The need bits of a service with these taxonomy terms and this text (lower case)."""
        return sum(1 << i for i, need in enumerate(self.needs) if need.matches(terms, text))


def needs_path() -> Path:
    return Path(os.environ.get("DIRECTORY_NEEDS") or DEFAULT_NEEDS)


def load_needs(path: Path | None = None) -> NeedsMap:
    """Load and check the needs map; NeedsMapError says what is wrong and where."""
    path = path or needs_path()
    try:
        raw_text = path.read_text("utf-8")
        data = yaml.safe_load(raw_text)
    except OSError as exc:
        raise NeedsMapError(f"cannot read the needs map {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise NeedsMapError(f"the needs map {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise NeedsMapError(f"the needs map {path} must map each need to terms and keywords")
    if len(data) > 62:
        raise NeedsMapError(f"the needs map {path} has {len(data)} needs; at most 62")
    needs = []
    for name, spec in data.items():
        if not isinstance(spec, dict) or set(spec) - {"terms", "keywords"}:
            raise NeedsMapError(f"{path}: need {name!r} must have only 'terms' and 'keywords'")
        terms = _strings(path, name, "terms", spec.get("terms"))
        keywords = _strings(path, name, "keywords", spec.get("keywords"))
        if not terms and not keywords:
            raise NeedsMapError(f"{path}: need {name!r} has neither terms nor keywords")
        pattern = (
            re.compile(
                r"\b(?:"
                + "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
                + r")\b"
            )
            if keywords
            else None
        )
        needs.append(Need(str(name), frozenset(terms), pattern))
    fingerprint = hashlib.sha256(raw_text.encode("utf-8")).hexdigest()[:16]
    return NeedsMap(tuple(needs), fingerprint)


def _strings(path: Path, need: object, key: str, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise NeedsMapError(f"{path}: {key} of need {need!r} must be a list of words")
    return [str(v).strip().lower() for v in value if str(v).strip()]
