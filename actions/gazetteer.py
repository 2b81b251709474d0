"""Where a client is: place names, ZIP codes and shared coordinates, resolved offline.

Backed by the ``zipcodes`` package, which ships every US ZIP code with its city, the other names
the post office accepts for it, county and coordinates. A place's point is the mean of its
standard ZIP codes' centres. Nothing is downloaded at run time.

``python -m actions.gazetteer lookup`` prints the NLU lookup table of the region's place names
and ZIP codes (``make lookup`` writes it to ``data/nlu/lookup_location.yml``).
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import zipcodes

from region import Region, load_region

ZIP_RE = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
# "geo:37.48,-122.23" (RFC 5870, what the gateway sends for a shared location) or "37.48,-122.23".
GEO_RE = re.compile(r"^\s*(?:geo:)?\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
# Words before a one-word neighbourhood that make it a place ("in the mission", "en bayview").
BEFORE_A_PLACE = frozenset({"in", "at", "near", "by", "around", "from", "en", "por", "cerca"})
# Spellings clients use that the post office does not.
ABBREVIATIONS = {
    "s": "south",
    "so": "south",
    "sth": "south",
    "e": "east",
    "n": "north",
    "w": "west",
    "st": "saint",
    "mt": "mount",
    "ssf": "south san francisco",
    "sf": "san francisco",
    "rwc": "redwood city",
    "epa": "east palo alto",
    "hmb": "half moon bay",
    "vlg": "village",
}


@dataclass(frozen=True)
class Place:
    """A resolved location: what to call it, and where it is."""

    name: str
    latitude: float
    longitude: float
    state: str | None = None
    county: str | None = None
    postcode: str | None = None

    @property
    def slot_value(self) -> str:
        """The canonical text kept in the ``location`` slot; resolves back to this place."""
        if self.postcode:
            return self.postcode
        if self.state:
            return f"{self.name}, {self.state}"
        return f"geo:{self.latitude:.5f},{self.longitude:.5f}"


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, common abbreviations spelt out."""
    words = re.sub(r"[^\w\s]", " ", text.lower()).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _without_article(key: str) -> str:
    """ "the mission" and "mission" are one name."""
    return key[4:] if key.startswith("the ") else key


def _after_a_place_word(words: list[str], start: int) -> bool:
    """Whether ``words[start]`` follows "in", "at", "near"..., with or without "the" between."""
    before = [w for w in words[max(0, start - 2) : start] if w != "the"]
    return bool(before) and before[-1] in BEFORE_A_PLACE and words[start - 1] in ("the", before[-1])


