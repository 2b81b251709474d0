"""The safety screen as a table: what is clear risk, what is uncertain, what is nothing.

Clear risk gets the crisis reply and a case at once; uncertain words get what was asked for and
"Are you safe right now?" from Rasa; phrases that only sound alarming get nothing. The clear
tier is for now and for the speaker: the same words about the past, grief, accidents that are
over, money, landlords, jokes or other people are at most uncertain (issue 22). Every message
is read in English and in Spanish. A miss is worse than a false alarm (docs/design.md);
``bench/gateway_screen.py`` measures both rates on the training data.
"""

from __future__ import annotations

import pytest

from bot.safety import Screen, Signal, normalise, screen

SELF_HARM = [
    "i want to kill myself",
    "I want to kill my self",
    "im going to kill myself tonight",
    "i'm gonna end it all",
    "I want to end my life",
    "thinking about taking my own life",
    "i dont want to be alive anymore",
    "I don’t want to live anymore",
    "i wanna die",
    "i want to die",
    "i just want to die",
    "ready to die",
    "i wish i was dead",
    "everyone would be better off if i was dead",
    "better off dead",
    "i have no reason to live",
    "nothing to live for",
    "theres no point in living",
    "im suicidal",
    "thinking about suicide",
    "sucidal thoughts",
    "suicde",
    "kms",
    "i want to hurt myself",
    "ive been cutting myself again",
    "self harm",
    "self-harming",
    "i took all my pills",
    "going to overdose",
    "thinking of jumping off a bridge",
    "i want to hang myself",
    "I want to disappear forever",
    "i hope i never wake up",
    "SUICIDE",
    "im going to unalive myself",
    "my friend said hes going to kill himself",
    "my daughter is cutting herself",
    "took 20 sleeping pills",
    "swallowed a whole bottle of tablets",
    "i drank bleach",
    "whats the point of living",
    "everyone would be happier without me",
    "this is goodbye forever",
    "i wont be around much longer",
    "i bought a rope",
    "standing on the edge of the roof",
    "thinking of stepping in front of a train",
    "i burned my arm on purpose",
    "tired of living",
    # Means at hand and the last night (the crisis lines' first questions).
    "im standing on the bridge",
    "i saved up my pills for tonight",
    "keep looking at my dads gun and thinking about it",
    "ive decided this is my final day",
    "i wont be around by morning",
    "this is the last time youll hear from me",
    "tonight i finish it",
    "wrote letters to everyone, i'm ready to go",
    # A plan with the means at hand, and jumping with no place named (issue 8).
    "i have the pills and im going to take them all",
    "got a rope and im doing it tonight",
    "im going to jump",
    "about to jump now",
    "i have a plan to end it tonight",
    "my son has a rope in his room",
    "i cut too deep this time",
    "life isnt worth living",
]

DANGER = [
    "he's outside with a knife",
    "hes got a gun",
    "my husband is hitting me",
    "my partner is going to kill me",
    "my boyfriend threatened to kill me",
    "he said hed kill me",
    "someone is breaking in",
    "he's choking me",
    "i am being attacked",
    "i was raped",
    "i'm in danger",
    "im not safe at home",
    "I don't feel safe at home tonight",
    "i fear for my life",
    "he locked me in the room",
    "he wont let me leave",
    "hes at the door",
    "please call the police",
    "it's an emergency",
    "emergency!!",
    "help hes going to hurt my kids",
    "someone is breaking into my apartment",
    "theres an intruder",
    "a man is following me",
    "hes banging on the door",
    "im hiding in the bathroom",
    "he is on his way to hurt me",
    "theres a fire in my building",
    "i got stabbed",
    "send help",
    "im trapped",
    "they're shooting outside",
    # Medical emergencies and violence in words the first screen missed.
    "two guys cornered me in the alley",
    "he grabbed my throat just now and is still here",
    "people at the encampment have machetes and are going tent to tent",
    "a bunch of dudes with sticks are coming at my camp",
    "help help help",
    "help now",
    # Non-fatal strangulation told in the past tense: a known lethality indicator of domestic
    # homicide, so it is danger now, not only a request for domestic-violence help (issue 8).
    "he strangled me last night",
    "my bf choked me till i blacked out",
    "he put his hands around my neck yesterday",
    "he tried to strangle me last week",
    "he held a gun to my head",
    "my bf beat me up an hour ago",
    "my partner strangled me last week",
]

