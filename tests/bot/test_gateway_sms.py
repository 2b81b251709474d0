"""SMS: signed Twilio webhooks in, a fake Twilio Messages API out."""

from __future__ import annotations

import pytest

from bot import gsm
from bot.channels.sms import EMPTY_TWIML, OPT_OUT_WORDS, WEBHOOK_PATH
from bot.db import inbound
from scripts.fakes.base import wait_for
from scripts.fakes.twilio import post_sms, signature, sms_form
from tests.store_helpers import counts, events_of, refuse_once

CLIENT = "+16505550123"
OTHER = "+16505550199"


async def sms(http, gateway, body: str, sender: str = CLIENT, **extra: str) -> tuple[int, str]:
    url = f"{gateway.url}{WEBHOOK_PATH}"
    return await post_sms(http, url, sms_form(sender, body, **extra))


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_twilio):
    return await start_gateway(settings_for(sms=fake_twilio))


async def test_a_signed_sms_is_acknowledged_with_empty_twiml_and_answered_by_rest(
    gateway, fake_twilio, fake_rasa, http
):
    status, body = await sms(http, gateway, "where can i sleep tonight")
    assert status == 200
    assert body == EMPTY_TWIML
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 1)
    assert fake_twilio.bodies_to(CLIENT) == ["You said: where can i sleep tonight"]
    assert fake_twilio.sent[0].from_ == "+15005550006"
    received = fake_rasa.received[0]
    assert received.sender == gateway.conversation_id("sms", CLIENT)
    assert CLIENT not in received.sender
    assert received.metadata["channel"] == "sms"


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": ""}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}],
    ids=["missing", "empty", "wrong"],
)
async def test_an_unsigned_or_badly_signed_webhook_is_refused(
    gateway, fake_twilio, fake_rasa, http, headers
):
    form = sms_form(CLIENT, "hello")
    async with http.post(f"{gateway.url}{WEBHOOK_PATH}", data=form, headers=headers) as response:
        assert response.status == 403
        assert "X-Twilio-Signature" in await response.text()
    assert await counts(gateway.db) == {}
    assert fake_rasa.received == []


async def test_a_signature_for_other_words_is_refused(gateway, http):
    form = sms_form(CLIENT, "hello")
    forged = dict(form, Body="STOP")
    headers = {"X-Twilio-Signature": signature(f"{gateway.url}{WEBHOOK_PATH}", form)}
    async with http.post(f"{gateway.url}{WEBHOOK_PATH}", data=forged, headers=headers) as response:
        assert response.status == 403


async def test_the_signature_is_checked_against_the_public_url_behind_a_proxy(
    start_gateway, settings_for, fake_twilio, http
):
    public = "https://help.example.org"
    gateway = await start_gateway(settings_for(sms=fake_twilio, public_url=public))
    form = sms_form(CLIENT, "hello")
    local = f"{gateway.url}{WEBHOOK_PATH}"
    status, _ = await post_sms(http, local, form, signed_url=f"{public}{WEBHOOK_PATH}")
    assert status == 200
    status, _ = await post_sms(http, local, sms_form(CLIENT, "again"))  # signed for the local URL
    assert status == 403


async def test_without_public_url_sms_is_not_started_and_health_says_why(
    start_gateway, settings_for, fake_twilio, fake_rasa, http, caplog
):
    # Twilio calls PUBLIC_URL/sms/twilio and signs that address: without it no SMS can come in.
    gateway = await start_gateway(settings_for(sms=fake_twilio, public_url=None))
    async with http.get(f"{gateway.url}/health") as response:
        health = await response.json()
    assert health["channels"] == ["webchat"]
    assert health["not_started"]["sms"].startswith("PUBLIC_URL is missing")
    [said] = [r for r in caplog.records if "sms is not started" in r.getMessage()]
    assert said.levelname == "WARNING"  # configuration to finish, not a failure of the gateway
    assert "PUBLIC_URL is missing" in said.getMessage()
    status, _ = await sms(http, gateway, "hello")
    assert status == 404  # no route, where it used to answer 500 to every SMS
    assert await counts(gateway.db) == {}


async def test_an_sms_the_store_refuses_gets_503_and_is_kept_when_sent_again(
    gateway, fake_twilio, http
):
    refuse_once(gateway.db)  # the disk is full, once, as the inbox stores the message
    form = sms_form(CLIENT, "bed tonight")
    url = f"{gateway.url}{WEBHOOK_PATH}"
    assert (await post_sms(http, url, form))[0] == 503
    assert (await post_sms(http, url, form))[0] == 200
    await wait_for(lambda: fake_twilio.bodies_to(CLIENT) == ["You said: bed tonight"])


