"""Staff check-ins (issue 23, item 4): from a case, staff schedule a message to its client;
the client's answer goes to staff, in the case's topic, not to the bot.

Against the fake Telegram (a client, and staff in a forum group) and the fake Twilio, with a
clock the test sets; the console through its forms, as a member of staff uses it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import aiohttp
import sqlalchemy as sa

from bot.app import FOLLOWUPS
from bot.db import followups as store
from bot.db.schema import admin_audit, followups
from bot.handoff import cases
from bot.handoff import texts as staff_texts
from bot.state import HANDOFF, PRIVACY
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import ALEX, STAFF_CHAT, staff_text
from scripts.fakes.twilio import post_sms, sms_form
from tests.followups.test_followups_flow import admin_report, followup_counts, rows
from tests.handoff.conftest import LA, PASSWORDS
from tests.handoff.helpers import only_case, settle, topic_in, transcript

CLIENT = 555000888
PHONE = "+16505550177"
TUESDAY_2PM = datetime(2026, 11, 24, 14, 0, tzinfo=LA)  # office hours
WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 1, tzinfo=LA)
TEMPLATE = "Hi, this is the help line you talked with. We said we'd check in."
HINT = "Reply here and a person from the team will read it."
PASSED = "Thank you. A person from the team has your message and will answer here."


def in_topic(fake, thread: int, words: str) -> bool:
    return any(words in p.text for p in fake.posts_in(STAFF_CHAT, thread))


async def staff_says(fake, thread: int, text: str) -> None:
    fake.push(staff_text(fake.next_update_id(), STAFF_CHAT, ALEX, text, thread=thread))


async def test_a_check_in_after_a_high_risk_case_and_the_answer_back_in_its_topic(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock
):
    clock.set(TUESDAY_2PM)
    make = settings_for(telegram=fake_telegram, handoff={"leads": frozenset({"sam"})})
    gateway = await start_gateway(make)
    cid = gateway.conversation_id("telegram", str(CLIENT))
    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CLIENT, "i want to kill myself")
    )
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    await staff_says(fake_telegram, topic.thread, "I'm here. Are you safe right now?")
    await wait_for(lambda: "I'm here. Are you safe right now?" in fake_telegram.texts_to(CLIENT))
    await staff_says(fake_telegram, topic.thread, "/close Talk tomorrow.")
    await wait_for(lambda: topic.closed)
    # A high-risk case closed: a check-in within a day is proposed, in its topic.
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "High-risk case closed."))

    # Quiet hours are refused, with why; then a time that works.
    await staff_says(fake_telegram, topic.thread, "/followup tomorrow 7am")
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "is in quiet hours"))
    await staff_says(fake_telegram, topic.thread, "/followup tomorrow 10:00")
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "Check-in #1 will go Wed 25 Nov"))
    await staff_says(fake_telegram, topic.thread, "/followup")
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "#1 to send · Wed 25 Nov 10:00"))

    # Nothing before its time; at 10:00 the next day, the template and how to answer.
    worker = gateway.app[FOLLOWUPS]
    await worker.tick()
    await settle(gateway)
    assert not any(TEMPLATE in t for t in fake_telegram.texts_to(CLIENT))
    clock.set(WEDNESDAY_10AM)
    await worker.tick()
    await wait_for(lambda: any(TEMPLATE in t for t in fake_telegram.texts_to(CLIENT)))
    [checkin] = [t for t in fake_telegram.texts_to(CLIENT) if TEMPLATE in t]
    assert checkin.endswith(HINT + " Send STOP and we won't message you again.")

    # The client's answer goes to staff, in the same topic, open again; never to Rasa.
    answer = "a bit better today, still no place to stay"
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, answer))
    await wait_for(lambda: PASSED in fake_telegram.texts_to(CLIENT))
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, answer))  # in the summary
    await wait_for(lambda: not topic.closed)
    await wait_for(lambda: topic.name.startswith("🔵 #2 Telegram · answered a check-in"))
    await settle(gateway)
    assert answer not in fake_rasa.messages_from(cid)
    [case] = await gateway.db.run(cases.open_cases)
    assert (case.id, case.reason, case.topic_id) == (2, "checkin_reply", topic.thread)
    lines = await transcript(gateway, 2)
    assert ("system", "The client answered a check-in of case #1.") in lines
    assert ("client", answer) in lines
    assert ("system", "Alex R. scheduled check-in #1 for Wed 25 Nov 10:00.") in await transcript(
        gateway, 1
    )

    # Staff answer in the topic, as in any case.
    await staff_says(fake_telegram, topic.thread, "Glad to hear. Let's find you a bed.")
    await wait_for(lambda: "Glad to hear. Let's find you a bed." in fake_telegram.texts_to(CLIENT))

    # Counted for the report: sent and answered, no words, no id.
    assert [c for c in await followup_counts(gateway) if c[1] == "checkin"] == [
        ("sent", "checkin", None),
        ("replied", "checkin", None),
    ]
    report = await admin_report(gateway, ("headline.csv",))
    assert report["headline.csv"]["Staff check-ins sent"] == "<5"
    assert report["headline.csv"]["Staff check-ins answered"] == "<5"
    # The audit log says who scheduled what, never the words sent.
    audit = await gateway.db.run(lambda c: c.execute(sa.select(admin_audit)).all())
    [entry] = [a for a in audit if a.action == "checkin"]
    assert (entry.actor, entry.subject) == ("Alex R.", "case 1")
    assert "Wed 25 Nov 10:00" in entry.detail
    assert "Hi," not in entry.detail


async def test_staff_commands_that_cannot_be_done_say_why(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock
):
    clock.set(TUESDAY_2PM)
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/human"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    said = {
        "/followup soonish": "Say when: tomorrow 10:00",
        "/followup tomorrow 10:00 " + "x" * 700: "A check-in is at most 600 characters",
        "/followup in 30 days": "more than 14 days ahead",
        "/followup cancel abc": "Say which: /followup cancel N",
        "/followup cancel 99": "There is no check-in #99 in case #1.",
        "/followup tomorrow 9am appointment": "appointment DAY TIME at PLACE",
        "/followup help": staff_texts.FOLLOWUP_HOW_TO[:40],
    }
    for command in said:
        await staff_says(fake_telegram, topic.thread, command)
    for answer in said.values():
        await wait_for(lambda answer=answer: in_topic(fake_telegram, topic.thread, answer))
    await settle(gateway)
    assert await rows(gateway, followups) == []  # nothing scheduled by any of them
    # An appointment reminder, then cancelled: nothing is sent.
    await staff_says(
        fake_telegram,
        topic.thread,
        "/followup tomorrow 9am appointment Thu 10am at Samaritan House",
    )
    await wait_for(
        lambda: in_topic(fake_telegram, topic.thread, "you have an appointment Thu 10am")
    )
    await staff_says(fake_telegram, topic.thread, "/followup cancel 1")
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "Check-in #1 is cancelled."))
    clock.set(WEDNESDAY_10AM)
    await gateway.app[FOLLOWUPS].tick()
    await settle(gateway)
    assert not any("appointment" in t for t in fake_telegram.texts_to(CLIENT))
    [row] = await rows(gateway, followups)
    assert (row.kind, row.state, row.note) == ("appointment", "cancelled", "by Alex R.")


async def sign_in(session: aiohttp.ClientSession, gateway, name: str = "sam") -> str:
    """Signed in to the console; the session's CSRF token, read from the queue page."""
    form = {"name": name, "password": PASSWORDS[name]}
    async with session.post(f"{gateway.url}/staff/login", data=form) as response:
        assert response.status == 200
        page = await response.text()
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


