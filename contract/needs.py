"""The needs a client can ask for, and the ``find_*`` intent of each.

The ``need`` slot holds one of these names (domain.yml); the directory maps each to services
(``actions/directory/data/needs.yml``); the report counts searches by them. Listed most urgent
first: the labelling order of the training data, and the order in which a message that names
several is served.
"""

from __future__ import annotations

from typing import Literal

Need = Literal[
    "domestic_violence",
    "shelter",
    "health_care",
    "food",
    "mental_health",
    "drug_alcohol",
    "financial",
    "legal",
    "family_support",
    "essentials",
]

INTENT_FOR_NEED: dict[str, str] = {
    "domestic_violence": "find_domestic_violence_help",
    "shelter": "find_shelter",
    "health_care": "find_health_care",
    "food": "find_food",
    "mental_health": "find_mental_health_support",
    "drug_alcohol": "find_drug_alcohol_support",
    "financial": "find_financial_help",
    "legal": "find_legal_help",
    "family_support": "find_family_support",
    "essentials": "find_essentials",
}
NEEDS: tuple[str, ...] = tuple(INTENT_FOR_NEED)
NEED_FOR_INTENT: dict[str, str] = {intent: need for need, intent in INTENT_FOR_NEED.items()}