# Medical emergencies happening now: danger, with the reply that says to call, plainly.
MEDICAL = [
    "i can't breathe",
    "she's not breathing",
    "my friend is unresponsive",
    "i think im having a heart attack",
    "i just got hit by a car",
    "took something at a party and my heart is racing way too fast",
    "my friend mixed pills and booze and we cant wake her",
    "hes not waking up and his lips are blue",
    "my chest is crushing and my left arm is numb",
    "theres so much blood i cant make it stop",
    "a car just ran me over in the parking lot",
    "somebody put something in my beer and now the room is spinning",
    "roommate took a bunch of fentanyl and isnt responding",
    "my kid fell and hit his head and is bleeding and throwing up",
]

ORDINARY = [
    "where can i sleep tonight",
    "i need a bed for me and my kids",
    "emergency shelter in redwood city",
    "emergency accommodation please",
    "emergency food",
    "need emergency housing",
    "i need food",
    "im hungry where can i get food",
    "family support near me",
    "need a doctor but no insurance",
    "landlord is evicting me",
    "cant pay my rent this month",
    "i need to get off ice",
    "where can i have a shower",
    "am i talking to a robot",
    "what can you help with",
    "can i talk to a real person",
    "94063",
    "im in redwood city",
    "thanks",
    "hi",
    "my kids are safe with my mum",
    "the shelter said to call first",
    "I need to charge my phone",
    "is the food bank open now",
    "a place to stay with my dog",
    "my partner hits me what can i do",  # docs/design.md: find_domestic_violence_help, not danger now
    "my ex used to hit me",
    "i need to take my meds but i lost them",
    "where can i get a flu shot",
    "somewhere to crash tonight",
    "i want to stop drinking",
    "its not an emergency but i need a doctor",
    "its not bleeding much but it hurts",
    "emergency financial assistance",
    "i got fired from my job",
    "my kids want to stop at the park",
    "he hurt my feelings",
    "im ready to go to the shelter",
    "i wont be around this weekend can i come monday",
    "i need to finish it by monday",
    "help please",  # ask_capabilities: what the assistant can do
]

# Words that often mean risk and as often do not: Rasa answers, then asks if they are safe.
UNCERTAIN = [
    ("this traffic is killing me", "danger"),
    ("kill me now this bus is so late", "danger"),
    ("i cant go on", "self_harm"),
    ("I don't feel safe", "danger"),
    ("my mum is going to kill me when she sees my grades", "danger"),
    ("its urgent", "danger"),
    ("im scared of my husband", "danger"),
    ("i'm not suicidal, i just need a bed", "self_harm"),
    ("im gonna die if i dont eat soon", "self_harm"),
    ("i cant do this anymore", "self_harm"),
    ("I can't take it anymore", "self_harm"),
    ("whats the point anymore", "self_harm"),
    ("i give up on everything", "self_harm"),
    ("i hate my life", "self_harm"),
    ("i cant live like this", "self_harm"),
]

# Phrases that only sound alarming: they signal nothing at all.
IDIOMS = [
    "im dead tired need a bed",
    "im dead tired need a bed in redwood city",
    "emergency accomodation in redwood city",
    "emergency acommodation tonight",
    "need emergency housing asap",
    "dying for a shower",
    "i'd kill for a burger rn",
    "my phone is dead can i charge it somewhere",
    "my feet are killing me",
    "my tooth is killing me need a dentist",
    "urgent care open now",
    "ran out of my blood pressure meds",
    "ok im done bye",
    "crisis accommodation for tonight",
]


# The clear tier is for now and for the speaker (issue 22): the same words about what is over,
# grief, other people, money, landlords and jokes are a question at most.
OVER_OR_NOT_THE_SPEAKERS = [
    ("car crash last week and my neck still hurts need a doctor", "danger"),
    ("got hit by a car last month still sore need physical therapy", "danger"),
    ("my brother killed himself last year, still cant sleep, need a counselor", "self_harm"),
    (
        "attempted suicide as a teen, now im 30 and good, want to volunteer with a crisis line",
        "self_harm",
    ),
    ("my friend overdosed and died last spring, need grief support", "self_harm"),
    ("kms lol this wifi", "self_harm"),
    ("got shot years ago and still have fragments, need a doctor", "danger"),
    ("he choked me years ago, im safe now, want survivor support", "danger"),
]

# Figures of speech about money, landlords and feelings: nothing at all (issue 22's examples).
FIGURES_OF_SPEECH = [
    "choking on medical bills need some financial help",
    "got shot down for an apartment bc of my record is that legal",
    "my landlord is strangling us with fees is that allowed",
    "i nearly died laughing",
    "my dog died last year and i miss him",
    "this rent is killing me, can i get help with it",
    "landlord is kicking me out friday, need somewhere to stay",
    "the tow company is holding my car hostage, any help paying",
    "trapped in a lease i cant afford, how do i get out",
]

