"""More ways a case opens and changes: from Rasa's own understanding, a risk message during a
case, a web chat client with staff on Telegram, and a whole case while Rasa is down.
"""

from __future__ import annotations

from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import ON_CALL_CHAT, STAFF_CHAT
from tests.handoff.conftest import ON_CALL_PHONE, TUESDAY_2AM
from tests.handoff.helpers import (
    case_count,
    failed_posts,
    only_case,
    settle,
    summary_in,
    topic_in,
    transcript,
)

CLIENT = 555000777
WEB = "flows-web-chat-client-0001"
RASA_HANDOFF = [
    {"text": "I'm finding a person to talk with you. Stay here: they will reply in this chat."},
    {"custom": {"handoff": {"reason": "request_human", "risk": "normal"}}},
    {
        "custom": {
            "handoff": {
                "reason": "request_human",
                "risk": "normal",
                "need": "food",
                "location": "Daly City, CA",
                "population": ["family"],
                "recent": [
                    {"text": "no food for the kids", "intent": "find_food", "confidence": 0.91},
                    {
                        "text": "can someone real help me",
                        "intent": "request_human",
                        "confidence": 0.88,
                    },
                ],
            }
        }
    },
]


async def test_rasa_understanding_a_request_for_a_person_opens_a_case(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_rasa.script["can someone real help me"] = RASA_HANDOFF
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CLIENT, "can someone real help me")
    )
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    assert topic.name == "🔵 #1 Telegram · food"
    summary = await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    assert "Need: food · Place: Daly City, CA · For: family" in summary.text
    assert "• “no food for the kids” → find_food (0.91)" in summary.text
    await settle(gateway)
    # Rasa's own words told the client; the gateway adds nothing in office hours.
    assert fake_telegram.texts_to(CLIENT) == [RASA_HANDOFF[0]["text"]]
    cid = gateway.conversation_id("telegram", str(CLIENT))
    assert fake_rasa.controls_of(cid) == ["pause"]
    assert await failed_posts(gateway) == []


async def test_a_risk_message_during_a_case_raises_it_and_pages_on_call_after_hours(
    start_gateway, settings_for, fake_telegram, fake_twilio, fake_rasa, clock
):
    clock.set(TUESDAY_2AM)
    gateway = await start_gateway(
        settings_for(
            telegram=fake_telegram, sms=fake_twilio, handoff={"on_call_phone": ON_CALL_PHONE}
        )
    )
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/human"))
    topic = await topic_in(fake_telegram, ON_CALL_CHAT)
    await settle(gateway)
    assert fake_twilio.bodies_to(ON_CALL_PHONE) == []  # normal risk: nobody paged

    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "i just want to die"))
    await wait_for(lambda: len(fake_twilio.bodies_to(ON_CALL_PHONE)) == 1)
    await wait_for(lambda: topic.name.startswith("🔴 #1 HIGH RISK"))
    await settle(gateway)
    crisis = fake_telegram.texts_to(CLIENT)[-1]
    assert crisis.startswith("I'm really glad you told me.")  # the crisis lines at once
    posts = [p.text for p in fake_telegram.posts_in(ON_CALL_CHAT, topic.thread)]
    assert "› i just want to die" in posts
    assert "⚠ HIGH RISK: risk_self_harm" in posts
    case = await only_case(gateway)
    assert (case.risk, case.status) == ("high", "waiting")
    cid = gateway.conversation_id("telegram", str(CLIENT))
    assert fake_rasa.messages_from(cid) == ["/request_human"]  # the risk message went to staff


