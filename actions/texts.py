"""The action server's own words: what custom actions say, in one editable catalog.

Rasa's domain responses are for what the dialogue says from rules and stories. Text that only a
custom action says lives here, in ``actions/texts.yml``, in every language of the region,
because ``rasa data validate --fail-on-warnings`` counts every domain response that no rule or
story names as unused, and CI runs it. Values in ``{braces}`` are filled by the caller; the
region's values (emergency number, lines, example place), in the text's language, are filled
automatically. :func:`speaker` gives the ``say`` of one language; :func:`language_of` reads a
conversation's language from its tracker.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from actions.context import region
from contract import DEFAULT_LANGUAGE, LANGUAGES, META_LANGUAGE

if TYPE_CHECKING:
    from rasa_sdk import Tracker

CATALOG = Path(__file__).with_name("texts.yml")
Say = Callable[..., str]  # (key, **values) -> text


class TextError(KeyError):
    """A text key that is not in the catalog, or a placeholder the caller did not fill."""


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """Every text, by key and language."""
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8")) or {}
    return {
        str(key): {str(lang): " ".join(str(text).split()) for lang, text in value.items()}
        for key, value in data.items()
    }


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def say(key: str, language: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The text for ``key`` in ``language`` with its placeholders filled; raises TextError if
    the key, its language or a placeholder is missing."""
    try:
        template = catalog()[key][language]
    except KeyError as exc:
        raise TextError(f"no text {key!r} in {language!r} in {CATALOG.name}") from exc
    filled = {**region().template_values(language), **values}
    missing = placeholders(template) - filled.keys()
    if missing:
        raise TextError(f"text {key!r} needs {', '.join(sorted(missing))}")
    return template.format(**filled)


def speaker(language: str) -> Say:
    """``say`` in one language."""
    return functools.partial(say, language=language)


def language_of(tracker: Tracker) -> str:
    """The conversation's language: the gateway's metadata on the latest message, else the
    ``language`` slot, else the region's first language."""
    metadata: Any = (tracker.latest_message or {}).get("metadata") or {}
    said = metadata.get(META_LANGUAGE) if isinstance(metadata, dict) else None
    if said in LANGUAGES and said in region().languages:
        return str(said)
    slot = tracker.get_slot("language")
    return str(slot) if slot in region().languages else region().language
