"""Who a client needs help for: the canonical values of the ``population`` entity.

The NLU's synonyms map what a client writes ("my kids", "soy veterano") to one of these
(data/nlu/population.yml), or leave a number, read as an age; the action server's eligibility
rules read them (actions/directory/eligibility.py); an admin labels with them (bot/admin).
"""

from __future__ import annotations

POPULATIONS: tuple[str, ...] = (
    "youth", "woman", "man", "family", "senior", "veteran", "lgbtq", "pets",
)  # fmt: skip
