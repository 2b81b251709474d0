"""The safety screen: a deterministic check for risk to life, before any NLU, in the gateway.

It runs on every typed message the moment it is stored, whatever Rasa's state, so a client who
signals risk gets the emergency number and a 24/7 line in the first reply even when Rasa is
down. It prefers a false alarm to a miss: "this traffic is killing me" triggers it, on purpose
(``bench/gateway_screen.py`` measures how often it fires on ordinary requests). Rasa's
``risk_*`` intents catch the paraphrases it misses.

It looks for danger now (a weapon, being hurt now, a threat to kill), not for abuse told in
the past ("my partner hit me, what can I do" is a request for domestic-violence help, which
Rasa's ``find_domestic_violence_help`` answers with services): the screen's false alarm would
send Rasa a risk intent instead and lose that request.

The patterns work on a normalised text: lower case, apostrophes dropped ("don't" -> "dont"),
everything else that is not a letter or digit turned into a space.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Risk = Literal["self_harm", "danger"]

# Which Rasa intent the gateway sends for each risk (DESIGN.md, the intents table).
INTENT_FOR_RISK: dict[Risk, str] = {
    "self_harm": "risk_self_harm",
    "danger": "risk_immediate_danger",
}

_ME = r"(?:my ?self|me)"
_PERSON = (
    r"(?:he|she|they|hes|shes|theyre|someone|somebody|partner|husband|wife|boyfriend|girlfriend|"
    r"bf|gf|ex|dad|father|mum|mom|mother|stepdad|stepfather|brother|sister|son|uncle|pimp|"
    r"landlord|flatmate|roommate|man|guy|people)"
)

SELF_HARM = [
    r"\bsu+i+c+i*d",  # suicide, suicidal, suicdal
    r"\bsu+c+i+d",  # sucide
    r"\bsuisid|\bsuicde|\bsuiside",
    r"\bkms\b",
    r"\b(?:kill|kil|killing|killin|end|ending|off|offing|hang|hanging|shoot|shooting|drown) ?"
    + _ME
    + r"\b",
    r"\b(?:end|ending|take|taking) (?:my|my own) (?:life|lyf)\b",
    r"\bend (?:it|it all|everything|things)\b",
    r"\b(?:want|wanna|wanting|going|gonna|ready|deserve|just want) (?:to |2 )?(?:die|be dead)\b",
    r"\bwish (?:i|id) (?:was|were|could be|had) (?:dead|died|never been born)\b",
    r"\bwish (?:i|id) could (?:die|disappear)\b",
    r"\b(?:better|rather be) (?:off )?dead\b",
    r"\b(?:if|when) (?:i|im) (?:was |were |am )?(?:dead|gone for good)\b",
    r"\bdont want to (?:be alive|live|exist|wake up|be here|go on)\b",
    r"\b(?:no|nothing|no reason) (?:reason )?to live\b",
    r"\b(?:want|wanna|going) (?:to )?disappear\b",
    r"\bnot (?:worth|want to be) (?:living|alive)\b",
    r"\bno point (?:in )?(?:living|life|going on)\b",
    r"\bcant (?:go on|do this anymore|take it anymore|take this anymore|keep going)\b",
    r"\bgive up on (?:life|living)\b",
    r"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving) " + _ME + r"\b",
    r"\bself ?harm",
    r"\bover ?dos",  # overdose, overdosing, over dose
    r"\bod (?:on|tonight|now)\b",
    r"\b(?:take|taking|took|swallow|swallowed) (?:all )?(?:my |the |these |those )?"
    r"(?:pills|tablets)\b",
    r"\bslit (?:my )?wrists?\b",
    r"\bjump(?:ing)? (?:off|from|in front of) (?:a |the )?"
    r"(?:bridge|building|roof|train|cliff|car|bus)\b",
    r"\bthrow (?:my ?self|me) (?:off|in front of|under)\b",
    r"\bnever wake up\b",
]

DANGER = [
    r"\b"
    + _PERSON
    + r" (?:is |will |is going to |s going to |going to |gonna |wants to |trying to |tried to |"
    r"threatening to |threatened to |said (?:he|she|they)d |will )"
    r"(?:kill|hurt|stab|shoot|rape) (?:me|us|my)\b",
    r"\b(?:kill|kil|killing|killin) (?:me|us)\b",  # "this traffic is killing me" too: a false alarm
    r"\b(?:has|have|got|with|holding|pointing|waving|grabbed|pulled) (?:a |an |his |her |the )?"
    r"(?:knife|gun|weapon|blade|machete|bat|axe|pistol|rifle)\b",
    r"\b(?:hitting|beating|choking|strangling|attacking|stabbing|punching|kicking|raping) "
    r"(?:me|us)\b",
    r"\bbeing (?:hit|beaten|attacked|hurt|raped|stabbed|choked|strangled|followed|abused)\b",
    r"\b(?:raped|sexually assaulted)\b",
    r"\bin danger\b",
    r"\bnot safe\b|\bunsafe\b|\bdont feel safe\b",
    r"\b(?:fear|scared|afraid|terrified) for (?:my|our) (?:life|lives|safety)\b",
    r"\b(?:breaking|broke|trying to (?:get|break)) in\b",
    r"\b(?:locked|trapped) (?:me )?in\b|\bwont let me (?:leave|go|out)\b",
    r"\b(?:outside|at) (?:my|the) (?:door|window|house)\b",
    r"\bcall (?:the )?(?:police|cops|ambulance)\b",
    r"\bcant breathe\b|\bbleeding (?:a lot|badly|out)\b|\bim bleeding\b",
    r"\bemergency\b(?! (?:shelter|accommodation|housing|food|relief|bed|beds|room|rooms|"
    r"assistance|funds|money|rent|payment|cash|grant|dental|services?|center|centre|department|"
    r"housing|supplies|kit|contact|number))",
]

_SELF_HARM = re.compile("|".join(f"(?:{p})" for p in SELF_HARM))
_DANGER = re.compile("|".join(f"(?:{p})" for p in DANGER))
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case ASCII words separated by single spaces; apostrophes dropped."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " " + _NOT_WORD.sub(" ", _APOSTROPHES.sub("", ascii_only)).strip() + " "


def screen(text: str) -> Risk | None:
    """The risk ``text`` signals, if any. Danger wins when both match: the emergency comes first."""
    words = normalise(text)
    if _DANGER.search(words):
        return "danger"
    if _SELF_HARM.search(words):
        return "self_harm"
    return None
