"""The needs a message names in so many words, for a message whose intent is a risk.

A message that signals risk is labelled by the risk ("i want to die, i need a bed" is
``risk_self_harm``), and the classifier's ranking says little of what else it asks for: it learns
one intent per message. So :mod:`rasa_addons.triage` reads the need beside the risk from the risk
model's regression of the needs and, when that reads none, from the words themselves, with this
table (the model first: it reads the need asked for more often, docs/figures.md, "Round 15").
It looks only for words that ask for a service ("need a bed", "nowhere to sleep", "hungry",
"detox"), never for words that are themselves part of a crisis ("pills",
"police", "hospital", "knife"): a wrong need here adds a search the client did not ask for to a
crisis reply.

The text is normalised as the gateway's safety screen does: lower case, apostrophes dropped,
anything that is not a letter or a digit turned into a space, one space around every word.
"""

from __future__ import annotations

import re

from contract import INTENT_FOR_NEED, NEED_FOR_INTENT, normalise

__all__ = ["INTENT_FOR_NEED", "NEED_CUES", "NEED_FOR_INTENT", "needs_named"]

# Someone the client lives with or has lived with as a partner, or a step-parent or in-law at
# home, and what they do to hurt (or that they are on their way).
_PARTNER = (
    r"\b(?:(?:my|our|the|her|his) )?(?:partner|husband|hubby|wife|wifes|boyfriend|girlfriend|bf|gf|"
    r"fiance|fiancee|spouse|baby ?daddy|babys (?:dad|father)|baby ?mama|step ?dad|stepfather|"
    r"step ?mom|stepmother|father in law|mother in law)\b|\bmy (?:ex|man|girl|old man)\b|"
    r"^ (?:ex|he|hes|she|shes) |\b(?:mi|el|la|su) (?:esposo|esposa|marido|pareja|novio|novia|ex|"
    r"viejo|boyfriend|bato|padrastro|madrastra|suegro|suegra|concubino)\b"
)
_VIOLENCE = (
    r"\b(?:hit|hits|hitting|beat|beats|beating|beaten|chok\w*|strangl\w*|kick\w*|punch\w*|slap\w*|"
    r"shov\w*|threat\w*|gun|rifle|pistol|shoot(?:ing)? (?:me|us|at|you|him|her|them|up the)|"
    r"shot (?:at|me|us)|pointed|knife|knives|hurt|hurts|hurting|"
    r"attack\w*|threw|throwing|rap(?:e|ed|es)|bruis\w*|smash\w*|dragg\w*|burn\w*|lighter|"
    r"kill (?:me|us|the kids|my)|run me over|hands (?:around|on) my|my (?:neck|throat)|"
    r"(?:lock|locks|locked) (?:me|us|in)|has me locked|wont let me|took my (?:phone|keys|car keys|"
    r"passport|id|papers)|broke (?:my|the) (?:door|phone|window|nose|arm|jaw)|"
    r"(?:trying to|tryna) (?:get|break) in|on (?:his|her) way|coming (?:back|home|over))\b|"
    r"\b(?:pega|pego|peg[oa]ndo|golpe\w*|ahorc\w*|estrangul\w*|pate\w*|amenaz\w*|cuchillo|navaja|"
    r"pistola|arma|matar(?:me|nos)?|me mata|nos mata|lastim\w*|empuj\w*|encerr\w*|no me deja salir|"
    r"avent\w*|maltrat\w*|viol[oa]|abusa|apunt\w*|dispar\w*|quem\w*|cuello|"
    r"jal[oa] (?:del|el) pelo|me quito (?:el|mi|mis) (?:cel|celular|telefono|papeles|llaves)|"
    r"rompio (?:la|mi) (?:puerta|ventana)|"
    r"ya viene|viene pa|va a matar)\b"
)

