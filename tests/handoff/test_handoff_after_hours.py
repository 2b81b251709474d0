"""After hours, through SMS with staff on Telegram: the issue's "done when", with a clock the
test controls.

A client texts "i need to talk to someone" at 2 a.m.: the case goes to the on-call group with
its summary; a member of staff claims it and replies; the client gets the reply by SMS; on
/close the bot answers the client's next message again. And the same with nobody claiming: it
is announced again, the backup is paged, the client is told when staff are back and which 24/7
line to call, and a normal-risk case is closed while a high-risk one never is.
"""

from __future__ import annotations

import pytest

from bot.state import HANDOFF
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import ALEX, ON_CALL_CHAT, STAFF_CHAT, staff_button
from scripts.fakes.twilio import post_sms, sms_form
from tests.handoff.conftest import BACKUP_PHONE, ON_CALL_PHONE, TUESDAY_2AM
from tests.handoff.helpers import failed_posts, only_case, settle, summary_in, topic_in, transcript

CLIENT = "+16505550142"
PAGING = {"on_call_phone": ON_CALL_PHONE, "backup_phone": BACKUP_PHONE}


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_telegram, fake_twilio, clock):
    """The gateway at 2 a.m.: clients on SMS, staff on Telegram, an on-call and a backup phone."""
    clock.set(TUESDAY_2AM)
    return await start_gateway(
        settings_for(telegram=fake_telegram, sms=fake_twilio, handoff=PAGING)
    )


async def text(http, gateway, words: str, sender: str = CLIENT) -> None:
    status, _ = await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(sender, words))
    assert status == 200


async def test_at_2am_an_sms_client_reaches_the_on_call_worker_and_is_handed_back(
    gateway, fake_telegram, staff_say, fake_twilio, fake_rasa, http
):
    await text(http, gateway, "i need to talk to someone")

    topic = await topic_in(fake_telegram, ON_CALL_CHAT)  # after hours: the on-call group
    assert fake_telegram.topics_in(STAFF_CHAT) == []
    assert topic.name == "🔵 #1 SMS · asked for a person"
    summary = await summary_in(fake_telegram, ON_CALL_CHAT, topic.thread)
    assert "after hours (on call)" in summary.text
    assert "“i need to talk to someone”" in summary.text
    for digits in (CLIENT, CLIENT[2:], CLIENT[-4:]):
        assert digits not in summary.text  # the number is never shown to staff
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 1)
    [told] = fake_twilio.bodies_to(CLIENT)
    assert told.startswith("I'm finding a person to talk with you.")
    assert "Our office is closed now, so I'm asking the person on call." in told
    assert fake_twilio.bodies_to(ON_CALL_PHONE) == []  # a normal-risk case pages nobody

    fake_telegram.push(
        staff_button(
            fake_telegram.next_update_id(),
            ON_CALL_CHAT,
            ALEX,
            "h:claim:1",
            summary.message_id,
            topic.thread,
        )
    )
    reply = "Hi, this is the on-call team. Where are you right now?"
    staff_say(reply, topic.thread, ON_CALL_CHAT)
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 3)
    assert fake_twilio.bodies_to(CLIENT)[1:] == [
        "A person from our team is here now and will reply in this chat.",
        reply,
    ]

    await text(http, gateway, "outside the station in redwood city")
    await wait_for(
        lambda: any(
            "› outside the station in redwood city" in p.text
            for p in fake_telegram.posts_in(ON_CALL_CHAT, topic.thread)
        )
    )
    staff_say("/close", topic.thread, ON_CALL_CHAT)
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 4)
    assert fake_twilio.bodies_to(CLIENT)[3].startswith("You're back with the assistant now.")

    await text(http, gateway, "bed tonight")
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 5)
    assert fake_twilio.bodies_to(CLIENT)[4] == "You said: bed tonight"
    cid = gateway.conversation_id("sms", CLIENT)
    assert fake_rasa.messages_from(cid) == ["/request_human", "bed tonight"]
    assert fake_rasa.controls_of(cid) == ["pause", "resume"]
    await settle(gateway)
    assert await failed_posts(gateway) == []


