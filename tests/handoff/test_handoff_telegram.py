"""The whole loop through the fake Telegram: a client on Telegram, staff in a forum supergroup.

The client asks for a person; a topic appears with the summary and Claim and Close; what the
client writes appears in it and never reaches Rasa; a member of staff claims, answers, keeps a
note and closes; the client is handed back, and the bot answers the next message again.
"""

from __future__ import annotations

from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import ALEX, STAFF_CHAT, staff_button
from tests.handoff.helpers import failed_posts, only_case, settle, summary_in, topic_in, transcript

CLIENT = 555000111


async def test_a_telegram_client_reaches_a_person_and_is_handed_back(
    start_gateway, settings_for, fake_telegram, staff_say, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    cid = gateway.conversation_id("telegram", str(CLIENT))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/human"))

    topic = await topic_in(fake_telegram, STAFF_CHAT)
    assert topic.name == "🔵 #1 Telegram · asked for a person"
    summary = await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    assert summary.buttons() == ["Claim", "Close"]
    assert "Telegram client " + cid[:6] in summary.text
    assert "office hours" in summary.text
    assert str(CLIENT) not in summary.text  # staff never see the client's Telegram account
    assert summary.protected
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 1)
    assert fake_telegram.texts_to(CLIENT)[0].startswith("I'm finding a person to talk with you.")

    # The opening message went to Rasa for the summary; then the conversation was paused.
    await wait_for(lambda: fake_rasa.controls_of(cid) == ["pause"])
    assert fake_rasa.messages_from(cid) == ["/request_human"]

    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "i got kicked out"))
    await wait_for(
        lambda: any(
            "› i got kicked out" in p.text for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread)
        )
    )
    assert fake_rasa.messages_from(cid) == ["/request_human"]  # not to Rasa: to staff
    # Nobody has the case yet: the client hears their words reached someone, not nothing.
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 2)
    assert fake_telegram.texts_to(CLIENT)[1].startswith("I've passed your message on")

    fake_telegram.push(
        staff_button(
            fake_telegram.next_update_id(),
            STAFF_CHAT,
            ALEX,
            "h:claim:1",
            summary.message_id,
            topic.thread,
        )
    )
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 3)
    assert fake_telegram.texts_to(CLIENT)[2] == (
        "A person from our team is here now and will reply in this chat."
    )
    await wait_for(lambda: "claimed by Alex R." in summary.text)
    assert summary.buttons() == ["Close"]

    reply = "Hi, I'm here with you. Are you somewhere safe tonight?"
    staff_say(reply, topic.thread)
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 4)
    assert fake_telegram.texts_to(CLIENT)[3] == reply  # exactly the words: no name, no account

    note = "/note client sounds calm, no immediate risk"
    staff_say(note, topic.thread)
    staff_say("/close Take care. Text us any time.", topic.thread)
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 6)
    assert fake_telegram.texts_to(CLIENT)[4:] == [
        "Take care. Text us any time.",
        'You\'re back with the assistant now. Tell me in a few words what you need, or say "person" to talk to someone again.',
    ]
    await wait_for(lambda: topic.closed)
    assert topic.name == "✅ #1 closed · Telegram · asked for a person"
    await wait_for(lambda: "closed (Alex R.)" in summary.text)
    assert summary.buttons() == []
    await wait_for(lambda: fake_rasa.controls_of(cid) == ["pause", "resume"])

    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CLIENT, "where can i get food")
    )
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 7)
    assert fake_telegram.texts_to(CLIENT)[6] == "You said: where can i get food"  # the bot again
    await settle(gateway)

    case = await only_case(gateway)
    assert (case.status, case.claimed_by_name, case.close_reason) == ("closed", "Alex R.", "staff")
    lines = await transcript(gateway, case.id)
    assert ("client", "[asked for a person]") in lines
    assert ("client", "i got kicked out") in lines
    assert ("staff", reply) in lines
    assert ("note", "client sounds calm, no immediate risk") in lines
    assert "client sounds calm" not in " ".join(fake_telegram.texts_to(CLIENT))  # notes stay
    assert await failed_posts(gateway) == []


async def test_a_long_risk_message_still_gets_its_summary_and_buttons(
    start_gateway, settings_for, fake_telegram, fake_rasa, http
):
    """4,096 characters of web chat with risk words: the summary was 4,456 and refused."""
    words = "i want to kill myself tonight. "
    long_message = (words * 200)[:4096]
    fake_rasa.script[long_message] = [  # action_handoff's details, as long as they come
        {"custom": {"handoff": {"reason": "risk_self_harm", "risk": "high", "need": "shelter",
                                "recent": [{"text": "😢" * 500, "intent": "risk_self_harm",
                                            "confidence": 0.99}] * 10}}},
    ]  # fmt: skip
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    body = {"sender": "long-risk-message-0001", "text": long_message}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        assert response.status == 200
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    summary = await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    await settle(gateway)
    assert summary.buttons() == ["Claim", "Close"]
    assert "HIGH RISK" in summary.text
    assert "Need: shelter" in summary.text  # the edit with Rasa's details fitted too
    assert f"“{words}" in summary.text
    assert "more characters not shown]”" in summary.text
    assert len(summary.text.encode("utf-16-le")) // 2 <= 4096
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:  # again
        assert response.status == 200
    await wait_for(lambda: any("›" in p.text for p in fake_telegram.posts_in(STAFF_CHAT)))
    [relayed] = [p.text for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread) if "›" in p.text]
    assert relayed.startswith(f"› {words}")
    assert relayed.endswith("more characters not shown]")
    assert await failed_posts(gateway) == []
    case = await only_case(gateway)
    assert (await transcript(gateway, case.id))[0] == ("client", long_message)  # kept whole
