"""Every dialogue flow of the assistant, through the real Rasa server and action server.

Turns that test the dialogue, not the understanding, are sent as the gateway sends buttons and
location shares (`/find_shelter`, `/inform_location{...}`): they bypass NLU. The NLU itself is
measured on the held-out set (scripts/evaluate_nlu.py) and in the conversation tests.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.servers import RasaServers, customs, new_sender, texts

pytestmark = pytest.mark.slow

ASKS_WHERE = "Where are you now?"


def location(value: str) -> str:
    return "/inform_location" + json.dumps({"location": value})


def slots(servers: RasaServers, sender: str) -> dict:
    return dict(servers.tracker(sender)["slots"])


def active_loop(servers: RasaServers, sender: str) -> str | None:
    return (servers.tracker(sender).get("active_loop") or {}).get("name")


def last_actions(servers: RasaServers, sender: str, count: int = 4) -> list[str]:
    events = servers.tracker(sender)["events"]
    names = [e["name"] for e in events if e["event"] == "action" and e["name"] != "action_listen"]
    return names[-count:]


def test_a_need_without_a_place_asks_where_the_client_is(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    replies = rasa_servers.send(sender, "where can i sleep tonight")
    assert texts(replies)[0].startswith(ASKS_WHERE)
    assert "Redwood City" in texts(replies)[0]  # the region's example
    assert {"request_location": True} in customs(replies)
    assert slots(rasa_servers, sender)["need"] == "shelter"


def test_abuse_at_home_hears_the_dv_line_then_where(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    said = texts(rasa_servers.send(sender, "/find_domestic_violence_help"))
    assert "National Domestic Violence Hotline" in said[0]
    assert "1-800-799-7233" in said[0]
    assert said[1].startswith(ASKS_WHERE)
    # A place it does not know: asked again, without the line a second time.
    again = texts(rasa_servers.send(sender, location("narnia")))
    assert not any("Hotline" in t for t in again)
    assert again[-1].startswith(ASKS_WHERE)


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        (location("94063"), "94063"),
        (location("redwood city"), "Redwood City, CA"),
        (location("geo:37.4852,-122.2364"), "geo:37.48520,-122.23640"),  # a Telegram share
    ],
)
def test_a_place_a_zip_code_or_coordinates_answer_the_question(
    rasa_servers: RasaServers, answer: str, kept: str
) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/find_shelter")
    replies = rasa_servers.send(sender, answer)
    assert not any(t.startswith(ASKS_WHERE) for t in texts(replies))
    assert slots(rasa_servers, sender)["location"] == kept
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"
    assert active_loop(rasa_servers, sender) is None


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("bernal heights", "Bernal Heights, CA"),  # named in no training example
        ("im in hunters point", "Hunters Point, CA"),
        ("balboa park", "Balboa Park, CA"),
    ],
)
def test_a_neighbourhood_answers_the_question_without_a_safety_check(
    rasa_servers: RasaServers, answer: str, kept: str
) -> None:
    # DIET and the risk model read these names as risk (rasa_addons/places.py): the client was
    # asked "Are you safe right now?" for saying where they are.
    sender = new_sender()
    rasa_servers.send(sender, "where can i sleep tonight")
    replies = rasa_servers.send(sender, answer, metadata=screened(answer))
    assert not any(t.startswith(SAFE_CHECK) for t in texts(replies))
    assert slots(rasa_servers, sender)["location"] == kept
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"


def test_a_need_with_a_place_searches_at_once(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    replies = rasa_servers.send(sender, '/find_food{"location": "daly city"}')
    assert not any(t.startswith(ASKS_WHERE) for t in texts(replies))
    assert slots(rasa_servers, sender)["location"] == "Daly City, CA"
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"


def test_an_unknown_place_is_asked_again_with_an_example(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/find_shelter")
    replies = rasa_servers.send(sender, location("narnia"))
    assert 'know where "narnia" is' in texts(replies)[0]
    assert texts(replies)[-1].startswith(ASKS_WHERE)
    assert active_loop(rasa_servers, sender) == "service_search_form"
    rasa_servers.send(sender, location("rwc"))
    assert slots(rasa_servers, sender)["location"] == "Redwood City, CA"


def test_a_second_need_does_not_ask_the_place_again(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/find_shelter")
    rasa_servers.send(sender, location("94063"))
    replies = rasa_servers.send(sender, "/find_food")
    assert not any(t.startswith(ASKS_WHERE) for t in texts(replies))
    assert slots(rasa_servers, sender)["need"] == "food"
    assert slots(rasa_servers, sender)["location"] == "94063"
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"


def test_a_new_place_replaces_the_old_one(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/find_shelter")
    rasa_servers.send(sender, location("94063"))
    rasa_servers.send(sender, location("daly city"))
    assert slots(rasa_servers, sender)["location"] == "Daly City, CA"
    assert slots(rasa_servers, sender)["need"] == "shelter"
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"


def test_somewhere_else_forgets_the_place_and_asks_again(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/find_shelter")
    rasa_servers.send(sender, location("94063"))
    replies = rasa_servers.send(sender, "/inform_location")  # "somewhere else": no place named
    assert texts(replies)[-1].startswith(ASKS_WHERE)
    assert slots(rasa_servers, sender)["location"] is None


def test_population_carries_into_the_search(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    rasa_servers.send(sender, '/find_shelter{"population": "17"}')
    rasa_servers.send(sender, location("94063"))
    assert slots(rasa_servers, sender)["population"] == ["17"]
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"


@pytest.mark.parametrize("risk", ["risk_self_harm", "risk_immediate_danger"])
@pytest.mark.parametrize("when", ["first message", "mid-question"])
def test_risk_gets_the_crisis_response_first_then_a_person(
    rasa_servers: RasaServers, risk: str, when: str
) -> None:
    sender = new_sender()
    if when == "mid-question":
        assert texts(rasa_servers.send(sender, "/find_shelter"))[0].startswith(ASKS_WHERE)
    replies = rasa_servers.send(sender, f"/{risk}")
    first = texts(replies)[0]
    assert "call 911" in first
    line = "988" if risk == "risk_self_harm" else "1-800-799-7233"
    assert line in first
    handoffs = [c["handoff"] for c in customs(replies) if "handoff" in c]
    assert handoffs[0] == {"reason": risk, "risk": "high"}  # from Rasa alone
    assert handoffs[-1]["risk"] == "high"  # action_handoff's summary
    assert "recent" in handoffs[-1]
    assert active_loop(rasa_servers, sender) is None


@pytest.mark.parametrize("when", ["first message", "mid-question", "asked the need"])
def test_a_person_can_be_asked_for_at_any_point(rasa_servers: RasaServers, when: str) -> None:
    sender = new_sender()
    if when == "mid-question":
        rasa_servers.send(sender, "/find_shelter")
    elif when == "asked the need":
        rasa_servers.send(sender, location("94063"))  # a place first: the bot asks the need
    replies = rasa_servers.send(sender, "/request_human")
    assert texts(replies)[0].startswith("I'm finding a person")
    handoffs = [c["handoff"] for c in customs(replies) if "handoff" in c]
    assert handoffs[0] == {"reason": "request_human", "risk": "normal"}
    assert active_loop(rasa_servers, sender) is None


def test_a_place_first_then_the_need_is_asked_with_buttons(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    replies = rasa_servers.send(sender, location("94063"))
    (question,) = [r for r in replies if "buttons" in r]
    assert question["text"] == "What do you need help with?"
    assert "/request_human" in [b["payload"] for b in question["buttons"]]
    rasa_servers.send(sender, "/find_food")
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"


def test_two_misunderstandings_in_a_row_offer_a_person(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    first = rasa_servers.send(sender, "/nlu_fallback")
    assert first[0]["text"].startswith("Sorry, I didn't understand")
    assert "/find_shelter" in [b["payload"] for b in first[0]["buttons"]]
    second = rasa_servers.send(sender, "/nlu_fallback")
    assert "talk to a person" in second[0]["text"]
    accepted = rasa_servers.send(sender, "/affirm")
    assert texts(accepted)[0].startswith("I'm finding a person")


def test_saying_no_to_the_place_question_stops_the_search(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/find_shelter")
    replies = rasa_servers.send(sender, "/deny")
    assert texts(replies)[0].startswith("OK, I've stopped that search")
    assert active_loop(rasa_servers, sender) is None


def test_a_client_returning_after_hours_starts_afresh(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/find_shelter")
    rasa_servers.send(sender, location("94063"))
    # Five hours pass (the session lasts four): move the stored conversation into the past.
    with sqlite3.connect(rasa_servers.tracker_db) as db:
        moved = db.execute(
            "UPDATE events SET timestamp = timestamp - 18000,"
            " data = json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - 18000)"
            " WHERE sender_id = ?",
            (sender,),
        ).rowcount
    assert moved > 0
    replies = rasa_servers.send(sender, "/find_food")
    assert texts(replies)[0].startswith(ASKS_WHERE)  # the old place is forgotten
    assert slots(rasa_servers, sender)["location"] is None
    assert slots(rasa_servers, sender)["need"] == "food"


# --- A risk signal adds, it never replaces (issue 8). The client's words go to Rasa with what
# the gateway's screen found as metadata, as the gateway sends them.

SCREEN_CLEAR = {"screen": {"risk": "self_harm", "tier": "clear"}, "crisis_reply_sent": True}
SAFE_CHECK = "Are you safe right now?"


def handoffs_of(replies: list[dict]) -> list[dict]:
    return [c["handoff"] for c in customs(replies) if "handoff" in c]


def test_a_risk_and_a_need_get_the_crisis_line_a_person_and_the_services(
    rasa_servers: RasaServers,
) -> None:
    sender = new_sender()
    replies = rasa_servers.send(
        sender, "i want to die, i need a bed in redwood city", metadata=SCREEN_CLEAR
    )
    said = texts(replies)
    assert (
        "988" in said[0]
    )  # the crisis response first (the gateway leaves it out when it sent its own)
    assert handoffs_of(replies)[0] == {"reason": "risk_self_harm", "risk": "high"}
    assert any("Redwood City" in t for t in said[1:])  # and the shelters near them
    assert slots(rasa_servers, sender)["need"] == "shelter"
    assert last_actions(rasa_servers, sender)[-1] == "action_find_services"


def test_an_uncertain_risk_gets_what_was_asked_then_the_check(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    metadata = {"screen": {"risk": "self_harm", "tier": "uncertain"}}
    replies = rasa_servers.send(sender, "need a bed in redwood city", metadata=metadata)
    said = texts(replies)
    assert any("Redwood City" in t for t in said)  # what was asked for, first
    assert said[-1].startswith(SAFE_CHECK)
    assert "call 911" in said[-1]
    [check] = [r for r in replies if r.get("text", "").startswith(SAFE_CHECK)]
    assert [b["payload"] for b in check["buttons"]] == ["/affirm", "/deny"]
    assert handoffs_of(replies) == []  # no case, no page: a question, not an alarm
    # For the report (the gateway keeps these, never shows them): the search and the check.
    reports = [c["report"] for c in customs(replies) if "report" in c]
    assert [r["kind"] for r in reports] == ["search", "risk"]
    assert (reports[0]["need"], reports[0]["place"]) == ("shelter", "Redwood City")
    assert reports[1] == {"kind": "risk", "tier": "uncertain"}
    assert slots(rasa_servers, sender)["risk_check"] is None  # asked once
    # A later search does not ask again.
    again = texts(rasa_servers.send(sender, "/find_food"))
    assert not any(t.startswith(SAFE_CHECK) for t in again)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("/affirm", "I'm glad"),
        ("/deny", "Please call 911 now"),
        ("👍", "I'm glad"),
        ("im ok", "I'm glad"),  # the logistic regression alone reads it deny, as the data says
        ("no im not safe", "Please call 911 now"),
    ],
)
def test_the_answer_to_the_check_is_heard(
    rasa_servers: RasaServers, answer: str, expected: str
) -> None:
    sender = new_sender()
    metadata = {"screen": {"risk": "danger", "tier": "uncertain"}}
    asked = texts(rasa_servers.send(sender, "food in daly city", metadata=metadata))
    assert asked[-1].startswith(SAFE_CHECK)
    replies = rasa_servers.send(sender, answer)
    assert texts(replies)[0].startswith(expected)
    if expected.startswith("Please call"):  # "No" escalates at once: the lines, a high-risk case
        assert "988" in texts(replies)[0]
        assert "1-800-799-7233" in texts(replies)[0]
        assert handoffs_of(replies)[0] == {"reason": "not_safe", "risk": "high"}
        assert handoffs_of(replies)[-1]["risk"] == "high"
    else:
        assert handoffs_of(replies) == []


@pytest.mark.parametrize("answer", ["😭", "?", "🔪"])
def test_an_emoji_or_a_mark_alone_to_the_check_is_never_taken_for_a_yes(
    rasa_servers: RasaServers, answer: str
) -> None:
    """A crying face to "Are you safe right now?" is not "I'm safe": with no word to read, the
    intent classifier's guess was affirm (0.53) until it gave such a message no intent."""
    sender = new_sender()
    metadata = {"screen": {"risk": "self_harm", "tier": "uncertain"}}
    asked = texts(rasa_servers.send(sender, "food in daly city", metadata=metadata))
    assert asked[-1].startswith(SAFE_CHECK)
    said = texts(rasa_servers.send(sender, answer))
    assert said  # an answer, not silence
    assert not any("glad" in t.lower() for t in said)
    assert (rasa_servers.tracker(sender)["latest_message"]["intent"]["name"]) == "nlu_fallback"


