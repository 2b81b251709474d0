"""The safety screen: a deterministic check for risk to life, before any NLU, in the gateway.

It runs on every typed message the moment it is stored, whatever Rasa's state, so a client who
signals risk gets the emergency number and a 24/7 line in the first reply even when Rasa is
down. Rasa's ``risk_*`` intents catch the paraphrases it misses. What it finds is a
:class:`Signal` with a tier, as crisis text services triage (README, "Risk tiers"):

- **clear**: words that say risk to life outright ("i want to kill myself", "hes got a knife",
  "he strangled me"). The gateway sends the crisis reply at once and opens a high-risk case.
- **uncertain**: words that often mean risk but are as often said in passing ("this traffic is
  killing me", "i cant do this anymore", "im gonna die", "my mum will kill me"). Nothing is
  sent at once; Rasa answers what the client asked and adds "Are you safe right now?", and a
  "No" escalates.

Either way the client's own words go to Rasa, with what the screen found as metadata: a risk
signal adds, it never replaces (DESIGN.md). Phrases that only sound alarming ("dead tired",
"dying for a shower", "i'd kill for a burger", "emergency accommodation") are taken out before
the patterns run, so they signal nothing. ``bench/gateway_screen.py`` measures misses and
false alarms on the labelled NLU data.

The patterns work on a normalised text: lower case, apostrophes dropped ("don't" -> "dont"),
everything else that is not a letter or digit turned into a space, one space at each end.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Risk = Literal["self_harm", "danger"]
Tier = Literal["clear", "uncertain"]

# Which Rasa intent each risk is (DESIGN.md, the intents table).
INTENT_FOR_RISK: dict[Risk, str] = {
    "self_harm": "risk_self_harm",
    "danger": "risk_immediate_danger",
}


@dataclass(frozen=True)
class Signal:
    """What the screen found: which risk, and how certain the words are."""

    risk: Risk
    tier: Tier

    @property
    def clear(self) -> bool:
        return self.tier == "clear"


_SOMEONE = r"(?:my ?self|him ?self|her ?self|them ?selves|them ?self)"
# People whose threat to kill is meant: partners, strangers, attackers.
_PERSON = (
    r"(?:he|she|they|hes|shes|theyre|someone|somebody|partner|husband|wife|boyfriend|girlfriend|"
    r"bf|gf|ex|stepdad|stepfather|pimp|man|men|guy|guys|people|bloke|dude|gang|group|"
    r"neighbou?r|stranger)"
)
# Family and landlords: "my mum is going to kill me" is mostly a figure of speech.
_FAMILY = r"(?:dad|father|mum|mom|mother|brother|sister|son|uncle|aunt|landlord|boss|flatmate|roommate|teacher|coach)"
_INTENDS = (
    r"going to |gonna |wants to |trying to |tried to |threatening to |threatened to |"
    r"on (?:his|her|their|the) way to |coming to |said (?:he|she|they)d "
)
_VICTIM = r"(?:me|us|him|her|them|my \w+|someone|somebody|the (?:kids|children|baby))"


def _threat(who: str, verbs: str) -> str:
    """``who`` is going to (or will, or threatened to...) do one of ``verbs`` to me, us or mine."""
    return rf"\b{who} (?:(?:is |s |are |will |has |keeps )(?:{_INTENDS})?|{_INTENDS})(?:{verbs}) (?:me|us|my)\b"


_PILLS = (
    r"(?:pills|tablets|meds|medications?|paracetamol|tylenol|panadol|painkillers|sleeping pills|"
    r"oxys?|xanax|insulin)"
)
_MEANS = r"(?:pills|tablets|meds|gun|rope|noose|knife|blade|razor|razors|bleach|poison)"

# Phrases that only sound alarming: removed before any pattern runs.
IDIOMS = [
    r"\bdead (?:tired|beat|on my feet|broke)\b",
    r"\b(?:dying|dieing) (?:for|to have|to get|to see|to eat)\b|\bdie for (?:a|an|some)\b",
    r"\b(?:dying|die|dieing) of (?:hunger|thirst|boredom|laughter|embarrassment)\b",
    r"\b(?:id|i would|i could|would) kill for\b|\bkill for (?:a|an|some)\b",
    r"\bto die for\b|\bkilling it\b|\bkiller\b|\bdrop dead gorgeous\b",
    r"\b(?:my )?(?:phone|battery|cell|mobile|laptop|car battery) (?:is |has |went |just )?(?:died|dead|dying)\b",
    r"\bdead (?:phone|battery|cell)\b|\b(?:bored|freezing|starving) to death\b",
    r"\bemergency (?:ac+om+od?at\w*|housing|hous\w*|shel\w*|beds?|rooms?|motel|hostel|food|"
    r"relief|assistance|financial|funds|money|rent|payments?|cash|grants?|dental|dentist|vet|"
    r"services?|cent(?:er|re)|department|supplies|kit|contacts?|numbers?|loans?|vouchers?|"
    r"contraception|pantry|groceries|meals?|clothing|blankets?|fund)\b",
    r"\bnot an emergency\b|\bno emergency\b|\bin case of (?:an )?emergency\b|\burgent care\b",
    r"\bblood (?:pressure|test|tests|work|sugar|donation|bank|type)\b|\bnot bleeding\b",
    r"\b(?:back|tooth|teeth|feet|foot|head|knees?|legs?|stomach|neck|shoulders?|ears?|hips?|"
    r"hands?|arms?) (?:is|are|s) killing me\b",
    r"\b(?:im|i am) done (?:here|for (?:now|today|tonight)|thanks|thank you|bye|with (?:this|the|my) "
    r"(?:form|chat|search|shift|job))\b",
    r"\b(?:crisis|urgent) (?:ac+om+od?at\w*|housing|shel\w*|beds?|loans?|payments?|food|center|"
    r"centre|line|fund|grants?|money|cash|help with rent)\b",
]

# Risk said and denied in one breath ("im not suicidal, i just need a bed"): taken out like an
# idiom, so that it signals no clear risk, but still an uncertain one, so that Rasa checks.
NEGATED = [
    r"\b(?:not|never|no longer|im not|i am not|wasnt|isnt|not feeling) suicidal\b",
    r"\b(?:not|never|wont|wouldnt) (?:going |gonna |trying )?(?:to )?(?:hurt|kill|harm) my ?self\b",
    r"\bno (?:thoughts|plans?|intention) (?:of|to|about) (?:suicide|hurting|harming|killing)"
    r"(?: my ?self)?\b",
    r"\b(?:i )?dont want to (?:die|kill my ?self|hurt my ?self)\b",
]

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
    r"\b(?:want|wants|wanna|wanting|ready|deserve|should|might as well) "
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
    r"\b(?:isnt|is not|not) worth living\b",
    r"\bstop existing\b|\bcease to exist\b|\bnot (?:to )?exist anymore\b",
    r"\b(?:tonight|today) is my last\b|\bmy last (?:night|day) (?:alive|on earth)\b",
    r"\bdisappear (?:forever|for good)\b",
    r"\bnot (?:worth|want to be) (?:living|alive)\b",
    r"\b(?:no|whats the|what is the) point (?:in |of )?(?:living|life|going on)\b",
    r"\bwhy (?:should|would|do) i (?:keep|go on|bother) (?:living|going on)\b",
    r"\b(?:tired|sick|done) (?:of|with) (?:living|life|being alive)\b",
    r"\bcant go on\b|\bcant keep going\b",
    r"\bgive up on (?:life|living)\b|\bfinished with (?:life|it all)\b",
    r"\b(?:want|need) (?:it all|my life) to (?:be over|end)\b",
    r"\b(?:sleep|go to sleep) forever\b|\bsleep and (?:not|never) wake\b",
    r"\b(?:hope|wish|pray|want) (?:that )?(?:i )?(?:never|dont|wont) wake (?:up)?\b",
    r"\bdie in my sleep\b|\b(?:pray|hope|wish) (?:that )?i die\b",
    r"\bthinking (?:about|of) (?:death|dying|ending it|killing)\b",
    r"\b(?:ways?|how) to (?:die|kill my ?self|end it|end my life)\b",
    r"\bhow im (?:going|gonna) to do it\b|\bgot everything ready\b|\bpraying its the last\b",
    # Saying goodbye.
    r"\b(?:saying|said|say) my goodbyes?\b|\b(?:saying|said|say) goodbyes? (?:to everyone|forever|for good)\b",
    r"\bmy last message\b|\bout of (?:this )?life\b|\blife (?:is not|isnt|aint|is no longer) worth\b",
    r"\bgoodbye (?:forever|everyone|for good|world|cruel world)\b",
    r"\b(?:this is|its) (?:my )?(?:goodbye|last message)\b",
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
    r"\b(?:swallow|swallowed|swallowing) (?:all )?(?:my |the |these |those )?" + _PILLS + r"\b",
    r"\b(?:drank|drink|drinking|swallowed) (?:some )?bleach\b",
    r"\b(?:pills|tablets|meds|rope|gun|noose) (?:are |is )?(?:all )?ready\b",
    r"\b(?:how many|how much)\b.*\bto (?:die|kill)\b",
    r"\bgoodbye (?:letters?|notes?|texts?)\b",
    r"\b(?:step|stepping|walk|walking|jump|jumping|throw|throwing|lie|lying|lay) (?:my ?self )?"
    r"(?:in front of|under|onto) (?:a |the )?(?:train|bus|car|truck|traffic|tracks)\b",
    r"\bnoose\b|\b(?:have|got|bought|found) a rope\b",
    r"\bjump(?:ing)? (?:off|from|in front of) (?:a |the )?(?:\w+ )?"
    r"(?:bridge|building|roof|train|cliff|car|bus|balcony|overpass|parking garage)\b",
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
    # A plan with the means at hand: "i have the pills and im going to take them all".
    r"\b(?:take|swallow|taking|swallowing|use|using) (?:them|it|those|these) all\b",
    r"\b(?:have|got|bought|holding|found|get) (?:the |a |my |some |enough )?" + _MEANS + r"\b"
    r".*\b(?:going to|gonna|about to|ready|tonight|do it|use (?:it|them)|take them)\b",
    # A plan said outright, a third person's means, and wounds that go too deep.
    r"\b(?:have|got|made) a plan (?:to|for) (?:die|end|kill|do it|tonight)\b",
    r"\b(?:has|have) a (?:rope|noose)\b|\bcut (?:way |too |really )?deep\b",
    # About to jump, with no place named.
    r"\b(?:going to|gonna|about to|ready to|want to|wanna|thinking (?:about|of)) jump(?:ing)? $",
    r"\b(?:going to|gonna|about to|ready to) jump (?:now|tonight|today)\b",
]

DANGER = [
    # Threats and violence now, to the client or someone with them.
    _threat(_PERSON, "kill|hurt|stab|shoot|rape|beat|grab|take"),
    _threat(_FAMILY, "hurt|stab|shoot|rape|beat"),
    r"\b(?:has|have|got|with|holding|pointing|waving|grabbed|pulled) (?:a |an |his |her |the |some )?"
    r"(?:knife|knives|gun|guns|weapon|weapons|blade|blades|machete|bat|bats|axe|pistol|rifle|"
    r"hammer|pipe|pipes)\b",
    r"\b(?:hitting|beating|bashing|choking|strangling|attacking|stabbing|punching|kicking|raping|"
    r"hurting|threatening|dragging|chasing|following|grabbing) " + _VICTIM + r"\b",
    r"\bbeing (?:hit|beaten|attacked|assaulted|hurt|raped|stabbed|choked|strangled|followed|"
    r"chased|stalked|abused|threatened)\b",
    r"\b(?:just )?(?:attacked|assaulted|jumped|stabbed|grabbed) me\b|\bgot (?:jumped|stabbed|shot)\b",
    r"\b(?:raped|sexually assaulted)\b|\b(?:drugged|roofied)\b|\bkidnap",
    r"\b(?:spiked|poisoned) (?:my|her|his) (?:drink|food|beer)\b",
    r"\bdrinks? (?:was|were|got|has been|had been) spiked\b|\b(?:got|been|was|im) (?:spiked|poisoned)\b",
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
    r"\b(?:shooting|gunshots?|gunfire)\b(?! (?:range|star|pains?|hoops|guard))",
    r"\b(?:hit|run over|knocked down|knocked over) by a (?:car|bus|truck|van|vehicle)\b",
    # A weapon held to someone, and a beating just now.
    r"\b(?:gun|pistol|knife|blade) (?:to|at|against) (?:my|her|his|our) (?:head|throat|neck|chest)\b",
    r"(?<!used to )\b(?:beat|beaten|beating) (?:me|us|her|him) up\b",
    # Strangulation and choking, now or in the past: a known lethality indicator of domestic
    # homicide, so the past tense counts too.
    r"\b(?:strangled|strangle|strangles|throttled|choked|chokes|suffocated|smothered) (?:me|her|my)\b",
    r"\b(?:hands?|arm) (?:around|round|on) (?:my|her) (?:neck|throat)\b",
    r"\b(?:squeezed|grabbed|pressed on|crushed) (?:my|her) (?:neck|throat|windpipe)\b",
    r"\btried to (?:strangle|choke|kill|drown|suffocate|smother|run over) (?:me|us|her)\b",
    r"\b(?:blacked|passed) out when (?:he|she|they)\b",
    # Not safe where they are.
    r"\bin danger\b",
    r"\b(?:not safe|unsafe) (?:at home|here|now|right now|with (?:him|her|them))\b",
    r"\b(?:feel|am|im|we are|were|i m) (?:so |really |very |not )?(?:unsafe|not safe)\b",
    r"\bdont feel safe\b",
    r"\b(?:fear|scared|afraid|terrified) for (?:my|our) (?:life|lives|safety)\b",
    r"\b(?:breaking|broke|trying to (?:get|break)) in(?:to)?\b|\bintruder\b",
    r"\b(?:broken|break) into (?:my|our|the)\b|\bbroke the (?:window|door)\b",
    r"\b(?:stranger|someone|somebody|a man|a guy) (?:is )?in my (?:house|home|room|tent|place|flat)\b",
    r"\b(?:kicking|smashing|breaking|banging|bashing) (?:down |in )?(?:on )?(?:my |the |our )?"
    r"(?:front )?(?:door|window)",
    r"\b(?:locked|trapped) (?:me )?in\b|\bwont let me (?:leave|go|out)\b|\bblocking the door\b",
    r"\b(?:he|she|they|hes|shes|theyre|someone|somebody|my ex) (?:is |s |are )?(?:outside|at) "
    r"(?:my|the) (?:door|window|house)\b",
    r"\bhiding (?:from (?:him|her|them|my (?:partner|husband|wife|bf|gf|boyfriend|girlfriend|ex|"
    r"dad|stepdad))|(?:in|under) (?:the|a|my) (?:bathroom|closet|wardrobe|cupboard|car|room|bed|"
    r"table|desk|stairs))\b",
    r"\b(?:he|she|they|hes|shes|theyre|my ex) (?:is |s |are )?(?:here|still here|"
    r"in the house|still in the house|outside)\b",
    # Asking for emergency services.
    r"\b(?:call|need|get|send) (?:the |an? )?(?:police|cops|ambulance|paramedics|fire brigade|"
    r"fire department)\b",
    r"\bsend help\b|\bcome quick(?:ly)?\b|\bhelp me now\b|\bhelp (?:me )?right now\b|"
    r"\b(?:urgent|urgently|emergency) help\b|\bhelp urgently\b|\bmayday\b|\bsos\b",
    r"^ (?:(?:its|this is|it is|theres|there is|i have|we have) )?(?:an? )?emergency"
    r"(?: (?:help|please|pls|plz|now|here|hurry))* $",
    r"\b(?:its|this is|it is|theres|there is|having|we have) an emergency\b|\bmedical emergency\b",
    # Medical emergencies.
    r"\b(?:cant|cannot|can not) (?:breathe|get air|get my breath|move)\b",
    r"\b(?:isnt|is not|not|stopped) breathing\b",
    r"\bunconscious\b|\bunresponsive\b|\bcollapsed\b|\bpassed out\b|\bwont wake up\b",
    r"\b(?:cant|cannot|can not) wake (?:him|her|them|up)\b",
    r"\b(?:isnt|is not|stopped|not) moving\b(?<! car isnt moving)",
    r"\bheart attack\b|\bstroke\b|\bseizure\b|\b(?:having|had) a fit\b|\banaphyla|\ballergic reaction\b",
    r"\bfitting (?:on|and|again|now|badly)\b|\b(?:is|s) fitting\b",
    r"\bchoking\b|\bthroat is closing\b|\bchest pain\b|\bpain in my chest\b",
    r"\bbleeding (?:really |so |very )?(?:a lot|badly|heavily|everywhere|bad|out)\b",
    r"\bbleeding from (?:my|his|her|the) (?:head|neck|chest)\b|\bwont stop bleeding\b|\bbleeding wont stop\b",
    r"\bhit my head\b|\bblood (?:everywhere|wont stop)\b|\bgushing blood\b|\bbone is sticking\b",
    r"\b(?:a|the) fire\b(?! (?:station|alarm test|pit|hydrant|escape plan))|\bon fire\b|\bsmell gas\b|\bgas leak\b",
    r"^ fire(?: fire)* $|\bset (?:fire|alight)\b|\bset (?:the|my|our) \w+ on fire\b",
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

# Words that often mean risk and as often do not: "Are you safe right now?" after the answer.
UNCERTAIN_SELF_HARM = [
    r"\b(?:going to|gonna|about to) die\b|\bfeel like (?:im|i am) dying\b",
    r"\bcant (?:do this|take (?:it|this)|take any more|cope)(?: anymore| any more)?\b",
    r"\b(?:im|i am) (?:so )?done\b(?! (?:with (?:the|my|this) (?:form|shift|job|work|food)))",
    r"\bi give up\b|\bgive up on (?:everything|it all)\b|\bfinished with everything\b",
    r"\b(?:whats|what is) the point(?: anymore| of (?:anything|it all|trying))?\b",
    r"\b(?:want|wanna|going) (?:to )?disappear\b",
    r"\bmy life is over\b|\bi want out $|\bready to go $|\blast message\b",
    r"\b(?:dont|not) wake up\b|\bnever wake up\b",
    r"\bnot worth it anymore\b|\b(?:want|need) (?:it|everything|the pain) to (?:stop|end|be over)\b",
    r"\b(?:take|taking) (?:all )?(?:my |the |these |those )?" + _PILLS + r"\b"
    r"(?! (?:for|because|but|and i|on time|every|twice|daily|as|with food|in the morning))",
    r"\b(?:going to|gonna|about to|ready to|want to|wanna) jump\b",
    r"\bkill me now\b|\bjust kill me\b|\bshoot me now\b|\bi could die\b",
    r"\bhate my (?:life|self)\b|\bhate myself\b|\bno one (?:would|will) (?:care|notice|miss me)\b",
    r"\bcant live like this\b|\bno way out\b|\b(?:im|i am) (?:just )?a burden\b",
]

UNCERTAIN_DANGER = [
    r"\b(?:kill|kil|killing|killin) (?:me|us)\b",  # "this traffic is killing me"
    _threat(_FAMILY, "kill|grab|take"),  # "my mum is going to kill me"
    r"(?<!not an )\bemergency\b",
    r"\b(?:urgent|urgently)\b",
    r"\bnot safe\b|\bunsafe\b|\bscared\b|\bterrified\b|\bafraid of (?:him|her|them|my)\b",
    r"\bhiding (?:from|in|under)\b",
    r"\b(?:outside|at) (?:my|the) (?:door|window)\b",
    r"\bbleeding\b|\bblood\b|\bfire\b|\bspiked\b|\bpoisoned\b",
    r"\bthreaten(?:ed|ing|s)? (?:me|us|to)\b|\bhe hit me\b|\bshe hit me\b|\bbeat me\b",
    r"\bfollowing me\b|\bstalking me\b|\bwatching me\b",
]

_IDIOMS = re.compile("|".join(f"(?:{p})" for p in [*IDIOMS, *NEGATED]))
_NEGATED = re.compile("|".join(f"(?:{p})" for p in NEGATED))
_SELF_HARM = re.compile("|".join(f"(?:{p})" for p in SELF_HARM))
_DANGER = re.compile("|".join(f"(?:{p})" for p in DANGER))
_UNCERTAIN_SELF_HARM = re.compile("|".join(f"(?:{p})" for p in UNCERTAIN_SELF_HARM))
_UNCERTAIN_DANGER = re.compile("|".join(f"(?:{p})" for p in UNCERTAIN_DANGER))
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case ASCII words separated by single spaces; apostrophes dropped."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " " + _NOT_WORD.sub(" ", _APOSTROPHES.sub("", ascii_only)).strip() + " "


def without_idioms(words: str) -> str:
    """Normalised words with the phrases that only sound alarming taken out."""
    return _IDIOMS.sub(" ", words)


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

    def __call__(self, text: str) -> Signal | None:
        """What ``text`` signals, if anything. Clear beats uncertain; danger beats self-harm."""
        words = normalise(text)
        if self._number and self._number.search(words):
            return Signal("danger", "clear")
        plain = without_idioms(words)
        if _DANGER.search(plain):
            return Signal("danger", "clear")
        if _SELF_HARM.search(plain):
            return Signal("self_harm", "clear")
        if _UNCERTAIN_DANGER.search(plain):
            return Signal("danger", "uncertain")
        if _UNCERTAIN_SELF_HARM.search(plain) or _NEGATED.search(words):
            return Signal("self_harm", "uncertain")
        return None


screen = Screen()  # without a region's number: for the benchmark and tests