async def test_a_web_chat_client_talks_with_staff_on_telegram(
    start_gateway, settings_for, fake_telegram, staff_say, http
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    async with http.post(f"{gateway.url}/api/webchat", json={"sender": WEB, "text": "person"}) as r:
        first = await r.json()
    assert first["replies"][0]["text"].startswith("I'm finding a person")
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    assert topic.name == "🔵 #1 web chat · asked for a person"
    staff_say("Hello from the team", topic.thread)

    async def heard() -> list[str]:
        params = {"sender": WEB, "after": str(first["replies"][-1]["id"])}
        async with http.get(f"{gateway.url}/api/webchat/messages", params=params) as response:
            return [m["text"] for m in (await response.json())["messages"]]

    for _ in range(100):
        if len(await heard()) == 2:
            break
        await settle(gateway)
    assert await heard() == [
        "A person from our team is here now and will reply in this chat.",
        "Hello from the team",
    ]


async def test_a_whole_case_while_rasa_is_down_and_no_old_context_after(
    start_gateway, settings_for, fake_telegram, staff_say, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    await fake_rasa.stop()
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "talk to a person"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    staff_say("Hi, I'm here", topic.thread)
    # Telegram may deliver two webhooks at once, in either order: the worker closes the case
    # once the client has their words, as a person would.
    await wait_for(lambda: "Hi, I'm here" in fake_telegram.texts_to(CLIENT))
    staff_say("/close", topic.thread)
    await wait_for(lambda: topic.closed)
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 4)
    told = fake_telegram.texts_to(CLIENT)
    assert told[0].startswith("I'm finding a person")
    assert told[2:] == [
        "Hi, I'm here",
        'You\'re back with the assistant now. Tell me in a few words what you need, or say "person" to talk to someone again.',
    ]
    assert not any("can't look things up" in t for t in told)  # a person was there instead

    # The client writes to the assistant again: it waits behind the case's work for Rasa, and
    # the client is told Rasa is down (at the router's next try).
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "bed tonight"))
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 5, timeout=40)
    assert fake_telegram.texts_to(CLIENT)[4].startswith("Sorry, I can't look things up")

    await fake_rasa.start()  # Rasa is back: the opening message, pause, resume, then the client
    cid = gateway.conversation_id("telegram", str(CLIENT))
    await wait_for(
        lambda: fake_telegram.texts_to(CLIENT)[-1] == "You said: bed tonight", timeout=20
    )
    await settle(gateway)
    assert fake_rasa.messages_from(cid) == ["/request_human", "bed tonight"]
    assert fake_rasa.controls_of(cid) == ["pause", "resume"]
    assert await case_count(gateway) == 1  # Rasa's late answer about the old case opened none
    assert not any(t.startswith("I'm finding a person") for t in fake_telegram.texts_to(CLIENT)[1:])
    assert ("system", "Alex R. closed the case.") in await transcript(gateway, 1)


async def test_with_no_staff_at_all_no_case_opens_and_the_client_is_told_so(
    start_gateway, settings_for, fake_rasa, http
):
    """Nobody could see a case: the client hears so once, with the lines, and the bot goes on."""
    fake_rasa.script["can someone real help me"] = RASA_HANDOFF
    gateway = await start_gateway(settings_for(handoff={"console_accounts": ()}))

    async def say(text: str) -> list[str]:
        async with http.post(f"{gateway.url}/api/webchat", json={"sender": WEB, "text": text}) as r:
            return [reply["text"] for reply in (await r.json())["replies"]]

    nobody = "I'm sorry, there is no one from our team here to talk with right now."
    [told] = await say("can someone real help me")  # Rasa's promise of a person is left out
    assert told.startswith(nobody)
    assert "call 211 or text 898211" in told
    [told] = await say("talk to a person")  # recognised by the gateway, answered by it
    assert told.startswith(nobody)
    crisis, told = await say("i want to kill myself")
    assert crisis.startswith("I'm really glad you told me.")
    assert told.startswith(nobody)
    assert await say("bed tonight") == ["You said: bed tonight"]  # the bot goes on helping
    await settle(gateway)
    assert await case_count(gateway) == 0
    cid = gateway.conversation_id("webchat", WEB)
    assert fake_rasa.messages_from(cid) == [
        "can someone real help me",
        "i want to kill myself",
        "bed tonight",
    ]
    assert fake_rasa.controls_of(cid) == []  # never paused
