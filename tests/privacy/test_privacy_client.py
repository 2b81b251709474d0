"""A client asks for their own messages to be forgotten, on each channel: they are told what
that does and asked to confirm; yes erases everything everywhere once the reply has gone; no
keeps it; during a case it is not done and staff see the request; SMS STOP keeps its meaning."""

from __future__ import annotations

import pytest

from bot.inbox import plan_for
from bot.model import Incoming
from bot.privacy import service as privacy_service
from bot.privacy.client import CANCEL, CONFIRM, asked
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from tests.handoff.helpers import settle, transcript
from tests.privacy.helpers import (
    CHAT,
    PHONE,
    SENTENCE,
    WEB,
    found_in_store,
    open_case_of,
    sms,
    web,
)

OFFER = "I can delete everything you wrote here"
STARTED = "Your messages are being deleted from our records now."


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_telegram, fake_twilio):
    return await start_gateway(settings_for(telegram=fake_telegram, sms=fake_twilio))


async def erased(gateway, *words: str) -> None:
    """Wait until the gateway's privacy task has erased: none of ``words`` anywhere."""
    for _ in range(400):
        if not found_in_store(gateway.db.url, words):
            return
        await settle(gateway)
    raise AssertionError(found_in_store(gateway.db.url, words))


async def test_web_chat_delete_my_messages_then_yes(gateway, fake_rasa, http):
    await web(http, gateway, SENTENCE)
    await settle(gateway)
    cid = gateway.conversation_id("webchat", WEB)
    [offer] = (await web(http, gateway, "Delete my messages please"))["replies"]
    assert offer["text"].startswith(OFFER)
    assert "delete this chat there too" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == [CONFIRM, CANCEL]
    assert fake_rasa.messages_from(cid) == [SENTENCE]  # not sent to Rasa

    async with http.post(
        f"{gateway.url}/api/webchat", json={"sender": WEB, "payload": CONFIRM}
    ) as r:
        [told] = (await r.json())["replies"]
    assert told["text"].startswith(STARTED)
    await erased(gateway, SENTENCE, WEB, cid)
    await wait_for(lambda: cid not in fake_rasa.trackers, timeout=20)


async def test_the_web_chat_page_button_and_no(gateway, fake_rasa, http):
    await web(http, gateway, SENTENCE)
    async with http.post(
        f"{gateway.url}/api/webchat", json={"sender": WEB, "payload": "/erase_request"}
    ) as r:
        assert (await r.json())["replies"][0]["text"].startswith(OFFER)
    async with http.post(
        f"{gateway.url}/api/webchat", json={"sender": WEB, "payload": CANCEL}
    ) as r:
        assert (await r.json())["replies"][0]["text"] == "OK, nothing was deleted."
    await settle(gateway)
    assert found_in_store(gateway.db.url, [SENTENCE])


async def test_telegram_delete_command_and_the_yes_button(gateway, fake_telegram, fake_rasa):
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, SENTENCE))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/delete"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2)
    offer = fake_telegram.sent[-1]
    assert offer.text.startswith(OFFER)
    buttons = [row[0]["callback_data"] for row in offer.reply_markup["inline_keyboard"]]
    assert buttons == [CONFIRM, CANCEL]
    fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CHAT, CONFIRM))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 3)
    assert fake_telegram.texts_to(CHAT)[-1].startswith(STARTED)
    cid = gateway.conversation_id("telegram", str(CHAT))
    await erased(gateway, SENTENCE, str(CHAT), cid)


async def test_sms_delete_then_1_and_stop_keeps_its_meaning(gateway, fake_twilio, http):
    await sms(http, gateway, SENTENCE)
    await sms(http, gateway, "STOP")
    await settle(gateway)
    assert found_in_store(gateway.db.url, [SENTENCE])  # an opt-out erases nothing
    await sms(http, gateway, "START")
    await sms(http, gateway, "delete my messages")
    await wait_for(lambda: any(OFFER in b for b in fake_twilio.bodies_to(PHONE)))
    await settle(gateway)
    offer = " ".join(fake_twilio.bodies_to(PHONE))
    assert "1 Yes, delete them" in offer
    assert "2 No, keep them" in offer
    await sms(http, gateway, "1")
    await wait_for(lambda: any(STARTED in b for b in fake_twilio.bodies_to(PHONE)))
    await erased(gateway, SENTENCE, PHONE, gateway.conversation_id("sms", PHONE))


@pytest.fixture
def hour_long_rounds(monkeypatch):
    """The privacy task's rounds an hour apart: only being woken gets an erasure done."""
    monkeypatch.setattr(privacy_service, "POLL_SECONDS", 3600.0)


@pytest.mark.parametrize("channel", ["sms", "telegram"])
async def test_a_confirmed_erasure_is_done_once_the_reply_is_out_not_at_the_next_round(
    hour_long_rounds, gateway, fake_twilio, fake_telegram, fake_rasa, http, channel
):
    if channel == "sms":
        await sms(http, gateway, SENTENCE)
        await settle(gateway)
        await sms(http, gateway, "delete my messages")
        await wait_for(lambda: any(OFFER in b for b in fake_twilio.bodies_to(PHONE)))
        await sms(http, gateway, "1")
        await wait_for(lambda: any(STARTED in b for b in fake_twilio.bodies_to(PHONE)))
        address = PHONE
    else:
        fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, SENTENCE))
        await settle(gateway)
        fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/delete"))
        await wait_for(lambda: OFFER in " ".join(fake_telegram.texts_to(CHAT)))
        fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CHAT, CONFIRM))
        await wait_for(lambda: STARTED in " ".join(fake_telegram.texts_to(CHAT)))
        address = str(CHAT)
    cid = gateway.conversation_id(channel, address)
    await wait_for(lambda: not found_in_store(gateway.db.url, [SENTENCE, address]), timeout=20)
    await wait_for(lambda: cid not in fake_rasa.trackers, timeout=20)


async def test_during_a_case_it_is_not_done_and_staff_see_the_request(gateway, fake_twilio, http):
    await sms(http, gateway, SENTENCE)
    await sms(http, gateway, "can i talk to a person")
    case_id = await open_case_of(gateway)
    await sms(http, gateway, "delete my messages")
    await wait_for(
        lambda: any("while a person from our team" in b for b in fake_twilio.bodies_to(PHONE))
    )
    await settle(gateway)
    assert ("client", "delete my messages") in await transcript(gateway, case_id)
    assert found_in_store(gateway.db.url, [SENTENCE])
    assert not any(OFFER in b for b in fake_twilio.bodies_to(PHONE))


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("delete my messages", "request"),
        ("Please erase my data", "request"),
        ("forget me", "request"),
        ("can you delete this chat", "request"),
        ("wipe my history now", "request"),
        ("delete", None),
        ("my ex will delete my messages", None),
        ("STOP", None),
        ("i want to delete myself", None),
    ],
)
def test_what_counts_as_a_request_to_erase(text, what):
    incoming = Incoming("sms", PHONE, "text", text)
    assert asked(incoming) == what


def test_a_request_to_erase_never_goes_to_rasa_and_a_risk_message_still_does():
    from bot.messages import load_messages
    from region import load_region

    texts = load_messages(load_region(None).template_values()).of("en")
    assert plan_for(Incoming("webchat", WEB, "payload", CONFIRM), texts).status == "handled"
    risky = plan_for(Incoming("webchat", WEB, "text", "i want to delete myself"), texts)
    assert risky.erase is None
    assert risky.status == "pending"
