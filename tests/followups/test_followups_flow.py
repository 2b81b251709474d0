"""Help that continues (issue 23): a client who asked for a bed at night and said yes is asked
the next morning whether they got one, once; what they answer is counted, and "it was full"
gets the next options at once. Against the fake Telegram and Twilio, with the fake Rasa
answering with the real action's listing of the shipped directory, and a clock the test sets.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import aiohttp
import sqlalchemy as sa

from bot.app import FOLLOWUPS
from bot.db.schema import consents, followups, inbound, report_events
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.gateway import RunningGateway
from scripts.fakes.twilio import (
    post_sms,
    sms_form,
)
from tests.bot.test_listings import listing_in
from tests.handoff.conftest import LA, PASSWORDS
from tests.handoff.helpers import settle
from tests.handoff.test_handoff_waiting import say
from tests.listings import directory_answer

CHAT = 555000777
PHONE = "+16505550142"
SEARCH = "where can i sleep tonight in redwood city"
NIGHT = datetime(2026, 11, 24, 23, 0, tzinfo=LA)
EARLY = datetime(2026, 11, 25, 8, 59, tzinfo=LA)
MORNING = datetime(2026, 11, 25, 9, 1, tzinfo=LA)
OFFER = "Can I message you tomorrow morning to see if you found a bed? Reply YES, or NO."
ACCEPTED = "OK, I'll message you tomorrow morning."
QUESTION = "Checking in from the help line. Did you get a bed last night?"
NEUTRAL = "Checking in from the help line you messaged. Reply 1 if it is a good time."
AGAIN = '/find_shelter{"location":"Redwood City"}'


async def shelter_listing(directory, channel: str = "telegram") -> list[dict[str, Any]]:
    return await directory_answer(directory, "shelter", "Redwood City, CA", channel, at=NIGHT)


def buttons_of(sent: tg.Sent) -> list[tuple[str, str]]:
    rows = (sent.reply_markup or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


async def told(server, text: str, timeout: float = 10.0) -> tg.Sent:
    """The last message to the client that starts with ``text``, once it has arrived."""
    await wait_for(lambda: any((s.text or "").startswith(text) for s in server.sent), timeout)
    return [s for s in server.sent if (s.text or "").startswith(text)][-1]


async def rows(gateway: RunningGateway, table: sa.Table) -> list[Any]:
    return await gateway.db.run(lambda c: c.execute(sa.select(table).order_by(table.c.id)).all())


async def followup_counts(gateway: RunningGateway) -> list[tuple[str, str | None, str | None]]:
    found = await gateway.db.run(
        lambda c: c.execute(
            sa.select(report_events.c.outcome, report_events.c.need, report_events.c.place)
            .where(report_events.c.kind == "followup")
            .order_by(report_events.c.id)
        ).all()
    )
    return [tuple(row) for row in found]


async def admin_report(gateway: RunningGateway, files: tuple[str, ...]) -> dict[str, dict]:
    """The report's CSV files as a lead downloads them from /admin/report (the last 2 days)."""
    found = {}
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        form = {"name": "sam", "password": PASSWORDS["sam"]}
        async with session.post(f"{gateway.url}/staff/login", data=form) as response:
            assert response.status == 200
        for name in files:
            async with session.get(f"{gateway.url}/admin/report/{name}?since=2d") as response:
                assert response.status == 200, name
                lines = list(csv.reader(io.StringIO(await response.text())))[1:]
                found[name] = {row[0]: row[1] for row in lines}
    return found


async def night_search_and_yes(gateway, server, fake_rasa, directory) -> None:
    fake_rasa.script[SEARCH] = await shelter_listing(directory)
    server.push(tg.text_update(server.next_update_id(), CHAT, SEARCH))
    offer = await told(server, OFFER)
    assert buttons_of(offer)[:2] == [("Yes", "/followup_yes"), ("No thanks", "/followup_no")]
    server.push(tg.button_update(server.next_update_id(), CHAT, "/followup_yes"))
    await told(server, ACCEPTED)
    await settle(gateway)


