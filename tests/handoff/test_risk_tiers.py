"""A risk signal adds, it never replaces (issue 8): the gateway's side of the tiers.

- A clear signal gets the crisis reply at once and a high-risk case, and the client's own words
  still reach Rasa: what they asked for beside the risk reaches them too.
- An uncertain signal sends nothing at once and opens no case: Rasa hears the words with what
  the screen found, answers what was asked and checks ("Are you safe right now?").
- The crisis reply never waits for Rasa, on web chat either.
- A clear pattern the live model's risk regression overrules (bot/safety/opinion.py) is an
  uncertain signal: nothing at once, no case.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from bot.state import OPINION
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import STAFF_CHAT
from tests.handoff.helpers import case_count, only_case, settle, topic_in
from tests.risk_models import OVERRULED, archive

CLIENT = 555000888
WEB = "risk-tiers-web-chat-client-01"
DIE_AND_BED = "i want to die, i need a bed in redwood city"
SHELTERS = "Places to sleep near Redwood City: Safe Harbor Shelter, open now."
RASA_CRISIS_AND_SHELTERS = [
    {"text": "Rasa: I'm really glad you told me. Call 911."},
    {"custom": {"handoff": {"reason": "risk_self_harm", "risk": "high"}}},
    {"custom": {"handoff": {"reason": "risk_self_harm", "risk": "high", "need": "shelter"}}},
    {"text": SHELTERS},
]


async def test_a_clear_risk_with_a_need_gets_the_crisis_reply_a_case_and_the_services(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    fake_rasa.script[DIE_AND_BED] = RASA_CRISIS_AND_SHELTERS
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, DIE_AND_BED))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    assert "HIGH RISK" in topic.name
    await wait_for(lambda: len(fake_telegram.texts_to(CLIENT)) >= 2)
    await settle(gateway)
    said = fake_telegram.texts_to(CLIENT)
    assert said[0].startswith("I'm really glad you told me.")  # the gateway's, at once
    assert SHELTERS in said  # what they asked for, beside the risk
    assert not any(t.startswith("Rasa: I'm really glad") for t in said)  # the crisis text once
    received = fake_rasa.received[0]
    assert received.message == DIE_AND_BED  # the words, not an intent
    assert received.metadata["screen"] == {"risk": "self_harm", "tier": "clear", "language": "en"}
    case = await only_case(gateway)
    assert case.risk == "high"
    assert case.details.get("need") == "shelter"


async def test_an_uncertain_signal_opens_no_case_and_sends_nothing_at_once(
    start_gateway, settings_for, fake_telegram, fake_rasa
):
    text = "i cant do this anymore, need help paying my rent"
    fake_rasa.script[text] = [
        {"text": "Where are you now?"},
    ]
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, text))
    await wait_for(lambda: fake_telegram.texts_to(CLIENT))
    await settle(gateway)
    assert fake_telegram.texts_to(CLIENT) == ["Where are you now?"]  # no crisis reply
    assert await case_count(gateway) == 0  # nobody paged for words said in passing
    received = fake_rasa.received[0]
    assert received.message == text
    assert received.metadata["screen"] == {
        "risk": "self_harm",
        "tier": "uncertain",
        "language": "en",
    }
    assert "crisis_reply_sent" not in received.metadata


async def test_a_clear_pattern_the_live_models_regression_overrules_opens_no_case(
    start_gateway, settings_for, fake_telegram, fake_rasa, tmp_path: Path
):
    """The gateway reads the risk model of the live model (models/live.json of its project)."""
    model = archive(tmp_path / "project" / "models" / "model-tiny.tar.gz")
    (model.parent / "live.json").write_text(json.dumps({"live": str(model)}))
    fake_rasa.script[OVERRULED] = [{"text": "Here is legal help near you."}]
    gateway = await start_gateway(
        settings_for(telegram=fake_telegram, project_dir=str(tmp_path / "project"))
    )
    for _ in range(500):  # read in a thread once the gateway has started
        if gateway.app[OPINION].model == model.name:
            break
        await asyncio.sleep(0.01)
    assert gateway.app[OPINION].model == model.name
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, OVERRULED))
    await wait_for(lambda: fake_telegram.texts_to(CLIENT))
    await settle(gateway)
    assert fake_telegram.texts_to(CLIENT) == ["Here is legal help near you."]  # no crisis reply
    assert await case_count(gateway) == 0
    received = fake_rasa.received[0]
    assert received.metadata["screen"] == {"risk": "danger", "tier": "uncertain", "language": "en"}
    assert "crisis_reply_sent" not in received.metadata


async def test_an_uncertain_signal_while_rasa_is_down_still_gets_the_lines(
    start_gateway, settings_for, fake_rasa, http: aiohttp.ClientSession
):
    gateway = await start_gateway(settings_for())
    await fake_rasa.stop()
    body = {"sender": WEB, "text": "i cant do this anymore"}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        data = await response.json()
    assert data["pending"] is True
    said = [r["text"] for r in data["replies"]]
    assert said[0].startswith("Sorry, I can't look things up right now.")
    assert said[1].startswith("If you are not safe right now, call 911.")
    assert "988" in said[1]


async def test_web_chat_returns_the_crisis_reply_without_waiting_for_rasa(
    start_gateway, settings_for, fake_rasa, http: aiohttp.ClientSession
):
    fake_rasa.mode, fake_rasa.delay = "slow", 30.0  # Rasa hung: it answers nothing for 30 s
    gateway = await start_gateway(settings_for())
    body = {"sender": WEB, "text": "i want to kill myself"}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        data = await response.json()
    assert fake_rasa.answered == []  # answered before Rasa did
    assert data["more"] is True
    assert data["pending"] is False
    assert data["replies"][0]["kind"] == "crisis"
    assert "988" in data["replies"][0]["text"]
    await wait_for(lambda: fake_rasa.received)  # the words still go to Rasa
    assert fake_rasa.received[0].message == "i want to kill myself"
