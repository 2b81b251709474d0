"""Web chat's JSON API and page, through the real app and a fake Rasa on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from scripts.fakes.base import wait_for
from tests.store_reads import counts

SENDER = "tab-0123456789abcdef"


async def chat(http: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{url}/api/webchat", json=body) as response:
        return response.status, await response.json()


@pytest.fixture
async def gateway(start_gateway, settings_for):
    return await start_gateway(settings_for())


async def test_a_turn_returns_rasas_replies(gateway, fake_rasa, http):
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


async def test_a_location_request_is_marked_for_the_page(gateway, http):
    _, body = await chat(http, gateway.url, {"sender": SENDER, "payload": "/find_shelter"})
    [ask] = body["replies"]
    assert ask["text"].startswith("Where are you now?")
    assert ask["request_location"] is True


async def test_a_risk_message_gets_the_crisis_reply_once(gateway, fake_rasa, http):
    _, body = await chat(
        http, gateway.url, {"sender": SENDER, "text": "I don't want to be alive anymore"}
    )
    # Rasa's own crisis text is left out: the client has it. With no staff configured here the
    # client is also told plainly that nobody can talk with them now.
    [crisis, nobody] = body["replies"]
    assert nobody["text"].startswith("I'm sorry, there is no one from our team")
    assert crisis["kind"] == "crisis"
    assert "call 911" in crisis["text"]
    assert "988" in crisis["text"]
    assert body["more"] is True
    assert body["pending"] is False
    await wait_for(lambda: fake_rasa.answered)
    assert fake_rasa.received[0].message == "I don't want to be alive anymore"
    assert fake_rasa.received[0].metadata["screen"] == {"risk": "self_harm", "tier": "clear"}
    assert fake_rasa.received[0].metadata["crisis_reply_sent"] is True


@pytest.mark.parametrize(
    "text",
    ["🙏🙏😢", "أحتاج مكانًا للنوم الليلة", "אני צריך מקום לישון", "a" * 4096, "line one\nline two"],
    ids=["only-emoji", "arabic-rtl", "hebrew-rtl", "4096-characters", "two-lines"],
)
async def test_any_words_reach_rasa_unchanged(gateway, fake_rasa, http, text):
    status, body = await chat(http, gateway.url, {"sender": SENDER, "text": text})
    assert status == 200
    assert fake_rasa.received[0].message == text
    assert body["replies"][0]["text"] == f"You said: {text}"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{not json", "not valid JSON"),
        ([SENDER, "hello"], "JSON object"),
        ({"text": "hello"}, "sender must be"),
        ({"sender": "", "text": "hello"}, "sender must be"),
        ({"sender": "x" * 129, "text": "hello"}, "sender must be"),
        ({"sender": "has spaces in it", "text": "hello"}, "sender must be"),
        ({"sender": SENDER}, "either text or payload"),
        ({"sender": SENDER, "text": "hi", "payload": "/greet"}, "either text or payload"),
        ({"sender": SENDER, "text": ""}, "text is empty"),
        ({"sender": SENDER, "text": "   \n "}, "text is empty"),
        ({"sender": SENDER, "text": 42}, "text must be a string"),
        ({"sender": SENDER, "text": "x" * 5000}, "too long (5000 characters; at most 4096)"),
        ({"sender": SENDER, "payload": "find_shelter"}, "payload must look like"),
        ({"sender": SENDER, "payload": "/find shelter"}, "payload must look like"),
        ({"sender": SENDER, "text": "hi", "id": "bad id!"}, "id must be"),
    ],
    ids=[
        "invalid-json",
        "not-an-object",
        "no-sender",
        "empty-sender",
        "129-character-sender",
        "sender-with-spaces",
        "no-text",
        "text-and-payload",
        "empty-text",
        "blank-text",
        "text-not-a-string",
        "5000-characters",
        "payload-without-slash",
        "payload-with-space",
        "bad-client-id",
    ],
)
async def test_bad_input_gets_400_with_a_reason_and_stores_nothing(
    gateway, fake_rasa, http, body, error
):
    if isinstance(body, str):
        request = http.post(
            f"{gateway.url}/api/webchat", data=body, headers={"Content-Type": "application/json"}
        )
    else:
        request = http.post(f"{gateway.url}/api/webchat", json=body)
    async with request as response:
        assert response.status == 400
        assert error in (await response.json())["error"]
    assert await counts(gateway.db) == {}
    assert fake_rasa.received == []


async def test_a_body_over_64_kib_is_refused(gateway, http):
    body = {"sender": SENDER, "text": "x" * 70_000}
    async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
        assert response.status == 413


async def test_a_retried_message_with_the_same_id_is_kept_once(gateway, fake_rasa, http):
    message = {"sender": SENDER, "text": "food", "id": "m1"}
    _, first = await chat(http, gateway.url, message)
    _, again = await chat(http, gateway.url, message)
    assert again["duplicate"] is True
    assert again["message_id"] == first["message_id"]
    assert again["replies"] == first["replies"]
    assert [r.message for r in fake_rasa.received] == ["food"]


async def test_when_rasa_is_down_the_page_is_told_and_the_answer_comes_later(
    gateway, fake_rasa, http
):
    await fake_rasa.stop()
    _, body = await chat(http, gateway.url, {"sender": SENDER, "text": "bed tonight"})
    assert body["pending"] is True
    [notice] = body["replies"]
    assert notice["kind"] == "notice"
    assert "call 911" in notice["text"]
    assert "211" in notice["text"]
    await fake_rasa.start()

    seen: list[dict[str, Any]] = []

    async def poll() -> None:
        after = max([notice["id"], *(m["id"] for m in seen)])
        url = f"{gateway.url}/api/webchat/messages?sender={SENDER}&after={after}"
        async with http.get(url) as response:
            seen.extend((await response.json())["messages"])

    for _ in range(100):  # as the page does, every 0.1 s here, for at most 10 s
        await poll()
        if seen:
            break
        await asyncio.sleep(0.1)
    assert [m["text"] for m in seen] == ["You said: bed tonight"]


async def test_a_short_sender_from_curl_can_talk(gateway, http):
    status, body = await chat(http, gateway.url, {"sender": "me", "text": "hello"})
    assert status == 200
    assert body["replies"][0]["text"] == "You said: hello"


@pytest.mark.parametrize(
    "query",
    ["", "?sender=me", "?sender=fifteen-chars-x", f"?sender={SENDER}&after=ten"],
    ids=["no-sender", "short-sender", "15-characters", "after-not-a-number"],
)
async def test_polling_with_bad_parameters_gets_400(gateway, http, query):
    async with http.get(f"{gateway.url}/api/webchat/messages{query}") as response:
        assert response.status == 400


async def test_the_page_has_quick_exit_and_leaves_no_trace(start_gateway, settings_for, http):
    gateway = await start_gateway(
        settings_for(quick_exit_url="https://weather.example.org/?q=1&x=2")
    )
    async with http.get(f"{gateway.url}/") as response:
        assert response.status == 200
        page = await response.text()
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'id="quick-exit"' in page
    assert 'content="https://weather.example.org/?q=1&amp;x=2"' in page
    assert "Call 911" in page
    async with http.get(f"{gateway.url}/static/chat.js") as response:
        assert response.status == 200
        assert "location.replace" in await response.text()


async def test_health_says_which_channels_run(gateway, http):
    async with http.get(f"{gateway.url}/health") as response:
        assert await response.json() == {"status": "ok", "channels": ["webchat"], "rasa": "up"}