def test_words_that_may_mean_risk_with_nothing_asked_get_the_check_alone(
    rasa_servers: RasaServers,
) -> None:
    sender = new_sender()
    metadata = {"screen": {"risk": "self_harm", "tier": "uncertain"}}
    replies = rasa_servers.send(sender, "i cant do this anymore", metadata=metadata)
    assert texts(replies)
    assert texts(replies)[-1].startswith(SAFE_CHECK)
    assert handoffs_of(replies) == []


def screened(text: str) -> dict:
    """The metadata the gateway sends with ``text``: what its safety screen found."""
    from bot.safety import Screen

    signal = Screen("911")(text)
    return {"screen": signal.metadata()} if signal else {}


@pytest.mark.parametrize(
    "text", ["emergency accomodation in redwood city", "im dead tired need a bed in redwood city"]
)
def test_everyday_words_that_sound_alarming_get_the_shelters_and_no_alarm(
    rasa_servers: RasaServers, text: str
) -> None:
    sender = new_sender()
    replies = rasa_servers.send(sender, text, metadata=screened(text))
    said = texts(replies)
    assert any("Redwood City" in t for t in said)  # the shelters near them
    assert slots(rasa_servers, sender)["need"] == "shelter"
    assert handoffs_of(replies) == []  # no case, nobody paged
    assert not any("988" in t or t.startswith(SAFE_CHECK) for t in said)