async def test_the_console_schedules_lists_and_cancels_check_ins(
    start_gateway, settings_for, fake_twilio, fake_rasa, clock, http
):
    clock.set(TUESDAY_2PM)
    gateway = await start_gateway(settings_for(sms=fake_twilio))
    await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(PHONE, "i want to kill myself"))
    case = await only_case(gateway)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        csrf = await sign_in(session, gateway)
        base = f"{gateway.url}/staff/cases/{case.id}"
        async with session.post(f"{base}/close", data={"csrf": csrf, "text": ""}) as response:
            assert response.status == 200
        # Proposed at the top of the queue and on the case, until one is scheduled.
        async with session.get(f"{gateway.url}/staff") as response:
            queue = await response.text()
        assert f'href="/staff/cases/{case.id}#checkins">#{case.id}</a>' in queue
        async with session.get(base) as response:
            page = await response.text()
        assert 'id="propose"' in page
        assert 'value="2026-11-25T10:00"' in page

        form = {"csrf": csrf, "when": "2026-11-25T06:00", "kind": "checkin", "text": ""}
        async with session.post(f"{base}/checkin", data=form) as response:
            assert response.status == 409
            page = await response.text()
        assert "Not scheduled: Wed 25 Nov 06:00 is in quiet hours" in page
        assert 'value="2026-11-25T06:00"' in page  # what they typed is kept

        form = {"csrf": csrf, "when": "2026-11-25T10:00", "kind": "appointment", "text": "",
                "appointment": "on Thursday at 10 am", "place": "Samaritan House"}  # fmt: skip
        async with session.post(f"{base}/checkin", data=form) as response:
            assert response.status == 200
            page = await response.text()
        assert "appointment reminder · to send · Wed 25 Nov 10:00 · by sam" in page
        assert 'id="propose"' not in page
        async with session.get(f"{gateway.url}/staff") as response:
            queue = await response.text()
        assert 'class="checkin-due"' in queue
        assert "appointment reminder" in queue

        # Cancelled from the queue: nothing goes.
        [row] = await rows(gateway, followups)
        cancel = f"{base}/checkins/{row.id}/cancel"
        async with session.post(cancel, data={"csrf": csrf, "back": "queue"}) as response:
            assert response.status == 200
            assert str(response.url).endswith("/staff")
        async with session.post(cancel, data={"csrf": csrf}) as response:
            assert response.status == 409
            assert f"Check-in #{row.id} is cancelled: nothing to cancel." in await response.text()
        # One more, sent at its time: a reminder by SMS.
        form["when"] = "2026-11-25T11:00"
        async with session.post(f"{base}/checkin", data=form) as response:
            assert response.status == 200
    clock.set(datetime(2026, 11, 25, 11, 0, 30, tzinfo=LA))
    await gateway.app[FOLLOWUPS].tick()
    reminder = (
        "A reminder from the help line: you have an appointment on Thursday at 10 am, at "
        "Samaritan House."
    )
    await wait_for(lambda: any(reminder in b for b in fake_twilio.bodies_to(PHONE)))
    states = sorted((r.state, r.note) for r in await rows(gateway, followups))
    assert states == [("asked", None), ("cancelled", "by sam")]
    # STOP: nothing more, and the check-in waiting for an answer is over too.
    await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(PHONE, "STOP"))
    await settle(gateway)
    assert sorted(r.state for r in await rows(gateway, followups)) == ["cancelled", "cancelled"]
    # The client's export has the words sent to them, never who wrote them; erasure takes all.
    cid = gateway.conversation_id("sms", PHONE)
    exported = await gateway.app[PRIVACY].export(cid, "console:alex")
    sent = [f for f in exported["followups"] if f["kind"] == "appointment"]
    assert [f["text"] for f in sent] == [reminder, reminder]
    assert "sam" not in json.dumps(exported["followups"])
    await gateway.app[PRIVACY].erase(cid, "console:alex")
    assert await rows(gateway, followups) == []