@pytest.mark.parametrize(("drop", "why"), [("From", "no From"), ("MessageSid", "no MessageSid")])
async def test_a_form_without_from_or_sid_gets_400(gateway, http, drop, why):
    form = sms_form(CLIENT, "hello")
    del form[drop]
    status, text = await post_sms(http, f"{gateway.url}{WEBHOOK_PATH}", form)
    assert status == 400
    assert why in text
    assert await counts(gateway.db) == {}


async def test_a_repeated_message_sid_is_answered_once(gateway, fake_twilio, fake_rasa, http):
    form = sms_form(CLIENT, "food")
    url = f"{gateway.url}{WEBHOOK_PATH}"
    assert (await post_sms(http, url, form))[0] == 200
    assert (await post_sms(http, url, form))[0] == 200
    await wait_for(lambda: len(fake_twilio.sent) == 1)
    await gateway.idle()
    assert [r.message for r in fake_rasa.received] == ["food"]
    assert len(fake_twilio.sent) == 1


async def test_buttons_become_a_numbered_list_and_a_number_picks_one(
    gateway, fake_twilio, fake_rasa, http
):
    fake_rasa.script["hello"] = [
        {
            "text": "What do you need?",
            "buttons": [
                {"title": "A place to sleep", "payload": "/find_shelter"},
                {"title": "Food", "payload": "/find_food"},
            ],
        }
    ]
    await sms(http, gateway, "hello")
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 1)
    [menu] = fake_twilio.bodies_to(CLIENT)
    assert menu == (
        "What do you need?\n\n1 A place to sleep\n2 Food\n\n"
        "Reply with a number, or tell me in your own words."
    )
    await sms(http, gateway, " 2 ")
    await wait_for(lambda: len(fake_rasa.received) == 2)
    assert fake_rasa.received[1].message == "/find_food"
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 2)
    await sms(http, gateway, "2")  # the last reply had no options: "2" is just words now
    await wait_for(lambda: len(fake_rasa.received) == 3)
    assert fake_rasa.received[2].message == "2"
    await sms(http, gateway, "hello")
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 4)
    await sms(http, gateway, "3")  # out of range: just words
    await wait_for(lambda: len(fake_rasa.received) == 5)
    assert fake_rasa.received[4].message == "3"


@pytest.mark.parametrize("word", sorted(OPT_OUT_WORDS))
async def test_an_opt_out_word_stops_every_message_until_start(
    gateway, fake_twilio, fake_rasa, http, word
):
    await sms(http, gateway, word.lower() + ".")
    await sms(http, gateway, "where can i get food")
    await gateway.idle()
    assert fake_twilio.sent == []  # nothing, not even a confirmation (Twilio sends its own)
    assert [r.message for r in fake_rasa.received] == ["where can i get food"]
    cid = gateway.conversation_id("sms", CLIENT)
    assert (await events_of(gateway.db, cid))[0] == ("opt_out", {"word": word.lower() + "."})
    assert (await counts(gateway.db))["outbox.suppressed"] == 1

    await sms(http, gateway, "START")
    await sms(http, gateway, "food again")
    await wait_for(lambda: fake_twilio.bodies_to(CLIENT) == ["You said: food again"])


async def test_an_opt_out_word_inside_a_sentence_is_just_words(gateway, fake_twilio, http):
    await sms(http, gateway, "please stop the rain")
    await wait_for(lambda: fake_twilio.bodies_to(CLIENT) == ["You said: please stop the rain"])


@pytest.mark.parametrize("word", ["HELP", "info", "Help!"])
async def test_help_gets_the_help_text_with_the_crisis_line(
    gateway, fake_twilio, fake_rasa, http, word
):
    await sms(http, gateway, word)
    await wait_for(lambda: len(fake_twilio.sent) == 1)
    text = fake_twilio.sent[0].body
    assert "call 911" in text
    assert "211" in text
    assert "STOP" in text
    assert gsm.segments(text) <= 2
    assert fake_rasa.received == []


async def test_twilio_error_21610_marks_the_number_opted_out(gateway, fake_twilio, fake_rasa, http):
    fake_twilio.fail_next(1, 400, 21610, "Attempt to send to unsubscribed recipient")
    await sms(http, gateway, "first")
    await gateway.idle()
    await sms(http, gateway, "second")
    await gateway.idle()
    assert fake_twilio.sent == []
    cid = gateway.conversation_id("sms", CLIENT)
    assert [kind for kind, _ in await events_of(gateway.db, cid)] == ["opt_out"]
    states = await counts(gateway.db)
    assert states["outbox.failed"] == 1
    assert states["outbox.suppressed"] == 1


