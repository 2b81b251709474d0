"""Rendering for the channel: SMS within two GSM-7 segments (measured), richer elsewhere."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from actions.context import region
from actions.directory import render
from actions.directory.details import Listing
from actions.directory.hours import Status
from actions.directory.service import find
from actions.texts import say
from tests.directory.conftest import TZ, local

NOW = local(2026, 11, 23, 21, 0)
NEEDS = ["shelter", "food", "family_support", "domestic_violence", "mental_health", "health_care",
         "legal", "financial", "drug_alcohol", "essentials"]  # fmt: skip


def item(name: str = "Shelter", **extra: object) -> Listing:
    values: dict[str, object] = {
        "service_id": "x", "name": name, "miles": 1.26, "approximate": False,
        "status": Status("open", until=dt.datetime(2026, 11, 24, 8, 0, tzinfo=TZ)),
        "phone": "650 368-4643", "address": "660 Veterans Blvd, Redwood City", "confidential": False,
    }  # fmt: skip
    values.update(extra)
    return Listing(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("“Safe” place’s", "\"Safe\" place's"), ("Beds 🛏️ tonight", "Beds  tonight"), ("Café", "Café"),
     ("Niño", "Niño"), ("Ó", "O"), ("a – b — c…", "a - b - c..."), ("[x] {y} ~ ^ € | \\", "(x) (y) -  EUR / /")],
)  # fmt: skip
def test_gsm7_text(text: str, expected: str) -> None:
    assert render.to_gsm7(text) == expected
    assert set(render.to_gsm7(text)) <= render.GSM7


@pytest.mark.parametrize(("length", "segments"), [(0, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_segments(length: int, segments: int) -> None:
    assert render.sms_segments("a" * length) == segments


@pytest.mark.parametrize(
    ("status", "short", "long"),
    [(Status("open", until=local(2026, 11, 24, 8, 0)), "open til 8am", "Open now until 8am"),
     (Status("open", until=local(2026, 11, 23, 23, 30)), "open til 11:30pm", "Open now until 11:30pm"),
     (Status("open"), "open 24h", "Open 24 hours"),
     (Status("closed", opens=local(2026, 11, 24, 9, 0)), "closed, opens 9am", "Closed now, opens 9am"),
     (Status("closed", opens=local(2026, 11, 25, 9, 0)), "closed, opens Wed 9am", "Closed now, opens Wed 9am"),
     (Status("closed"), "closed", "Closed now"),
     (Status("unknown"), "call first", "Hours unknown: call first")],
)  # fmt: skip
def test_status_words(status: Status, short: str, long: str) -> None:
    assert render.status_text(status, NOW, short=True) == short
    assert render.status_text(status, NOW) == long


def test_unknown_hours_never_say_open() -> None:
    for short in (True, False):
        assert "open" not in render.status_text(Status("unknown"), NOW, short).lower()


def test_sms_lines_shorten_until_they_fit_and_stay_gsm7() -> None:
    long_items = [item("“Very” long name of a shelter 🛏️ for everyone in the county " * 3, address="1234 Extraordinarily Long Boulevard Name, Redwood City") for _ in range(3)]  # fmt: skip
    for budget in (300, 220, 160):
        text = render.sms(long_items, 1, NOW, budget)
        assert len(text) <= budget
        assert set(text) <= render.GSM7
        assert text.count("\n") == 2
        assert "650 368-4643" in text
        assert "open til 8am" in text


def test_sms_shows_name_distance_status_phone_and_short_address() -> None:
    assert (
        render.sms([item()], 4, NOW, 306)
        == "4. Shelter, 1.3mi, open til 8am, 650 368-4643, 660 Veterans Blvd"
    )


def test_a_confidential_place_shows_its_city_only() -> None:
    secret = item("Refuge", confidential=True, miles=None, address="San Francisco")
    assert (
        render.sms([secret], 1, NOW, 306) == "1. Refuge, open til 8am, 650 368-4643, San Francisco"
    )
    assert "call for address" in render.rich([secret], 1, NOW)


def test_rich_listing_has_who_and_full_address() -> None:
    text = render.rich([item(gender="female", min_age=18, approximate=True, miles=22.4)], 1, NOW)
    assert text.splitlines() == [
        "1. Shelter (about 22 mi)", "   Open now until 8am", "   Phone: 650 368-4643",
        "   660 Veterans Blvd, Redwood City", "   For: women, 18+",
    ]  # fmt: skip


@pytest.mark.parametrize("need", NEEDS)
@pytest.mark.parametrize("place", ["Redwood City", "94401", "geo:37.65,-122.43", "Half Moon Bay"])
def test_every_sms_reply_fits_two_segments(built: Path, need: str, place: str) -> None:
    for page in range(3):
        reply = find(built, need, place, None, "sms", page, NOW, region(), say)
        assert len(reply.text) <= render.SMS_LIMIT, reply.text
        assert set(reply.text) <= render.GSM7, reply.text
        assert "24/7" in reply.text or "call 211" in reply.text  # a line, always


def test_rich_replies_list_up_to_five(built: Path) -> None:
    reply = find(built, "food", "San Francisco", None, "telegram", 0, NOW, region(), say)
    assert re.findall(r"^(\d+)\. ", reply.text, re.M) == ["1", "2", "3", "4", "5"]
    sms = find(built, "food", "San Francisco", None, "sms", 0, NOW, region(), say)
    assert re.findall(r"^(\d+)\. ", sms.text, re.M) == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("phone", "dialled", "tel"),
    [
        ("(650) 368-4643", "+1 650-368-4643", "tel:+1-650-368-4643"),
        ("650-403-4300 x4500", "+1 650-403-4300 ext. 4500", "tel:+1-650-403-4300;ext=4500"),
        ("1-800-799-7233", "+1 800-799-7233", "tel:+1-800-799-7233"),
        ("555-0199", "555-0199", None),  # dialled locally only: no link that cannot be called
        ("211", "211", None),
        ("call the front desk", "call the front desk", None),
        (None, None, None),
    ],
)
def test_a_phone_is_written_as_people_dial_it_and_linked_only_when_it_can_be_called(
    phone, dialled, tel
):
    assert render.dialable(phone, "US") == (dialled, tel)
