"""A client who writes in Spanish and a roster that says who answers in Spanish.

Staff read the client's language in the case's summary; when nobody on the route answers in
it, the client is told so honestly, with the 24/7 lines that answer in Spanish; after hours, a
Spanish speaker on call (ON_CALL_PHONE_ES) is paged first for a Spanish-speaking client.
"""

from __future__ import annotations

import pytest

from bot.handoff.settings import languages
from bot.settings import load_settings
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import ON_CALL_CHAT, STAFF_CHAT
from scripts.fakes.twilio import post_sms, sms_form
from tests.handoff.conftest import ON_CALL_PHONE, TUESDAY_2AM
from tests.handoff.helpers import summary_in, topic_in

CLIENT = "+16505550177"
SPANISH_ON_CALL = "+16505550933"
NO_SPEAKER = "Ahora no hay nadie de nuestro equipo que hable español disponible"


async def text(http, gateway, words: str) -> None:
    status, _ = await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(CLIENT, words))
    assert status == 200


async def spanish_client_asks_for_a_person(http, gateway, fake_twilio) -> list[str]:
    await text(http, gateway, "ESPAÑOL")
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) == 1)
    assert fake_twilio.bodies_to(CLIENT)[0].startswith("Listo, te escribo en español")
    await text(http, gateway, "quiero hablar con una persona")
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) >= 2)
    return fake_twilio.bodies_to(CLIENT)[1:]


async def test_nobody_who_speaks_spanish_is_said_honestly_and_staff_see_the_language(
    start_gateway, settings_for, fake_telegram, fake_twilio, fake_rasa, http
):
    gateway = await start_gateway(settings_for(telegram=fake_telegram, sms=fake_twilio))
    await spanish_client_asks_for_a_person(http, gateway, fake_twilio)
    await wait_for(lambda: any(NO_SPEAKER in t for t in fake_twilio.bodies_to(CLIENT)))
    await wait_for(lambda: "AYUDA" in " ".join(fake_twilio.bodies_to(CLIENT)))
    told = " ".join(fake_twilio.bodies_to(CLIENT))
    assert told.index("Estoy buscando") < told.index(NO_SPEAKER)
    assert "AYUDA" in told  # the 24/7 lines, as they are reached in Spanish
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    summary = await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    assert "writes in Spanish" in summary.text


async def test_staff_who_answer_in_spanish_leave_nothing_to_apologise_for(
    start_gateway, settings_for, fake_telegram, fake_twilio, fake_rasa, http
):
    handoff = {"languages": frozenset({"en", "es"})}
    gateway = await start_gateway(
        settings_for(telegram=fake_telegram, sms=fake_twilio, handoff=handoff)
    )
    told = await spanish_client_asks_for_a_person(http, gateway, fake_twilio)
    assert told[0].startswith("Estoy buscando")
    assert not any(NO_SPEAKER in t for t in fake_twilio.bodies_to(CLIENT))


async def test_after_hours_the_spanish_speaker_on_call_is_paged_first(
    start_gateway, settings_for, fake_telegram, fake_twilio, fake_rasa, http, clock
):
    clock.set(TUESDAY_2AM)
    handoff = {"on_call_phone": ON_CALL_PHONE, "phones_by_language": {"es": SPANISH_ON_CALL}}
    gateway = await start_gateway(
        settings_for(telegram=fake_telegram, sms=fake_twilio, handoff=handoff)
    )
    await text(http, gateway, "me quiero morir")
    await topic_in(fake_telegram, ON_CALL_CHAT)
    await wait_for(lambda: len(fake_twilio.bodies_to(SPANISH_ON_CALL)) == 1)
    assert "HIGH-RISK case #1" in fake_twilio.bodies_to(SPANISH_ON_CALL)[0]
    assert fake_twilio.bodies_to(ON_CALL_PHONE) == []
    await wait_for(lambda: len(fake_twilio.bodies_to(CLIENT)) >= 2)
    crisis = fake_twilio.bodies_to(CLIENT)[0]
    assert "988" in crisis  # the Spanish crisis reply first
    assert not any(NO_SPEAKER in t for t in fake_twilio.bodies_to(CLIENT))


def test_the_roster_languages_are_read_and_checked():
    assert languages("en, es") == {"en", "es"}
    assert languages("ES") == {"es"}
    with pytest.raises(ValueError, match="en, es"):
        languages("fr")
    settings = load_settings({"STAFF_LANGUAGES": "en,es"}, env_file=None)
    assert settings.handoff.languages == {"en", "es"}
    assert settings.handoff.on_call_languages == {"en", "es"}  # after hours: the office's