async def test_a_bed_at_night_a_yes_a_restart_and_one_question_at_nine(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock, directory
):
    clock.set(NIGHT)
    make = settings_for(telegram=fake_telegram, handoff={"leads": frozenset({"sam"})})
    gateway = await start_gateway(make)
    await night_search_and_yes(gateway, fake_telegram, fake_rasa, directory)
    first_listed = listing_in(await shelter_listing(directory))["services"][0]["name"]
    [consent] = await rows(gateway, consents)
    assert (consent.need, consent.answer, consent.place) == ("shelter", "yes", "Redwood City")
    assert consent.wording == "offer_bed-v1-en"  # the words asked, and their version
    await gateway.stop()  # every process restarts overnight; the schedule is in the store

    restarted = RunningGateway(make, clock=clock)
    await restarted.start()
    try:
        worker = restarted.app[FOLLOWUPS]
        clock.set(EARLY)
        await worker.tick()
        await settle(restarted)
        assert not any((s.text or "").startswith(QUESTION) for s in fake_telegram.sent)

        clock.set(MORNING)
        await worker.tick()
        question = await told(fake_telegram, QUESTION)
        assert [title for title, _ in buttons_of(question)] == [
            "Yes", "It was full or they turned me away", "I couldn't get there", "I didn't go",
            "I need help now",
        ]  # fmt: skip
        clock.advance(5)
        await worker.tick()
        await settle(restarted)
        asked = [s for s in fake_telegram.sent if (s.text or "").startswith(QUESTION)]
        assert len(asked) == 1  # once

        # "they were full": sorry, and the next options at once (Rasa searches again).
        fake_rasa.script[AGAIN] = [{"text": "Rasa: more shelters near Redwood City"}]
        fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "they were full"))
        await told(fake_telegram, "Rasa: more shelters near Redwood City")
        texts = fake_telegram.texts_to(CHAT)
        assert texts[-2:] == [
            "I'm sorry. Here are other places to try.",
            "Rasa: more shelters near Redwood City",
        ]
        assert fake_rasa.received[-1].message == AGAIN
        # The client's words are kept as written; the search went to Rasa as a message after them.
        cid = restarted.conversation_id("telegram", str(CHAT))
        stored = await restarted.db.run(
            lambda c: c.execute(
                sa.select(inbound.c.kind, inbound.c.text)
                .where(inbound.c.conversation_id == cid, inbound.c.kind != "control")
                .order_by(inbound.c.id)
            ).all()
        )
        assert [tuple(row) for row in stored[-2:]] == [
            ("text", "they were full"),
            ("payload", AGAIN),
        ]

        # The reminder a day later is not sent: the question was answered.
        clock.set(datetime(2026, 11, 26, 9, 30, tzinfo=LA))
        await worker.tick()
        await settle(restarted)
        assert len([s for s in fake_telegram.sent if QUESTION in (s.text or "")]) == 1
        assert await followup_counts(restarted) == [
            ("offered", "shelter", "Redwood City"),
            ("accepted", "shelter", "Redwood City"),
            ("sent", "shelter", "Redwood City"),
            ("full", "shelter", "Redwood City"),
        ]
        # What the lead reads in /admin/report: the answer, and the service that was full.
        report = await admin_report(restarted, ("headline.csv", "turned_away.csv"))
        assert report["headline.csv"]["Follow-ups accepted"] == "<5"
        assert report["headline.csv"]["Follow-up: full or turned away"] == "<5"
        [(service, count)] = report["turned_away.csv"].items()
        assert (service, count) == (first_listed, "<5")  # counts under 5, as everywhere
    finally:
        await restarted.stop()


async def test_no_answer_gets_one_reminder_then_nothing(yes_at_night, fake_telegram, clock):
    gateway = await yes_at_night()
    worker = gateway.app[FOLLOWUPS]
    for day, minute in ((25, 30), (26, 45), (27, 45), (28, 45)):  # the reminder: a day on
        clock.set(datetime(2026, 11, day, 9, minute, tzinfo=LA))
        await worker.tick()
        await settle(gateway)
    sent = [s.text for s in fake_telegram.sent if "Did you get a bed" in (s.text or "")]
    assert sent == [QUESTION, f"Just once more, and then I'll leave it: {QUESTION}"]


async def test_stop_at_any_point_cancels_everything(yes_at_night, fake_telegram, fake_rasa, clock):
    gateway = await yes_at_night()
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/stop"))
    await told(fake_telegram, "Done: I won't send you any more check-ins.")
    clock.set(MORNING)
    await gateway.app[FOLLOWUPS].tick()
    await settle(gateway)
    assert not any(QUESTION in (s.text or "") for s in fake_telegram.sent)
    [scheduled] = await rows(gateway, followups)
    assert (scheduled.state, scheduled.note) == ("cancelled", "client")
    [consent] = await rows(gateway, consents)
    assert consent.answer == "stopped"
    # /stop again, with nothing left: said so, never sent to Rasa.
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/stop"))
    await told(fake_telegram, "There are no check-ins to stop.")
    assert "/followup_stop" not in [r.message for r in fake_rasa.received]


