"""A gateway restart in the middle of a case loses no message in either direction, and relaying
goes on: the case, its staff posts and the client's units are all in the store.
"""

from __future__ import annotations

from scripts.fakes.base import wait_for
from scripts.fakes.gateway import RunningGateway
from scripts.fakes.staff_telegram import STAFF_CHAT
from scripts.fakes.twilio import post_sms, sms_form
from tests.handoff.helpers import failed_posts, only_case, settle, summary_in, topic_in

PHONE = "+16505550199"


async def test_a_restart_mid_case_loses_nothing_and_relaying_continues(
    start_gateway, settings_for, fake_telegram, staff_say, fake_twilio, fake_rasa, http, clock
):
    make = settings_for(telegram=fake_telegram, sms=fake_twilio)
    gateway = await start_gateway(make)
    await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(PHONE, "i need to talk to someone"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    staff_say("Hi, I'm Alex's team", topic.thread)
    await wait_for(lambda: fake_twilio.bodies_to(PHONE)[-1:] == ["Hi, I'm Alex's team"])
    await settle(gateway)

    # Telegram and Twilio fail now: what each side sends stays in the store, waiting.
    fake_telegram.fail_group_sends(100, 502, "Bad Gateway")
    fake_twilio.fail_next(100, 500, 20500, "Internal Server Error")
    await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(PHONE, "are you still there"))
    staff_say("Yes, still here.", topic.thread)
    await wait_for(
        lambda: fake_telegram.webhook_answers.count(200) == 2
    )  # the staff message is stored
    await gateway.stop()  # as on SIGTERM, mid-case, with a message waiting in each direction
    assert not any("are you still there" in p.text for p in fake_telegram.posts)
    assert "Yes, still here." not in fake_twilio.bodies_to(PHONE)

    fake_telegram.group_failures.clear()
    fake_twilio.failures.clear()
    restarted = RunningGateway(make, clock=clock)  # the same store, a new process
    await restarted.start()
    try:
        await wait_for(
            lambda: any(
                "› are you still there" in p.text
                for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread)
            ),
            timeout=20,
        )
        await wait_for(
            lambda: fake_twilio.bodies_to(PHONE)[-1:] == ["Yes, still here."], timeout=20
        )

        # And the case goes on through the new process, both ways.
        await post_sms(http, f"{restarted.url}/sms/twilio", sms_form(PHONE, "ok thank you"))
        await wait_for(
            lambda: any(
                "› ok thank you" in p.text for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread)
            )
        )
        staff_say("/close Take care.", topic.thread)
        await wait_for(lambda: "You're back with the assistant" in fake_twilio.bodies_to(PHONE)[-1])
        await settle(restarted)
        sent = fake_twilio.bodies_to(PHONE)
        assert sent.count("Yes, still here.") == 1  # nothing doubled
        relayed = [p.text for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread)]
        assert sum("are you still there" in text for text in relayed) == 1
        assert (await only_case(restarted)).status == "closed"
        cid = restarted.conversation_id("sms", PHONE)
        assert fake_rasa.controls_of(cid) == ["pause", "resume"]
        assert await failed_posts(restarted) == []
    finally:
        await restarted.stop()