async def test_the_web_chat_and_an_opted_out_client_cannot_be_checked_in_on(
    start_gateway, settings_for, fake_rasa, fake_twilio, clock, http
):
    clock.set(TUESDAY_2PM)
    gateway = await start_gateway(settings_for(sms=fake_twilio))
    async with http.post(
        f"{gateway.url}/api/webchat", json={"sender": "web-1", "text": "/human"}
    ) as response:
        assert response.status == 200
    case = await only_case(gateway)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        csrf = await sign_in(session, gateway)
        base = f"{gateway.url}/staff/cases/{case.id}"
        async with session.get(base) as response:
            page = await response.text()
        assert "No check-in can be scheduled: The client wrote from the web chat" in page
        assert 'id="checkin-form"' not in page
        form = {"csrf": csrf, "when": "2026-11-25T10:00", "kind": "checkin"}
        async with session.post(f"{base}/checkin", data=form) as response:
            assert response.status == 409
            assert "cannot reach them once they close it" in await response.text()
    assert await rows(gateway, followups) == []


async def test_a_client_who_mentioned_abuse_gets_the_neutral_message_first(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock
):
    clock.set(TUESDAY_2PM)
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CLIENT, "my partner is hitting me right now")
    )
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    await staff_says(fake_telegram, topic.thread, "/close")
    await wait_for(lambda: topic.closed)
    words = "Did the shelter at Elm St call you back about the room?"
    await staff_says(fake_telegram, topic.thread, f"/followup tomorrow 10:00 {words}")
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "Check-in #1 will go"))
    clock.set(WEDNESDAY_10AM)
    await gateway.app[FOLLOWUPS].tick()
    neutral = "Checking in from the help line you messaged. Reply 1 if it is a good time."
    await wait_for(lambda: neutral in fake_telegram.texts_to(CLIENT))
    assert not any(words in t for t in fake_telegram.texts_to(CLIENT))  # no topic, no service
    fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CLIENT, "/followup_go"))
    await wait_for(lambda: any(words in t for t in fake_telegram.texts_to(CLIENT)))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "not yet"))
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "not yet"))  # to staff
    await wait_for(lambda: PASSED in fake_telegram.texts_to(CLIENT))