@pytest.mark.parametrize("yes", ["absolutely", "definitely", "of course", "yep"])
def test_a_yes_in_the_clients_words_to_the_offer_of_a_person_is_a_yes(
    rasa_servers: RasaServers, yes: str
) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "/nlu_fallback")
    offered = rasa_servers.send(sender, "/nlu_fallback")
    assert "talk to a person" in offered[0]["text"]
    assert texts(rasa_servers.send(sender, yes))[0].startswith("I'm finding a person")


# --- issue 22: the need beside the risk, and no line named twice ------------------------------


def test_strangulation_gets_the_danger_reply_a_person_and_the_question_of_where(
    rasa_servers: RasaServers,
) -> None:
    """A partner's strangulation is danger (it predicts homicide), and the local domestic
    violence service is still found: the danger reply, a person, then where they are; the
    hotline named once in the turn."""
    sender = new_sender()
    text = "he chokes me sometimes when we argue hes not here now but im scared"
    replies = rasa_servers.send(sender, text, metadata=screened(text))
    said = texts(replies)
    assert any(h["risk"] == "high" for h in handoffs_of(replies))
    assert said[-1].startswith(ASKS_WHERE)
    assert slots(rasa_servers, sender)["need"] == "domestic_violence"
    assert sum("1-800-799-7233" in t for t in said) == 1