# Spanish: risk now, as Spanish speakers write it (no accents, SMS spelling, Spanglish).
SPANISH_CLEAR = [
    ("me quiero morir", "self_harm"),
    ("quiero matarme", "self_harm"),
    ("ya no quiero vivir", "self_harm"),
    ("me corte", "self_harm"),
    ("me voy a quitar la vida esta noche", "self_harm"),
    ("tengo las pastillas listas", "self_harm"),
    ("me esta pegando", "danger"),
    ("me ahorcó anoche", "danger"),
    ("alguien esta afuera de mi puerta con un cuchillo", "danger"),
    ("no me deja salir", "danger"),
    ("mi boyfriend me quiere matar", "danger"),
    ("mi esposo dice q me va a matar hoy", "danger"),
    ("me amenazo con matarme esta noche", "danger"),  # a threat, not a wish: the danger reply
]

# Spanish idioms of death and violence that are not risk: hunger and cold are needs.
SPANISH_IDIOMS = [
    "me muero de hambre, donde hay comida en daly city",
    "me muero de frio",
    "me mata el dolor de muela",
    "estoy muerta de cansancio",
    "me corte el pelo",
    "la renta me esta matando",
    # Money, papers, work and school as what strangles or kills: figures of speech.
    "los intereses me estan ahorcando, hay ayuda con deudas",
    "el banco me quiere ahogar con los cobros de la tarjeta",
    "me van a matar las multas del estacionamiento",
    "esta pinche chamba me va a matar",
    "mi suegra me va a matar de un susto con sus llamadas",
    "le dispararon los precios a la despensa, hay comida gratis",
    "matamos las chinches pero volvieron, q hago con el landlord",
    "me tome varias chelas el sabado y hoy me siento mal",
    "me corte el dedo abriendo una lata, ocupa puntos?",
]

# "Suicide" and "overdose" as someone's work, a question about the service, grief for another,
# or the name of a dish or a drill: a question at most, never the full escalation.
ENGLISH_WORDS_NOT_RISK_NOW = [
    "im a pharmacist and want to know where to send people after an overdose",
    "for my class presentation, how common are overdoses in the county",
    "does this only help with suicide or also with rent",
    "my cousin lost two friends to overdoses this year, is there a grief group",
]
ENGLISH_NAMES_NOT_RISK = [
    "we ran suicides in gym till i puked",
    "the suicide sauce at that place is no joke",
    "overdosed on caffeine before my interview lol",
]
# The same words from a person at risk now stay clear.
ENGLISH_STILL_CLEAR = [
    ("suicidal and the shelter is full tonight", "self_harm"),
    ("my friend is overdosing in the bathroom right now", "self_harm"),
    ("im a student and im suicidal", "self_harm"),
    ("other than suicide i see no way out", "self_harm"),
    # Someone's work or a question to the service never hides violence or an emergency.
    ("can you help with my friend he overdosed and isnt breathing", "danger"),
    ("can you help with a place to stay, he is beating me", "danger"),
    ("i am a student and my bf just stabbed me", "danger"),
    ("soy maestra y mi esposo me esta pegando", "danger"),
]


# The same violent words about what is over or seen to: a question at most (the safety check),
# never the full escalation, as in English.
SPANISH_OVER = [
    ("me atropello un carro hace una semana, me duele la cadera", "danger"),
    ("me asaltaron en agosto y todavia no duermo bien, hay terapia", "danger"),
    ("le dio un infarto a mi papa hace un mes, ya esta en casa, ocupa doctor", "danger"),
    ("tengo la cicatriz de cuando me apunalaron y me duele con el frio", "danger"),
    ("mi hermano tuvo una sobredosis hace dos semanas, ya salio del hospital", "self_harm"),
    ("soy enfermera y quiero saber de primeros auxilios si alguien no respira", "danger"),
]

# A person's threat stays a threat, whatever burden is named near it.
SPANISH_THREATS_STAY = [
    "el del trabajo me va a matar",
    "los de la chamba me van a matar, me estan esperando afuera",
    "el casero me quiere matar, tiene una pistola",
    "mi ex me quiere ahorcar con el cable",
]


@pytest.mark.parametrize("text", SELF_HARM)
def test_self_harm_is_clear(text):
    found = screen(text)
    assert (found.risk, found.tier, found.language) == ("self_harm", "clear", "en")


