"""The safety screen's English: what risk to life sounds like, and what only sounds like it.

Patterns run on normalised text (:func:`contract.normalise`: lower case, accents folded,
apostrophes dropped, one space around every word). Each clear pattern belongs to a group, and
each group names the cues that make it uncertain instead (see :mod:`bot.safety`): a violent
word about a crash last month, a suicide years ago, a brother's overdose or a joke is at most a
question ("Are you safe right now?"), never the full escalation, unless the message also says
it is happening now ("again", "tonight", "right now").
"""

from __future__ import annotations

from bot.safety.patterns import Patterns, clear_groups

_SOMEONE = r"(?:my ?self|him ?self|her ?self|them ?selves|them ?self)"
_MYSELF = r"(?:my ?self|mysef|myslef)"
_OTHER_SELF = r"(?:him ?self|her ?self|them ?selves|them ?self)"
_SUICIDE = r"(?:su+i+c+i*d|su+c+i+d|suisid|suicde|suiside)\w*"
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


# Whom a threat is against: the writer, or the people (and pets) with them; not "my lease".
_MINE = (
    r"(?:me|us|my (?:kids?|children|child|baby|babies|son|daughter|family|mom|mum|mother|dad|"
    r"father|wife|husband|partner|sister|brother|friend|girlfriend|boyfriend|dog|cat|grandma|"
    r"grandpa|roommate))"
)


def _threat(who: str, verbs: str, whom: str = _MINE) -> str:
    """``who`` is going to (or will, or threatened to...) do one of ``verbs`` to ``whom``."""
    return (
        rf"\b{who} (?:just |really |literally )?(?:(?:is |s |are |will |has |keeps )(?:{_INTENDS})?|"
        rf"{_INTENDS})(?:{verbs}) {whom}\b"
    )


_PILLS = (
    r"(?:pills|tablets|meds|medications?|paracetamol|tylenol|panadol|painkillers|sleeping pills|"
    r"oxys?|xanax|insulin)"
)
_MEANS = r"(?:pills|tablets|meds|gun|rope|noose|knife|blade|razor|razors|bleach|poison)"