# The need slot's values, most urgent first (the labelling order of data/nlu/*.yml): when a
# message names several, the first is searched.
NEED_CUES: dict[str, list[str]] = {
    "domestic_violence": [
        r"\b(?:domestic violence|domestic abuse|dv (?:help|support|services?|shelter|line))\b",
        r"\b(?:abusive|violent) (?:partner|husband|wife|boyfriend|girlfriend|bf|gf|ex|relationship)\b",
        r"\b(?:women s|womens|dv) (?:refuge|shelter)\b|\brefuge\b",
        r"\bsafe (?:house|place to stay|place to go|somewhere to stay)\b",
        r"\b(?:get|getting|run|running) away from (?:him|her|them|my (?:partner|husband|wife|bf|gf|boyfriend|girlfriend|ex))\b",
        # A partner's violence told as it happens to the writer: the local domestic violence
        # service, beside the danger reply ("he chokes me when we argue", "my bf hits me").
        r"\b(?:he|she|hes|shes|my (?:partner|husband|wife|boyfriend|girlfriend|bf|gf|ex|man|"
        r"baby ?daddy|babys dad|stepdad|fiance))\b(?: \w+){0,4} (?:hits?|hitting|beats?|beating|"
        r"chokes?|choked|choking|strangles?|strangled|strangling|kicks?|kicked|kicking|punch(?:es|ed)?|"
        r"punching|slaps?|slapped|shoves?|shoved|pushe[sd]|threatens?|threatened|abuses?|abused|"
        r"rapes?|raped|hurts?|hurting) (?:me|us)\b",
        r"\b(?:abusive|abuser|being abused|abuses me|abusing me)\b",
        # A partner named beside violence, in any order ("husband has a gun and says if i leave",
        # "wife tried to run me over", "hands around my throat ... my bf"): danger at home, and
        # the local domestic violence service is the help beside the danger reply.
        rf"^(?=.*(?:{_PARTNER}))(?=.*(?:{_VIOLENCE}))",
        # Strangulation with the subject left out (Spanish), a mother hit in front of her child,
        # and the Spanish words for the service ("mi pareja me pega" is the cue above).
        r"\bme (?:ahorca|ahorco|estrangula|estrangulo|estaba ahorcando|"
        r"estaba apretando el cuello)\b",
        r"\b(?:pegando|pegandole|golpeando|ahorcando) a mi (?:mama|madre)\b|"
        r"\b(?:hitting|beating|choking|strangling) my (?:mom|mother)\b",
        r"\bviolencia (?:domestica|familiar)\b",
        r"\b(?:salir|escapar|irme|huir) de (?:el|ella|mi (?:pareja|esposo|marido|novio|casa))\b",
    ],
    "shelter": [
        # A bed, not the one the letters are on or that the client lies in.
        r"(?<!on the )(?<!\bin )(?<!\bmy )\bbeds?\b(?! bugs)|"
        r"\bshel+t?h?ers?\b|\bhomeless\b|\bhousing\b|\bmotel\b|\bhostel\b",
        r"\bac+om+od?ations?\b",
        r"\b(?:place|somewhere|where|anywhere) (?:to |i can |can i |2 )?(?:sleep|stay|crash|live|go tonight)\b",
        r"\bnowhere (?:to |2 )?(?:sleep|stay|live|go)\b|\bno (?:place|home|roof)\b",
        r"\b(?:sleeping|sleep|slept) (?:rough|outside|on the street|in (?:my|the|a) car|in a park)\b",
        r"\b(?:on|living on) the streets?\b|\broof over\b|\bkicked out\b|\bcouch ?surf",
        r"\b(?:albergue|refugio|shelter|cama|camas|techo|cuarto)\b|\b(?:donde|lugar para|lugar pa|"
        r"lugar donde) (?:dormir|quedarme|quedarnos|pasar la noche)\b|\bdormir en (?:la calle|el carro)\b|"
        r"\bsin (?:casa|hogar|techo)\b|\bme (?:corrieron|echaron) de\b",
    ],
    "health_care": [
        r"\b(?:need|see|find|get|want) (?:a |an |to see a )?(?:doctor|dr|gp|dentist|nurse)\b",
        r"\bclinic\b|\bprescription\b|\bno (?:health )?insurance\b|\binsulin\b",
        r"\b(?:doctor|doctora|clinica|medico|dentista|receta)\b|\bsin seguro\b",
    ],
    "food": [
        r"\bfoo+d\b|\bhungry\b|\bhungery\b|\bstarv(?:ing|ed)\b|\bmeals?\b|\bgroceries\b",
        r"\b(?:something|anything|nothing) to eat\b|\bhavent (?:eaten|ate)\b|\bnot eaten\b",
        r"\b(?:food|foodbank|food bank|pantry|soup kitchen)\b",
        r"\b(?:comida|comer|despensa|hambre|banco de comida|alimentos|lonche)\b",
    ],
    "mental_health": [
        r"\bsomeone to talk to\b|\bcounsel+(?:ing|or|ling|lor)\b|\btherap(?:y|ist)\b",
        r"\bmental health\b|\bpsychiatrist\b",
        r"\balguien con quien hablar\b|\b(?:consejer[oa]|terapia|terapeuta|psicolog[oa]|psiquiatra)\b",
    ],
    "drug_alcohol": [
        r"\bdetox\b|\brehab\b|\baddict(?:ed|ion)?\b|\bget (?:clean|sober|off (?:the )?\w+)\b",
        r"\b(?:drinking|drug|alcohol) problem\b|\bsober\b|\bnarcan\b|\bneedle exchange\b",
        r"\b(?:desintoxicacion|rehabilitacion|centro de rehabilitacion|dejar (?:de tomar|las drogas|"
        r"el alcohol|el cristal|el perico))\b",
    ],
    "financial": [
        r"\b(?:pay|paying|afford) (?:my |the )?(?:rent|bills?|electric|power|gas bill)\b",
        r"\b(?:no|any|need|some|for) money\b|\bcash\b|\brent\b|\bbills\b",
        r"\b(?:im|i m|am|so|flat|totally|dead|were|we re|are|stone) broke\b|"
        r"\bbroke (?:af|asf|until|till|til)\b",
        r"\b(?:pagar|pago) (?:la |el )?(?:renta|luz|biles|bills|cuentas)\b|\b(?:dinero|lana|pisto)\b",
    ],
    "legal": [
        r"\blawyer\b|\blegal\b|\bevict(?:ed|ion|ing)?\b|\bcourt\b|\bcustody\b|\bimmigration\b",
        r"\brestraining order\b|\blandlord\b",
        r"\b(?:abogad[oa]|desalojo|desalojar|corte|orden de restriccion|inmigracion|casero)\b",
    ],
    "family_support": [
        r"\bfamily support\b|\bparenting\b|\bchildcare\b|\bdaycare\b|\bbaby formula\b|\bdiapers\b",
    ],
    "essentials": [
        r"\bshowers?\b|\blaundry\b|\bclothes\b|\bclothing\b|\blockers?\b|\btoiletries\b",
        r"\bcharge my phone\b|\bphone charg|\bblankets?\b|\bsleeping bag\b",
        r"\b(?:banar(?:me|nos|se)?|regaderas?|lavanderia|lavar (?:mi )?ropa|ropa|cobijas?|"
        r"cargar (?:mi )?cel\w*)\b",
    ],
}

_CUES = {need: re.compile("|".join(f"(?:{p})" for p in cues)) for need, cues in NEED_CUES.items()}


def needs_named(text: str) -> list[str]:
    """The needs ``text`` asks for in so many words, most urgent first."""
    words = normalise(text)
    return [need for need, cue in _CUES.items() if cue.search(words)]
