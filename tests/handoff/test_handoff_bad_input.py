"""Bad input, each with a defined outcome that reaches nobody it should not.

A staff reply to a closed case; commands from outside the staff group; a client who sends 50
messages in a minute; a photo or an edit from staff; a case whose client has opted out of SMS;
and a staff group without topics, where staff answer by replying.
"""

from __future__ import annotations

import pytest

from bot.db import inbound
from bot.state import HANDOFF
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import (
    ALEX,
    OTHER_GROUP,
    PLAIN_CHAT,
    STAFF_CHAT,
    staff_button,
    staff_edit,
    staff_photo,
    staff_text,
)
from scripts.fakes.twilio import post_sms, sms_form
from tests.handoff.helpers import (
    case_count,
    only_case,
    settle,
    summary_in,
    topic_in,
    transcript,
)

CLIENT = 555000444
PHONE = "+16505550177"


async def a_case(fake_telegram, gateway, claim: bool = True):
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "human"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    summary = await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    if claim:
        fake_telegram.push(
            staff_text(
                fake_telegram.next_update_id(), STAFF_CHAT, ALEX, "/claim", thread=topic.thread
            )
        )
        await wait_for(lambda: "claimed by" in summary.text)
    await settle(gateway)
    return topic, summary


def answers_in(fake_telegram, thread):
    """What the bot said to staff in a topic (not the summary, not the client's words)."""
    return [
        p.text
        for p in fake_telegram.posts_in(STAFF_CHAT, thread)
        if not p.buttons() and "›" not in p.text
    ]


async def test_a_staff_reply_to_a_closed_case_reaches_nobody_and_staff_are_told(
    start_gateway, settings_for, fake_telegram, staff_say
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    topic, _ = await a_case(fake_telegram, gateway)
    staff_say("/close", topic.thread)
    await wait_for(lambda: topic.closed)
    await settle(gateway)
    sent = len(fake_telegram.texts_to(CLIENT))
    staff_say("one more thing", topic.thread)
    await wait_for(lambda: any("is closed" in t for t in answers_in(fake_telegram, topic.thread)))
    await settle(gateway)
    assert len(fake_telegram.texts_to(CLIENT)) == sent
    assert any(
        t.startswith("Case #1 is closed: the client is back with the assistant")
        for t in answers_in(fake_telegram, topic.thread)
    )
    assert ("staff", "one more thing") not in await transcript(gateway, 1)


async def test_commands_from_outside_the_staff_group_change_nothing(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    topic, summary = await a_case(fake_telegram, gateway, claim=False)
    # A client types /close in their own chat: words for staff, not a command.
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/close"))
    # Someone in another group the bot is in.
    fake_telegram.push(staff_text(fake_telegram.next_update_id(), OTHER_GROUP, ALEX, "/close"))
    # A Claim button pressed outside the staff group (a forwarded or forged message).
    fake_telegram.push(
        staff_button(
            fake_telegram.next_update_id(), OTHER_GROUP, ALEX, "h:claim:1", summary.message_id
        )
    )
    fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CLIENT, "h:close:1"))
    await wait_for(
        lambda: any("› close" in p.text for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread))
    )
    await wait_for(lambda: "This button is for staff only." in fake_telegram.callback_answers)
    await settle(gateway)
    case = await only_case(gateway)
    assert case.status == "waiting"  # nobody claimed or closed it
    assert fake_telegram.posts_in(OTHER_GROUP) == []  # nothing said in the other group
    assert not topic.closed
    assert fake_rasa.messages_from(gateway.conversation_id("telegram", str(CLIENT))) == [
        "/request_human"
    ]