# Phrases that only sound alarming: removed before any pattern runs.
IDIOMS = [
    r"\bdead (?:tired|beat|on my feet|broke)\b",
    r"\b(?:dying|dieing) (?:for|to have|to get|to see|to eat)\b|\bdie for (?:a|an|some)\b",
    r"\b(?:dying|die|dieing|died) of (?:hunger|thirst|boredom|laughter|laughing|embarrassment)\b",
    r"\b(?:nearly|almost) died (?:laughing|of laughter)\b|\bdied laughing\b",
    r"\b(?:id|i would|i could|would) kill for\b|\bkill for (?:a|an|some)\b",
    r"\bto die for\b|\bkilling it\b|\bkiller\b|\bdrop dead gorgeous\b",
    r"\b(?:my )?(?:phone|battery|cell|mobile|laptop|car battery) (?:is |has |went |just )?(?:died|dead|dying)\b",
    r"\bdead (?:phone|battery|cell)\b|\b(?:bored|freezing|starving) to death\b",
    # The words as names of things and of drills: food, cars, sport, coffee.
    rf"\b{_SUICIDE} (?:wings?|doors?|sauce|squeeze|runs?|sprints?|drills?|knot|lane|shifts?)\b|"
    r"\b(?:do|did|doing|run|ran|running) (?:\w+ )?suicides\b|\b(?:this|that|the) (?:job|shift|"
    r"schedule|workout|class|commute) is (?:suicide|suicidal)\b",
    r"\b(?:overdosed|overdosing|od d|odd|od ed) on (?:coffee|caffeine|sugar|candy|netflix|tv|"
    r"energy drinks|red bull|monster|homework|work|cheese|pizza|sun|carbs)\b|\b(?:an )?overdose "
    r"of (?:coffee|caffeine|sugar|candy|netflix|tv|work|cuteness|drama)\b",
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
    # Figures of speech about money, landlords, work and feelings.
    r"\b(?:got|get|getting|been|was) shot down\b|\bshoot my shot\b|\bshot my shot\b",
    r"\b(?:strangling|choking|killing|bleeding|murdering|suffocating|drowning) (?:me|us)? ?"
    r"(?:with|on|in) (?:\w+ )?(?:fees|bills|debt|rent|interest|charges|paperwork|work|homework|"
    r"taxes|costs|payments|prices|tickets|fines)\b",
    r"\b(?:choking|drowning|suffocating) (?:on|in|under) (?:\w+ )?(?:bills|debt|fees|paperwork|"
    r"work|homework|rent|loans|taxes|stress|emails)\b",
    r"\b(?:it|its|this|that|reality|grief|depression|anxiety|life|the news|stress|work|school) "
    r"(?:is |s |keeps |has been |been )?(?:hitting|kicking|beating|killing|eating) (?:me|us|my (?:butt|ass))\b",
    r"\bkick(?:ing|ed|s)? (?:me|us|him|her|them) out\b|\bkick(?:ing|ed)? my (?:butt|ass)\b",
    r"\b(?:holding|held|holds) (?:my|our|the) (?:\w+ )?hostage\b",
    r"\b(?:debt|debts|rent|bills?|loans?|taxes|fees|interest|costs?|prices|inflation|work|job|"
    r"stress|anxiety|depression|this|it|school|money|the \w+) (?:is |s |are |keeps |has been )?"
    r"(?:strangling|choking|suffocating|killing|drowning|crushing|murdering) (?:me|us)\b",
    r"\b(?:job|boss|work|manager|school|teacher|shift) (?:\w+ )?wont let me (?:leave|go)\b",
    r"\b(?:banging|knocking) on (?:my|the|our) door (?:about|for|asking)\b",
    r"\bbleeding (?:a lot |heavy |heavily )?(?:during|on|with|from) (?:my )?period\b",
    r"\b(?:after|since) the (?:fire|crash|accident|shooting|stroke|heart attack)\b",
    r"\bby accident\b|\baccidentally\b|\bfire (?:alarm|drill)s?\b",
    r"\b(?:slapped|slapping|hit|hitting|hits|attacking|attacked|bombarding|bombarded|"
    r"threatening|threatened) (?:me|us) with (?:a |an |the |these |those |some |more |fake |"
    r"another )?(?:\w+ )?(?:notice|notices|violations?|fees?|bills?|fines?|charges?|lawsuit|"
    r"eviction|paperwork|emails?|texts?|calls?|questions|rent increase|late fees)\b",
    r"\b(?:trapped|stuck) (?:in|at) (?:a |an |my |this |the )?(?:\w+ )?(?:lease|job|contract|"
    r"relationship|marriage|loop|cycle|dead end|situation|town|school|apartment deal|rut)\b",
    r"\bthat (?:show|movie|joke|video|song) (?:killed|kills) me\b|\b(?:you|u) (?:killed|kill) me\b",
    r"\bsmoked (?:me|us) at\b|\bgot smoked\b",
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

# What denies a clear pattern said just after it ("nobody is hurting me", "im not in danger", "he
# doesnt have a knife", "no im not thinking about suicide"): the negator, then at most two words
# that carry it. Never "no" alone: "no hes hitting me" answers "are you safe?" with danger.
_CARRIED = (
    r"(?: (?:is|s|was|are|am|be|being|been|really|even|currently|actually|going to|gonna|"
    r"trying to|planning (?:to|on)|thinking (?:about|of)|feeling|getting|gonna be|anymore))"
)
NEGATORS = [
    rf"(?:not|never|nobody|nobodys|no ?one|no ones|noone|nothing|isnt|arent|wasnt|werent|aint|"
    rf"dont|doesnt|didnt|wont|wouldnt|no longer){_CARRIED}{{0,2}}",
]

# The writer's own wish, intent, plan or means: what a crisis line asks about first.
SELF_HARM_INTENT = [
    # Suicide said of oneself.
    rf"\b(?:im|i am|i m|feel|feeling|felt|been|getting|get|so|really|very|kinda|pretty) "
    rf"(?:so |really |very |kinda |pretty |a bit |a little )?{_SUICIDE}\b",
    rf"\b{_SUICIDE} (?:thoughts?|feelings?|ideation|urges?|again|tonight|today|rn|right now|now|"
    rf"plan|plans)\b",
    rf"\b(?:thinking|thought|think|thoughts) (?:about|of) (?:{_SUICIDE}|committing {_SUICIDE})\b",
    rf"\b(?:commit|committing|attempt|attempting|want|wanna|going to|gonna) (?:to )?{_SUICIDE}\b",
    rf"^ (?:im |i am |feeling )?{_SUICIDE}(?: (?:help|please|pls|now|rn))* $",
    r"\bkms\b|\bunaliv|\bctb\b",
    r"\b(?:kill|kil|killing|killin|end|ending|off|offing|hang|hanging|shoot|shooting|drown|top|"
    r"poison|poisoning) ?" + _MYSELF + r"\b",
    r"\b(?:end|ending|take|taking) (?:my) (?:own )?(?:life|lyf)\b",
    r"\b(?:end|ending) (?:it|it all|everything|things)\b(?! (?:with|between|off with))",
    r"(?<!he )(?<!she )(?<!they )\b(?:want|wanna|wanting|ready|deserve|should|might as well) "
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
    r"\b(?:tired|sick|done) (?:of|with) (?:living|life|being alive|existing)\b(?! on| in| like)",
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
    r"punch|punching|scratch|scratching) " + _MYSELF + r"\b",
    r"\b(?:cutting|cut|burned|burnt|burning|scratching|scratched|slashing|slashed) "
    r"(?:my) (?:arms?|wrists?|legs?|thighs?|skin|body)\b",
    r"\bcutting again\b",
    r"\bcut(?:ting)? (?:my) (?:wrists?|arms?|legs?|thighs?)\b",
    r"\b(?:urge|want|wanted|wanting|need|going|gonna|wanna) to cut\b|\bcut again\b|\bwanna cut\b",
    r"\brazor (?:on|to) my\b|\bbang(?:ing)? my head\b",
    r"\bslit (?:my )?wrists?\b",
    r"\bdo (?:something|it) to my ?self\b",
    # Poisoning, pills, other means.
    r"\bod (?:on|tonight|now)\b|\boding\b|\b(?:going to|gonna|want to|wanna|about to) (?:overdose|od)\b",
    r"\b(?:take|taking|took|taken|swallow|swallowed|swallowing|downed) (?:all|too many|a bunch of|"
    r"a handful of|a packet of|a bottle of|a box of|the whole|a whole bottle of|a whole packet of|"
    r"\d+) (?:of )?(?:my |the |these )?"
    r"(?:\w+ )?" + _PILLS + r"\b",
    r"\b(?:took|take|taking|swallowed)\b.*\bon purpose\b",
    r"\b(?:swallow|swallowed|swallowing) (?:all )?(?:my |the |these |those )?" + _PILLS + r"\b",
    r"\b(?:drank|drink|drinking|swallowed) (?:some )?bleach\b",
    r"\b(?:pills|tablets|meds|rope|gun|noose) (?:are |is )?(?:all )?ready\b",
    r"\b(?:how many|how much)\b.*\bto (?:die|kill|not wake|never wake|end it)\b",
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
    # Means at hand, and the last night.
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
    r".*\b(?:going to|gonna|about to|ready|tonight|do it|use (?:it|them)|take them|im done|"
    r"end it|today)\b",
    r"\b(?:have|got|made) a plan (?:to|for) (?:die|end|kill|do it|tonight)\b",
    r"\bcut (?:way |too |really )?deep\b",
    # About to jump, with no place named.
    r"\b(?:going to|gonna|about to|ready to|want to|wanna|thinking (?:about|of)) jump(?:ing)? $",
    r"\b(?:going to|gonna|about to|ready to) jump (?:now|tonight|today)\b",
]

# Someone else's suicide or self-harm, and the words themselves: risk now when it is happening
# ("my friend says hes going to kill himself"), grief or history when it is over.
SELF_HARM_OTHERS = [
    rf"\b{_SUICIDE}\b",
    r"\b(?:wants|says (?:he|she|they) wants?|keeps saying (?:he|she|they) wants?) to (?:die|be dead)\b",
    r"\bover ?dos\w*\b",
    r"\bself ?harm\w*",
    r"\b(?:kill|kil|killing|killin|end|ending|off|offing|hang|hanging|shoot|shooting|drown|top|"
    r"poison|poisoning|killed|hanged|shot) ?" + _OTHER_SELF + r"\b",
    r"\b(?:end|ending|ended|take|taking|took) (?:his|her|their) (?:own )?(?:life|lives)\b",
    r"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving) "
    + _OTHER_SELF
    + r"\b",
    r"\b(?:cutting|cut|burned|burnt|burning|scratching|slashing|slashed) "
    r"(?:his|her|their) (?:arms?|wrists?|legs?|thighs?|skin|body)\b",
    r"\b(?:has|have) a (?:rope|noose)\b",
]

VIOLENCE = [
    # Threats and violence now, to the client or someone with them.
    _threat(_PERSON, "kill|hurt|stab|shoot|rape|beat"),
    _threat(_PERSON, "grab|take", r"(?:me|us)"),
    _threat(_FAMILY, "hurt|stab|shoot|rape|beat"),
    r"\b(?:has|have|got|with|holding|pointing|waving|grabbed|pulled) (?:a |an |his |her |the |some )?"
    r"(?:knife|knives|gun|guns|weapon|weapons|blade|blades|machete|bat|bats|axe|pistol|rifle|"
    r"hammer|pipe|pipes)\b",
    r"\b(?:hitting|beating|bashing|choking|strangling|attacking|stabbing|punching|kicking|raping|"
    r"hurting|dragging|chasing|following|grabbing) " + _VICTIM + r"\b",
    r"\bbeing (?:hit|beaten|attacked|assaulted|hurt|raped|stabbed|choked|strangled|followed|"
    r"chased|stalked|abused|threatened)\b",
    r"\b(?:just )?(?:attacked|assaulted|jumped|stabbed|grabbed|kicked|punched|slapped) me\b|\bgot (?:jumped|stabbed|shot)\b",
    r"\b(?:raped|sexually assaulted)\b|\b(?:drugged|roofied)\b|\bkidnap",
    r"\b(?:spiked|poisoned) (?:my|her|his) (?:drink|food|beer)\b",
    r"\bdrinks? (?:was|were|got|has been|had been) spiked\b|\b(?:got|been|was|im) (?:spiked|poisoned)\b",
    r"\bhostage\b|\bpull(?:ing|ed)? me into\b|\bslipped (?:something|me something)\b",
    r"\b(?:been|was|im|got) shot\b|\bshots fired\b",
    r"\bholding me down\b|\b(?:got|has) me cornered\b|\bforced me\b",
    r"\bthrowing (?:punches|rocks|things|stuff|bottles)\b",
    r"\bcoming (?:at|for|after|towards|toward) (?:me|us)\b|\b(?:found|knows) where i (?:am|live)\b",
    r"\bcoming (?:back )?with a\b|\b(?:a gang|they) (?:is|are) after me\b",
    r"\b(?:aggressive|violent|escalating) (?:right )?now\b",
    r"\b(?:hell|shell|theyll|he will|she will|they will) (?:hit|hurt|kill|beat|stab|shoot) "
    + _MINE
    + r"\b",
    r"\bcoming (?:back|over|round|here)\b.*\bto (?:hurt|kill|beat|get) (?:me|us)\b",
    r"\b(?:surrounding|surrounded) (?:me|us|my)\b|\b(?:im|i am|were|we are) trapped\b",
    r"\b(?:shooting|gunshots?|gunfire)\b(?! (?:range|star|pains?|hoops|guard))",
    r"\b(?:gun|pistol|knife|blade) (?:to|at|against) (?:my|her|his|our) (?:head|throat|neck|chest)\b",
    r"(?<!used to )\b(?:beat|beaten|beating) (?:me|us|her|him) up\b",
    r"\bcornered (?:me|us)\b|\bgrabbed my (?:hair)\b|\bsmashing (?:things|stuff|everything)\b",
    r"\bcoming (?:at|for|after|towards|toward) my (?:camp|tent|place|house|car|kids)\b",
    r"\b(?:have|with|got|carrying) (?:machetes|knives|guns|bats|sticks|weapons)\b",
]

# Non-fatal strangulation and choking by a person, now or in the past: a known lethality
# indicator of domestic homicide, so the recent past counts too.
STRANGULATION = [
    r"\b(?:strangled|strangle|strangles|strangling|throttled|choked|chokes|suffocated|smothered) (?:me|her|my)\b",
    r"\b(?:hands?|arm) (?:around|round|on) (?:my|her) (?:neck|throat)\b",
    r"\b(?:squeezed|grabbed|pressed on|crushed|grabbed me by) (?:my|her|the) (?:neck|throat|windpipe)\b",
    r"\btried to (?:strangle|choke|kill|drown|suffocate|smother|run over) (?:me|us|her)\b",
    r"\b(?:blacked|passed) out when (?:he|she|they)\b",
]

UNSAFE = [
    r"\bin danger\b",
    r"\b(?:not safe|unsafe) (?:at home|here|now|right now|with (?:him|her|them))\b",
    r"\b(?:dont|do not|dont) feel safe (?:at home|here|with (?:him|her|them)|going home|tonight)\b",
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
]

CALL_FOR_HELP = [
    r"\b(?:call|need|get|send) (?:the |an? )?(?:police|cops|ambulance|paramedics|fire brigade|"
    r"fire department)\b",
    r"\bsend help\b|\bcome quick(?:ly)?\b|\bhelp me now\b|\bhelp (?:me )?right now\b|"
    r"\b(?:urgent|urgently|emergency) help\b|\bhelp urgently\b|\bmayday\b|"
    r"^ sos(?: sos| help| please| pls| plz)* $|\bsos (?:help|please|pls)\b",
    r"^ (?:(?:its|this is|it is|theres|there is|i have|we have) )?(?:an? )?emergency"
    r"(?: (?:help|please|pls|plz|now|here|hurry))* $",
    r"\b(?:its|this is|it is|theres|there is|having|we have) an emergency\b|\bmedical emergency\b",
    # Fire and gas: get out and call, the danger reply.
    r"\b(?:a|the) fire\b(?! (?:station|alarm test|pit|hydrant|escape plan))|\bon fire\b|\bsmell gas\b|\bgas leak\b",
    r"^ fire(?: fire)* $|\bset (?:fire|alight)\b|\bset (?:the|my|our) \w+ on fire\b",
    # "help please" alone stays a question about what the assistant does (ask_capabilities).
    r"^ (?:help ?){2,}$|^ help (?:now|asap)(?: please| pls| plz)? $|\burgent (?:pls|please|plz)\b",
]

# Medical emergencies and accidents happening now.
MEDICAL = [
    r"\b(?:cant|cannot|can not) (?:breathe|get air|get my breath|move)\b",
    r"\b(?:isnt|is not|not|stopped) breathing\b",
    r"\bunconscious\b|\bunresponsive\b|\bisnt responding\b|\bnot responding\b|\bcollapsed\b|"
    r"\bpassed out\b|\bwont wake up\b",
    r"\b(?:cant|cannot|can not) wake (?:him|her|them|up)\b",
    r"\b(?:isnt|is not|stopped|not) moving\b(?<! car isnt moving)",
    r"\bheart attack\b|\bstroke\b|\bseizure\b|\b(?:having|had) a fit\b|\banaphyla|\ballergic reaction\b",
    r"\bfitting (?:on|and|again|now|badly)\b|\b(?:is|s) fitting\b",
    r"\b(?:is|s|im|hes|shes|baby|kid|son|daughter) choking\b|\bthroat is closing\b|"
    r"\bchest pain\b|\bpain in my chest\b",
    r"\bbleeding (?:really |so |very )?(?:a lot|badly|heavily|everywhere|bad|out)\b",
    r"\bbleeding from (?:my|his|her|the) (?:head|neck|chest)\b|\bwont stop bleeding\b|\bbleeding wont stop\b",
    r"\bhit (?:my|his|her) head\b.*\b(?:bleeding|throwing up|vomiting|confused|wont wake|passed out|seizure)\b",
    r"\bblood (?:everywhere|wont stop)\b|\bgushing blood\b|\bbone is sticking\b",
    r"\bcar crash\b|\b(?:in|had) an? (?:car )?accident\b|\bcant get up\b",
    r"\b(?:hit|run over|knocked down|knocked over) by a (?:car|bus|truck|van|vehicle)\b",
    r"\bmixed (?:pills|meds|drugs) (?:and|with)\b|\bheart (?:is )?(?:racing|pounding) (?:way )?too fast\b",
    r"\b(?:lips|face|skin) (?:are |is )?(?:going |turning )?blue\b|\bnot waking up\b",
    r"\bcant catch (?:my|his|her|their) breath\b|\bchest (?:is )?crushing\b|\barm (?:is |went )?numb\b",
    r"\bso much blood\b|\bcant (?:make|get) (?:it|the bleeding) (?:to )?stop\b",
    r"\b(?:car|truck|bus|van|driver) (?:just )?(?:ran (?:me|him|her) over|hit (?:me|him|her)|knocked (?:me|him|her))\b",
    r"\bknocked (?:me )?off my (?:bike|scooter)\b",
    r"\bput (?:something|stuff|drugs) in (?:my|her|his) (?:drink|beer|glass|cup)\b|\b(?:got|been) dosed\b",
    r"\b(?:took|taken|took a bunch of|on) (?:\w+ )?(?:fent|fentanyl|heroin)\b.*\b(?:not|isnt|wont|cant)\b",
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
    r"\bcant go on\b|\bcant keep going\b",
]

UNCERTAIN_DANGER = [
    r"\b(?:kill|kil|killing|killin) (?:me|us)\b",  # "this traffic is killing me"
    _threat(_FAMILY, "kill|grab|take"),  # "my mum is going to kill me"
    r"(?<!not an )\bemergency\b",
    r"\b(?:urgent|urgently)\b",
    r"\bnot safe\b|\bunsafe\b|\bdont feel safe\b|\bscared\b|\bterrified\b|\bafraid of (?:him|her|them|my)\b",
    r"\bhiding (?:from|in|under)\b",
    r"\b(?:outside|at) (?:my|the) (?:door|window)\b",
    r"\bbleeding\b|\bblood\b|\bfire\b|\bspiked\b|\bpoisoned\b|\bchoking\b",
    r"\bthreaten(?:ed|ing|s)? (?:me|us|to)\b|\b(?:he|she) (?:hit|hits|kicked|kicks|slapped|slaps|"
    r"punched|punches|pushed|pushes) me\b|\bbeat me\b",
    r"\bfollowing me\b|\bstalking me\b|\bwatching me\b",
    r"\bhit (?:my|his|her) head\b",
]

# Cues of time, person and tone that make a clear pattern uncertain (bot.safety.patterns).
CUES = {
    # Long over: years ago, as a teen, used to.
    "years_ago": [
        r"\b(?:\d+|a few|a couple(?: of)?|couple|several|many|two|three|four|five|six|ten) "
        r"(?:years?|yrs?) (?:ago|back|later)\b",
        r"\b(?:as a|when i was a|when i was) (?:kid|child|teen|teenager|little|young|younger|baby|"
        r"girl|boy|student|freshman|\d+)\b|\bin (?:high school|middle school|junior high)\b",
        r"\byears ago\b|\ba year ago\b|\blast year\b|\bwhen i was younger\b",
    ],
    # Over some months ago or more.
    "long_ago": [
        r"\b(?:\d+|a few|a couple(?: of)?|couple|several|many|two|three|four|five|six|ten) "
        r"(?:years?|yrs?|months?|mos?) (?:ago|back|later)\b",
        r"\blast (?:year|summer|spring|fall|autumn|winter|christmas|thanksgiving)\b",
        r"\b(?:as a|when i was a|when i was) (?:kid|child|teen|teenager|little|young|younger|baby|"
        r"girl|boy|student|freshman|\d+)\b",
        r"\bin (?:high school|middle school|junior high|college|my teens|my twenties|my 20s|the past|"
        r"20[0-2]\d|19\d\d)\b",
        r"\bback (?:in|then|when)\b|\bused to\b|\b(?:a long time|ages|long) ago\b|\byears back\b",
        r"\bsince (?:20[0-2]\d|19\d\d|i was)\b|\bwhen i was younger\b|\bat \d+ i\b",
        r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:years?|yrs?) (?:clean|sober|free)\b",
        r"\b(?:years|months) ago\b|\bin the (?:spring|summer|fall|autumn|winter)\b|"
        r"\ba (?:year|month) ago\b|\bscars?\b",
    ],
    # Over, but recent: last week, days ago. Makes accidents and past violence uncertain;
    # never a suicide attempt (a recent attempt is risk now) or strangulation.
    "weeks_ago": [
        r"\b(?:last|past) (?:week|month|weekend)\b",
        r"\b(?:\d+|a few|a couple(?: of)?|couple|several|two|three|four|five) "
        r"(?:weeks?|wks?|days) ago\b|\bweeks? ago\b|\bthe other (?:day|week)\b",
        r"\bearlier this (?:week|month|year)\b|\bin (?:january|february|march|april|may|june|july|"
        r"august|september|october|november|december)\b",
    ],
    # Said to be safe or well now.
    "recovery": [
        r"\b(?:im|i am|i m|am|now|and) (?:doing |feeling )?(?:much |a lot |way |so much )?"
        r"(?:better|good|great|fine|ok|okay|well|safe|healthy|stable) (?:now|these days|today)\b",
        r"\bnow (?:im|i am|i m) (?:\d+ )?(?:and )?(?:doing )?(?:good|great|fine|ok|okay|well|safe|"
        r"better|healthy|stable|sober|clean)\b",
        r"\b(?:clean|sober) (?:for |since )\w+|\b\d+ (?:years?|months?|yrs?) (?:clean|sober)\b",
        r"\bsurvivors?\b|\bin recovery\b|\b(?:stopped|quit) (?:self harming|cutting|using|drinking)\b",
        r"\bdoing (?:great|better|well|good|fine)\b|\b(?:im|i am) safe now\b|\bno longer\b|"
        r"\bfree (?:of|from)\b",
        r"\b(?:hes|shes|theyre|he is|she is) (?:in jail|in prison|locked up|gone|dead)\b",
    ],
    # Someone else's death: grief, not risk now.
    "grief": [
        r"\b(?:died|passed away|passed on|funeral|memorial|rip|grief|grieving|mourning|"
        r"anniversary of)\b",
        r"\b(?:killed|hanged|hung|shot|drowned|poisoned) (?:him|her|them) ?sel(?:f|ves)\b",
        r"\btook (?:his|her|their) (?:own )?life\b|\blost (?:my|our) (?:\w+ ){0,2}(?:to|in)\b",
        # "lost someone to suicide", "their dad passed from an overdose".
        r"\blost (?:\w+ ){1,3}to (?:suicide|an? overdose|overdoses?|an od|fent\w*)\b|"
        r"\b(?:passed|died) (?:away )?(?:from|of) (?:an? )?(?:overdose|od|suicide)\b",
        r"\b(?:sons|daughters|brothers|sisters|moms|mums|mothers|dads|fathers|friends|wifes|"
        r"husbands|partners|cousins|uncles|aunts|boyfriends|girlfriends|childs|kids|nephews|"
        r"nieces|grandpas|grandmas) (?:suicide|overdose|death|murder)\b",
    ],
    # The words as a topic: information, work, the news, films.
    # The bare words asked about (only someone else's risk reads it, see bot.safety.patterns):
    # someone whose work or study they are ("im a nurse, we had three overdoses", "for my
    # report"), or what the service does ("are you only for suicide stuff").
    "asked_about": [
        r"\b(?:im|i am|as|were|we are) (?:a|an) (?:nurse|nursing student|emt|paramedic|medic|"
        r"journalist|reporter|researcher|student|teacher|counsell?or|social worker|doctor|"
        r"pharmacist|case manager|outreach worker|firefighter|chaplain|youth worker)\b",
        r"\b(?:for|in|on) (?:my|a|our|the) (?:report|exam|class|project|paper|thesis|essay|"
        r"presentation|homework|school project)\b",
        r"\b(?:only|just) (?:for|help with|deal with|about) (?:\w+ )?(?:suicide|overdoses?|"
        r"emergencies|crisis|crises)\b|"
        r"\b(?:do|can|does) (?:you|u|ya|this|yall) (?:only |just )?(?:help|do anything|handle|deal|"
        r"work) (?:with|for|on) (?:\w+ )?(?:suicide|suicides|overdoses?|self harm)\b",
    ],
    "topic": [
        r"\b(?:hotline|prevention|awareness|documentary|movie|film|show|series|book|novel|essay|"
        r"paper|class|course|training|statistics|stats|rates?|research|podcast|article|news|"
        r"volunteer\w*|net|song|lyrics|game|games|video ?game|first aid|cpr|narcan training)\b",
        r"\b(?:what (?:do|should) (?:i|you|we) do if|what happens if|how do you (?:help|treat)|"
        r"signs of|how to (?:help|spot|recognize|recognise)|in case|how do i know if|if someone)\b",
    ],
    # Seeking routine care: a follow-up, meds, a checkup.
    "care": [
        r"\b(?:meds|medication|medicine|prescription|refill|checkup|check up|follow ?up|physical "
        r"therapy|physio|appointment|x ?ray|scan|specialist|insurance|medi ?cal|copay|"
        r"chiropractor|still (?:hurts|sore|aches|aching|foggy|get|have)|headaches|suing|sue|"
        r"lawyer|claim|court|ticket|totaled|repairs?|panic|anxiety|flashbacks?|nightmares|ptsd|"
        r"therapy|therapist|counselor|counsellor)\b",
    ],
    "laugh": [
        r"\b(?:lol|lool|lmao|lmfao|rofl|haha\w*|hehe\w*|jk|jkjk|xd|lolol\w*|kidding|joking|"
        r"as a joke|jokes?)\b",
    ],
    # Happening now or again: no cue above makes such a message uncertain.
    "present": [
        r"\b(?:right now|rn|tonight|this minute|at the moment|currently|about to|"
        r"just now|as we speak)\b",
        r"\bstill (?:want|wanna|feel like|planning|have (?:the|a|my) (?:gun|pills|rope|knife))\b",
        r"\b(?:is|s|are|hes|shes|theyre) (?:here|outside|coming|on (?:his|her|their) way|back)\b",
        r"\bkeeps? (?:coming|threatening|hitting|following|calling|texting)\b",
    ],
}

PATTERNS = Patterns(
    language="en",
    idioms=IDIOMS,
    negated=NEGATED,
    negators=NEGATORS,
    clear=clear_groups(
        {
            "violence": VIOLENCE,
            "strangulation": STRANGULATION,
            "unsafe": UNSAFE,
            "call": CALL_FOR_HELP,
            "medical": MEDICAL,
            "self_harm": SELF_HARM_INTENT,
            "self_harm_others": SELF_HARM_OTHERS,
        }
    ),
    uncertain={"danger": UNCERTAIN_DANGER, "self_harm": UNCERTAIN_SELF_HARM},
    cues=CUES,
)
