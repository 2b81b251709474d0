"""Telegram through a fake Bot API server that python-telegram-bot reaches via TELEGRAM_API_URL.

Updates arrive as Telegram sends them: pushed to the webhook with the secret token header (and
re-sent until answered 200), or fetched by getUpdates. Replies are what the fake API received.
"""

from __future__ import annotations

import aiohttp
import pytest

from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.db import inbound
from bot.settings import Secret
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.telegram import WEBHOOK_SECRET
from tests.store_helpers import counts, refuse_once

CHAT = 555000111
OTHER_CHAT = 555000222
MODES = pytest.mark.parametrize("webhook", [True, False], ids=["webhook", "polling"])


async def post_update(
    http: aiohttp.ClientSession, url: str, body: object, secret: str | None
) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with http.post(f"{url}{WEBHOOK_PATH}", json=body, headers=headers) as response:
        return response.status


@MODES
async def test_start_then_a_button_then_a_location(
    start_gateway, settings_for, fake_telegram, fake_rasa, webhook
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=webhook))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/start"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    greeting = fake_telegram.sent[-1]
    assert greeting.text == "Hi, what do you need?"
    keyboard = greeting.reply_markup["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [
        "/find_shelter",
        "/find_food",
        "/request_human",
        "/language_es",  # a conversation's first reply offers the region's other language
    ]

    fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CHAT, "/find_shelter"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2)
    ask = fake_telegram.sent[-1]
    assert ask.text.startswith("Where are you now?")
    [[button]] = ask.reply_markup["keyboard"]
    assert button["request_location"] is True
    await wait_for(lambda: len(fake_telegram.answered_callbacks) == 1)  # the spinner stops

    fake_telegram.push(
        tg.location_update(fake_telegram.next_update_id(), CHAT, 37.4852, -122.23635)
    )
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 3)
    assert (
        fake_rasa.received[-1].message == '/inform_location{"location":"geo:37.48520,-122.23635"}'
    )
    assert "Safe Harbor" in fake_telegram.sent[-1].text
    assert [r.message for r in fake_rasa.received][:2] == ["/greet", "/find_shelter"]
    assert fake_rasa.received[0].sender == gateway.conversation_id("telegram", str(CHAT))
    assert fake_rasa.received[0].metadata["channel"] == "telegram"


async def test_webhook_mode_registers_the_public_url_with_its_secret(
    start_gateway, settings_for, fake_telegram
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=True))
    await wait_for(lambda: fake_telegram.webhook_url is not None)
    assert fake_telegram.webhook_url == f"{gateway.url}{WEBHOOK_PATH}"
    assert fake_telegram.webhook_secret == WEBHOOK_SECRET


async def test_polling_mode_removes_a_webhook_and_confirms_only_stored_updates(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_telegram.webhook_url = "https://old.example.org/hook"  # left over from another setup
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=False))
    await wait_for(lambda: fake_telegram.webhook_url is None)
    first = fake_telegram.next_update_id()
    fake_telegram.push(tg.text_update(first, CHAT, "hello"))
    fake_telegram.push(tg.text_update(first + 1, CHAT, "anyone there"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2)
    assert "deleteWebhook" in fake_telegram.calls
    assert await gateway.db.run(inbound.seen, "telegram", str(first + 1))
    await wait_for(lambda: fake_telegram.confirmed_offset == first + 2)


@pytest.mark.parametrize(
    ("secret", "status"),
    [
        (None, 403),
        ("", 403),
        ("wrong-secret", 403),
        (WEBHOOK_SECRET + "x", 403),
        (WEBHOOK_SECRET, 200),
    ],
    ids=["missing", "empty", "wrong", "longer", "right"],
)
async def test_webhook_checks_the_secret_token(
    start_gateway, settings_for, fake_telegram, fake_rasa, http, secret, status
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=True))
    await wait_for(lambda: fake_telegram.webhook_url is not None)
    update = tg.text_update(9001, CHAT, "where can i sleep tonight")
    assert await post_update(http, gateway.url, update, secret) == status
    await gateway.idle()
    assert await gateway.db.run(inbound.seen, "telegram", "9001") is (status == 200)
    assert len(fake_rasa.received) == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("{not json", "not valid JSON"),
        ([1, 2, 3], "no update_id"),
        ({"message": {"text": "hi"}}, "no update_id"),
        ({"update_id": "7"}, "no update_id"),
        ("[" * 30_000 + "]" * 30_000, "nested deeper than 32 levels"),
        (
            '{"update_id": 7, "message": {"message_id": 7, "date": 1, "chat": {"id": 1, '
            '"type": "private"}, "text": "help \\ud800"}}',
            "lone surrogate",
        ),
    ],
    ids=[
        "invalid-json",
        "a-list",
        "no-update-id",
        "update-id-not-a-number",
        "30000-deep-json",
        "lone-surrogate-in-text",
    ],
)
async def test_webhook_refuses_what_is_not_an_update(
    start_gateway, settings_for, fake_telegram, http, body, why
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=True))
    await wait_for(lambda: fake_telegram.webhook_url is not None)
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    data = body if isinstance(body, str) else None
    json_body = None if isinstance(body, str) else body
    async with http.post(
        f"{gateway.url}{WEBHOOK_PATH}", data=data, json=json_body, headers=headers
    ) as response:
        assert response.status == 400
        assert why in (await response.json())["error"]
    assert await counts(gateway.db) == {}