async def test_a_question_due_at_3am_waits_for_9_and_one_during_a_handoff_waits(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock, directory
):
    clock.set(datetime(2026, 11, 24, 20, 30, tzinfo=LA))
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    await night_search_and_yes(gateway, fake_telegram, fake_rasa, directory)
    worker = gateway.app[FOLLOWUPS]
    # Moved by hand to 3:00 (as a staff check-in could be): the worker waits for 9:00.
    three = datetime(2026, 11, 25, 3, 0, tzinfo=LA).timestamp()
    await gateway.db.run(
        lambda c: c.execute(followups.update().values(due_at=three, first_due_at=three))
    )
    clock.set(datetime(2026, 11, 25, 3, 0, 30, tzinfo=LA))
    await worker.tick()
    [row] = await rows(gateway, followups)
    assert (row.state, row.due_at) == (
        "scheduled",
        datetime(2026, 11, 25, 9, 0, tzinfo=LA).timestamp(),
    )

    # At 8:50 the client asks for a person; at 9:00 the case is open: nothing proactive.
    clock.set(datetime(2026, 11, 25, 8, 50, tzinfo=LA))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/human"))
    await settle(gateway)
    clock.set(datetime(2026, 11, 25, 9, 0, 30, tzinfo=LA))
    await worker.tick()
    await settle(gateway)
    assert not any(QUESTION in (s.text or "") for s in fake_telegram.sent)
    [row] = await rows(gateway, followups)
    assert row.state == "scheduled"
    assert row.due_at > clock()


async def test_a_client_who_mentioned_abuse_is_asked_if_it_is_safe_and_gets_a_neutral_message(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock, directory
):
    clock.set(NIGHT)
    # The needs offered a check-in are configurable (FOLLOWUP_NEEDS): here a DV search too.
    needs = ("shelter", "domestic_violence")
    gateway = await start_gateway(settings_for(telegram=fake_telegram, followup_needs=needs))
    words = "need a safe place to stay away from my abusive partner in redwood city"
    fake_rasa.script[words] = await directory_answer(
        directory, "domestic_violence", "Redwood City, CA", "telegram", at=NIGHT
    )
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, words))
    offer = await told(fake_telegram, "Would it be safe for us to send one short message")
    assert "abuse" not in offer.text.lower()
    assert "violence" not in offer.text.lower()
    fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CHAT, "/followup_yes"))
    await told(fake_telegram, ACCEPTED)
    clock.set(MORNING)
    await gateway.app[FOLLOWUPS].tick()
    neutral = await told(fake_telegram, NEUTRAL)
    assert buttons_of(neutral) == [("1, it's a good time", "/followup_go")]
    # "1": now the question, without naming the service to anyone who reads the first one.
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "1"))
    await told(fake_telegram, "Checking in from the help line. Did you get the help you were")


async def test_sms_numbers_answer_the_offer_and_the_question_and_stop_is_the_carriers(
    start_gateway, settings_for, fake_twilio, fake_rasa, clock, directory, http
):
    clock.set(NIGHT)
    gateway = await start_gateway(settings_for(sms=fake_twilio))
    url = f"{gateway.url}/sms/twilio"
    fake_rasa.script[SEARCH] = await shelter_listing(directory, "sms")
    await post_sms(http, url, sms_form(PHONE, SEARCH))
    await settle(gateway)
    await wait_for(lambda: any(OFFER in body for body in fake_twilio.bodies_to(PHONE)))
    offer = [b for b in fake_twilio.bodies_to(PHONE) if OFFER in b][-1]
    assert "1" in offer
    assert "Yes" in offer
    assert "2" in offer
    await post_sms(http, url, sms_form(PHONE, "1"))
    await settle(gateway)
    await wait_for(lambda: any(ACCEPTED in b for b in fake_twilio.bodies_to(PHONE)))
    clock.set(MORNING)
    await gateway.app[FOLLOWUPS].tick()
    await settle(gateway)
    await wait_for(lambda: any(QUESTION in b for b in fake_twilio.bodies_to(PHONE)))
    await post_sms(http, url, sms_form(PHONE, "7"))
    await settle(gateway)
    await wait_for(lambda: any("number from 1 to 5" in b for b in fake_twilio.bodies_to(PHONE)))
    await post_sms(http, url, sms_form(PHONE, "1"))
    await settle(gateway)
    await wait_for(lambda: any(b.startswith("I'm glad") for b in fake_twilio.bodies_to(PHONE)))
    assert [o for o, _, _ in await followup_counts(gateway)][-1] == "got_help"


