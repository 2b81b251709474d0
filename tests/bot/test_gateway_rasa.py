"""End to end with the real Rasa and action servers (tests/servers.py), on every channel.

A client asks for a bed in words (a client can send an intent only by a button the bot offered
it), then shares a location or a ZIP code, which do not depend on how well the NLU model
understands words. Killing Rasa mid-conversation gives the
client the crisis lines at once, and every message is answered when Rasa is back.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from actions.directory import build, db
from bot.app import FOLLOWUPS
from bot.db import outbox
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.gateway import RunningGateway
from scripts.fakes.twilio import post_sms, sms_form
from tests.handoff.conftest import LA, Clock
from tests.servers import RasaServers
from tests.store_helpers import counts, events_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHAT = 321000111
CRASH_CHAT = 321000116  # its own conversation in the module's Rasa: no place known before
PHONE = "+16505550142"
REDWOOD_CITY = (37.48522, -122.23635)
NEAREST_SHELTER = "Redwood City Corps"  # in the shipped directory, 1.3 miles from there


@pytest.fixture(scope="module")
def directory() -> None:
    """The service directory the action server searches, built as `make run` builds it."""
    path = db.db_path()
    build.ensure(path if path.is_absolute() else ROOT / path)


@pytest.fixture
def real_rasa(
    rasa_servers: RasaServers, settings_for: Callable[..., Any], directory: None
) -> Callable[..., Any]:
    """Settings factory for a gateway in front of the session's real Rasa."""

    def make(**kwargs: Any) -> Any:
        return settings_for(**{**rasa_servers.gateway_settings(timeout=30.0), **kwargs})

    return make


async def test_telegram_a_bed_tonight_in_redwood_city(start_gateway, real_rasa, fake_telegram):
    gateway = await start_gateway(real_rasa(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "i need a bed tonight"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) >= 1, timeout=60)
    ask = fake_telegram.sent[0]
    assert ask.text.startswith("Where are you now?")
    [[button]] = ask.reply_markup["keyboard"]
    assert button["request_location"] is True
    fake_telegram.push(tg.location_update(fake_telegram.next_update_id(), CHAT, *REDWOOD_CITY))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) >= 2, timeout=60)
    await gateway.idle(timeout=60)
    services = "\n".join(fake_telegram.texts_to(CHAT)[1:])
    assert NEAREST_SHELTER in services
    assert "211" in services  # every reply ends with the 24/7 line
    # The listing as Rasa's REST channel sends it (text and buttons, then the data) is one
    # Telegram message: names in bold, and the next steps as buttons.
    listing = next(s for s in fake_telegram.sent if s.parse_mode == "HTML")
    assert listing.bold[0] == f"1. {NEAREST_SHELTER}"
    payloads = [row[0].get("callback_data") for row in listing.reply_markup["inline_keyboard"]]
    assert payloads[:2] == ["/more_results", "/request_human"]


async def test_web_chat_a_bed_tonight_comes_as_cards_data(start_gateway, real_rasa, http):
    gateway = await start_gateway(real_rasa())
    sender = "real-rasa-listing-0001"
    url = f"{gateway.url}/api/webchat"
    async with http.post(url, json={"sender": sender, "text": "i need a bed tonight"}) as r:
        assert (await r.json())["replies"][0]["text"].startswith("Where are you now?")
    where = {"latitude": REDWOOD_CITY[0], "longitude": REDWOOD_CITY[1]}
    async with http.post(url, json={"sender": sender, "location": where}) as r:
        [reply] = (await r.json())["replies"]
    services = reply["listing"]["services"]
    assert services[0]["name"] == NEAREST_SHELTER
    assert services[0]["tel"].startswith("tel:+1-650-")
    assert NEAREST_SHELTER in reply["text"]  # the plain text stays beside the data


async def test_sms_a_bed_tonight_by_zip_code(start_gateway, real_rasa, fake_twilio, http):
    gateway = await start_gateway(real_rasa(sms=fake_twilio))
    url = f"{gateway.url}/sms/twilio"
    await post_sms(http, url, sms_form(PHONE, "i need a bed tonight"))
    await wait_for(lambda: len(fake_twilio.sent) >= 1, timeout=60)
    assert fake_twilio.sent[0].body.startswith("Where are you now?")
    await post_sms(http, url, sms_form(PHONE, "94063"))
    await wait_for(lambda: len(fake_twilio.sent) >= 3, timeout=60)
    await gateway.idle(timeout=60)
    [_, services, offer] = fake_twilio.bodies_to(PHONE)
    assert NEAREST_SHELTER in services
    assert gsm_segments(services) <= 2
    # The offer to check back is its own SMS (docs/followups.md): one segment, numbered.
    assert offer.startswith("Can I message you tomorrow morning to see if you found a bed?")
    assert "1 Yes\n2 No thanks" in offer
    assert gsm_segments(offer) == 1


def gsm_segments(text: str) -> int:
    from bot import gsm

    assert gsm.to_gsm(text) == text
    return gsm.segments(text)


