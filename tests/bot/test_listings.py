"""A directory reply a client can act on with one tap (issue 20), on each channel.

Rasa's answer here is the real action's on the shipped directory data (tests/listings.py), as
Rasa's REST channel sends it; Telegram is the fake Bot API, which reads HTML as Telegram does.
"""

from __future__ import annotations

import copy
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.messages import load_messages
from bot.model import BotMessage
from bot.render import render
from contract import PAYLOAD_LISTING, listing_from
from region import load_region
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from tests.listings import built_directory, directory_answer

CHAT = 555000333
TEXTS = load_messages(load_region().template_values()).of("en")


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_directory(tmp_path_factory.mktemp("directory"))


def listing_in(answer: list[dict[str, Any]]) -> dict[str, Any]:
    return next(
        e["custom"][PAYLOAD_LISTING] for e in answer if PAYLOAD_LISTING in e.get("custom", {})
    )


def place_of(directory: Path, service: str) -> tuple[float, float]:
    """The point the directory's data gives for a service's location."""
    with sqlite3.connect(directory) as conn:
        return conn.execute(
            "SELECT l.latitude, l.longitude FROM services s "
            "JOIN service_at_location sal ON sal.service_id = s.id "
            "JOIN locations l ON l.id = sal.location_id WHERE s.name = ?",
            (service,),
        ).fetchone()


async def telegram_search(
    start_gateway, settings_for, fake_telegram, fake_rasa, answer: list[dict[str, Any]]
) -> list[tg.Sent]:
    """The client types a search on Telegram; what Telegram received for the client."""
    fake_rasa.script["food near redwood city"] = answer
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(
        tg.text_update(fake_telegram.next_update_id(), CHAT, "food near redwood city")
    )
    await wait_for(lambda: any(s.chat_id == CHAT and s.text for s in fake_telegram.sent))
    await gateway.idle()  # every unit of the reply sent (a pin would come after the text)
    return [s for s in fake_telegram.sent if s.chat_id == CHAT]


async def test_telegram_gets_bold_names_tappable_numbers_a_pin_and_next_steps(
    start_gateway, settings_for, fake_telegram, fake_rasa, directory
):
    answer = await directory_answer(directory, "food", "Redwood City, CA", "telegram")
    data = listing_in(answer)
    await telegram_search(start_gateway, settings_for, fake_telegram, fake_rasa, answer)
    await wait_for(lambda: any(s.venue for s in fake_telegram.sent))
    text, pin = fake_telegram.sent[-2:]

    assert text.parse_mode == "HTML"
    assert text.bold == [f"{s['number']}. {s['name']}" for s in data["services"]]
    # Numbers as people dial them, which Telegram turns into a tap to call.
    assert re.search(r"\+1 650-\d{3}-\d{4}", text.text)
    keyboard = [row[0] for row in text.reply_markup["inline_keyboard"]]
    assert [(b["text"], b["callback_data"]) for b in keyboard] == [
        ("More", "/more_results"),
        ("Talk to a person", "/request_human"),
        ("Español", "/language_es"),  # a conversation's first reply offers the other language
    ]

    # The pin: the nearest service open now whose address is public, with its own point.
    assert pin.venue["title"] == "Fair Oaks Adult Activity Center"
    assert (pin.venue["latitude"], pin.venue["longitude"]) == place_of(
        directory, pin.venue["title"]
    )
    assert pin.venue["address"] == "2600 Middlefield Road, Redwood City"
    [[directions]] = pin.reply_markup["inline_keyboard"]
    assert directions["text"] == "Directions"
    assert directions["url"].startswith(
        "https://www.google.com/maps/dir/?api=1&destination=37.4772"
    )


async def test_a_confidential_address_is_never_pinned_or_linked_even_if_the_data_says_so(
    start_gateway, settings_for, fake_telegram, fake_rasa, directory
):
    answer = copy.deepcopy(
        await directory_answer(directory, "food", "Redwood City, CA", "telegram")
    )
    for service in listing_in(answer)["services"]:  # every place a refuge, the points left in
        service.update(confidential=True, latitude=37.4791, longitude=-122.2152, state="open")
        service["directions"] = (
            "https://www.google.com/maps/dir/?api=1&destination=37.4791,-122.2152"
        )
    sent = await telegram_search(start_gateway, settings_for, fake_telegram, fake_rasa, answer)
    assert "sendVenue" not in fake_telegram.calls
    assert not any(s.venue for s in sent)
    assert not any("37.4791" in str(s.reply_markup) for s in sent)


async def test_a_domestic_violence_search_pins_no_refuge(
    start_gateway, settings_for, fake_telegram, fake_rasa, directory
):
    answer = await directory_answer(directory, "domestic_violence", "94112", "telegram")
    services = listing_in(answer)["services"]
    assert any(s["confidential"] for s in services)
    [text] = await telegram_search(start_gateway, settings_for, fake_telegram, fake_rasa, answer)
    assert "La Casa de las Madres" in text.text
    assert "sendVenue" not in fake_telegram.calls
    for service in (s for s in services if s["confidential"]):
        assert service["latitude"] is None
        assert service["directions"] is None


async def test_a_name_with_markup_arrives_as_text(
    start_gateway, settings_for, fake_telegram, fake_rasa, directory
):
    answer = copy.deepcopy(
        await directory_answer(directory, "food", "Redwood City, CA", "telegram")
    )
    listing_in(answer)["services"][0]["name"] = "<b>& Co</i>"
    await telegram_search(start_gateway, settings_for, fake_telegram, fake_rasa, answer)
    await wait_for(lambda: any(s.venue for s in fake_telegram.sent))
    text = next(s for s in fake_telegram.sent if s.parse_mode)
    assert text.bold[0] == "1. <b>& Co</i>"
    assert "1. <b>& Co</i>" in text.text


