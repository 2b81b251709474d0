"""What a client's words mean to a follow-up: yes or no to the offer, which outcome, or STOP.

Whole messages only, after :func:`bot.safety.normalise` (lower case, accents folded, a space at
each end): "yeah got one" is outcome 1, "they were full" 2, but "full of questions, where is the
food bank" is nobody's answer and goes to Rasa as a new message. English and Spanish, in the
spelling clients use on a phone.
"""

from __future__ import annotations

import re

from bot.safety import normalise

OUTCOMES = {1: "got_help", 2: "full", 3: "no_way", 4: "did_not_go", 5: "help_now"}

_YES = (
    r"y|yes|yess|yeah|yea|ya|yep|yup|ok|okay|k|kk|sure|please|pls|yes please|ok please|"
    r"si|sii|claro|simon|va|dale|ok gracias|si gracias|si porfa|si por favor|andale|sale|orale"
)
_NO = r"n|no|nope|nah|no thanks|no thank you|no ty|nel|para nada|no gracias|mejor no|ahorita no"
_ANSWER = re.compile(rf"^ (?:{_YES}) $"), re.compile(rf"^ (?:{_NO}) $")

# Checked in this order: "no i didnt go" is 4, not a no; "yes but it was full" is 2.
_OUTCOME_WORDS: tuple[tuple[int, str], ...] = (
    (
        5,
        r"(?:i )?need (?:some )?help (?:now|right now|asap)|help me now|"
        r"necesito ayuda (?:ya|ahora|ahorita)|ayuda (?:ya|ahora|ahorita)",
    ),
    (
        2,
        r"full|no (?:beds?|room|space|spots?|openings?)|turned (?:me )?away|(?:they )?said no|"
        r"(?:wouldnt|would not|didnt|did not) (?:let|take|accept) me|rejected|waitlist|"
        r"wait list|lleno|llena|no (?:habia|hay) (?:lugar|cupo|camas?|espacio)|"
        r"no me (?:aceptaron|dejaron|recibieron)|me rechazaron",
    ),
    (
        3,
        r"(?:couldnt|could not|cant|cannot|didnt|did not) (?:get|make it) (?:there|in time)|"
        r"no (?:ride|bus|car|way to get there)|too far|no pude llegar|muy lejos|"
        r"no tenia (?:como|transporte|raite|ride)",
    ),
    (
        4,
        r"(?:i )?(?:didnt|did not|never) (?:go|went)|(?:i )?decided not to(?: go)?|no fui|"
        r"no quise ir|(?:i )?stayed (?:where i was|put|home)",
    ),
    (
        1,
        r"(?:yes|yeah|yep|yup|si|ya|ok) ?(?:i )?(?:got|found|did)(?: (?:one|a bed|it|in|help))?|"
        r"(?:i )?(?:got|found) (?:one|a bed|a place|a spot|in|help|it)|it worked|"
        r"(?:si )?(?:consegui|encontre)(?: (?:cama|lugar|uno|ayuda))?|si me aceptaron",
    ),
)
_OUTCOME = tuple((n, re.compile(rf"(?:^| ){words}(?: |$)")) for n, words in _OUTCOME_WORDS)
_NUMBER = re.compile(r"^ #?(\d{1,3})[.)]? $")
_SHORT = 80  # longer words are a new message, not an answer

# Stop messaging me: carrier words (which on SMS the inbox already reads as an opt-out), and
# the same said in full.
_STOP = re.compile(
    r"^ (?:please |pls )?(?:stop|stopall|unsubscribe|cancel|end|quit|optout|opt out|"
    r"stop (?:checking (?:in )?(?:on|with) me|messaging me|texting me|the (?:check ?ins|messages)|"
    r"it|please)|no more (?:messages|texts|check ?ins)|dont (?:message|text|contact) me"
    r"(?: again)?|parar|para|alto|ya no me (?:escribas|mandes mensajes)|no me escribas(?: mas)?)"
    r"(?: please| pls| thanks| gracias)? $"
)


def yes_or_no(text: str) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else."""
    if len(text) > _SHORT:
        return None
    words = normalise(text)
    if _ANSWER[0].match(words):
        return True
    if _ANSWER[1].match(words):
        return False
    return None


def number(text: str) -> int | None:
    """The number a short reply is ("2", "#2", "2."), if it is only a number."""
    found = _NUMBER.match(normalise(text)) if len(text) <= _SHORT else None
    return int(found[1]) if found else None


def outcome(text: str) -> int | None:
    """Which answer (1 to 5) the client's words give, or None when they give none."""
    if len(text) > _SHORT:
        return None
    choice = number(text)
    if choice is not None:
        return choice if choice in OUTCOMES else None
    words = normalise(text)
    for answer, pattern in _OUTCOME:
        if pattern.search(words):
            return answer
    return None


def stop(text: str) -> bool:
    """Whether the message asks to stop being messaged."""
    return len(text) <= _SHORT and bool(_STOP.match(normalise(text)))