@pytest.mark.parametrize("text", DANGER)
def test_danger_is_clear(text):
    found = screen(text)
    assert (found.risk, found.tier, found.medical) == ("danger", "clear", False)


@pytest.mark.parametrize("text", MEDICAL)
def test_a_medical_emergency_now_is_clear_danger_with_its_own_reply(text):
    assert screen(text) == Signal("danger", "clear", "en", medical=True)


@pytest.mark.parametrize(("text", "risk"), OVER_OR_NOT_THE_SPEAKERS)
def test_the_same_words_about_what_is_over_or_another_person_are_a_question(text, risk):
    assert screen(text) == Signal(risk, "uncertain")


@pytest.mark.parametrize("text", FIGURES_OF_SPEECH)
def test_figures_of_speech_signal_nothing(text):
    assert screen(text) is None


def test_happening_again_now_overrules_the_past():
    said = "i used to cut in high school and tonight im cutting again"
    assert screen(said) == Signal("self_harm", "clear")
    assert screen("tried to kill myself as a teen and im going to do it tonight").clear


def test_strangulation_by_a_partner_stays_clear_in_the_recent_past():
    for said in (
        "he chokes me sometimes when we argue hes not here now but im scared",
        "my partner strangled me last week",
        "he choked me a few months ago",
    ):
        assert screen(said) == Signal("danger", "clear"), said


@pytest.mark.parametrize(("text", "risk"), SPANISH_CLEAR)
def test_spanish_risk_is_clear_in_spanish(text, risk):
    found = screen(text)
    assert (found.risk, found.tier, found.language) == (risk, "clear", "es")


@pytest.mark.parametrize("text", SPANISH_IDIOMS)
def test_spanish_idioms_of_death_are_not_risk(text):
    assert screen(text) is None


@pytest.mark.parametrize("text", ENGLISH_WORDS_NOT_RISK_NOW)
def test_the_words_as_work_grief_or_a_question_about_the_service_are_a_question(text):
    found = screen(text)
    assert found is not None
    assert found.tier == "uncertain", found


@pytest.mark.parametrize("text", ENGLISH_NAMES_NOT_RISK)
def test_the_words_as_names_of_dishes_drills_and_coffee_signal_nothing(text):
    assert screen(text) is None


@pytest.mark.parametrize(("text", "risk"), ENGLISH_STILL_CLEAR)
def test_the_same_words_from_a_person_at_risk_now_stay_clear(text, risk):
    found = screen(text)
    assert (found.risk, found.tier) == (risk, "clear"), found


@pytest.mark.parametrize(("text", "risk"), SPANISH_OVER)
def test_spanish_words_about_what_is_over_are_a_question(text, risk):
    assert screen(text) == Signal(risk, "uncertain", "es")


@pytest.mark.parametrize("text", SPANISH_THREATS_STAY)
def test_a_persons_threat_in_spanish_stays_clear_beside_work_or_money(text):
    assert screen(text) == Signal("danger", "clear", "es")


def test_a_spanish_wish_to_die_stays_clear_beside_how_long_things_have_been():
    # "hace meses" is as often how long as how long ago: it never makes a wish to die a question.
    for said in (
        "estoy en la calle hace meses y ya no quiero vivir",
        "hace un ano que murio mi hijo y esta noche me voy con el, ya tengo las pastillas listas",
    ):
        assert screen(said) == Signal("self_harm", "clear", "es"), said


def test_a_relatives_threat_in_spanish_is_a_question_as_in_english():
    assert screen("mi mama me va a matar cuando vea mis calificaciones") == Signal(
        "danger", "uncertain", "es"
    )
    assert screen("mi pareja me pega") == Signal("danger", "uncertain", "es")
    for said in (
        "mi mama me amenazo con matarme si repruebo",  # never the self-harm reply: not a wish
        "mi papa dijo que me iba a matar si choco el carro otra vez",
        "mi hermana me quiere matar porque le rompi el celular",
    ):
        assert screen(said) == Signal("danger", "uncertain", "es"), said
    # The same threat from a partner or a stranger is danger now.
    for said in ("mi esposo me amenazo con matarme", "el dijo que me va a matar"):
        assert screen(said) == Signal("danger", "clear", "es"), said


def test_every_message_is_read_in_every_language():
    """People switch mid-conversation: a Spanish message in an English one is still read."""
    assert Screen("911", ("en", "es"))("me quiero morir").language == "es"
    assert Screen("911", ("en",))("me quiero morir") is None


def test_a_cue_in_one_language_counts_for_the_other():
    """ "as a teen" makes a Spanish word about suicide uncertain too."""
    assert screen("intento de suicidio as a teen, ahora estoy bien").tier == "uncertain"


