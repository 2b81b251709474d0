"""Web chat's JSON API, through the real app and a fake Rasa on loopback."""

from __future__ import annotations

from typing import Any

import aiohttp

SENDER = "tab-0123456789abcdef"


async def chat(http: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{url}/api/webchat", json=body) as response:
        return response.status, await response.json()


async def test_a_turn_returns_rasas_replies(start_gateway, settings_for, fake_rasa, http):
    gateway = await start_gateway(settings_for())
    status, body = await chat(http, gateway.url, {"sender": SENDER, "payload": "/greet"})
    assert status == 200
    assert body["pending"] is False
    [reply] = body["replies"]
    assert reply["text"] == "Hi, what do you need?"
    assert [b["payload"] for b in reply["buttons"]] == [
        "/find_shelter",
        "/find_food",
        "/request_human",
    ]
    received = fake_rasa.received[-1]
    assert received.sender == gateway.conversation_id("webchat", SENDER)
    assert received.metadata["channel"] == "webchat"
