"""action_find_services through rasa_sdk's CollectingDispatcher and Tracker, on the directory
built from the shipped data: what the client reads on each channel."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.directory import build, render
from actions.services import ActionFindServices
from tests.actions.helpers import tracker


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("directory") / "directory.db"
    build.build(path)
    return path


@pytest.fixture(autouse=True)
def use_directory(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIRECTORY_DB", str(directory))


LA = ZoneInfo("America/Los_Angeles")
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LA)


async def said(
    intent: str = "find_shelter",
    channel: str = "webchat",
    at: dt.datetime = MONDAY_NOON,
    **slots: Any,
) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """What the action says: the client's one text, its events, and the report's payloads."""
    dispatcher = CollectingDispatcher()
    slots = {"need": "shelter", "location": "Redwood City, CA", "results_page": 0.0, **slots}
    events = await ActionFindServices(now=lambda: at).run(
        dispatcher, tracker("...", intent=intent, slots=slots, metadata={"channel": channel}), {}
    )
    first, *rest = dispatcher.messages
    assert all(set(m["custom"]) == {"report"} and not m.get("text") for m in rest)
    return first["text"], events, [m["custom"]["report"] for m in rest]


async def run(
    intent: str = "find_shelter",
    channel: str = "webchat",
    at: dt.datetime = MONDAY_NOON,
    **slots: Any,
) -> tuple[str, list[dict[str, Any]]]:
    text, events, _ = await said(intent, channel, at, **slots)
    return text, events


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+)\. ", text, re.M)]


async def test_shelters_nearest_redwood_city_with_open_status_phone_and_a_24_7_line() -> None:
    text, events = await run()
    assert text.startswith("Near Redwood City (none confirmed open now):")
    first = text.split("\n2. ")[0]
    assert "1. Redwood City Corps (1.3 mi)" in first
    assert "Phone: 650 368-4643" in first
    assert "\n   Hours unknown: call first\n" in first  # no hours: never told it is open
    assert text.endswith("24/7: 211 San Mateo County: call 211 or text 898211")
    assert numbers(text) == [1, 2, 3, 4, 5]
    assert {"event": "slot", "name": "results_page", "value": 0.0, "timestamp": None} in events


@pytest.mark.parametrize(
    ("at", "header", "status"),
    [
        (MONDAY_NOON, "Near Redwood City (none confirmed open now):", "Closed now, opens 4pm"),
        (MONDAY_NOON.replace(hour=19), "Near Redwood City:", "Open now until 9pm"),
        (MONDAY_NOON.replace(hour=22), "Near Redwood City (none confirmed open now):",
         "Closed now, opens 7am"),
    ],
)  # fmt: skip
async def test_open_now_is_read_from_the_hours_at_the_moment_of_the_search(
    at: dt.datetime, header: str, status: str
) -> None:
    text, _ = await run(at=at)
    assert text.splitlines()[0] == header
    glide = text[text.index("5. CHANGES: Glide Walk-In Center") :].splitlines()
    assert glide[1].strip() == status


async def test_a_17_year_old_is_not_offered_services_for_adults_only() -> None:
    everyone, _ = await run()
    assert "CHANGES: Glide Walk-In Center" in everyone  # 18 and over
    seventeen, _ = await run(population=["17"])
    assert "Glide" not in seventeen
    assert "For: 18+" not in seventeen
    assert "Diamond Youth Shelter" in seventeen


async def test_sms_fits_two_gsm7_segments_with_the_top_three() -> None:
    text, _ = await run(channel="sms")
    assert len(text) <= 306
    assert render.sms_segments(text) <= 2
    assert set(text) <= render.GSM7
    assert numbers(text) == [1, 2, 3]
    assert "1. Redwood City Corps, 1.3mi" in text
    assert "650 368-4643" in text
    assert "660 Veterans" in text


async def test_more_gives_the_next_results_then_says_there_are_no_more() -> None:
    text, events = await run(intent="more_results", channel="sms", results_page=0.0)
    assert text.startswith("More near Redwood City")
    assert numbers(text) == [4, 5, 6]
    assert {"event": "slot", "name": "results_page", "value": 1.0, "timestamp": None} in events
    last, _ = await run(intent="more_results", results_page=20.0)
    assert last.startswith("That's all I have near Redwood City.")
    assert "211 San Mateo County knows other services: call 211 or text 898211" in last


async def test_a_new_search_starts_again_at_the_first_page() -> None:
    text, events = await run(intent="find_food", need="food", results_page=3.0)
    assert numbers(text)[0] == 1
    assert {"event": "slot", "name": "results_page", "value": 0.0, "timestamp": None} in events


async def test_domestic_violence_gives_the_hotline_and_never_a_refuge_street() -> None:
    text, _ = await run(need="domestic_violence", location="94112")
    assert (
        "24/7: National Domestic Violence Hotline: call 1-800-799-7233 or text START to 88788"
        in text
    )
    block = re.split(r"\n\d+\. ", text[text.index("La Casa de las Madres") :])[0]
    assert "(call for address)" in block
    assert "Area: San Francisco" in block
    assert "Mission" not in block


async def test_a_line_the_crisis_reply_named_this_turn_is_not_named_again_by_the_listing() -> None:
    """ "he choked me last night, need a dv shelter in redwood city": the danger reply names the
    domestic violence hotline; the listing that follows it, in the same turn, does not."""
    hotline = "call 1-800-799-7233 or text START to 88788"
    for channel in ("webchat", "sms"):
        text, _ = await run("risk_immediate_danger", channel, need="domestic_violence")
        assert hotline not in text
        assert numbers(text)[:2] == [1, 2]  # the listing itself is there
        screened = {"screen": {"risk": "danger", "tier": "clear"}}  # the gateway's crisis reply
        dispatcher = CollectingDispatcher()
        slots = {"need": "domestic_violence", "location": "Redwood City, CA"}
        metadata = {"channel": channel, **screened}
        told = tracker("...", "find_domestic_violence_help", slots=slots, metadata=metadata)
        await ActionFindServices(now=lambda: MONDAY_NOON).run(dispatcher, told, {})
        assert hotline not in dispatcher.messages[0]["text"]
    # The self-harm reply names 988, not this hotline; and an uncertain signal sent no reply.
    text, _ = await run("risk_self_harm", need="domestic_violence")
    assert f"24/7: National Domestic Violence Hotline: {hotline}" in text
    text, _ = await run("find_domestic_violence_help", need="domestic_violence")
    assert f"24/7: National Domestic Violence Hotline: {hotline}" in text


async def test_a_shared_telegram_location_is_searched_by_distance() -> None:
    text, _ = await run(channel="telegram", location="geo:37.48000,-122.23000")
    assert text.startswith("Near your location")
    assert "1. Redwood City Corps" in text


async def test_an_unknown_place_is_asked_again_with_an_example() -> None:
    text, events = await run(location="Xyzzyville")
    assert 'Sorry, I don\'t know where "Xyzzyville" is' in text
    assert "Redwood City or 94063" in text
    assert {"event": "slot", "name": "location", "value": None, "timestamp": None} in events


async def test_no_directory_still_gives_the_general_line_and_the_24_7_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIRECTORY_DB", str(tmp_path / "missing.db"))
    text, _ = await run(need="mental_health")
    assert "can't search" in text
    assert "call 211 or text 898211" in text
    assert text.endswith("24/7: 988 Suicide & Crisis Lifeline: call 988 or text 988")


async def test_nothing_near_says_so_plainly_and_gives_211() -> None:
    text, _ = await run(need="legal", location="Fresno, CA")
    assert text.startswith("I found nothing for that within 50 miles of Fresno.")
    assert text.count("call 211 or text 898211") == 1  # said once, not again as the 24/7 line


async def test_nothing_near_still_gives_the_needs_own_line() -> None:
    text, _ = await run(need="domestic_violence", location="Fresno, CA")
    assert "call 211 or text 898211" in text
    assert text.endswith(
        "24/7: National Domestic Violence Hotline: call 1-800-799-7233 or text START to 88788"
    )


async def test_without_a_need_it_asks_for_one() -> None:
    text, _ = await run(need=None)
    assert text.startswith("Tell me what you need first")


# --- what the report counts (a {"report": ...} payload the gateway keeps, never shown) ---------


async def test_a_search_reports_its_need_town_count_and_nearest_distance() -> None:
    _, _, reports = await said()
    assert reports == [
        {"kind": "search", "need": "shelter", "place": "Redwood City", "postcode": None,
         "latitude": reports[0]["latitude"], "longitude": reports[0]["longitude"],
         "found": reports[0]["found"], "nearest": 1.3}
    ]  # fmt: skip
    assert reports[0]["found"] >= 5
    assert abs(reports[0]["latitude"] - 37.48) < 0.05
    assert abs(reports[0]["longitude"] + 122.24) < 0.05


async def test_a_zip_code_is_reported_with_its_town() -> None:
    _, _, [report] = await said(intent="find_food", need="food", location="94063")
    assert (report["place"], report["postcode"]) == ("Redwood City", "94063")


async def test_a_shared_location_is_reported_as_its_zip_code_never_its_coordinates() -> None:
    _, _, [report] = await said(channel="telegram", location="geo:37.48123,-122.23456")
    assert report["postcode"] is not None
    assert report["postcode"].startswith("940")
    assert "37.48123" not in str(report)
    assert "-122.23456" not in str(report)


async def test_nothing_found_outside_the_region_is_reported_without_a_point() -> None:
    _, _, [report] = await said(need="legal", location="Fresno, CA")
    assert report["found"] == 0
    assert report["nearest"] is None
    assert report["place"] == "Fresno, CA"
    assert report["latitude"] is None


async def test_far_only_is_reported_with_the_nearest_distance() -> None:
    _, _, [report] = await said(need="food", location="Pescadero, CA")
    assert report["place"] == "Pescadero"
    assert report["found"] > 0
    assert report["nearest"] > 10


@pytest.mark.parametrize(
    "slots",
    [{"results_page": 0.0, "location": "Xyzzyville"}, {"need": None}],
    ids=["unknown place", "no need"],
)
async def test_no_search_reports_nothing(slots: dict[str, Any]) -> None:
    _, _, reports = await said(**slots)
    assert reports == []


async def test_the_next_page_is_not_counted_again() -> None:
    _, _, reports = await said(intent="more_results", results_page=0.0)
    assert reports == []


async def uttered(channel: str, language: str = "en", **slots: Any) -> dict[str, Any]:
    """The action's first message as it leaves the action server (text, buttons, custom)."""
    dispatcher = CollectingDispatcher()
    slots = {"need": "shelter", "location": "Redwood City, CA", "results_page": 0.0, **slots}
    metadata = {"channel": channel, "language": language}
    await ActionFindServices(now=lambda: MONDAY_NOON).run(
        dispatcher, tracker("...", intent="find_shelter", slots=slots, metadata=metadata), {}
    )
    return dispatcher.messages[0]


