"""Plain places: a whole message that only says where the client is.

A client asked "Where are you?" answers "bernal heights", "im in the tenderloin" or "94110". A place
name carries no risk, but the classifier reads a name it has seen little of by its characters and
its neighbours in training: "balboa park" sleeps in a risk example (a BART station), so it came out
``risk_self_harm`` at 1.0 and the client was asked "Are you safe right now?" beside the listing; 17
of 26 neighbourhoods named in no training example got such a risk intent (docs/figures.md, "Place
names read as risk"). More examples of places made the intents better and the population entities
worse, so instead the whole-message case is decided here, as :mod:`rasa_addons.answers` decides a
plain yes or no: a message that is only a known place (or a ZIP code), with at most a few words that
say "I am in/at/near", is ``inform_location`` with confidence 1.0, whatever the classifier guessed.
Any other message is left as it is.

The known places, kept with the model: the ``location`` lookup table (the region's towns and ZIP
codes), every ``location`` value annotated in the training data, and the region file's
neighbourhoods (``gazetteer.neighbourhoods``). None of them is a place that is itself a means of
harm ("the golden gate bridge", "the train tracks"): a name with such a word is never kept, so "im
at the bridge" stays with the classifier, the risk model and the screen.

The safety screen is not affected: it runs in the gateway on every message, and a clear signal
there escalates whatever the intent; ``RiskTriage`` (after this component) still reads the screen,
and keeps ``inform_location`` with a check when it is uncertain. It does not read the risk model
for such a message: that model, too, reads a name by its characters ("hunters point", "top of the
hill" came out as risk).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from contract import normalise
from rasa_addons.component import decide_intent

logger = logging.getLogger(__name__)

INTENT = "inform_location"
# Set on a message this component decided: RiskTriage then reads the screen alone, not the
# risk model, which reads a place's name by its characters as DIET did ("hunters point").
PLACE_ONLY = "place_only"
ENTITY = "location"
FILE = "places.json"
ZIP = re.compile(r"^\d{5}$")
# Words around a place that only say the client is there ("im in", "estoy en", "rn").
BEFORE = (
    "i am currently in", "i am currently at", "im currently in", "im currently at",
    "i am staying in", "im staying in", "i am staying at", "im staying at",
    "i am in", "i am at", "i am near", "i am by", "i am around", "i am from",
    "im in", "im at", "im near", "im by", "im around", "im from", "im over in",
    "i live in", "i live near", "i stay in", "i stay at", "currently in", "currently at",
    "ahora estoy en", "estoy en", "estoy por", "estoy cerca de", "ando en", "ando por",
    "vivo en", "aqui en", "cerca de",
    "in", "at", "near", "by", "around", "from", "en", "por",
)  # fmt: skip
AFTER = (
    "right now", "rn", "now", "tonight", "area", "ca", "california", "county",
    "please", "pls", "plz", "thanks", "thank you", "thx", "ahora", "gracias", "por favor",
)  # fmt: skip
# Words between places ("the mission", "en la mission", "daly city ca 94014").
INSIDE = frozenset({"the", "ca", "california", "county", "area", "of", "la", "el", "los", "las"})
# A place named for one of these is where a person may be in danger: never decided here.
MEANS = frozenset(
    {
        "bridge", "bridges", "track", "tracks", "train", "trains", "railway", "railroad", "rail",
        "station", "cliff", "cliffs", "roof", "rooftop", "overpass", "pier", "tower", "freeway",
        "highway", "ocean", "lake", "river", "creek", "water",
        "puente", "vias", "tren", "estacion", "acantilado", "techo",
    }
)  # fmt: skip


def known_places(names: Iterable[str]) -> frozenset[str]:
    """Normalised place names, without those that name a means of harm."""
    kept = set()
    for name in names:
        text = normalise(str(name)).strip()
        if text and not MEANS.intersection(text.split()):
            kept.add(text)
    return frozenset(kept)


def _split(phrases: tuple[str, ...]) -> tuple[list[str], ...]:
    return tuple(phrase.split() for phrase in phrases)


BEFORE_WORDS, AFTER_WORDS = _split(BEFORE), _split(AFTER)


@functools.lru_cache(maxsize=4)
def _longest(places: frozenset[str]) -> int:
    """The most words in a known place's name (once per set of places: a frozenset keeps its
    hash, so this is not recomputed for every message)."""
    return max((len(p.split()) for p in places), default=0)


def _strip(words: list[str], phrases: tuple[list[str], ...], front: bool) -> list[str]:
    """``words`` without the phrases at its front (or back), as often as they occur."""
    changed = True
    while changed and words:
        changed = False
        for part in phrases:
            if (
                len(part) <= len(words)
                and (words[: len(part)] if front else words[-len(part) :]) == part
            ):
                words = words[len(part) :] if front else words[: -len(part)]
                changed = True
                break
    return words


def only_a_place(text: str, places: frozenset[str]) -> bool:
    """Whether ``text`` says nothing but where the client is: one known place or ZIP code (or
    a place and its ZIP code), with "im in", "the", "ca", "right now" and the like around it."""
    words = _strip(normalise(text).split(), BEFORE_WORDS, front=True)
    words = _strip(words, AFTER_WORDS, front=False)
    longest = _longest(places)
    found = 0
    i = 0
    while i < len(words):
        # A place first: "la honda" is a town, "la" before "mission" only an article.
        size = next(
            (n for n in range(min(longest, len(words) - i), 0, -1)
             if " ".join(words[i : i + n]) in places),
            0,
        )  # fmt: skip
        if size or ZIP.match(words[i]):
            found, i = found + 1, i + (size or 1)
        elif words[i] in INSIDE:
            i += 1
        else:
            return False  # a word that is neither a place nor around one
    return 1 <= found <= 2


def region_neighbourhoods() -> list[str]:
    """The region file's neighbourhood names (the file the other two processes read)."""
    from region import load_region  # imported here: only training needs the region file

    return [name for name, _ in load_region().gazetteer.neighbourhoods]


def _places_fingerprint() -> str:
    names = sorted(region_neighbourhoods())
    return hashlib.sha256("\n".join([*names, "", *sorted(MEANS)]).encode()).hexdigest()[:16]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class PlainPlaces(GraphComponent):
    """Sets ``inform_location`` for a message that is only a known place."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        places: frozenset[str] = frozenset(),
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.places = places

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PlainPlaces:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The region's neighbourhoods are read at training, and names with a word of MEANS are
        # left out: a change to either retrains this.
        return _places_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        names: list[str] = list(region_neighbourhoods())
        for table in training_data.lookup_tables:
            if table.get("name") == ENTITY:
                elements = table.get("elements")
                names += elements if isinstance(elements, list) else []
        for example in training_data.entity_examples:
            text = str(example.get("text") or "")
            for entity in example.get("entities") or []:
                if entity.get("entity") == ENTITY:
                    names.append(text[entity["start"] : entity["end"]])
        self.places = known_places(names)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / FILE).write_text(json.dumps(sorted(self.places)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PlainPlaces:
        try:
            with model_storage.read_from(resource) as directory:
                places = json.loads((directory / FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            logger.warning("PlainPlaces: no places to load (%s)", exc)
            places = []
        return cls(config, model_storage, resource, known_places(places))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not only_a_place(str(message.get("text") or ""), self.places):
                continue
            decide_intent(message, INTENT)
            message.set(PLACE_ONLY, True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
