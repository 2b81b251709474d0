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
_SOMEONE = r"(?:my ?self|him ?self|her ?self|them ?selves|them ?self)"
_PERSON = (
    r"(?:he|she|they|hes|shes|theyre|someone|somebody|partner|husband|wife|boyfriend|girlfriend|"
    r"bf|gf|ex|dad|father|mum|mom|mother|stepdad|stepfather|brother|sister|son|uncle|pimp|"
    r"landlord|flatmate|roommate|man|men|guy|guys|people|neighbou?r|bloke|dude|gang|group)"
)
_INTENDS = (
    r"going to |gonna |wants to |trying to |tried to |threatening to |threatened to |"
    r"on (?:his|her|their|the) way to |coming to |said (?:he|she|they)d "
)
_VICTIM = r"(?:me|us|him|her|them|my \w+|someone|somebody|the (?:kids|children|baby))"
_PILLS = (
    r"(?:pills|tablets|meds|medications?|paracetamol|tylenol|panadol|painkillers|sleeping pills)"
)

SELF_HARM = [
    # Suicide and its misspellings, slang and euphemisms.
    r"\bsu+i+c+i*d",  # suicide, suicidal, suicdal
    r"\bsu+c+i+d",  # sucide
    r"\bsuisid|\bsuicde|\bsuiside",
    r"\bkms\b|\bunaliv",
    r"\b(?:kill|kil|killing|killin|end|ending|off|offing|hang|hanging|shoot|shooting|drown|top|"
    r"poison|poisoning) ?" + _SOMEONE + r"\b",
    r"\b(?:end|ending|ended|take|taking) (?:my|his|her|their) (?:own )?(?:life|lives|lyf)\b",
    r"\b(?:end|ending) (?:it|it all|everything|things)\b",
    r"\b(?:want|wants|wanna|wanting|going|gonna|ready|deserve|should|could|might as well) "
    r"(?:just )?(?:to |2 )?(?:die|be dead)\b",
    r"\bwish (?:i|id) (?:was|were|could be|had) (?:dead|died)\b",
    r"\bwish (?:i|id) (?:was |were |had )?never (?:been )?born\b",
    r"\bwish (?:i|id) could (?:die|disappear)\b",
    r"\b(?:better|rather be) (?:off )?(?:dead|gone)\b",
    r"\b(?:better|happier) (?:off )?without me\b",
    r"\bif i (?:died|was dead|were dead|was gone|were gone|disappeared|wasnt here)\b",
    r"\b(?:if|when) (?:i|im) (?:was |were |am )?(?:dead|gone for good)\b",
    r"\blive or die\b",
    # Life not worth living.
    r"\bdont want to (?:be alive|live|exist|wake up|be here|go on)\b",
    r"\b(?:no|nothing|no reason) (?:reason )?to live\b",
    r"\bno reason (?:for me )?to (?:live|be here|be alive|go on|exist|stay)\b",
    r"\bpoint (?:in|of) (?:living|life|going on|being alive|being here)\b",
    r"\b(?:isnt|is not|not) worth (?:living|it anymore)\b",
    r"\bstop existing\b|\bcease to exist\b|\bnot (?:to )?exist anymore\b",
    r"\b(?:tonight|today) is my last\b|\bmy last (?:night|day) (?:alive|on earth)\b",
    r"\b(?:want|wanna|going) (?:to )?disappear\b",
    r"\bnot (?:worth|want to be) (?:living|alive)\b",
    r"\b(?:no|whats the|what is the) point (?:in |of )?(?:living|life|going on|anymore)\b",
    r"\bwhy (?:should|would|do) i (?:keep|go on|bother) (?:living|going|on)\b",
    r"\b(?:tired|sick|done) (?:of|with) (?:living|life|being alive)\b",
    r"\bcant (?:go on|do this anymore|take it anymore|take this anymore|keep going)\b",
    r"\bgive up on (?:life|living|everything)\b|\bfinished with (?:everything|life|it all)\b",
    r"\b(?:want|need) (?:it|it all|everything|the pain|my life) to (?:be over|stop|end)\b",
    r"\bi want out $",
    r"\bmy life is over\b",
    r"\b(?:sleep|go to sleep) forever\b|\bnever wake up\b|\b(?:dont|not) wake up\b",
    r"\bdie in my sleep\b|\b(?:pray|hope|wish) (?:that )?i (?:die|dont wake|never wake)\b",
    r"\bthinking (?:about|of) (?:death|dying|ending it|killing)\b",
    r"\b(?:ways?|how) to (?:die|kill my ?self|end it|end my life|do it)\b",
    r"\bhow im (?:going|gonna) to do it\b|\bgot everything ready\b|\bpraying its the last\b",
    # Saying goodbye.
    r"\b(?:saying|said|say) (?:my )?goodbyes?\b|\bgoodbye (?:forever|everyone|for good|world)\b",
    r"\b(?:this is|its) (?:my )?(?:goodbye|last message)\b|\blast message\b",
    r"\bwont hear from me again\b",
    r"\b(?:not (?:going to|gonna)|wont) be (?:here|around) (?:tomorrow|much longer|anymore)\b",
    # Hurting oneself.
    r"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving|hit|hitting|"
    r"punch|punching|scratch|scratching) " + _SOMEONE + r"\b",
    r"\bself ?harm",
    r"\b(?:cutting|cut|burned|burnt|burning|scratching|scratched|slashing|slashed) "
    r"(?:my|his|her) (?:arms?|wrists?|legs?|thighs?|skin|body)\b",
    r"\bcutting again\b",
    r"\bcut(?:ting)? (?:my|his|her|their) (?:wrists?|arms?|legs?|thighs?)\b",
    r"\b(?:urge|want|wanted|wanting|need|going|gonna) to cut\b|\bcut again\b",
    r"\brazor (?:on|to) my\b|\bbang(?:ing)? my head\b",
    r"\bslit (?:my )?wrists?\b",
    r"\bdo (?:something|it) to my ?self\b",
    # Poisoning, pills, other means.
    r"\bover ?dos|\bod (?:on|tonight|now)\b|\boding\b",
    r"\b(?:take|taking|took|taken|swallow|swallowed|swallowing|downed) (?:all|too many|a bunch of|"
    r"a handful of|a packet of|a bottle of|a box of|the whole|a whole bottle of|a whole packet of|"
    r"\d+) (?:of )?(?:my |the |these )?"
    r"(?:\w+ )?" + _PILLS + r"\b",
    r"\b(?:took|take|taking|swallowed)\b.*\bon purpose\b",
    r"\b(?:take|taking|swallow|swallowed) (?:all )?(?:my |the |these |those )?" + _PILLS + r"\b"
    r"(?! (?:for|because|but|and i|on time|every|twice|daily|as))",
    r"\b(?:drank|drink|drinking|swallowed) (?:some )?bleach\b",
    r"\b(?:pills|tablets|meds|rope|gun|noose) (?:are |is )?(?:all )?ready\b",
    r"\b(?:how many|how much)\b.*\bto (?:die|kill)\b",
    r"\bgoodbye (?:letters?|notes?|texts?)\b",
    r"\b(?:step|stepping|walk|walking|jump|jumping|throw|throwing|lie|lying|lay) (?:my ?self )?"
    r"(?:in front of|under|onto) (?:a |the )?(?:train|bus|car|truck|traffic|tracks)\b",
    r"\bnoose\b|\b(?:have|got|bought|found) a rope\b",
    r"\bjump(?:ing)? (?:off|from|in front of) (?:a |the )?(?:\w+ )?"
    r"(?:bridge|building|roof|train|cliff|car|bus|balcony)\b",
    r"\bto jump (?:off|from)\b",
    r"\b(?:edge|top) of (?:the |a )?(?:bridge|roof|building|cliff)\b|\bhighest (?:bridge|building)\b",
    r"\bthrow (?:my ?self|me) (?:off|in front of|under)\b",
    r"\b(?:drive|driving|drove) (?:my car )?(?:off (?:the road|a cliff|a bridge)|into (?:a )?(?:wall|tree|traffic))\b",
    r"\bgarage\b.*\bengine running\b",
    r"\bplan and the means\b|\bhave the means\b",
    # Means at hand, and the last night: what crisis lines ask about first.
    r"\b(?:standing|sitting|stood|sat|up) on (?:the |a )?(?:edge|ledge|bridge|roof|railing)\b",
    r"\b(?:saved|saving|stockpiled|stockpiling|hoarded|hoarding) (?:up )?(?:all )?(?:my |enough )?"
    + _PILLS
    + r"\b",
    r"\bgun\b.*\bthinking (?:about|of) (?:it|using)\b",
    r"\bmy final (?:day|night|goodbye)\b|\bmy last night (?:here|alive|on earth)\b",
    r"\b(?:wont|will not|not going to|not gonna) (?:be (?:here|around|alive)|exist)\b"
    r"(?: (?:by|after|in the|tomorrow|to see|anymore))",
    r"\bwont exist\b|\bill be gone for good\b|\blast time (?:youll|you will|you) hear from me\b",
    r"\bnobody will have to (?:deal with|worry about|see) me\b",
    r"\b(?:tonight|today|now) i (?:finish|end) (?:it|this|things)\b",
    r"\b(?:wrote|writing|left) (?:goodbye )?(?:letters|notes) (?:to|for) (?:everyone|my family|my kids)\b",
    r"\b(?:gave|giving) (?:away )?(?:my|all my) (?:\w+ )?away\b.*\bwont need\b",
    r"\bready to go $",
]