@MODES
async def test_a_repeated_update_is_answered_once(
    start_gateway, settings_for, fake_telegram, fake_rasa, http, webhook
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=webhook))
    await wait_for(lambda: "getMe" in fake_telegram.calls)
    update = tg.text_update(fake_telegram.next_update_id(), CHAT, "food please")
    fake_telegram.push(update)
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    if webhook:
        assert await post_update(http, gateway.url, update, WEBHOOK_SECRET) == 200
    else:
        fake_telegram.pending.append(update)  # Telegram hands the same update out again
        fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), OTHER_CHAT, "hi"))
        await wait_for(lambda: len(fake_telegram.texts_to(OTHER_CHAT)) == 1)
    await gateway.idle()
    assert fake_rasa.messages_from(gateway.conversation_id("telegram", str(CHAT))) == [
        "food please"
    ]
    assert fake_telegram.texts_to(CHAT) == ["You said: food please"]


async def test_help_is_the_gateways_own_text_with_the_crisis_line(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/help"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    [text] = fake_telegram.texts_to(CHAT)
    assert "call 911" in text
    assert "211" in text
    assert "STOP" not in text  # SMS only
    assert fake_rasa.received == []


async def test_human_with_no_staff_to_answer_is_told_so_at_once(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/human"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    await gateway.idle()
    # The gateway recognises /human itself. No staff are configured here, so it says plainly
    # that nobody can talk with the client now (tests/handoff/ has the staff side), and Rasa,
    # which would promise a person, is not asked.
    [nobody] = fake_telegram.texts_to(CHAT)
    assert nobody.startswith("I'm sorry, there is no one from our team here to talk with")
    assert "211" in nobody
    assert fake_rasa.received == []


async def test_an_unknown_command_is_read_as_words(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/find_food"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    assert fake_rasa.received[0].message == "find food"


@pytest.mark.parametrize(
    "make", [tg.photo_update, tg.sticker_update, tg.voice_update, tg.document_update]
)
async def test_media_gets_a_kind_reply_and_the_option_of_a_person(
    start_gateway, settings_for, fake_telegram, fake_rasa, make
):
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(make(fake_telegram.next_update_id(), CHAT))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    reply = fake_telegram.sent[0]
    assert "only read text" in reply.text
    [[button]] = reply.reply_markup["inline_keyboard"]
    assert button == {"text": "Talk to a person", "callback_data": "/request_human"}
    assert fake_rasa.received == []


async def test_a_photo_whose_caption_signals_risk_gets_the_crisis_reply(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    update = tg.photo_update(fake_telegram.next_update_id(), CHAT, caption="i want to kill myself")
    fake_telegram.push(update)
    await wait_for(lambda: len(fake_rasa.received) == 1)
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2)
    await gateway.idle()
    [crisis, nobody] = fake_telegram.texts_to(CHAT)  # no staff configured here
    assert nobody.startswith("I'm sorry, there is no one from our team")
    assert "call 911" in crisis
    assert "988" in crisis
    assert fake_rasa.received[0].message == "i want to kill myself"
    assert fake_rasa.received[0].metadata["screen"] == {
        "risk": "self_harm",
        "tier": "clear",
        "language": "en",
    }


@MODES
async def test_unknown_and_edited_updates_are_recorded_and_not_answered(
    start_gateway, settings_for, fake_telegram, fake_rasa, webhook
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=webhook))
    unknown, edited, after = (fake_telegram.next_update_id() for _ in range(3))
    fake_telegram.push(tg.unknown_update(unknown))
    fake_telegram.push(tg.edited_update(edited, CHAT, "i want to die"))
    fake_telegram.push(tg.text_update(after, CHAT, "hello"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    await gateway.idle()
    assert fake_telegram.texts_to(CHAT) == ["You said: hello"]
    assert [r.message for r in fake_rasa.received] == ["hello"]
    assert await gateway.db.run(inbound.seen, "telegram", str(unknown))
    assert await gateway.db.run(inbound.seen, "telegram", str(edited))
    if webhook:
        assert set(fake_telegram.webhook_answers) == {200}


async def test_a_group_message_is_not_answered(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    update = tg.text_update(fake_telegram.next_update_id(), -100123, "hello group")
    update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Staff"}
    fake_telegram.push(update)
    await wait_for(lambda: fake_telegram.confirmed_offset > update["update_id"])
    await gateway.idle()
    assert fake_telegram.sent == []
    assert fake_rasa.received == []


async def test_a_reply_over_4096_characters_is_split_in_order(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    long_text = " ".join(f"word{i:04d}" for i in range(900))  # 8,099 characters
    fake_rasa.script["long please"] = [{"text": long_text}]
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "long please"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2)
    parts = fake_telegram.texts_to(CHAT)
    assert all(len(part) <= 4096 for part in parts)
    assert " ".join(parts) == long_text


async def test_a_button_payload_over_64_bytes_still_works(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    payload = '/inform_location{"location":"Redwood City, San Mateo County, California 94063"}'
    fake_rasa.script["where"] = [
        {"text": "Is it this one?", "buttons": [{"title": "Yes", "payload": payload}]}
    ]
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "where"))
    await wait_for(lambda: len(fake_telegram.sent) == 1)
    [button], [language] = fake_telegram.sent[0].reply_markup["inline_keyboard"]
    assert language["text"] == "Español"  # the first reply's language button
    assert len(button["callback_data"].encode()) <= 64
    fake_telegram.push(
        tg.button_update(fake_telegram.next_update_id(), CHAT, button["callback_data"])
    )
    await wait_for(lambda: len(fake_rasa.received) == 2)
    assert fake_rasa.received[1].message == payload


async def test_a_forged_button_is_recorded_and_not_sent_to_rasa(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    forged = fake_telegram.next_update_id()
    fake_telegram.push(tg.button_update(forged, CHAT, "p:000000000000000000000000"))
    fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CHAT, "not a payload"))
    last = fake_telegram.next_update_id()
    fake_telegram.push(tg.button_update(last, CHAT, "/risk_immediate_danger"))  # never offered
    await wait_for(lambda: fake_telegram.confirmed_offset > last)
    await gateway.idle()
    assert fake_rasa.received == []
    assert await gateway.db.run(inbound.seen, "telegram", str(forged))
    assert fake_telegram.texts_to(CHAT) == []
    await wait_for(lambda: len(fake_telegram.answered_callbacks) == 3)  # no spinner left


async def test_a_button_offered_to_one_chat_is_not_taken_from_another(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/start"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)  # offers /find_shelter
    fake_telegram.push(
        tg.button_update(fake_telegram.next_update_id(), OTHER_CHAT, "/find_shelter")
    )
    fake_telegram.push(tg.button_update(fake_telegram.next_update_id(), CHAT, "/find_shelter"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 2)
    assert [r.message for r in fake_rasa.received] == ["/greet", "/find_shelter"]
    assert fake_telegram.texts_to(OTHER_CHAT) == []


@pytest.mark.parametrize("command_entity", [True, False], ids=["a-command", "no-entity"])
async def test_typed_intents_reach_rasa_as_words(
    start_gateway, settings_for, fake_telegram, fake_rasa, command_entity
):
    await start_gateway(settings_for(telegram=fake_telegram))
    typed = ("/risk_immediate_danger", '/inform_location{"location":"<img src=x>"}')
    for count, text in enumerate(typed, start=1):
        update = tg.text_update(fake_telegram.next_update_id(), CHAT, text)
        if not command_entity:  # a client app that marks no command: the text handler gets it
            update["message"].pop("entities")
        fake_telegram.push(update)
        await wait_for(lambda n=count: len(fake_telegram.texts_to(CHAT)) == n)
    assert [r.message for r in fake_rasa.received] == ["risk immediate danger", "inform location"]
    assert not any("<img" in text for text in fake_telegram.texts_to(CHAT))


async def test_429_retry_after_is_honoured_and_nothing_is_sent_twice(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_telegram.fail_next(1, 429, "Too Many Requests: retry after 1", retry_after=1)
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "hello"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1, timeout=15)
    [refused_at] = fake_telegram.failed_at
    assert fake_telegram.sent[0].at - refused_at >= 0.95  # Telegram said: retry after 1 s
    await gateway.idle()
    assert fake_telegram.texts_to(CHAT) == ["You said: hello"]


async def test_a_server_error_is_retried_and_a_blocked_chat_is_not(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_telegram.fail_next(1, 500, "Internal Server Error")
    fake_telegram.fail_next(1, 403, "Forbidden: bot was blocked by the user")
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "first"))
    await wait_for(lambda: len(fake_telegram.calls) >= 3 and "sendMessage" in fake_telegram.calls)
    await gateway.idle(timeout=20)
    # 500, then 403 (blocked): the reply is failed for good, not retried again and again.
    states = await counts(gateway.db)
    assert states["outbox.failed"] == 1
    assert fake_telegram.calls.count("sendMessage") == 2
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), OTHER_CHAT, "second"))
    await wait_for(lambda: fake_telegram.texts_to(OTHER_CHAT) == ["You said: second"])


@pytest.mark.paced
async def test_replies_to_one_chat_are_paced(start_gateway, settings_for, fake_telegram, fake_rasa):
    fake_rasa.script["many"] = [{"text": f"part {i}"} for i in range(6)]
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "many"))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 6, timeout=15)
    assert fake_telegram.texts_to(CHAT) == [f"part {i}" for i in range(6)]
    times = [s.at for s in fake_telegram.sent]
    # A burst of three, then about one a second.
    assert times[5] - times[0] >= 2.5