async def test_a_twilio_server_error_is_retried_and_delivered_once(gateway, fake_twilio, http):
    fake_twilio.fail_next(1, 500, 20500, "Internal Server Error")
    await sms(http, gateway, "hello")
    await wait_for(lambda: len(fake_twilio.sent) == 1, timeout=15)
    await gateway.idle()
    assert fake_twilio.bodies_to(CLIENT) == ["You said: hello"]


async def test_replies_are_gsm7_and_at_most_two_segments_each(
    gateway, fake_twilio, fake_rasa, http
):
    long_text = "It’s open now — “Safe Harbor” … 🙂 " + " ".join(["Call first please."] * 40)
    fake_rasa.script["long"] = [{"text": long_text}, {"text": "Second message."}]
    await sms(http, gateway, "long")
    await wait_for(lambda: len(fake_twilio.sent) >= 3, timeout=15)
    await gateway.idle()
    bodies = fake_twilio.bodies_to(CLIENT)
    assert bodies[0].startswith('It\'s open now - "Safe Harbor" ... Call first please.')
    for body in bodies:
        assert gsm.to_gsm(body) == body
        assert gsm.segments(body) <= 2
    assert bodies[-1].endswith("Second message.")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({"NumMedia": "1"}, "only read text"), ({}, "didn't get any words")],
    ids=["picture-only", "empty"],
)
async def test_a_picture_or_an_empty_message_gets_a_defined_answer(
    gateway, fake_twilio, fake_rasa, http, extra, expected
):
    await sms(http, gateway, "", **extra)
    await wait_for(lambda: len(fake_twilio.sent) == 1)
    assert expected in fake_twilio.sent[0].body
    assert fake_rasa.received == []


async def test_a_risk_sms_gets_the_crisis_lines_first(gateway, fake_twilio, fake_rasa, http):
    await sms(http, gateway, "my boyfriend is going to kill me")
    await wait_for(lambda: len(fake_twilio.sent) == 2)
    crisis, nobody = fake_twilio.bodies_to(CLIENT)
    assert crisis.startswith("If you are in danger now, call 911.")
    assert "1-800-799-7233" in crisis
    assert nobody.startswith("I'm sorry, there is no one from our team")  # no staff here
    # The client's own words reach the NLU, with what the screen found (a risk adds).
    assert fake_rasa.received[0].message == "my boyfriend is going to kill me"
    assert fake_rasa.received[0].metadata["screen"] == {
        "risk": "danger",
        "tier": "clear",
        "language": "en",
    }
    assert fake_rasa.received[0].metadata["crisis_reply_sent"] is True
    await gateway.idle()
    assert len(fake_twilio.sent) == 2  # Rasa's crisis text is left out: the client has it


async def test_numbers_from_two_clients_are_separate_conversations(
    gateway, fake_twilio, fake_rasa, http
):
    await sms(http, gateway, "one", sender=CLIENT)
    await sms(http, gateway, "two", sender=OTHER)
    await wait_for(lambda: len(fake_twilio.sent) == 2)
    assert fake_twilio.bodies_to(CLIENT) == ["You said: one"]
    assert fake_twilio.bodies_to(OTHER) == ["You said: two"]
    assert len({r.sender for r in fake_rasa.received}) == 2


async def test_start_without_a_stop_before_it_is_just_words(gateway, fake_twilio, fake_rasa, http):
    await sms(http, gateway, "START")
    await wait_for(lambda: fake_twilio.bodies_to(CLIENT) == ["You said: START"])
    assert [r.message for r in fake_rasa.received] == ["START"]


@pytest.mark.parametrize(
    "text",
    ["🙏😢🙏", "أحتاج مكانًا للنوم", "אני צריך מקום לישון", "x" * 5000],
    ids=["only-emoji", "arabic-rtl", "hebrew-rtl", "5000-characters"],
)
async def test_any_words_are_kept_whole_and_reach_rasa(gateway, fake_rasa, http, text):
    status, _ = await sms(http, gateway, text)
    assert status == 200
    await wait_for(lambda: len(fake_rasa.received) == 1)
    assert fake_rasa.received[0].message == text[:4096]  # Rasa reads at most 4,096
    assert (await gateway.db.run(inbound.get, 1)).text == text  # the store keeps every word


async def test_typed_intents_reach_rasa_as_words(gateway, fake_twilio, fake_rasa, http):
    await sms(http, gateway, "/risk_immediate_danger")
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 1)
    await sms(http, gateway, '/inform_location{"location":"<img src=x onerror=alert(1)>"}')
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 2)
    assert [r.message for r in fake_rasa.received] == ["risk immediate danger", "inform location"]
    assert not any("<img" in body for body in fake_twilio.bodies_to(CLIENT))