async def test_a_reply_telegram_refuses_for_its_markup_is_sent_plain(
    start_gateway, settings_for, fake_telegram, fake_rasa, directory
):
    answer = await directory_answer(directory, "food", "Redwood City, CA", "telegram")
    fake_telegram.fail_next(1, 400, "Bad Request: can't parse entities: unsupported tag")
    await telegram_search(start_gateway, settings_for, fake_telegram, fake_rasa, answer)
    await wait_for(lambda: any(s.venue for s in fake_telegram.sent))
    text = next(s for s in fake_telegram.sent if s.text)
    assert text.parse_mode is None
    assert text.text == answer[0]["text"]  # the action's own plain text, nothing lost
    assert [row[0]["callback_data"] for row in text.reply_markup["inline_keyboard"]][:2] == [
        "/more_results",
        "/request_human",
    ]


async def test_the_web_chat_api_gives_the_services_as_data(
    start_gateway, settings_for, fake_rasa, http, directory
):
    answer = await directory_answer(directory, "food", "Redwood City, CA", "webchat")
    fake_rasa.script["food near redwood city"] = answer
    gateway = await start_gateway(settings_for())
    body = {"sender": "listing-test-sender-0001", "text": "food near redwood city"}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        replies = (await response.json())["replies"]
    [reply] = replies
    assert reply["text"] == answer[0]["text"]  # the plain text stays, for anything that reads it
    services = reply["listing"]["services"]
    assert [s["name"] for s in services] == [s["name"] for s in listing_in(answer)["services"]]
    assert all(s["tel"].startswith("tel:+1-") for s in services if s["phone"])
    assert [b["payload"] for b in reply["buttons"]][:2] == ["/more_results", "/request_human"]


async def test_sms_gets_the_same_short_text_and_no_listing(directory):
    answer = await directory_answer(directory, "food", "Redwood City, CA", "sms")
    [element] = answer[:1]
    assert set(element) == {"text"}  # no buttons: its two segments have no room for a menu
    assert not any(PAYLOAD_LISTING in e.get("custom", {}) for e in answer)
    assert len(element["text"]) <= 306


PUBLIC = {
    "number": 1,
    "name": "Open Door",
    "state": "open",
    "status": "open til 5pm",
    "phone": "+1 650-555-0100",
    "tel": "tel:+1-650-555-0100",
    "address": "1 Main St, Redwood City",
    "confidential": False,
    "latitude": 37.48,
    "longitude": -122.23,
    "directions": "https://www.google.com/maps/dir/?api=1&destination=37.480000,-122.230000",
}


@pytest.mark.parametrize(
    ("change", "kept"),
    [
        ({}, {"latitude": 37.48, "directions": PUBLIC["directions"]}),
        # A refuge: the data's point and link never reach a channel.
        ({"confidential": True}, {"latitude": None, "longitude": None, "directions": None}),
        # Not saying is not public.
        ({"confidential": None}, {"confidential": True, "latitude": None, "directions": None}),
        ({"latitude": 91.0}, {"latitude": None, "longitude": None}),
        ({"latitude": float("nan")}, {"latitude": None}),
        ({"latitude": True}, {"latitude": None}),
        ({"directions": "javascript:alert(1)"}, {"directions": None}),
        ({"url": "data:text/html,hi"}, {"url": None}),
        ({"tel": "https://example.org"}, {"tel": None}),
    ],
    ids=["public", "confidential", "unsaid", "off-earth", "nan", "bool", "script", "data", "tel"],
)
def test_a_listing_payload_is_read_defensively(change, kept):
    service = listing_from({"header": "Near you:", "services": [{**PUBLIC, **change}]}).services[0]
    for name, value in kept.items():
        assert getattr(service, name) == value


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "x",
        {},
        {"services": []},
        {"services": [{"name": "x"}]},
        {"services": ["x"]},
        {"services": [{**PUBLIC, "state": "maybe"}]},
        {"services": [{**PUBLIC, "number": "1"}]},
    ],
)
def test_a_malformed_listing_is_not_a_listing_and_the_text_is_shown(payload):
    assert listing_from(payload) is None
    message = BotMessage("Near you: 1. Open Door", custom={PAYLOAD_LISTING: payload})
    [unit] = render("webchat", [message], "reply", TEXTS).items
    assert unit.body == {"text": "Near you: 1. Open Door"}
    [unit] = render("telegram", [message], "reply", TEXTS).items
    assert unit.body == {"text": "Near you: 1. Open Door"}


def test_only_an_open_public_place_with_its_own_point_is_pinned():
    services = [
        {**PUBLIC, "number": 1, "name": "Closed", "state": "closed"},
        {**PUBLIC, "number": 2, "name": "Refuge", "confidential": True},
        {**PUBLIC, "number": 3, "name": "Pointless", "latitude": None, "longitude": None},
        {**PUBLIC, "number": 4, "name": "Open Door"},
    ]
    message = BotMessage("text", custom={PAYLOAD_LISTING: {"services": services}})
    units = render("telegram", [message], "reply", TEXTS).items
    assert [u.body["venue"]["title"] for u in units if "venue" in u.body] == ["Open Door"]


def test_the_long_listing_falls_back_to_split_plain_text():
    services = [{**PUBLIC, "number": n, "name": "x" * 900} for n in range(1, 6)]
    text = "plain " * 1000
    message = BotMessage(text, custom={PAYLOAD_LISTING: {"services": services}})
    units = [u.body for u in render("telegram", [message], "reply", TEXTS).items]
    assert all("parse_mode" not in u for u in units if "text" in u)
    assert " ".join(u["text"] for u in units if "text" in u).split() == text.split()