async def test_case_commands_outside_a_case_say_how_to_use_them(
    start_gateway, settings_for, fake_telegram
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    await a_case(fake_telegram, gateway, claim=False)
    fake_telegram.push(
        staff_text(fake_telegram.next_update_id(), STAFF_CHAT, ALEX, "/close")
    )  # General
    fake_telegram.push(staff_text(fake_telegram.next_update_id(), STAFF_CHAT, ALEX, "/queue"))
    await wait_for(
        lambda: len([p for p in fake_telegram.posts_in(STAFF_CHAT) if p.thread is None]) == 2
    )
    general = sorted(p.text for p in fake_telegram.posts_in(STAFF_CHAT) if p.thread is None)
    assert general[0].startswith("Open cases, most urgent first:\n🔵 #1 · Telegram client")
    assert general[1] == "Use /close in a case's topic, or as a reply to it."
    assert (await only_case(gateway)).status == "waiting"


async def test_fifty_messages_in_a_minute_all_reach_staff_in_order_in_few_posts(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    topic, _ = await a_case(fake_telegram, gateway)
    before = len(fake_telegram.texts_to(CLIENT))
    words = [f"message {n:02d}" for n in range(50)]
    for text in words:
        fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, text))

    def relayed():
        return [
            line.removeprefix("› ")
            for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread)
            for line in p.text.split("\n")
            if line.startswith("› message")
        ]

    await wait_for(lambda: len(relayed()) == 50, timeout=60)
    await settle(gateway)
    assert sorted(relayed()) == words  # every one, once
    case_posts = [
        p for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread) if "› message" in p.text
    ]
    assert len(case_posts) < 20  # batched: the group is not flooded
    lines = [text for kind, text in await transcript(gateway, 1) if kind == "client"]
    assert lines[-50:] == [t for t in lines[-50:] if t.startswith("message")]
    assert len(fake_telegram.texts_to(CLIENT)) == before  # no auto-reply to each message
    assert fake_rasa.messages_from(gateway.conversation_id("telegram", str(CLIENT))) == [
        "/request_human"
    ]


async def test_a_photo_or_an_edit_from_staff_is_not_sent_and_staff_are_told(
    start_gateway, settings_for, fake_telegram, staff_say
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    topic, _ = await a_case(fake_telegram, gateway)
    sent = len(fake_telegram.texts_to(CLIENT))
    fake_telegram.push(
        staff_photo(fake_telegram.next_update_id(), STAFF_CHAT, ALEX, thread=topic.thread)
    )
    fake_telegram.push(
        staff_edit(
            fake_telegram.next_update_id(), STAFF_CHAT, ALEX, "edited words", thread=topic.thread
        )
    )
    staff_say("/note", topic.thread)
    await wait_for(lambda: len(answers_in(fake_telegram, topic.thread)) >= 3)
    await settle(gateway)
    answers = answers_in(fake_telegram, topic.thread)
    assert "Not sent: only text reaches the client. Please type it." in answers
    assert any(a.startswith("Edits are not sent") for a in answers)
    assert "Write the note after /note: /note TEXT" in answers
    assert len(fake_telegram.texts_to(CLIENT)) == sent


async def test_a_client_who_opted_out_of_sms_cannot_be_sent_anything_and_staff_know(
    start_gateway, settings_for, fake_telegram, staff_say, fake_twilio, http
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, sms=fake_twilio))
    url = f"{gateway.url}/sms/twilio"
    await post_sms(http, url, sms_form(PHONE, "talk to a person"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    await wait_for(lambda: len(fake_twilio.bodies_to(PHONE)) == 1)
    await post_sms(http, url, sms_form(PHONE, "END"))
    await wait_for(lambda: any("texted END" in t for t in answers_in(fake_telegram, topic.thread)))
    [alert] = [t for t in answers_in(fake_telegram, topic.thread) if "texted END" in t]
    assert "safeguarding" in alert

    staff_say("Are you still there?", topic.thread)
    await wait_for(
        lambda: any("opted out of SMS" in t for t in answers_in(fake_telegram, topic.thread))
    )
    await settle(gateway)
    assert len(fake_twilio.bodies_to(PHONE)) == 1  # nothing more was sent
    assert (await only_case(gateway)).status == "waiting"  # the refused reply claimed nothing

    await post_sms(http, url, sms_form(PHONE, "START"))
    await wait_for(
        lambda: any("texted START" in t for t in answers_in(fake_telegram, topic.thread))
    )
    staff_say("Are you still there?", topic.thread)
    await wait_for(lambda: fake_twilio.bodies_to(PHONE)[-1:] == ["Are you still there?"])


@pytest.mark.parametrize("answer_with", ["reply to the summary", "reply to the client's words"])
async def test_a_group_without_topics_works_by_replies(
    start_gateway, settings_for, fake_telegram, answer_with
):
    gateway = await start_gateway(
        settings_for(
            telegram=fake_telegram,
            handoff={"staff_chat_id": PLAIN_CHAT, "on_call_chat_id": PLAIN_CHAT},
        )
    )
    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CLIENT, "can i talk to a real person")
    )
    summary = await summary_in(fake_telegram, PLAIN_CHAT, None)
    assert fake_telegram.topics == {}
    assert "Reply to this message" in summary.text
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "hello?"))
    await wait_for(lambda: any(p.text == "#1 › hello?" for p in fake_telegram.posts_in(PLAIN_CHAT)))
    words = next(p for p in fake_telegram.posts_in(PLAIN_CHAT) if p.text == "#1 › hello?")
    assert words.reply_to == summary.message_id

    # Staff talking among themselves (not a reply) is not for the client.
    fake_telegram.push(
        staff_text(fake_telegram.next_update_id(), PLAIN_CHAT, ALEX, "who takes this one?")
    )
    target = summary.message_id if answer_with == "reply to the summary" else words.message_id
    fake_telegram.push(
        staff_text(
            fake_telegram.next_update_id(),
            PLAIN_CHAT,
            ALEX,
            "I'm here, what's up?",
            reply_to=target,
        )
    )
    await wait_for(lambda: fake_telegram.texts_to(CLIENT)[-1:] == ["I'm here, what's up?"])
    fake_telegram.push(
        staff_text(fake_telegram.next_update_id(), PLAIN_CHAT, ALEX, "/close", reply_to=target)
    )
    await wait_for(
        lambda: fake_telegram.texts_to(CLIENT)[-1].startswith("You're back with the assistant")
    )
    await settle(gateway)
    assert "who takes this one?" not in fake_telegram.texts_to(CLIENT)
    assert (await only_case(gateway)).status == "closed"


