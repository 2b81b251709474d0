"""The project's own HSDS taxonomy: the facts search needs that HSDS 3.0 has no column for.

They are attributes (HSDS 3.0's extension point) whose taxonomy terms belong to the taxonomy
``crisis-assistant``: who a service is for (women only, families welcome, pets), that a
location is confidential, that a service closes on public holidays, that it answers 24/7, and
free-text keywords (``keyword`` terms carry the word in the attribute's ``value``). Ids are
stable UUIDs derived from the codes, so converters and the importer agree without a lookup.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

NAMESPACE = uuid.UUID("5b0c1f3e-7a52-4b8e-9a61-3d2f0c8e4a17")
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:crisis-assistant"))

TERMS = {
    "women-only": "Only for women (and people who identify as women)",
    "men-only": "Only for men",
    "families-welcome": "Takes families with children",
    "no-families": "Does not take children",
    "pets-welcome": "Pets allowed",
    "no-pets": "No pets",
    "veterans-only": "Only for veterans",
    "lgbtq-focus": "Focused on LGBTQ+ people",
    "confidential-location": "The street address must never be shown (a refuge)",
    "closed-public-holidays": "Closed on public holidays",
    "always-open": "Answers 24 hours a day, every day",
    "keyword": "A free-text keyword; the word is the attribute's value",
    "street-address": "The street address where the data has no complete postal address (value)",
}


def stable_id(*parts: object) -> str:
    """A UUID that is the same every time for the same parts (idempotent conversions)."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


@functools.lru_cache(maxsize=64)
def term_id(code: str) -> str:
    if code not in TERMS:
        raise KeyError(f"no crisis-assistant term {code!r}")
    return stable_id("term", code)


def taxonomy_rows() -> dict[str, list[dict[str, Any]]]:
    """The taxonomy and its terms, as HSDS rows (taxonomies.csv, taxonomy_terms.csv)."""
    return {
        "taxonomy": [
            {
                "id": TAXONOMY_ID,
                "name": "crisis-assistant",
                "description": "Facts the crisis assistant needs for search and safety.",
                "version": "1",
            }
        ],
        "taxonomy_term": [
            {
                "id": term_id(code),
                "code": code,
                "name": code,
                "description": text,
                "taxonomy": "crisis-assistant",
                "taxonomy_id": TAXONOMY_ID,
            }
            for code, text in TERMS.items()
        ],
    }


def attribute(
    link_entity: str, link_id: str, code: str, value: str | None = None
) -> dict[str, Any]:
    """An attribute row giving ``link_id`` the term ``code`` (and ``value`` for keywords)."""
    return {
        "id": stable_id("attribute", link_entity, link_id, code, value or ""),
        "link_id": link_id,
        "link_type": "flag" if code != "keyword" else "keyword",
        "link_entity": link_entity,
        "taxonomy_term_id": term_id(code),
        "value": value,
    }