@pytest.mark.parametrize(
    "text",
    [
        "car crash last week and my neck still hurts need a doctor in redwood city",
        "choking on medical bills need some financial help in redwood city",
        "my landlord is strangling us with fees is that allowed",
        "got shot down for an apartment bc of my record is that legal",
        "wheres the nearest soup run call me on 650 555 0199",
    ],
)
def test_violent_words_about_what_is_over_or_figures_of_speech_get_what_was_asked(
    rasa_servers: RasaServers, text: str
) -> None:
    """Issue 22's examples: the request's answer, a check at most, never the escalation."""
    sender = new_sender()
    replies = rasa_servers.send(sender, text, metadata=screened(text))
    assert not any(h["risk"] == "high" for h in handoffs_of(replies))
    assert slots(rasa_servers, sender)["need"] in (
        "health_care", "financial", "legal", "food",
    )  # fmt: skip


# --- issue 19: Rasa's own crisis replies in Spanish -------------------------------------------

ES = {"language": "es"}


def test_a_spanish_crisis_the_screen_missed_gets_rasas_spanish_crisis_reply(
    rasa_servers: RasaServers,
) -> None:
    sender = new_sender()
    replies = rasa_servers.send(sender, "ya no le veo caso a nada, mañana ya no voy a estar", ES)
    crisis = texts(replies)[0]
    assert crisis.startswith("Me alegra mucho que me lo hayas dicho.")
    assert "llamar al 988 y marcar el 2" in crisis
    assert handoffs_of(replies)[0]["risk"] == "high"
    assert slots(rasa_servers, sender)["language"] == "es"


def test_the_safety_check_and_its_buttons_are_in_spanish(rasa_servers: RasaServers) -> None:
    sender = new_sender()
    metadata = {"screen": {"risk": "self_harm", "tier": "uncertain", "language": "es"}, **ES}
    replies = rasa_servers.send(sender, "ya no aguanto", metadata)
    assert texts(replies)[-1].startswith("¿Estás a salvo ahora?")
    [check] = [r for r in replies if r.get("buttons")]
    assert [b["title"] for b in check["buttons"]] == ["Sí, estoy a salvo", "No, no estoy a salvo"]
    answer = texts(rasa_servers.send(sender, "/deny", ES))
    assert answer[0].startswith("Por favor llama al 911 ahora")


def test_the_language_stays_with_a_button_and_english_comes_back(
    rasa_servers: RasaServers,
) -> None:
    sender = new_sender()
    rasa_servers.send(sender, "hola", ES)
    assert texts(rasa_servers.send(sender, '/greet{"language":"es"}'))[0].startswith("Hola")
    english = texts(rasa_servers.send(sender, "hello", {"language": "en"}))
    assert english[0].startswith("Hi")
