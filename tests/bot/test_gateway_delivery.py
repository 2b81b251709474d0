"""Nothing lost, nothing doubled: Rasa down, slow or wrong; ordering; restarts; stopping."""

from __future__ import annotations

import pytest

from bot import pipeline
from bot.channels.sms import WEBHOOK_PATH as SMS_PATH
from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.db import inbound
from bot.settings import Secret
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.telegram import WEBHOOK_SECRET
from scripts.fakes.twilio import post_sms, sms_form
from tests.store_helpers import counts, events_of

CHAT = 444000111
PHONE = "+16505550123"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """Retry after 0.1 s instead of 2 s, 5 s...: the test controls the clock of retries."""
    monkeypatch.setattr(pipeline, "RETRY_DELAYS", (0.1, 0.1, 0.1, 0.1, 0.1))


def notices(texts: list[str]) -> list[str]:
    return [t for t in texts if t.startswith("Sorry, I can't look things up")]


async def test_rasa_down_gives_the_crisis_lines_once_and_answers_every_message_when_back(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    await fake_rasa.stop()
    for text in ("bed tonight", "in redwood city", "hello?"):
        fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, text))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    [notice] = fake_telegram.texts_to(CHAT)
    assert "call 911" in notice
    assert "call 211 or text 898211" in notice
    assert (await counts(gateway.db))["inbound.pending"] == 3

    await fake_rasa.start()
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 4, timeout=15)
    await gateway.idle()
    assert fake_telegram.texts_to(CHAT)[1:] == [
        "You said: bed tonight",
        "You said: in redwood city",
        "You said: hello?",
    ]
    assert len(notices(fake_telegram.texts_to(CHAT))) == 1
    assert [r.message for r in fake_rasa.received] == ["bed tonight", "in redwood city", "hello?"]


async def test_a_risk_message_while_rasa_is_down_gets_the_crisis_reply_at_once(
    start_gateway, settings_for, fake_twilio, fake_rasa, http
):
    gateway = await start_gateway(settings_for(sms=fake_twilio))
    await fake_rasa.stop()
    await post_sms(http, f"{gateway.url}{SMS_PATH}", sms_form(PHONE, "i want to end my life"))
    await wait_for(lambda: len(fake_twilio.sent) == 3, timeout=15)
    crisis, nobody, notice = fake_twilio.bodies_to(PHONE)
    assert crisis.startswith(
        "I'm really glad you told me. If you might act on these thoughts now, call 911."
    )
    assert "988" in crisis
    # No staff are configured here, so no case opens and the client is told plainly that
    # nobody can talk with them (human handoff); the assistant goes on helping.
    assert nobody.startswith("I'm sorry, there is no one from our team here to talk with")
    assert notice.startswith("Sorry, I can't look things up")

    await fake_rasa.start()
    await wait_for(lambda: len(fake_rasa.received) == 1, timeout=15)
    assert fake_rasa.received[0].message == "i want to end my life"
    assert fake_rasa.received[0].metadata["crisis_reply_sent"] is True
    await gateway.idle(timeout=15)
    cid = gateway.conversation_id("sms", PHONE)
    assert [kind for kind, _ in await events_of(gateway.db, cid)] == ["handoff", "handoff"]
    assert len(fake_twilio.sent) == 3  # Rasa's own crisis text is not sent a second time
    stored = await gateway.db.run(inbound.get, 1)
    assert stored.text == "i want to end my life"  # the client's own words are kept
    assert stored.risk == "self_harm"


async def test_a_slow_rasa_is_not_sent_the_message_twice(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_rasa.mode, fake_rasa.delay = "slow", 0.8
    await start_gateway(settings_for(telegram=fake_telegram, rasa_timeout=0.5))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "food"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    assert notices(fake_telegram.texts_to(CHAT))
    fake_rasa.mode = "ok"
    # Rasa finished the turn after the gateway gave up waiting; the retry finds it in the tracker.
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2, timeout=15)
    assert fake_telegram.texts_to(CHAT)[1] == "You said: food"
    assert [r.message for r in fake_rasa.received] == ["food"]


async def test_an_http_error_from_rasa_is_like_rasa_down(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_rasa.mode = "error"
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "food"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    assert notices(fake_telegram.texts_to(CHAT))
    fake_rasa.mode = "ok"
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2, timeout=15)
    await gateway.idle()
    assert fake_telegram.texts_to(CHAT)[1] == "You said: food"


@pytest.mark.parametrize("mode", ["not_json", "not_list", "empty", "malformed"])
async def test_a_reply_rasa_cannot_give_is_retried_then_the_client_is_told(
    start_gateway, settings_for, fake_telegram, fake_rasa, mode
):
    fake_rasa.mode = mode
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "food"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2, timeout=15)
    await gateway.idle()
    notice, gave_up = fake_telegram.texts_to(CHAT)
    assert notice.startswith("Sorry, I can't look things up")
    assert gave_up.startswith("Sorry, I couldn't answer your last message")
    assert "call 911" in gave_up
    assert len(fake_rasa.received) == pipeline.MAX_BAD_REPLY_ATTEMPTS
    assert (await counts(gateway.db))["inbound.failed"] == 1


async def test_the_usable_part_of_a_partly_malformed_reply_is_delivered(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_rasa.script["food"] = [{"text": 42}, {"text": "Food bank on Main St."}, "nonsense"]
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "food"))
    await wait_for(lambda: fake_telegram.texts_to(CHAT) == ["Food bank on Main St."])


