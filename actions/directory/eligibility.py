"""Who the client is (the ``population`` slot) and which services would take them.

``population`` holds canonical words (youth, woman, man, family, senior, veteran, lgbtq, pets)
and bare numbers, which are ages ("17"). A service is left out only when its data says it
would not take this client: an age range the client is outside, women or men only, no
children for a family, no pets, veterans only. What the client did not say excludes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

YOUTH = (12, 24)
SENIOR = (60, 120)
_AGE = re.compile(r"^\s*(\d{1,3})\s*$")


@dataclass(frozen=True)
class Profile:
    age_low: float | None = None
    age_high: float | None = None
    gender: str | None = None  # "female" or "male"
    family: bool = False
    pets: bool = False
    veteran: bool = False
    lgbtq: bool = False

    def sql(self) -> tuple[str, list[Any]]:
        """A WHERE clause on ``search_entry e`` keeping the services that would take them."""
        clauses: list[str] = []
        args: list[Any] = []
        if self.age_low is not None and self.age_high is not None:
            clauses.append(
                "(e.min_age IS NULL OR e.min_age <= ?) AND (e.max_age IS NULL OR e.max_age >= ?)"
            )
            args += [self.age_high, self.age_low]
        if self.gender:
            clauses.append("(e.gender IS NULL OR e.gender = ?)")
            args.append(self.gender)
        if self.family:
            clauses.append(
                "(e.families IS NULL OR e.families = 1) AND (e.min_age IS NULL OR e.min_age < 18)"
            )
        if self.pets:
            clauses.append("(e.pets IS NULL OR e.pets = 1)")
        if not self.veteran:
            clauses.append("e.veterans_only = 0")
        return (" AND ".join(clauses) or "1"), args


def profile_from(population: Any) -> Profile:
    """A profile from the slot's value (a list, a single string, or nothing)."""
    if population is None:
        values: list[str] = []
    elif isinstance(population, (list, tuple)):
        values = [str(v) for v in population]
    else:
        values = [str(population)]
    words = {v.strip().lower() for v in values}
    ages = [int(m.group(1)) for v in values if (m := _AGE.match(v)) and 0 < int(m.group(1)) < 120]
    low: float | None = None
    high: float | None = None
    if ages:
        low = high = float(ages[-1])  # the latest age said wins
    elif "youth" in words:
        low, high = YOUTH
    elif "senior" in words:
        low, high = SENIOR
    woman, man = "woman" in words, "man" in words
    return Profile(
        age_low=low,
        age_high=high,
        gender="female" if woman and not man else "male" if man and not woman else None,
        family="family" in words,
        pets="pets" in words,
        veteran="veteran" in words,
        lgbtq="lgbtq" in words,
    )