async def test_web_chat_a_risk_message_gets_the_crisis_reply_once(start_gateway, real_rasa, http):
    gateway = await start_gateway(real_rasa())
    body = {"sender": "e2e-web-chat-0001", "text": "I want to kill myself"}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        answer = await response.json()
    texts = [r["text"] for r in answer["replies"]]
    assert answer["more"] is True  # the crisis reply never waits for Rasa; the rest follows
    assert texts[0].startswith("I'm really glad you told me. If you might act on these thoughts")
    assert texts[1].startswith("I'm sorry, there is no one from our team")  # no staff here
    assert answer["more"] is True  # the crisis reply did not wait for Rasa, whose answer follows
    await gateway.idle(timeout=60)
    cid = gateway.conversation_id("webchat", "e2e-web-chat-0001")
    units = await gateway.db.run(outbox.delivered_after, cid, 0)
    everything = [r.body.get("text") or "" for r in units]
    assert sum(t.startswith("I'm really glad you told me") for t in everything) == 1  # not Rasa's
    events = await events_of(gateway.db, cid)
    assert {data["risk"] for kind, data in events if kind == "handoff"} == {"high"}


async def test_killing_rasa_mid_conversation_loses_no_message(
    start_gateway, real_rasa, rasa_servers, fake_telegram
):
    gateway = await start_gateway(real_rasa(telegram=fake_telegram, rasa_timeout=5.0))
    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CRASH_CHAT, "i need a bed tonight")
    )
    await wait_for(lambda: len(fake_telegram.texts_to(CRASH_CHAT)) >= 1, timeout=60)

    stack = rasa_servers.stack
    os.killpg(stack.processes["rasa"].pid, signal.SIGKILL)  # a crash, not a clean stop
    await asyncio.to_thread(stack.processes["rasa"].wait, 30)
    try:
        fake_telegram.push(
            tg.location_update(fake_telegram.next_update_id(), CRASH_CHAT, *REDWOOD_CITY)
        )
        danger = tg.text_update(
            fake_telegram.next_update_id(), CRASH_CHAT, "he is outside with a knife"
        )
        fake_telegram.push(danger)

        # The crisis reply, "nobody from the team can talk now" (no staff here), the notice.
        def told(start: str) -> bool:
            return any(t.startswith(start) for t in fake_telegram.texts_to(CRASH_CHAT)[1:])

        await wait_for(lambda: told("Sorry, I can't look things up"), timeout=30)
        assert told("If you are in danger now, call 911.")
        assert (await counts(gateway.db))["inbound.pending"] == 2
    finally:
        stack.start(stack.specs["rasa"])
        await asyncio.to_thread(stack.wait_ready, ["rasa"])  # the gateway runs meanwhile
    for _ in range(240):
        if (await counts(gateway.db)).get("inbound.pending", 0) == 0:
            break
        await asyncio.sleep(0.5)
    await gateway.idle(timeout=60)
    assert (await counts(gateway.db)).get("inbound.pending", 0) == 0
    texts = fake_telegram.texts_to(CRASH_CHAT)
    assert any(NEAREST_SHELTER in t for t in texts)  # the location kept during the crash
    assert sum(t.startswith("If you are in danger now") for t in texts) == 1


async def test_telegram_a_bed_at_night_a_yes_and_it_was_full_in_the_morning(
    real_rasa, rasa_servers, fake_telegram
):
    """Issue 23 on the real Rasa: the offer after the listing, a restart of every process
    overnight, the question at 9:00 (the gateway's clock) once, and "they were full" searching
    again where the client was."""
    clock = Clock(datetime(2026, 11, 24, 23, 0, tzinfo=LA))
    settings = real_rasa(telegram=fake_telegram)
    gateway = RunningGateway(settings, clock=clock)
    await gateway.start()
    try:
        fake_telegram.push(
            tg.text_update(fake_telegram.next_update_id(), CHAT, "i need a bed tonight")
        )
        await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) >= 1, timeout=60)
        fake_telegram.push(tg.location_update(fake_telegram.next_update_id(), CHAT, *REDWOOD_CITY))
        offer = "Can I message you tomorrow morning to see if you found a bed?"
        await wait_for(lambda: any(t.startswith(offer) for t in fake_telegram.texts_to(CHAT)), 60)
        fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CHAT, "/followup_yes"))
        await wait_for(
            lambda: any(t.startswith("OK, I'll message") for t in fake_telegram.texts_to(CHAT)), 60
        )
        await gateway.idle(timeout=60)
        # Every process restarts overnight: the schedule is in the gateway's store.
        await gateway.stop()
        stack = rasa_servers.stack
        for name in ("rasa", "actions"):
            await asyncio.to_thread(stack.stop, name)
        for name in ("actions", "rasa"):
            stack.start(stack.specs[name])
        await asyncio.to_thread(stack.wait_ready, ["actions", "rasa"])
        gateway = RunningGateway(settings, clock=clock)
        await gateway.start()
        clock.set(datetime(2026, 11, 25, 9, 5, tzinfo=LA))
        await gateway.app[FOLLOWUPS].tick()
        question = "Checking in from the help line. Did you get a bed last night?"
        await wait_for(lambda: question in fake_telegram.texts_to(CHAT), timeout=30)
        await gateway.app[FOLLOWUPS].tick()  # once: a second look sends nothing
        await gateway.idle(timeout=60)
        assert fake_telegram.texts_to(CHAT).count(question) == 1
        before = sum(1 for s in fake_telegram.sent if s.chat_id == CHAT and s.parse_mode)
        fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "they were full"))
        await wait_for(
            lambda: (
                sum(1 for s in fake_telegram.sent if s.chat_id == CHAT and s.parse_mode) > before
            ),
            timeout=60,
        )
        await gateway.idle(timeout=60)
        texts = fake_telegram.texts_to(CHAT)
        sorry = texts.index("I'm sorry. Here are other places to try.")
        assert NEAREST_SHELTER in "\n".join(texts[sorry + 1 :])  # a new listing, at once
    finally:
        await gateway.stop()
