"""Every Spanish text a client can get by SMS stays in GSM-7 and within the reply budget.

GSM-7 has é, ñ, ü, ¿ and ¡ but not á, í, ó, ú: one of those would make the whole reply UCS-2,
70 characters a segment. The SMS renderer folds only what it must (never ñ: "año" is not
"ano") and splits a long reply into parts of at most two segments. Checked here for every text
of the gateway's catalogue and every Spanish variation of Rasa's responses, as SMS renders them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import gsm
from bot.app import region_values
from bot.messages import NAMES, load_messages
from bot.model import BotMessage
from bot.render import render
from region import load_region

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_messages(region_values(load_region()))


def domain_spanish() -> list[tuple[str, str]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    found = []
    for name, variations in domain["responses"].items():
        for variation in variations:
            conditions = variation.get("condition") or []
            spanish = any(
                c.get("name") == "language" and c.get("value") == "es" for c in conditions
            )
            if spanish and variation.get("text"):
                found.append((name, variation["text"]))
    return found


SPANISH = [
    (name, getattr(CATALOG.of("es"), name)) for name in NAMES if not name.startswith("page_")
]
SPANISH += domain_spanish()


def test_there_are_spanish_responses_in_the_domain():
    assert len(domain_spanish()) >= 15  # every response has one (tests/nlu checks that)


@pytest.mark.parametrize(("name", "text"), SPANISH, ids=[n for n, _ in SPANISH])
def test_a_spanish_reply_is_gsm7_within_two_segments_and_keeps_its_enye(name, text):
    bodies = [
        u.body["text"] for u in render("sms", [BotMessage(text)], "reply", CATALOG.of("es")).items
    ]
    for body in bodies:
        assert gsm.to_gsm(body) == body, body  # nothing left that would make it UCS-2
        assert gsm.segments(body) <= gsm.MAX_SEGMENTS, body
    joined = " ".join(bodies)
    assert joined.count("ñ") == text.count("ñ")
    assert joined.count("¿") == text.count("¿")
