"""Plain yes and no: a whole message that is only a common way of saying yes or no.

The bot asks yes/no questions that matter ("Shall I find you a person?", "Are you safe right now?").
The intent classifier learns yes and no from a few hundred short examples, and a short word it has
not seen lands where its characters take it: "definitely" shares more n-grams with "definitely not"
than with "yes". A client who types "definitely" to the offer of a person must get a person. So a
message whose whole text, normalised as the safety screen normalises it, is one of the phrases below
is ``affirm`` or ``deny`` with confidence 1.0, whatever the classifier guessed; any other message (a
longer sentence, "yes but i need food") is left to the classifier.

The lists hold only phrases that mean yes or no on their own, in any context, in English and in
Spanish ("si", "claro", "simon", "nel", "para nada"), but "I'm OK", which is yes here though it
declines the offer of a person (its comment below says why); none of them is a risk phrase,
and ``RiskTriage`` (after this component) keeps ``affirm`` and ``deny`` as they are. Runs after
the FallbackClassifier, so a plain "nah" is never a clarification.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from contract import normalise
from rasa_addons.component import Configured, decide_intent


def _phrases(block: str) -> frozenset[str]:
    """One phrase a line, normalised as the screen normalises a message."""
    return frozenset(normalise(line) for line in block.strip().splitlines() if line.strip())


YES_PHRASES = _phrases(
    """
    yes
    yess
    yes please
    yes pls
    yes plz
    yes thanks
    yes thank you
    yeah
    yea
    yeh
    yep
    yup
    ya
    sure
    sure thing
    ok
    okay
    of course
    ofc
    definitely
    definitely yes
    absolutely
    absolutely yes
    certainly
    for sure
    alright
    all right
    please do
    go ahead
    go for it
    sounds good
    yes i do
    yes i am
    i am
    i do
    si
    sí
    sii
    sip
    si por favor
    si porfa
    si gracias
    claro
    claro que si
    por supuesto
    simon
    simón
    andale
    ándale
    orale
    órale
    va
    sale
    dale
    esta bien
    está bien
    de acuerdo
    okey
    ok gracias
    si estoy
    si quiero
    """
)
# "I'm OK" answers the bot's two questions in opposite ways: "Are you safe right now?" yes,
# "Shall I find you a person?" no thanks (the training data labels it deny, for the offer). This
# component cannot see which question was asked, so it takes the answer whose mistake costs
# less: read as no at the safety check it is the full escalation (the crisis lines and a worker
# paged at night for a client who said they are fine); read as yes to the offer, a worker writes
# to a client who declined. DIET happened to read "im ok" and "im alright" as yes; the logistic
# regression that replaced it learnt the data's no, so these are decided here.
YES_PHRASES |= _phrases(
    """
    im ok
    im okay
    i am ok
    i am okay
    im ok now
    im okay now
    im fine
    i am fine
    im fine now
    im fine thanks
    im ok thanks
    im good
    i am good
    im good now
    im alright
    im all right
    i am alright
    im safe
    i am safe
    im safe now
    estoy bien
    ya estoy bien
    estoy a salvo
    todo bien
    ando bien
    """
)
NO_PHRASES = _phrases(
    """
    nel
    nop
    nelson
    para nada
    no gracias
    no por favor
    no estoy
    no quiero
    todavia no
    todavía no
    ahorita no
    mejor no
    no
    noo
    nope
    nah
    nah thanks
    no thanks
    no thank you
    no thx
    not really
    not now
    not yet
    definitely not
    absolutely not
    of course not
    certainly not
    no way
    never
    no i dont
    no im not
    i dont
    im not
    """
)
EXTRACTOR = "PlainAnswers"


# A thumb or a tick alone is an answer; the text keeps no letter of it once normalised. Skin
# tones and the emoji presentation selector are taken off first.
YES_EMOJI = frozenset({"👍", "👌", "✅", "✔"})
NO_EMOJI = frozenset({"👎", "❌", "✖"})
_EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f\\s]")


def plain_answer(text: str) -> str | None:
    """``affirm`` or ``deny`` when the whole of ``text`` is a plain yes or no, else None."""
    symbols = set(_EMOJI_MODIFIERS.sub("", text))
    if symbols and symbols <= YES_EMOJI:
        return "affirm"
    if symbols and symbols <= NO_EMOJI:
        return "deny"
    words = normalise(text)
    if words in YES_PHRASES:
        return "affirm"
    if words in NO_PHRASES:
        return "deny"
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PlainAnswers(Configured):
    """Sets ``affirm`` or ``deny`` for a message that is only a plain yes or no."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            answer = plain_answer(str(message.get("text") or ""))
            if answer is None:
                continue
            decide_intent(message, answer)
        return messages
