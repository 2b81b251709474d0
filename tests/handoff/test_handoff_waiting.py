"""While a case waits for a person, the client is never left with silence, nor with a question
the assistant will not hear the answer to.

Found by a client's trial of `make run`: "my bf hit me again i need somewhere safe" got the
crisis lines, a case, and "Where are you now?"; the answers ("san mateo", "hello?? is anyone
there") went to staff, and the client heard nothing for minutes.
"""

from __future__ import annotations

import asyncio

import aiohttp

from bot.handoff.model import Staff
from bot.state import HANDOFF
from scripts.fakes.base import wait_for
from tests.handoff.helpers import only_case, settle, transcript

WHERE = "Where are you now? A town or ZIP code is enough."
PASSED_ON = "I've passed your message on"


def crisis_then_where(reason: str) -> list[dict]:
    """Rasa's answer to a risk message that also asks for a place: the crisis response with its
    handoff payload, then the search's question (as the REST channel sends them)."""
    return [
        {"text": "Rasa: If you are in danger now, call 911."},
        {"custom": {"handoff": {"reason": reason, "risk": "high"}}},
        {"text": WHERE},
        {"custom": {"request_location": True}},
    ]


async def say(http: aiohttp.ClientSession, gateway, sender: str, text: str) -> list[str]:
    """Everything the client has been told in the conversation, once ``text`` is answered."""
    async with http.post(
        f"{gateway.url}/api/webchat", json={"sender": sender, "text": text}
    ) as response:
        assert response.status == 200
    await settle(gateway)
    async with http.get(
        f"{gateway.url}/api/webchat/messages", params={"sender": sender, "after": "0"}
    ) as response:
        return [m["text"] for m in (await response.json())["messages"]]


async def test_rasa_opening_a_case_does_not_ask_where_the_client_is(
    start_gateway, settings_for, fake_rasa, http
):
    words = "my bf hit me again i need somewhere safe he cant find me"  # the screen is unsure
    fake_rasa.script[words] = crisis_then_where("risk_immediate_danger")
    gateway = await start_gateway(settings_for())
    heard = await say(http, gateway, "waiting-client-rasa-0001", words)
    assert heard[0] == "Rasa: If you are in danger now, call 911."
    assert WHERE not in heard  # nobody would read the answer: staff ask themselves
    case = await only_case(gateway)
    assert (case.risk, case.status) == ("high", "waiting")


async def test_the_screen_opening_a_case_does_not_ask_either(
    start_gateway, settings_for, fake_rasa, http
):
    words = "he is hitting me right now i need a place to stay"  # a clear signal
    fake_rasa.script[words] = crisis_then_where("risk_immediate_danger")
    gateway = await start_gateway(settings_for())
    heard = await say(http, gateway, "waiting-client-screen-01", words)
    assert any("911" in text for text in heard)  # the gateway's own crisis reply, at once
    assert WHERE not in heard


async def test_a_waiting_client_hears_their_words_reached_someone_at_most_every_2_minutes(
    start_gateway, settings_for, fake_rasa, http, clock
):
    gateway = await start_gateway(settings_for())
    sender = "waiting-client-acks-0001"
    opened = await say(http, gateway, sender, "person")  # the gateway opens a case
    heard = await say(http, gateway, sender, "hello?? is anyone there")
    [told] = heard[len(opened) :]
    assert told.startswith(PASSED_ON)
    assert "call 211 or text 898211" in told
    again = await say(http, gateway, sender, "i need a shelter for me and my kids")
    assert again == heard  # within 2 minutes: not again
    clock.advance(3)
    heard = await say(http, gateway, sender, "still there?")
    assert heard[-1].startswith(PASSED_ON)
    case = await only_case(gateway)
    said = [text for who, text in await transcript(gateway, case.id) if who == "client"]
    assert said[-3:] == [
        "hello?? is anyone there",
        "i need a shelter for me and my kids",
        "still there?",
    ]
    assert fake_rasa.messages_from(gateway.conversation_id("webchat", sender)) == ["/request_human"]

    # Once a person has the case, they answer: the gateway says nothing more.
    await gateway.app[HANDOFF].desk.claim(case.id, Staff("console:sam", "sam"))
    clock.advance(3)
    heard = await say(http, gateway, sender, "ok thank you")
    assert not heard[-1].startswith(PASSED_ON)
    assert heard[-1] == "A person from our team is here now and will reply in this chat."


async def test_a_question_rasa_asks_after_a_case_opened_is_left_out_too(
    start_gateway, settings_for, fake_rasa, http
):
    """ "i need a shelter", then at once "person": the case opens while Rasa is still answering
    the first message, whose "Where are you now?" would go unheard."""
    fake_rasa.script["i need a shelter"] = [{"text": WHERE}, {"custom": {"request_location": True}}]
    fake_rasa.mode, fake_rasa.delay = "slow", 1.5
    gateway = await start_gateway(settings_for())
    sender = "waiting-client-race-0001"
    url = f"{gateway.url}/api/webchat"
    first = asyncio.create_task(http.post(url, json={"sender": sender, "text": "i need a shelter"}))
    await wait_for(lambda: fake_rasa.received)  # the first message is with Rasa
    async with http.post(url, json={"sender": sender, "text": "person"}) as response:
        assert response.status == 200
    (await first).release()
    fake_rasa.mode = "ok"
    heard = await say(http, gateway, sender, "are you there")
    assert WHERE not in heard
    assert (await only_case(gateway)).status == "waiting"