async def test_without_a_configured_secret_one_is_generated_and_kept(
    start_gateway, settings_for, fake_telegram, http
):
    make = settings_for(telegram=fake_telegram, webhook=True, telegram_webhook_secret=Secret())
    first = await start_gateway(make)
    await wait_for(lambda: fake_telegram.webhook_secret is not None)
    secret = fake_telegram.webhook_secret
    assert len(secret) >= 32
    assert secret != WEBHOOK_SECRET
    update = tg.text_update(fake_telegram.next_update_id(), CHAT, "hello")
    assert await post_update(http, first.url, update, secret) == 200
    await first.stop()
    fake_telegram.webhook_secret = None
    second = await start_gateway(make)
    await wait_for(lambda: fake_telegram.webhook_secret is not None)
    assert fake_telegram.webhook_secret == secret  # the same one after a restart
    await second.idle()


@MODES
async def test_an_update_the_store_refuses_is_not_confirmed_and_comes_again(
    start_gateway, settings_for, fake_telegram, fake_rasa, webhook
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=webhook))
    await wait_for(lambda: "getMe" in fake_telegram.calls)
    refuse_once(gateway.db)  # the disk is full, once, as the inbox stores the message
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "bed tonight"))
    await wait_for(lambda: fake_telegram.texts_to(CHAT) == ["You said: bed tonight"], timeout=15)
    if webhook:
        assert fake_telegram.webhook_answers[:2] == [503, 200]
    assert [r.message for r in fake_rasa.received] == ["bed tonight"]


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(999.0, -122.2), (37.5, -181.0), (-90.5, 0.0), ("north", -122.2), ("37.5", "-122.2")],
    ids=["lat-999", "lon", "pole", "a-word", "strings"],
)
async def test_a_location_not_on_earth_is_refused_with_a_request_for_a_place(
    start_gateway, settings_for, fake_telegram, fake_rasa, lat, lon
):
    await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.location_update(fake_telegram.next_update_id(), CHAT, lat, lon))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    [reply] = fake_telegram.texts_to(CHAT)
    assert reply.startswith("I couldn't read that location. Please type the town or ZIP code")
    assert "geo:" not in reply
    assert str(lat).split(".")[0] not in reply  # the client's numbers are never echoed
    assert fake_rasa.received == []


async def test_a_message_without_a_chat_is_kept_and_said_at_warning(
    start_gateway, settings_for, fake_telegram, fake_rasa, http, caplog
):
    """Not a shape Telegram sends (a forged or broken update): acknowledged so that it is not
    sent again, recorded so that a repeat is known, and a WARNING says what was wrong."""
    gateway = await start_gateway(settings_for(telegram=fake_telegram, webhook=True))
    await wait_for(lambda: fake_telegram.webhook_url is not None)
    update = tg.text_update(fake_telegram.next_update_id(), CHAT, "my words")
    del update["message"]["chat"]
    assert await post_update(http, gateway.url, update, WEBHOOK_SECRET) == 200
    assert await gateway.db.run(inbound.seen, "telegram", str(update["update_id"]))
    warned = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert [r.levelname for r in warned] == ["WARNING"]
    assert "a message without a chat" in warned[0].getMessage()
    assert "my words" not in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert fake_rasa.received == []
    assert fake_telegram.texts_to(CHAT) == []