async def test_a_client_who_sent_stop_with_nothing_pending_is_not_checked_in_on(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock
):
    """/stop is kept even when nothing was scheduled: staff cannot schedule a check-in after it,
    in Telegram or in the console, until the client says yes to a follow-up again."""
    clock.set(TUESDAY_2PM)
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    cid = gateway.conversation_id("telegram", str(CLIENT))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/stop"))
    await wait_for(lambda: "There are no check-ins to stop." in " ".join(
        fake_telegram.texts_to(CLIENT)))  # fmt: skip
    assert fake_rasa.messages_from(cid) == []  # a first message, and never Rasa's
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/human"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    await staff_says(fake_telegram, topic.thread, "/followup tomorrow 10:00")
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "sent STOP to check-ins"))
    assert await rows(gateway, followups) == []

    case = await only_case(gateway)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        csrf = await sign_in(session, gateway)
        base = f"{gateway.url}/staff/cases/{case.id}"
        async with session.get(base) as response:
            assert "sent STOP to check-ins" in await response.text()
        form = {"csrf": csrf, "when": "2026-11-25T10:00", "kind": "checkin"}
        async with session.post(f"{base}/checkin", data=form) as response:
            assert response.status == 409
    assert await rows(gateway, followups) == []

    # A later yes to a follow-up is consent again (as the offer's button records it).
    def say_yes(c):
        consent = store.ask(c, cid, "telegram", {"need": "shelter"}, None, False, "test", 1.0)
        store.answer_offer(c, consent, "yes", TUESDAY_2PM.timestamp() + 60)

    await gateway.db.run(say_yes)
    clock.set(datetime(2026, 11, 24, 14, 5, tzinfo=LA))
    await staff_says(fake_telegram, topic.thread, "/followup tomorrow 10:00")
    await wait_for(lambda: in_topic(fake_telegram, topic.thread, "Check-in #1 will go"))


async def test_no_check_in_is_proposed_after_a_high_risk_case_when_the_client_sent_stop(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock
):
    clock.set(TUESDAY_2PM)
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/stop"))
    await wait_for(lambda: "There are no check-ins to stop." in " ".join(
        fake_telegram.texts_to(CLIENT)))  # fmt: skip
    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CLIENT, "i want to kill myself")
    )
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    await staff_says(fake_telegram, topic.thread, "/close")
    await wait_for(lambda: topic.closed)
    await settle(gateway)
    assert not in_topic(fake_telegram, topic.thread, "High-risk case closed.")
    found = await gateway.app[HANDOFF].desk.checkin_queue()
    assert found.proposed == []