async def test_messages_of_a_conversation_stay_in_order_while_conversations_run_in_parallel(
    start_gateway, settings_for, fake_telegram, fake_rasa, http
):
    fake_rasa.jitter = (0.01, 0.08)
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=True))
    await wait_for(lambda: fake_telegram.webhook_url is not None)
    chats = [CHAT + i for i in range(5)]
    sent = {chat: [f"message {n} from {chat}" for n in range(4)] for chat in chats}
    headers = {SECRET_HEADER: WEBHOOK_SECRET}
    for n in range(4):  # Telegram delivers in order; the gateway acknowledges before answering
        for chat in chats:
            update = tg.text_update(fake_telegram.next_update_id(), chat, sent[chat][n])
            async with http.post(f"{gateway.url}{WEBHOOK_PATH}", json=update, headers=headers) as r:
                assert r.status == 200
    await wait_for(lambda: len(fake_telegram.sent) == 20, timeout=20)
    for chat in chats:
        cid = gateway.conversation_id("telegram", str(chat))
        assert fake_rasa.messages_from(cid) == sent[chat]
        assert fake_telegram.texts_to(chat) == [f"You said: {m}" for m in sent[chat]]
    assert fake_rasa.most_in_flight > 1  # different conversations were at Rasa together


async def test_a_restart_answers_what_was_pending_once(
    start_gateway, settings_for, fake_telegram, fake_twilio, fake_rasa, http
):
    make_settings = settings_for(telegram=fake_telegram, sms=fake_twilio)
    first = await start_gateway(make_settings)
    await fake_rasa.stop()
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "bed tonight"))
    await post_sms(http, f"{first.url}{SMS_PATH}", sms_form(PHONE, "food please"))
    await wait_for(lambda: len(fake_telegram.sent) == 1 and len(fake_twilio.sent) == 1, timeout=15)
    await first.stop()
    assert fake_rasa.received == []

    await fake_rasa.start()
    second = await start_gateway(make_settings)
    await wait_for(lambda: len(fake_telegram.sent) == 2 and len(fake_twilio.sent) == 2, timeout=15)
    await second.idle()
    assert fake_telegram.texts_to(CHAT)[1] == "You said: bed tonight"
    assert fake_twilio.bodies_to(PHONE)[1] == "You said: food please"
    assert sorted(r.message for r in fake_rasa.received) == ["bed tonight", "food please"]
    assert await counts(second.db) == {"inbound.done": 2, "outbox.sent": 4}


async def test_a_restart_delivers_replies_the_provider_had_refused(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    make_settings = settings_for(telegram=fake_telegram)
    fake_telegram.fail_next(100, 502, "Bad Gateway")
    first = await start_gateway(make_settings)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "hello"))
    await wait_for(lambda: fake_telegram.calls.count("sendMessage") >= 1)
    await first.stop()
    assert fake_telegram.sent == []
    fake_telegram.failures.clear()
    second = await start_gateway(make_settings)
    await wait_for(lambda: fake_telegram.texts_to(CHAT) == ["You said: hello"], timeout=15)
    await second.idle()
    assert [r.message for r in fake_rasa.received] == ["hello"]


async def test_stopping_finishes_a_turn_in_flight(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_rasa.mode, fake_rasa.delay = "slow", 0.5
    gateway = await start_gateway(settings_for(telegram=fake_telegram, rasa_timeout=2.0))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "hello"))
    await wait_for(lambda: len(fake_rasa.received) == 1)
    await gateway.stop()
    assert fake_telegram.texts_to(CHAT) == ["You said: hello"]


async def test_stopping_does_not_wait_out_a_retry_and_the_next_start_answers(
    start_gateway, settings_for, fake_telegram, fake_rasa, monkeypatch
):
    # Rasa answers nothing: the gateway will try again in 5 s. A stop with 30 s of grace must
    # not spend them waiting, nor call Rasa again; the message stays pending, and the next
    # start answers it when its retry is due.
    monkeypatch.setattr(pipeline, "RETRY_DELAYS", (5.0,))
    make_settings = settings_for(telegram=fake_telegram, rasa_timeout=30.0)
    fake_rasa.mode = "empty"
    first = await start_gateway(make_settings)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "bed tonight"))
    await wait_for(lambda: len(fake_rasa.received) == 1)
    await first.stop()
    assert len(fake_rasa.received) == 1  # no retry while stopping

    fake_rasa.mode = "ok"
    second = await start_gateway(make_settings)
    await wait_for(lambda: "You said: bed tonight" in fake_telegram.texts_to(CHAT), timeout=15)
    await second.idle()
    assert fake_telegram.texts_to(CHAT).count("You said: bed tonight") == 1
    assert [r.message for r in fake_rasa.received] == ["bed tonight", "bed tonight"]


async def test_without_a_configured_salt_conversations_keep_their_name_across_restarts(
    start_gateway, settings_for, fake_rasa
):
    make = settings_for(sender_hash_salt=Secret())
    first = await start_gateway(make)
    name = first.conversation_id("webchat", "same-client-0001")
    await first.stop()
    second = await start_gateway(make)
    assert second.conversation_id("webchat", "same-client-0001") == name
    assert name != first.conversation_id("webchat", "other-client-0001")


async def test_on_postgresql_a_restart_answers_what_was_pending(
    start_gateway, settings_for, fake_telegram, fake_rasa, postgres_database
):
    make_settings = settings_for(telegram=fake_telegram, database_url=Secret(postgres_database))
    first = await start_gateway(make_settings)
    await fake_rasa.stop()
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "bed tonight"))
    await wait_for(lambda: len(fake_telegram.sent) == 1, timeout=15)  # the honest notice
    await first.stop()
    await fake_rasa.start()
    second = await start_gateway(make_settings)
    await wait_for(
        lambda: fake_telegram.texts_to(CHAT)[1:] == ["You said: bed tonight"], timeout=15
    )
    await second.idle()
    assert await counts(second.db) == {"inbound.done": 1, "outbox.sent": 2}