async def test_telegram_and_web_chat_get_the_services_as_data_beside_the_text() -> None:
    message = await uttered("webchat", need="food")
    listing = message["custom"]["listing"]
    names = [s["name"] for s in listing["services"]]
    assert [f"{n}. {name}" for n, name in enumerate(names, 1)] == [
        line.split(" (")[0] for line in message["text"].splitlines() if re.match(r"\d+\. ", line)
    ]
    assert listing["header"] == message["text"].splitlines()[0]
    assert listing["footer"] == message["text"].splitlines()[-1]
    for service in listing["services"]:
        assert re.fullmatch(r"\+1 \d{3}-\d{3}-\d{4}", service["phone"])
        assert service["tel"] == "tel:" + service["phone"].replace(" ", "-")
    [fair_oaks] = [s for s in listing["services"] if s["state"] == "open"]
    assert fair_oaks["latitude"] is not None
    assert fair_oaks["directions"].endswith(
        f"{fair_oaks['latitude']:.6f},{fair_oaks['longitude']:.6f}"
    )
    # A place known only by its ZIP code's centre gets no point, and directions by its street.
    placed_by_zip = [s for s in listing["services"] if s["distance"].startswith("about")]
    assert placed_by_zip
    assert all(s["latitude"] is None and "destination=" in s["directions"] for s in placed_by_zip)
    assert [b["payload"] for b in message["buttons"]] == ["/more_results", "/request_human"]