async def test_at_2am_with_nobody_claiming_the_client_is_told_and_the_backup_paged(
    gateway, fake_telegram, fake_twilio, fake_rasa, http, clock
):
    watcher = gateway.app[HANDOFF].watcher
    await text(http, gateway, "i need to talk to someone")
    topic = await topic_in(fake_telegram, ON_CALL_CHAT)
    await settle(gateway)
    assert len(fake_twilio.bodies_to(CLIENT)) == 1

    clock.advance(4)
    assert await watcher.tick() == 0  # nothing is due before 5 minutes
    clock.advance(1.5)  # 5.5 minutes: announced again in the group
    assert await watcher.tick() == 1
    await wait_for(
        lambda: any(p.text.startswith("⏰") for p in fake_telegram.posts_in(ON_CALL_CHAT))
    )
    [reminder] = [p for p in fake_telegram.posts_in(ON_CALL_CHAT) if p.text.startswith("⏰")]
    assert reminder.thread is None  # in the group's General topic, where everyone sees it
    assert "case #1" in reminder.text
    assert "nobody has claimed it" in reminder.text
    assert fake_twilio.bodies_to(BACKUP_PHONE) == []

    clock.advance(5)  # 10.5 minutes: the backup is paged and the client told, once
    await watcher.tick()
    await wait_for(lambda: len(fake_twilio.bodies_to(BACKUP_PHONE)) == 1)
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 2)
    [page] = fake_twilio.bodies_to(BACKUP_PHONE)
    assert "case #1 is waiting" in page
    assert "Nobody has claimed it." in page
    assert CLIENT not in page
    assert "talk to someone" not in page
    told = fake_twilio.bodies_to(CLIENT)[1]
    assert told.startswith("I'm sorry, no one from our team has been able to answer yet.")
    assert "Staff are back today at 9:00 AM." in told
    assert "call 211 or text 898211" in told  # the region's 24/7 line
    assert "call 911" in told
    clock.advance(5)
    await watcher.tick()
    await settle(gateway)
    assert len(fake_twilio.bodies_to(BACKUP_PHONE)) == 1  # paged once
    assert len(fake_twilio.bodies_to(CLIENT)) == 2  # told once

    clock.advance(20)  # 35.5 minutes: a normal-risk case nobody claimed closes
    await watcher.tick()
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 3)
    closed = fake_twilio.bodies_to(CLIENT)[2]
    assert closed.startswith("I'm sorry, I couldn't find a person free to talk now.")
    assert "You're back with the assistant" in closed
    await wait_for(lambda: topic.closed)
    case = await only_case(gateway)
    assert (case.status, case.close_reason) == ("closed", "timeout")
    cid = gateway.conversation_id("sms", CLIENT)
    await wait_for(lambda: fake_rasa.controls_of(cid) == ["pause", "resume"])


async def test_a_high_risk_case_pages_the_on_call_worker_at_once_and_never_times_out(
    gateway, fake_telegram, fake_twilio, fake_rasa, http, clock
):
    await text(http, gateway, "i want to end my life")
    topic = await topic_in(fake_telegram, ON_CALL_CHAT)
    assert topic.name.startswith("🔴 #1 HIGH RISK · SMS")
    await wait_for(lambda: len(fake_twilio.bodies_to(ON_CALL_PHONE)) == 1)
    assert "HIGH-RISK case #1" in fake_twilio.bodies_to(ON_CALL_PHONE)[0]
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 2)
    crisis, after_hours = fake_twilio.bodies_to(CLIENT)
    assert crisis.startswith("I'm really glad you told me.")  # the crisis lines come first
    assert after_hours.startswith("Our office is closed now")

    watcher = gateway.app[HANDOFF].watcher
    for _ in range(12):  # two hours, a tick every ten minutes
        clock.advance(10)
        await watcher.tick()
    await settle(gateway)
    case = await only_case(gateway)
    assert case.status == "waiting"  # never closed by a timeout
    assert case.reminders == 24  # announced again every 5 minutes
    assert len(fake_twilio.bodies_to(ON_CALL_PHONE)) == 1
    assert len(fake_twilio.bodies_to(BACKUP_PHONE)) == 1
    lines = await transcript(gateway, case.id)
    assert ("system", "The on-call worker was paged by SMS.") in lines