DANGER = [
    # Threats and violence now, to the client or someone with them.
    r"\b"
    + _PERSON
    + r" (?:(?:is |s |are |will |has |keeps )(?:"
    + _INTENDS
    + r")?|"
    + _INTENDS
    + r")(?:kill|hurt|stab|shoot|rape|beat|grab|take) (?:me|us|my)\b",
    r"\b(?:kill|kil|killing|killin) (?:me|us)\b",  # "this traffic is killing me" too: a false alarm
    r"\b(?:has|have|got|with|holding|pointing|waving|grabbed|pulled) (?:a |an |his |her |the |some )?"
    r"(?:knife|knives|gun|guns|weapon|weapons|blade|blades|machete|bat|bats|axe|pistol|rifle|"
    r"hammer|pipe|pipes)\b",
    r"\b(?:hitting|beating|bashing|choking|strangling|attacking|stabbing|punching|kicking|raping|"
    r"hurting|threatening|dragging|chasing|following|grabbing) " + _VICTIM + r"\b",
    r"\bbeing (?:hit|beaten|attacked|assaulted|hurt|raped|stabbed|choked|strangled|followed|"
    r"chased|stalked|abused|threatened)\b",
    r"\b(?:just )?(?:attacked|assaulted|jumped|stabbed|grabbed) me\b|\bgot (?:jumped|stabbed|shot)\b",
    r"\b(?:raped|sexually assaulted)\b|\b(?:drugged|roofied|spiked|poisoned)\b|\bkidnap",
    r"\bhostage\b|\bpull(?:ing|ed)? me into\b|\bslipped (?:something|me something)\b",
    r"\b(?:been|was|im|got) shot\b|\bshots fired\b",
    r"\bholding me down\b|\bhands around my neck\b|\b(?:got|has) me cornered\b|\bforced me\b",
    r"\bthrowing (?:punches|rocks|things|stuff|bottles)\b",
    r"\bcoming (?:at|for|after|towards|toward) (?:me|us)\b|\b(?:found|knows) where i (?:am|live)\b",
    r"\bcoming (?:back )?with a\b|\b(?:a gang|they) (?:is|are) after me\b",
    r"\b(?:aggressive|violent|escalating) (?:right )?now\b",
    r"\b(?:hell|shell|theyll|he will|she will|they will) (?:hit|hurt|kill|beat|stab|shoot) "
    r"(?:me|us|my)\b",
    r"\bcoming (?:back|over|round|here)\b.*\bto (?:hurt|kill|beat|get) (?:me|us)\b",
    r"\b(?:surrounding|surrounded) (?:me|us|my)\b|\b(?:im|i am|were|we are) trapped\b",
    r"\b(?:shooting|gunshots?|gunfire)\b(?! (?:range|star|pains?))",
    r"\b(?:hit|run over|knocked down|knocked over) by a (?:car|bus|truck|van|vehicle)\b",
    # Not safe where they are.
    r"\bin danger\b",
    r"\bnot safe\b|\bunsafe\b|\bdont feel safe\b",
    r"\b(?:fear|scared|afraid|terrified) for (?:my|our) (?:life|lives|safety)\b",
    r"\b(?:breaking|broke|trying to (?:get|break)) in(?:to)?\b|\bintruder\b",
    r"\b(?:broken|break) into (?:my|our|the)\b|\bbroke the (?:window|door)\b",
    r"\b(?:stranger|someone|somebody|a man|a guy) (?:is )?in my (?:house|home|room|tent|place|flat)\b",
    r"\b(?:kicking|smashing|breaking|banging|bashing) (?:down |in )?(?:on )?(?:my |the |our )?"
    r"(?:front )?(?:door|window)",
    r"\b(?:locked|trapped) (?:me )?in\b|\bwont let me (?:leave|go|out)\b|\bblocking the door\b",
    r"\b(?:outside|at) (?:my|the) (?:door|window|house)\b",
    r"\bhiding (?:from|in|under)\b",
    r"\b(?:he|she|they|hes|shes|theyre|my ex) (?:is |s |are )?(?:here|still here|"
    r"in the house|still in the house|outside)\b",
    # Asking for emergency services.
    r"\b(?:call|need|get|send) (?:the |an? )?(?:police|cops|ambulance|paramedics|fire brigade|"
    r"fire department)\b",
    r"\bsend help\b|\bcome quick(?:ly)?\b|\bhelp me now\b|\bhelp (?:me )?right now\b|\b(?:urgent|urgently|emergency) help\b|"
    r"\bhelp urgently\b|\bmayday\b|\bsos\b",
    r"(?<!not an )\bemergency\b(?! (?:shelter|accommodation|housing|food|relief|bed|beds|room|rooms|"
    r"assistance|financial|funds|money|rent|payment|cash|grant|dental|services?|center|centre|"
    r"department|supplies|kit|contact|number))",
    # Medical emergencies.
    r"\b(?:cant|cannot|can not) (?:breathe|get air|get my breath|move)\b",
    r"\b(?:isnt|is not|not|stopped) breathing\b",
    r"\bunconscious\b|\bunresponsive\b|\bcollapsed\b|\bpassed out\b|\bwont wake up\b",
    r"\b(?:cant|cannot|can not) wake (?:him|her|them|up)\b",
    r"\b(?:isnt|is not|not) moving\b",
    r"\bheart attack\b|\bstroke\b|\bseizure\b|\bfitting\b|\banaphyla|\ballergic reaction\b",
    r"\bchoking\b|\bthroat is closing\b|\bchest pain\b|\bpain in my chest\b",
    r"(?<!not )\bbleeding\b|\bhit my head\b|\bblood (?:everywhere|wont stop)\b|\bgushing blood\b|\bbone is sticking\b",
    r"\bfire\b(?! (?:station|alarm test|pit))|\bsmell gas\b|\bgas leak\b",
    r"\bcar crash\b|\b(?:in|had) an? (?:car )?accident\b|\bcant get up\b",
    r"\bmixed (?:pills|meds|drugs) (?:and|with)\b|\bheart (?:is )?(?:racing|pounding) (?:way )?too fast\b",
    r"\b(?:lips|face|skin) (?:are |is )?(?:going |turning )?blue\b|\bnot waking up\b",
    r"\bcant catch (?:my|his|her|their) breath\b|\bchest (?:is )?crushing\b|\barm (?:is |went )?numb\b",
    r"\bso much blood\b|\bcant (?:make|get) (?:it|the bleeding) (?:to )?stop\b",
    r"\b(?:car|truck|bus|van|driver) (?:just )?(?:ran (?:me|him|her) over|hit (?:me|him|her)|knocked (?:me|him|her))\b",
    r"\bknocked (?:me )?off my (?:bike|scooter)\b",
    r"\bput (?:something|stuff|drugs) in (?:my|her|his) (?:drink|beer|glass|cup)\b|\b(?:got|been) dosed\b",
    # More of violence now.
    r"\bcornered (?:me|us)\b|\bgrabbed my (?:throat|neck|hair)\b|\bsmashing (?:things|stuff|everything)\b",
    r"\bcoming (?:at|for|after|towards|toward) my (?:camp|tent|place|house|car|kids)\b",
    r"\b(?:have|with|got|carrying) (?:machetes|knives|guns|bats|sticks|weapons)\b",
    # A cry for help with nothing else.
    # "help please" alone stays a question about what the assistant does (ask_capabilities).
    r"^ (?:help ?){2,}$|^ help (?:now|asap)(?: please| pls| plz)? $|\burgent (?:pls|please|plz)\b",
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


class Screen:
    """The screen for one region: the patterns above, and the emergency number said alone."""

    def __init__(self, emergency_number: str | None = None) -> None:
        digits = re.sub(r"\D", "", emergency_number or "")
        self._number = (
            re.compile(
                rf"^ (?:(?:call|dial|ring|need|get|help|please) )*{digits}"
                rf"(?: (?:now|please|help|{digits}))* $"
            )
            if digits
            else None
        )

    def __call__(self, text: str) -> Risk | None:
        """The risk ``text`` signals, if any. Danger wins when both match: the emergency first."""
        words = normalise(text)
        if _DANGER.search(words) or (self._number and self._number.search(words)):
            return "danger"
        if _SELF_HARM.search(words):
            return "self_harm"
        return None


screen = Screen()  # without a region's number: for the benchmark and tests
