"""The action server's own words: what custom actions say, in one editable catalog.

Rasa's domain responses are for what the dialogue says from rules and stories. Text that only a
custom action says lives here, in ``actions/texts.yml``, because ``rasa data validate
--fail-on-warnings`` counts every domain response that no rule or story names as unused, and
CI runs it. Values in ``{braces}`` are filled by the caller; the region's values (emergency
number, lines, example place) are filled automatically.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

import yaml

from actions.context import region

CATALOG = Path(__file__).with_name("texts.yml")


class TextError(KeyError):
    """A text key that is not in the catalog, or a placeholder the caller did not fill."""


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, str]:
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8")) or {}
    return {str(key): str(value).strip() for key, value in data.items()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def say(key: str, **values: Any) -> str:
    """The text for ``key`` with its placeholders filled; raises TextError if one is missing."""
    try:
        template = catalog()[key]
    except KeyError as exc:
        raise TextError(f"no text {key!r} in {CATALOG.name}") from exc
    filled = {**region().template_values(), **values}
    missing = placeholders(template) - filled.keys()
    if missing:
        raise TextError(f"text {key!r} needs {', '.join(sorted(missing))}")
    return template.format(**filled)
