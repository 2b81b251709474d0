"""A conversation's language, and the gateway's own replies in it, through the real app.

A Spanish speaker in danger gets the crisis line in Spanish before anything else is done, even
with Rasa down (issue 19); the conversation's language goes to Rasa with every message; the
client's choice ("ENGLISH", "ESPAÑOL", a language button) holds; a short message never flips it.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot import gsm
from bot.channels.sms import WEBHOOK_PATH
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.twilio import post_sms, sms_form

SENDER = "tab-language-0123456789"


async def chat(http: aiohttp.ClientSession, url: str, body: Any) -> dict[str, Any]:
    async with http.post(f"{url}/api/webchat", json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


@pytest.fixture
async def gateway(start_gateway, settings_for):
    return await start_gateway(settings_for())


async def test_spanish_suicidal_words_get_the_spanish_crisis_reply_with_rasa_down(
    gateway, fake_rasa, http
):
    await fake_rasa.stop()
    body = await chat(http, gateway.url, {"sender": SENDER, "text": "me quiero morir"})
    crisis = body["replies"][0]
    assert crisis["kind"] == "crisis"
    assert "llama al 911" in crisis["text"]
    # 988 in Spanish: call and press 2, or text AYUDA.
    assert "Puedes llamar al 988 y marcar el 2 o mandar AYUDA por mensaje al 988" in crisis["text"]
    assert "call" not in crisis["text"]  # not a word of English in it
    # Everything else the gateway says is in Spanish too: here, that nobody is on staff.
    assert body["replies"][1]["text"].startswith("Lo siento, ahora no hay nadie de nuestro")


async def test_spanish_danger_gets_the_spanish_danger_reply_and_rasa_hears_spanish(
    gateway, fake_rasa, http
):
    text = "alguien esta afuera de mi puerta con un cuchillo"
    body = await chat(http, gateway.url, {"sender": SENDER, "text": text})
    crisis = body["replies"][0]
    assert crisis["text"].startswith("Si estás en peligro ahora, llama al 911.")
    assert "puedes llamar al 1-800-799-7233" in crisis["text"]  # Spanish by phone
    await wait_for(lambda: fake_rasa.received)
    received = fake_rasa.received[0]
    assert received.message == text  # the words still reach the NLU
    assert received.metadata["language"] == "es"
    assert received.metadata["screen"] == {"risk": "danger", "tier": "clear", "language": "es"}


async def test_spanish_hunger_is_a_need_not_a_crisis(gateway, fake_rasa, http):
    text = "me muero de hambre, donde hay comida en daly city"
    body = await chat(http, gateway.url, {"sender": SENDER, "text": text})
    assert all(r["kind"] != "crisis" for r in body["replies"])
    received = fake_rasa.received[0]
    assert "screen" not in received.metadata
    assert received.metadata["language"] == "es"


async def test_english_switches_back_and_holds(gateway, fake_rasa, http):
    await chat(http, gateway.url, {"sender": SENDER, "text": "necesito un lugar para dormir"})
    switched = await chat(http, gateway.url, {"sender": SENDER, "text": "ENGLISH"})
    [reply] = switched["replies"]
    assert reply["text"].startswith("OK, I'll write in English.")
    assert [r.message for r in fake_rasa.received] == ["necesito un lugar para dormir"]
    await chat(http, gateway.url, {"sender": SENDER, "text": "hola gracias"})
    # A choice holds: Spanish words after "ENGLISH" are still answered in English.
    assert fake_rasa.received[-1].metadata["language"] == "en"
    back = await chat(http, gateway.url, {"sender": SENDER, "text": "en español porfa"})
    assert back["replies"][0]["text"].startswith("Listo, te escribo en español.")


async def test_a_short_message_never_flips_the_language(gateway, fake_rasa, http):
    await chat(http, gateway.url, {"sender": SENDER, "text": "necesito comida para mis hijos"})
    for text in ("ok", "San Mateo", "94063", "thanks"):
        await chat(http, gateway.url, {"sender": SENDER, "text": text})
        assert fake_rasa.received[-1].metadata["language"] == "es", text


async def test_the_browsers_language_is_a_hint_for_a_first_message_that_does_not_say(
    gateway, fake_rasa, http
):
    await chat(http, gateway.url, {"sender": SENDER, "text": "hi", "language": "es-MX"})
    assert fake_rasa.received[-1].metadata["language"] == "es"
    # Words that clearly say their language win over the hint.
    other = "tab-language-other-0001"
    await chat(
        http, gateway.url, {"sender": other, "text": "where can i sleep tonight", "language": "es"}
    )
    assert fake_rasa.received[-1].metadata["language"] == "en"


async def test_a_bad_language_hint_is_a_clear_error(gateway, http):
    body = {"sender": SENDER, "text": "hi", "language": "<script>"}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        assert response.status == 400
        assert "language" in (await response.json())["error"]


async def test_the_first_reply_offers_the_other_language_and_the_button_switches(
    gateway, fake_rasa, http
):
    first = await chat(http, gateway.url, {"sender": SENDER, "payload": "/greet"})
    buttons = first["replies"][-1]["buttons"]
    assert buttons[-1] == {"title": "Español", "payload": "/language_es"}
    chosen = await chat(http, gateway.url, {"sender": SENDER, "payload": "/language_es"})
    assert chosen["replies"][0]["text"].startswith("Listo, te escribo en español.")
    await chat(http, gateway.url, {"sender": SENDER, "payload": "/find_shelter"})
    assert fake_rasa.received[-1].message == "/find_shelter"
    assert fake_rasa.received[-1].language == "es"  # as an entity Rasa's slot reads
    second = await chat(http, gateway.url, {"sender": SENDER, "text": "94063"})
    assert all("/language_" not in str(r.get("buttons")) for r in second["replies"])


async def test_a_medical_emergency_is_told_to_call_plainly(gateway, http):
    text = "my kid fell and hit his head and is bleeding and throwing up"
    body = await chat(http, gateway.url, {"sender": SENDER, "text": text})
    crisis = body["replies"][0]
    assert crisis["text"].startswith("This sounds like a medical emergency: call 911 now.")
    assert "Domestic Violence" not in crisis["text"]


async def test_telegrams_language_code_is_a_hint(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    await start_gateway(settings_for(telegram=fake_telegram))
    chat_id = 4242
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), chat_id, "hi", "es"))
    await wait_for(lambda: fake_rasa.received)
    assert fake_rasa.received[-1].metadata["language"] == "es"


async def test_sms_ayuda_chooses_spanish_and_a_risk_sms_gets_spanish_lines(
    start_gateway, settings_for, fake_twilio, http
):
    client = "+16505550142"
    gateway = await start_gateway(settings_for(sms=fake_twilio))
    url = f"{gateway.url}{WEBHOOK_PATH}"
    await post_sms(http, url, sms_form(client, "AYUDA"))
    await wait_for(lambda: fake_twilio.bodies_to(client))
    # é and ñ are GSM-7; only the accents GSM-7 lacks are folded (bot/gsm.py).
    assert fake_twilio.bodies_to(client)[0].startswith("Listo, te escribo en español.")
    await post_sms(http, url, sms_form(client, "quiero matarme"))
    await wait_for(lambda: len(fake_twilio.bodies_to(client)) >= 2)
    crisis = fake_twilio.bodies_to(client)[1]
    assert "llamar al 988 y marcar el 2" in crisis
    assert gsm.segments(crisis) <= gsm.MAX_SEGMENTS