async def test_the_web_chat_is_never_offered_what_it_cannot_receive(
    start_gateway, settings_for, fake_rasa, clock, directory, http
):
    clock.set(NIGHT)
    gateway = await start_gateway(settings_for())
    fake_rasa.script[SEARCH] = await shelter_listing(directory, "webchat")
    heard = await say(http, gateway, "followup-web-000001", SEARCH)
    assert heard
    assert not any("message you tomorrow" in t for t in heard)
    assert await rows(gateway, consents) == []


async def test_the_web_chat_says_where_a_check_in_can_be_had_when_sms_runs(
    start_gateway, settings_for, fake_rasa, fake_twilio, clock, directory, http
):
    clock.set(NIGHT)
    gateway = await start_gateway(settings_for(sms=fake_twilio))
    fake_rasa.script[SEARCH] = await shelter_listing(directory, "webchat")
    sender = "followup-web-000002"
    await say(http, gateway, sender, SEARCH)
    heard = await say(http, gateway, sender, SEARCH)  # said once, not after every listing
    told = [t for t in heard if t.startswith("This chat can't reach you once you close it.")]
    assert told == [
        "This chat can't reach you once you close it. If you'd like me to check back tomorrow,"
        f" write to me from your phone instead: SMS {gateway.settings.twilio_from_number}."
    ]


async def test_a_spanish_speaking_client_is_offered_and_asked_in_spanish(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock, directory
):
    clock.set(NIGHT)
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    words = "necesito un lugar para dormir esta noche en redwood city"
    fake_rasa.script[words] = await directory_answer(
        directory, "shelter", "Redwood City, CA", "telegram", at=NIGHT, language="es"
    )
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, words))
    offer = await told(fake_telegram, "¿Te puedo escribir mañana en la mañana")
    assert buttons_of(offer)[:2] == [("Sí", "/followup_yes"), ("No, gracias", "/followup_no")]
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "si"))
    await told(fake_telegram, "Listo, te escribo mañana en la mañana.")
    clock.set(MORNING)
    await gateway.app[FOLLOWUPS].tick()
    question = await told(fake_telegram, "Te escribimos de la línea de ayuda.")
    assert "¿Encontraste dónde dormir anoche?" in (question.text or "")
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "estaba lleno"))
    await told(fake_telegram, "Lo siento. Aquí hay otros lugares.")


async def test_no_offer_beside_are_you_safe_so_its_no_reaches_rasa(
    start_gateway, settings_for, fake_twilio, fake_rasa, clock, directory, http
):
    """A listing that ends with the safety check (an uncertain risk signal): no offer, so the
    client's "2" (not safe) is the check's answer, not a no to a check-in."""
    clock.set(NIGHT)
    gateway = await start_gateway(settings_for(sms=fake_twilio))
    url = f"{gateway.url}/sms/twilio"
    check = {
        "text": "Are you safe right now? If you are in danger, call 911.",
        "buttons": [
            {"title": "Yes, I'm safe", "payload": "/affirm"},
            {"title": "No, I'm not safe", "payload": "/deny"},
        ],
    }
    words = "need a bed tonight in redwood city, everything feels pointless"
    fake_rasa.script[words] = [
        *await shelter_listing(directory, "sms"), check,
        {"custom": {"report": {"kind": "risk", "tier": "uncertain"}}},
    ]  # fmt: skip
    await post_sms(http, url, sms_form(PHONE, words))
    await settle(gateway)
    await wait_for(
        lambda: any("Are you safe right now?" in b for b in fake_twilio.bodies_to(PHONE))
    )
    assert not any(OFFER in b for b in fake_twilio.bodies_to(PHONE))
    assert await rows(gateway, consents) == []
    await post_sms(http, url, sms_form(PHONE, "2"))
    await settle(gateway)
    await wait_for(lambda: fake_rasa.received[-1].message == "/deny")