async def test_a_refuge_is_sent_as_its_town_with_no_point_and_no_directions() -> None:
    listing = (await uttered("telegram", need="domestic_violence", location="94112"))["custom"]
    refuges = [s for s in listing["listing"]["services"] if s["confidential"]]
    assert {s["name"] for s in refuges} >= {"La Casa de las Madres", "Rosalie House"}
    for refuge in refuges:
        assert refuge["address"] == "San Francisco"
        assert refuge["latitude"] is None
        assert refuge["longitude"] is None
        assert refuge["directions"] is None


async def test_the_last_page_offers_no_more_and_sms_gets_no_buttons_nor_data() -> None:
    message = await uttered("webchat", need="legal")
    assert len(message["custom"]["listing"]["services"]) < 5
    assert [b["payload"] for b in message["buttons"]] == ["/request_human"]
    sms = await uttered("sms", need="food")
    assert set(sms) >= {"text"}
    assert not sms.get("buttons")
    assert not sms.get("custom")


async def test_the_listing_speaks_the_clients_language() -> None:
    message = await uttered("webchat", language="es", need="food")
    listing = message["custom"]["listing"]
    assert listing["header"].startswith("Cerca de")
    assert listing["labels"]["call"] == "Llamar"
    assert listing["labels"]["directions"] == "Cómo llegar"
    assert [b["title"] for b in message["buttons"]] == ["Más", "Hablar con una persona"]


async def test_a_san_francisco_neighbourhood_is_searched_from_there_not_from_texas() -> None:
    """ "the mission" is the Mission District (94110): the shelters nearest it, by its name."""
    from actions.gazetteer import gazetteer_for
    from region import load_region

    place = gazetteer_for(load_region()).resolve("the mission")
    assert place is not None
    text, _ = await run(location=place.slot_value)
    assert text.startswith("Near Mission")
    assert "nothing" not in text.split("\n")[0]
    assert numbers(text) == [1, 2, 3, 4, 5]
