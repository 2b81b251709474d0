"""Risk triage as a table: what the dialogue sees for a parse and what the screen found."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's imports: TensorFlow's and jax's deprecations
    from rasa_addons.triage import Decision, Thresholds, triage

CLEAR = {"risk": "self_harm", "tier": "clear"}
UNCERTAIN = {"risk": "danger", "tier": "uncertain"}
DIE = "risk_self_harm"
DANGER = "risk_immediate_danger"


def ranked(*pairs: tuple[str, float]) -> tuple[tuple[str, float], ...]:
    return pairs


def scores(escalate: float = 0.0, any_risk: float = 0.0, self_harm: float = 0.5, **needs: float):
    """The risk model's scores (rasa_addons/risk.py) as triage reads them."""
    return {"escalate": escalate, "any": max(any_risk, escalate), "self_harm": self_harm,
            "needs": dict(needs)}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "intent", "ranking", "screen", "model", "expected"),
    [
        # The risk model sure of risk: the crisis reply; the type is DIET's when it reads risk.
        (
            "wont be a problem for anyone after tonight",
            "out_of_scope",
            ranked(("out_of_scope", 0.6), (DIE, 0.3)),
            None,
            scores(0.9, self_harm=0.8),
            Decision(DIE, "clear", "self_harm", None, check=False),
        ),
        # ... and a need named beside it is searched too.
        (
            "i want to die, i need a bed",
            DIE,
            ranked((DIE, 0.9), ("find_shelter", 0.08)),
            CLEAR,
            scores(0.95),
            Decision(DIE, "clear", "self_harm", "shelter", check=False),
        ),
        # A need DIET read, beside danger the model is sure of: the danger reply and the need.
        (
            "somebody broke in and im hiding, need a bed somewhere else tonight",
            "find_shelter",
            ranked(("find_shelter", 0.7), (DANGER, 0.2)),
            None,
            scores(0.8, self_harm=0.1),
            Decision(DANGER, "clear", "danger", "shelter", check=False),
        ),
        # ... and a partner's violence, with a bed asked for: domestic violence services first
        # (they have refuges), as the labelling order says.
        (
            "he hit me tonight, where can me and the kids sleep",
            "find_shelter",
            ranked(("find_shelter", 0.7), (DANGER, 0.2)),
            None,
            scores(0.8, self_harm=0.1),
            Decision(DANGER, "clear", "danger", "domestic_violence", check=False),
        ),
        # A partner's violence beside danger: the local domestic violence service (issue 22).
        (
            "he chokes me sometimes when we argue hes not here now but im scared",
            DANGER,
            ranked((DANGER, 0.9), ("find_domestic_violence_help", 0.05)),
            {"risk": "danger", "tier": "clear"},
            scores(0.9, self_harm=0.1),
            Decision(DANGER, "clear", "danger", "domestic_violence", check=False),
        ),
        # A partner named beside violence in any order, the act not told as "X hits me": the
        # local domestic violence service beside the danger reply, in English and in Spanish.
        *[
            (
                text,
                DANGER,
                ranked(
                    (DANGER, 0.95),
                ),
                {"risk": "danger", "tier": "clear"},
                scores(0.95, self_harm=0.05),
                Decision(DANGER, "clear", "danger", "domestic_violence", check=False),
            )
            for text in (
                "husband has a gun and says if i leave hell kill me, hes asleep now",
                "wife tried to run me over with the car last night and shes coming home soon",
                "hes kicking the bathroom door in, im hiding in here with my daughter",
                "mi esposo llego tomado con la pistola y dice que nos va a matar",
                # a step-parent at home, the act a weapon, a burn, confinement, the neck, or
                # the partner on the way; Spanish strangulation with the subject left out
                "my step dad is beating my mom in the kitchen, im 13 and hiding",
                "boyfriend pulled a pistol on me an hour ago and hes sleeping it off",
                "my girlfriend has me locked in the garage and took my phone",
                "my ex is on his way over and he said tonight is the night",
                "husband held a lighter to my face and is still in the house",
                "mi suegra me quemo el brazo con la plancha y sigue en la cocina",
                "anoche me apretaba el cuello y hoy otra vez me ahorca, estoy en el carro",
            )
        ],
        # The danger is someone else's, or no partner's: no domestic violence search is made up.
        *[
            (
                text,
                risk,
                ranked(
                    (risk, 0.95),
                ),
                None,
                scores(0.95, self_harm=0.9 if risk == DIE else 0.05),
                Decision(
                    risk, "clear", "self_harm" if risk == DIE else "danger", None, check=False
                ),
            )
            for text, risk in (
                ("some guy is following me with a knife by the bart", DANGER),
                ("my girl just shot up and shes not waking up, lips going blue", DANGER),
                ("my husband says he wants to die and wont come out of his room", DIE),
                # The bed the letters are on, the bathroom someone hides in, the water that broke.
                ("wrote my letters. theyre on the bed", DIE),
                ("estoy escondida en el baño, el anda buscandome con un cuchillo", DANGER),
                (
                    "girlfriends water broke and theres a lot of blood, were in the car on 280",
                    DANGER,
                ),
            )
        ],
        # The need the risk model reads, when the words name none the cues know.
        (
            "took a handful of pills, also got no roof tonight",
            DIE,
            ranked(
                (DIE, 0.95),
            ),
            None,
            scores(0.9, find_shelter=0.7),
            Decision(DIE, "clear", "self_harm", "shelter", check=False),
        ),
        # ... and before the words', when the two differ: "cuarto" is where the gun is, the
        # rent is what was asked for.
        (
            "ya no quiero vivir, tengo la pistola aqui en el cuarto, hay ayuda con la renta",
            DIE,
            ranked((DIE, 0.95)),
            {"risk": "self_harm", "tier": "clear"},
            scores(0.9, find_financial_help=0.6),
            Decision(DIE, "clear", "self_harm", "financial", check=False),
        ),
        # A clear screen, but neither the model nor DIET reads risk: the gateway gave the crisis
        # reply; Rasa answers what was asked.
        (
            "hes got a knife, where is the nearest clinic",
            "find_health_care",
            ranked(
                ("find_health_care", 0.9),
            ),
            {"risk": "danger", "tier": "clear"},
            scores(0.3),
            Decision("find_health_care", "clear", "danger", None, check=False),
        ),
        # DIET reads risk but the model and the screen do not: a question, never the alarm.
        (
            "i nearly died laughing",
            DIE,
            ranked((DIE, 0.82), ("out_of_scope", 0.1)),
            None,
            scores(0.05, 0.1),
            Decision(DIE, "uncertain", "self_harm", None, check=True),
        ),
        # Words the screen knows to be ambiguous: the model must be very sure to escalate them.
        (
            "i cant do this anymore",
            DIE,
            ranked(
                (DIE, 0.9),
            ),
            {"risk": "self_harm", "tier": "uncertain"},
            scores(0.71, 0.99, self_harm=0.98),
            Decision(DIE, "uncertain", "self_harm", None, check=True),
        ),
        (
            "i cant do this anymore, the pills are in my hand",
            DIE,
            ranked(
                (DIE, 0.95),
            ),
            {"risk": "self_harm", "tier": "uncertain"},
            scores(0.93, self_harm=0.98),
            Decision(DIE, "clear", "self_harm", None, check=False),
        ),
        # An uncertain screen signal beside a need: the need, then the check.
        (
            "car crash last week and my neck still hurts need a doctor",
            "find_health_care",
            ranked(
                ("find_health_care", 0.9),
            ),
            UNCERTAIN,
            scores(0.1, 0.15),
            Decision("find_health_care", "uncertain", "danger", None, check=True),
        ),
        # The model unsure, a need named: that need's services, then the check.
        (
            "dont wanna be here anymore, need a bed",
            DIE,
            ranked((DIE, 0.6), ("find_shelter", 0.3)),
            None,
            scores(0.3, 0.6),
            Decision("find_shelter", "uncertain", "self_harm", None, check=True),
        ),
        # A risk intent on top but unsure, nothing else named: the check alone, the risk kept,
        # never swapped for a need DIET only half guessed.
        (
            "i swallowed all my meds like an hour ago",
            DIE,
            ranked((DIE, 0.45), ("find_domestic_violence_help", 0.13)),
            None,
            scores(0.4, 0.7),
            Decision(DIE, "uncertain", "self_harm", None, check=True),
        ),
        # No signal anywhere: nothing to say about risk.
        (
            "need food in daly city",
            "find_food",
            ranked(("find_food", 0.97), (DIE, 0.01)),
            None,
            scores(0.01, 0.02),
            Decision("find_food", None, None, None, check=False),
        ),
        # Answers to the bot's own questions keep their meaning and get no check.
        (
            "absolutely",
            "affirm",
            ranked(
                ("affirm", 0.6),
            ),
            None,
            scores(0.1, 0.3, self_harm=0.2),
            Decision("affirm", "uncertain", "danger", None, check=False),
        ),
        # Small talk on top, a need as runner-up above the bar: that need, then the check.
        (
            "its so cold out here, i cant take it",
            "out_of_scope",
            ranked(("out_of_scope", 0.5), ("find_shelter", 0.25)),
            None,
            scores(0.1, 0.4),
            Decision("find_shelter", "uncertain", "self_harm", None, check=True),
        ),
        # No risk model in the message (an older model): the screen and DIET still decide.
        (
            "i want to kill myself",
            DIE,
            ranked(
                (DIE, 0.99),
            ),
            {"risk": "self_harm", "tier": "clear"},
            None,
            Decision(DIE, "clear", "self_harm", None, check=False),
        ),
    ],
)
def test_what_the_dialogue_sees(text, intent, ranking, screen, model, expected):
    assert triage(text, intent, ranking, screen, model, Thresholds()) == expected