@pytest.mark.parametrize(
    "text",
    [
        "cual es el numero de la linea de suicidio, es pa un poster de la escuela",
        "mi hija leyo un libro sobre el suicidio pa la clase y tiene preguntas",
        "estoy haciendo una investigacion sobre sobredosis en el condado",
        "que hago si alguien tiene una sobredosis enfrente de mi",
    ],
)
def test_a_spanish_word_about_the_topic_is_a_question_not_the_alarm(text):
    """ "suicidio" alone is the topic, as "suicide" is in English; the media, study and "what do
    i do if" make it a question."""
    found = screen(text)
    assert found is not None, text
    assert found.tier == "uncertain", text


@pytest.mark.parametrize(
    "text", ["quiero suicidarme", "me voy a suicidar esta noche", "pienso en el suicidio"]
)
def test_a_spanish_wish_to_die_stays_clear(text):
    assert screen(text) == Signal("self_harm", "clear", "es"), text


@pytest.mark.parametrize(
    "text",
    [
        # The answers to "Are you safe right now?" that say so, and denials beside a request.
        "no, im safe, nobody is hurting me",
        "im not in danger",
        "no one is hurting me right now",
        "hes not hurting me, i just need a lawyer for the custody stuff",
        "he doesnt have a gun, he just yells",
        "no im not thinking about suicide, i just need food",
        "nadie me esta pegando, solo ocupo ayuda con la renta",
        "ya no me esta pegando, el se fue a mexico",
    ],
)
def test_a_clear_pattern_denied_just_before_it_is_a_question(text):
    found = screen(text)
    assert found is not None, text
    assert found.tier == "uncertain", text


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # "no" alone is the answer to the check, not a negator, in both languages.
        ("no he is hitting me", "danger"),
        ("no, me esta pegando", "danger"),
        # A negator further back, or in another clause, denies nothing.
        ("he would not stop hitting me", "danger"),
        ("no one is coming and hes got a knife", "danger"),
        ("im not ok, hes hurting me", "danger"),
        ("nobody cares if i kill myself", "self_harm"),
        ("ya no voy a ser una carga pa nadie, me voy a tomar todas las pastillas", "self_harm"),
        # A condition, not a denial.
        ("if i dont get out tonight hes going to kill me", "danger"),
        # One group denied, another not.
        ("nobody is hurting me but i want to kill myself", "self_harm"),
    ],
)
def test_a_negator_that_does_not_deny_the_pattern_leaves_it_clear(text, risk):
    assert screen(text) == Signal(risk, "clear", screen(text).language), text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_requests_are_not_flagged(text):
    assert screen(text) is None


@pytest.mark.parametrize(("text", "risk"), UNCERTAIN)
def test_words_that_may_mean_risk_are_uncertain(text, risk):
    assert screen(text) == Signal(risk, "uncertain")


@pytest.mark.parametrize("text", IDIOMS)
def test_phrases_that_only_sound_alarming_signal_nothing(text):
    assert screen(text) is None


def test_a_clear_signal_in_an_idiom_is_still_clear():
    assert screen("im dead tired and i want to kill myself") == Signal("self_harm", "clear")
    assert screen("dying for a shower, he has a knife") == Signal("danger", "clear")


@pytest.mark.parametrize(
    "text",
    [
        "911",
        "call 911",
        "911!!",
        "911 please",
        "dial 911 now",
        "HELP 911",
        "911 911",
        "call 911 my dad is on the floor",
        "llamen al 911 porfa",
    ],
)
def test_the_regions_emergency_number_alone_or_asked_for_is_danger(text):
    assert Screen("911")(text) == Signal("danger", "clear")


@pytest.mark.parametrize("text", ["94063", "9111", "my number is 911 555 0100"])
def test_other_numbers_are_not(text):
    assert Screen("911")(text) is None


def test_danger_wins_when_both_are_signalled():
    assert screen("he has a knife and i want to die") == Signal("danger", "clear")


def test_clear_wins_over_uncertain():
    assert screen("this is killing me, i want to kill myself") == Signal("self_harm", "clear")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("I DON'T want to LIVE", " i dont want to live "),
        ("don’t‘`´", " dont "),
        ("café — naïve!!", " cafe naive "),
        ("", "  "),
        ("🙏🙏", "  "),
    ],
)
def test_normalise(text, words):
    assert normalise(text) == words


@pytest.mark.parametrize("text", ["", "   ", "🙏😢", "مرحبا", "a" * 5000])
def test_odd_input_does_not_break_the_screen(text):
    assert screen(text) is None
