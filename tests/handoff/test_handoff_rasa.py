"""With the real Rasa and action servers (tests/servers.py): a case pauses the conversation in
Rasa, closing it resumes it, and Rasa does not hand the client off again from old context.

The client is on web chat; staff act through the desk (the Telegram and console sides are
tested elsewhere). What Rasa predicts on the client's next message after the resume is read from
its answers and its tracker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from actions.directory import build, db
from bot.handoff.model import Staff
from bot.state import HANDOFF
from scripts.fakes.base import wait_for
from tests.bot.test_gateway_rasa import ROOT
from tests.handoff.helpers import case_count, offer, only_case, settle
from tests.servers import RasaServers
from tests.store_helpers import events_of

pytestmark = pytest.mark.slow

STAFF = Staff("console:alex", "alex")
FINDING = "I'm finding a person to talk with you."


@pytest.fixture(scope="module")
def directory() -> None:
    path = db.db_path()
    build.ensure(path if path.is_absolute() else ROOT / path)


@pytest.fixture
async def gateway(
    rasa_servers: RasaServers, settings_for: Callable[..., Any], start_gateway, directory: None
):
    return await start_gateway(settings_for(**rasa_servers.gateway_settings(timeout=30.0)))


async def say(http: aiohttp.ClientSession, gateway, sender: str, words: dict) -> list[dict]:
    if "payload" in words:  # Rasa is driven by intent here, independent of the NLU model
        await offer(gateway, "webchat", sender, words["payload"])
    async with http.post(f"{gateway.url}/api/webchat", json={"sender": sender, **words}) as r:
        body = await r.json()
        assert r.status == 200, body
        return body["replies"]


def bot_actions_after_last_user(tracker: dict) -> list[str]:
    events = tracker["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e["name"] for e in events[last_user + 1 :] if e["event"] == "action"]


async def handoff_events(gateway, sender: str) -> int:
    events = await events_of(gateway.db, gateway.conversation_id("webchat", sender))
    return sum(kind == "handoff" for kind, _ in events)


async def close_case(gateway, rasa_servers, sender) -> None:
    desk = gateway.app[HANDOFF].desk
    case = await only_case(gateway)
    await desk.reply(case.id, STAFF, "Hi, I'm here. We'll sort something out.", "console:t:1")
    await desk.close(case.id, STAFF, None)
    await settle(gateway, timeout=60)
    cid = gateway.conversation_id("webchat", sender)
    await wait_for(lambda: rasa_servers.tracker(cid)["paused"] is False, timeout=30)


async def test_after_a_case_opened_by_rasa_the_bot_does_not_hand_off_again(
    gateway, rasa_servers, http
):
    sender = "handoff-rasa-fallback-0001"
    cid = gateway.conversation_id("webchat", sender)
    # Two messages the model does not understand (as payloads: independent of the NLU model).
    await say(http, gateway, sender, {"payload": "/nlu_fallback"})
    [offer] = await say(http, gateway, sender, {"payload": "/nlu_fallback"})
    assert [b["payload"] for b in offer["buttons"]] == ["/request_human", "/deny"]
    replies = await say(http, gateway, sender, {"payload": "/affirm"})  # yes to a person
    assert [r["text"][: len(FINDING)] for r in replies] == [FINDING]  # Rasa's words, once
    await settle(gateway, timeout=60)
    case = await only_case(gateway)
    assert (case.status, case.reason) == ("waiting", "request_human")
    await wait_for(lambda: rasa_servers.tracker(cid)["paused"] is True, timeout=30)

    # While the case is open, the client's words go to staff; Rasa does not see them.
    before = len(rasa_servers.tracker(cid)["events"])
    await say(http, gateway, sender, {"text": "hello? anyone?"})
    await say(http, gateway, sender, {"payload": "/affirm"})
    await settle(gateway, timeout=60)
    assert len(rasa_servers.tracker(cid)["events"]) == before

    await close_case(gateway, rasa_servers, sender)
    handoffs = await handoff_events(gateway, sender)

    replies = await say(http, gateway, sender, {"payload": "/affirm"})  # "yes" again
    actions = bot_actions_after_last_user(rasa_servers.tracker(cid))
    assert "utter_handoff" not in actions
    assert "action_handoff" not in actions
    assert not any(r["text"].startswith(FINDING) for r in replies)
    assert await handoff_events(gateway, sender) == handoffs
    assert await case_count(gateway) == 1  # no new case

    [ask] = await say(http, gateway, sender, {"payload": "/find_food"})
    assert ask["text"].startswith("Where are you now?")  # the bot works as ever


async def test_after_a_case_opened_mid_search_the_old_question_is_gone(gateway, rasa_servers, http):
    sender = "handoff-rasa-mid-search-0002"
    cid = gateway.conversation_id("webchat", sender)
    [ask] = await say(http, gateway, sender, {"payload": "/find_shelter"})
    assert ask["text"].startswith("Where are you now?")
    replies = await say(http, gateway, sender, {"text": "talk to a person"})  # the gateway's own
    assert [r["text"][: len(FINDING)] for r in replies] == [FINDING]  # said once, by the gateway
    await settle(gateway, timeout=60)
    case = await only_case(gateway)
    assert case.details.get("need") == "shelter"  # what Rasa understood, for the staff summary
    assert rasa_servers.tracker(cid)["active_loop"] == {}  # the search stopped
    await wait_for(lambda: rasa_servers.tracker(cid)["paused"] is True, timeout=30)

    await close_case(gateway, rasa_servers, sender)
    replies = await say(http, gateway, sender, {"payload": "/greet"})
    actions = bot_actions_after_last_user(rasa_servers.tracker(cid))
    assert "utter_handoff" not in actions
    assert "action_handoff" not in actions
    assert replies
    assert not any(r["text"].startswith(FINDING) for r in replies)
    assert rasa_servers.tracker(cid)["latest_action_name"] == "action_listen"
    assert await case_count(gateway) == 1