async def test_a_staff_group_that_has_gone_answers_nothing_but_the_console_has_the_case(
    start_gateway, settings_for, fake_telegram
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.fail_group_sends(1, 403, "Forbidden: bot was kicked from the supergroup chat")
    fake_telegram.forums.discard(STAFF_CHAT)  # and createForumTopic is refused there too
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "human"))
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) == 1)
    await settle(gateway)
    queue = await gateway.app[HANDOFF].desk.queue()
    assert [case.id for case in queue] == [1]  # still in the queue for the console


async def test_a_reply_to_a_reminder_outside_the_topic_is_not_for_the_client(
    start_gateway, settings_for, fake_telegram, clock
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    await a_case(fake_telegram, gateway, claim=False)
    clock.advance(6)  # nobody has claimed it for 6 minutes: a reminder in General
    await gateway.app[HANDOFF].watcher.tick()
    await wait_for(lambda: any(p.text.startswith("⏰") for p in fake_telegram.posts_in(STAFF_CHAT)))
    reminder = next(p for p in fake_telegram.posts_in(STAFF_CHAT) if p.text.startswith("⏰"))
    sent = len(fake_telegram.texts_to(CLIENT))
    words = "I'll take it in a sec"
    fake_telegram.push(
        staff_text(
            fake_telegram.next_update_id(), STAFF_CHAT, ALEX, words, reply_to=reminder.message_id
        )
    )
    await wait_for(lambda: fake_telegram.webhook_answers.count(200) == 2)  # handled
    await settle(gateway)
    assert len(fake_telegram.texts_to(CLIENT)) == sent
    assert (await only_case(gateway)).status == "waiting"


async def test_forged_callback_data_opens_no_case(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    forged = fake_telegram.next_update_id()
    fake_telegram.push(tg.button_update(forged, CLIENT, "/risk_immediate_danger"))
    await wait_for(lambda: len(fake_telegram.callback_answers) == 1)
    await settle(gateway)
    assert await gateway.db.run(inbound.seen, "telegram", str(forged))  # kept, as a repeat
    assert await case_count(gateway) == 0
    assert fake_telegram.topics_in(STAFF_CHAT) == []
    assert fake_rasa.received == []


async def test_typed_slash_human_still_reaches_a_person_on_every_channel(
    start_gateway, settings_for, fake_telegram, fake_twilio, http
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, sms=fake_twilio))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/human"))
    await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(PHONE, "/human"))
    body = {"sender": "typed-slash-human-0001", "text": "/human"}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        assert response.status == 200
    await wait_for(lambda: len(fake_telegram.topics_in(STAFF_CHAT)) == 3)
    await settle(gateway)
    assert await case_count(gateway) == 3