class Gazetteer:
    """Place names of one country (US), preferring the region's state and counties."""

    def __init__(
        self,
        state: str,
        counties: Iterable[str] = (),
        neighbourhoods: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.state = state.upper()
        self.counties = tuple(counties)
        self._by_name: dict[str, list[tuple[Place, int]]] = defaultdict(list)
        self._zips: dict[str, Place] = {}
        self._build()
        # The region's own names, ahead of the post office's: "the mission" is San Francisco's
        # Mission District (94110), not Mission, Texas; "north fair oaks" has no post office.
        # Each is at its ZIP code's centre and keeps its name ("Near Mission"): its slot value,
        # "Mission, CA", resolves back to it.
        self._neighbourhoods: dict[str, Place] = {
            normalise(county): place for county, place in self._county_centres().items()
        }
        for name, code in neighbourhoods:
            where = self._zips.get(code)
            if where is None:
                raise ValueError(f"neighbourhood {name!r}: {code} is not a ZIP code")
            key = _without_article(normalise(name))
            self._neighbourhoods[key] = Place(
                name=name.title(), latitude=where.latitude, longitude=where.longitude,
                state=where.state, county=where.county,
            )  # fmt: skip

    def _county_centres(self) -> dict[str, Place]:
        """Each of the region's counties ("san mateo county"), at the mean of its ZIP codes."""
        found = {}
        for county in self.counties:
            zips = [z for z in self._zips.values() if z.county == county and z.state == self.state]
            if zips:
                found[county] = Place(
                    name=county,
                    latitude=round(sum(z.latitude for z in zips) / len(zips), 5),
                    longitude=round(sum(z.longitude for z in zips) / len(zips), 5),
                    state=self.state,
                    county=county,
                )
        return found

    @classmethod
    def for_region(cls, region: Region) -> Gazetteer:
        if region.gazetteer.country.upper() != "US":
            raise ValueError(f"no gazetteer for country {region.gazetteer.country!r} yet (US only)")
        return cls(
            region.gazetteer.state, region.gazetteer.counties, region.gazetteer.neighbourhoods
        )

    def _build(self) -> None:
        # Names that normalise alike ("E Palo Alto", "East Palo Alto") are one place. A place's
        # point is the mean of its standard ZIP codes' centres; places served only by PO boxes
        # (Montara, El Granada) use those. Unique ZIP codes (one organisation each) name no place.
        standard: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
        po_box: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
        for z in zipcodes.list_all():
            if not z["lat"] or not z["long"]:
                continue
            lat, lon = float(z["lat"]), float(z["long"])
            self._zips[z["zip_code"]] = Place(
                name=z["city"].title(),
                latitude=lat,
                longitude=lon,
                state=z["state"],
                county=z["county"],
                postcode=z["zip_code"],
            )
            target = {"STANDARD": standard, "PO BOX": po_box}.get(z["zip_code_type"])
            if target is None:
                continue
            for name in [z["city"], *z["acceptable_cities"]]:
                target[(normalise(name), z["state"])].append((lat, lon, z["county"]))
        for key, state in standard.keys() | po_box.keys():
            pts = standard.get((key, state)) or po_box[(key, state)]
            counties = [c for _, _, c in pts]
            place = Place(
                name=key.title(),
                latitude=round(sum(p[0] for p in pts) / len(pts), 5),
                longitude=round(sum(p[1] for p in pts) / len(pts), 5),
                state=state,
                county=max(set(counties), key=counties.count),
            )
            self._by_name[key].append((place, len(pts)))
        for candidates in self._by_name.values():
            candidates.sort(key=self._preference)

    def _preference(self, candidate: tuple[Place, int]) -> tuple[bool, bool, int, str]:
        """The region's counties first, then its state, then the biggest place (most ZIPs),
        then the state's code: a tie is broken the same way in every process (the candidates
        come from a set, whose order changes with the hash seed)."""
        place, size = candidate
        return (
            place.county not in self.counties,
            place.state != self.state,
            -size,
            place.state or "",
        )

    def resolve(self, text: str | None) -> Place | None:
        """The place ``text`` names (a whole answer such as "redwood city" or "94063"), or None."""
        if not text or not text.strip():
            return None
        geo = GEO_RE.match(text)
        if geo:
            lat, lon = float(geo.group(1)), float(geo.group(2))
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                return Place(name="your location", latitude=lat, longitude=lon)
            return None
        zip_match = ZIP_RE.fullmatch(text.strip())
        if zip_match:
            return self._zips.get(zip_match.group(1))
        key = self._strip_state(normalise(text))
        neighbourhood = self._neighbourhoods.get(_without_article(key))
        if neighbourhood is not None:
            return neighbourhood
        if key in self._by_name:
            return self._by_name[key][0][0]
        named_state = self._in_state(key)
        if named_state is not None:
            return named_state
        close = difflib.get_close_matches(key, self._regional_names, n=1, cutoff=0.85)
        if close:
            return self._by_name[close[0]][0][0]
        close = difflib.get_close_matches(
            _without_article(key), list(self._neighbourhoods), n=1, cutoff=0.85
        )
        return self._neighbourhoods[close[0]] if close else None

    def locate(self, value: str | None) -> Place | None:
        """A place from a slot value: a whole answer first, else a place named inside it."""
        if not value:
            return None
        return self.resolve(value) or self.find_in_text(value)

    def find_in_text(self, text: str | None) -> Place | None:
        """The first ZIP code or longest known place name inside a free-text message."""
        if not text:
            return None
        geo = self.resolve(text) if GEO_RE.match(text) else None
        if geo:
            return geo
        for zip_code in ZIP_RE.findall(text):
            if zip_code in self._zips:
                return self._zips[zip_code]
        words = normalise(text).split()
        for size in range(min(4, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                key = " ".join(words[start : start + size])
                # A one-word neighbourhood ("mission", "sunset", "castro") only after a word
                # that introduces a place: "on a mission" and "watching the sunset" are not.
                if key in self._neighbourhoods and (size > 1 or _after_a_place_word(words, start)):
                    return self._neighbourhoods[key]
                candidates = self._by_name.get(key)
                if not candidates:
                    continue
                place = candidates[0][0]
                # A one-word match must be a regional place: "hope" or "needles" mean other things.
                if size > 1 or place.county in self.counties:
                    return place
        return None

    def _in_state(self, key: str) -> Place | None:
        """ "atlantis fl": the place of that name in that state (the form's canonical "Name, ST")."""
        name, _, state = key.rpartition(" ")
        if len(state) != 2 or name not in self._by_name:
            return None
        return next((p for p, _ in self._by_name[name] if (p.state or "").lower() == state), None)

    def _strip_state(self, key: str) -> str:
        for suffix in (f" {self.state.lower()}", " california", " usa", " us"):
            stem = key[: -len(suffix)]
            if key.endswith(suffix) and (stem in self._by_name or stem in self._neighbourhoods):
                return stem
        return key

    @functools.cached_property
    def _regional_names(self) -> list[str]:
        return [k for k, cands in self._by_name.items() if cands[0][0].state == self.state]

    def regional_places(self) -> list[Place]:
        """Named places of the region's counties, for the NLU lookup table."""
        found = {
            place.name: place
            for candidates in self._by_name.values()
            for place, _ in candidates
            if place.county in self.counties and place.state == self.state
        }
        return sorted(found.values(), key=lambda p: p.name)

    def regional_postcodes(self) -> list[str]:
        return sorted(
            code
            for code, place in self._zips.items()
            if place.county in self.counties and place.state == self.state
        )


@functools.lru_cache(maxsize=4)
def gazetteer_for(region: Region) -> Gazetteer:
    """One gazetteer per region for the life of the process (building one is slow)."""
    return Gazetteer.for_region(region)


def lookup_table_yaml(gazetteer: Gazetteer) -> str:
    """The NLU lookup table for the ``location`` entity, as Rasa training-data YAML."""
    full_names = {p.name.lower() for p in gazetteer.regional_places()}
    # Short forms clients use for the region's places ("rwc", "ssf").
    short_names = {s for s, full in ABBREVIATIONS.items() if " " in full and full in full_names}
    names = sorted(full_names | short_names)
    lines = [
        "# Generated by `make lookup` from the zipcodes gazetteer: do not edit by hand.",
        'version: "3.1"',
        "nlu:",
        "- lookup: location",
        "  examples: |",
    ]
    lines += [f"    - {value}" for value in [*names, *gazetteer.regional_postcodes()]]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv[1:] != ["lookup"]:
        print("usage: python -m actions.gazetteer lookup", file=sys.stderr)
        return 2
    sys.stdout.write(lookup_table_yaml(gazetteer_for(load_region())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
