"""The conversation's language, from the gateway's metadata to the ``language`` slot.

The gateway decides a conversation's language (bot/language.py: the client's choice, their
words, the channel's hint) and sends it with every message as ``metadata.language``. Rasa's
responses choose their words by the ``language`` slot (a ``condition`` on each response in
domain.yml); a slot is filled from an entity, so this component, last in the NLU pipeline,
adds a ``language`` entity with that value. The domain tells every intent to ignore the entity,
so the language never changes what the dialogue does, only the words it says.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from contract import LANGUAGES, META_LANGUAGE
from rasa_addons.component import Configured

ENTITY = "language"
EXTRACTOR = "LanguageFromMetadata"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageFromMetadata(Configured):
    """Adds the gateway's ``language`` to every message as an entity."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get("metadata") or {}
            language = metadata.get(META_LANGUAGE) if isinstance(metadata, dict) else None
            if language not in LANGUAGES:
                continue
            entity = {
                "entity": ENTITY,
                "value": language,
                "start": 0,
                "end": len(str(message.get("text") or "")),
                "confidence": 1.0,
                "extractor": EXTRACTOR,
            }
            message.set("entities", [*(message.get("entities") or []), entity], True)
        return messages
