"""Web chat's JSON API and page, through the real app and a fake Rasa on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from bot.db import inbound
from bot.state import INBOX
from scripts.fakes.base import wait_for
from tests.store_helpers import counts, events_of

SENDER = "tab-0123456789abcdef"


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


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
        "/language_es",  # a conversation's first reply offers the region's other language
    ]
    received = fake_rasa.received[-1]
    assert received.sender == gateway.conversation_id("webchat", SENDER)
    assert received.metadata["channel"] == "webchat"


async def test_a_location_request_is_marked_for_the_page(gateway, http):
    await chat(http, gateway.url, {"sender": SENDER, "payload": "/greet"})  # offers /find_shelter
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
    assert fake_rasa.received[0].metadata["screen"] == {
        "risk": "self_harm",
        "tier": "clear",
        "language": "en",
    }
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
        ({"sender": SENDER}, "one of text, payload or location"),
        ({"sender": SENDER, "text": "hi", "payload": "/greet"}, "one of text, payload or location"),
        ({"sender": SENDER, "text": ""}, "text is empty"),
        ({"sender": SENDER, "text": "   \n "}, "text is empty"),
        ({"sender": SENDER, "text": 42}, "text must be a string"),
        ({"sender": SENDER, "text": "x" * 5000}, "too long (5000 characters; at most 4096)"),
        ({"sender": SENDER, "payload": "find_shelter"}, "payload must look like"),
        ({"sender": SENDER, "payload": "/find shelter"}, "payload must look like"),
        ({"sender": SENDER, "text": "hi", "id": "bad id!"}, "id must be"),
        ({"sender": SENDER, "payload": "/risk_immediate_danger"}, "not a button this conversation"),
        ({"sender": SENDER, "payload": "/find_shelter"}, "not a button this conversation"),
        ({"sender": SENDER, "location": "Redwood City"}, "location must be"),
        ({"sender": SENDER, "location": {"latitude": "37", "longitude": 1}}, "location must be"),
        ({"sender": SENDER, "location": {"latitude": 999, "longitude": 1}}, "latitude must be"),
        ({"sender": SENDER, "location": {"latitude": 1, "longitude": -181}}, "longitude must be"),
        ("[" * 30_000 + "]" * 30_000, "nested deeper than 32 levels"),
        ({"sender": SENDER, "text": "hi", "x": nested(40)}, "nested deeper than 32 levels"),
        (f'{{"sender": "{SENDER}", "text": "help \\ud800 me"}}', "lone surrogate (U+D800)"),
        (f'{{"sender": "{SENDER}", "text": "hi", "\\udfff": 1}}', "lone surrogate (U+DFFF)"),
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
        "forged-risk-payload",
        "payload-never-offered",
        "location-as-words",
        "latitude-as-a-string",
        "latitude-999",
        "longitude-out-of-range",
        "30000-deep-json",
        "40-deep-json",
        "lone-surrogate-in-text",
        "lone-surrogate-in-a-key",
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


@pytest.mark.parametrize(
    ("typed", "to_rasa"),
    [
        ("/risk_immediate_danger", "risk immediate danger"),
        ("/request_human", "request human"),
        ('/inform_location{"location":"<img src=x onerror=alert(1)>"}', "inform location"),
        ("/greet@0.99 hello", "greet hello"),
        ("  //find_food please", "find food please"),
    ],
    ids=["risk-intent", "handoff-intent", "entity-injection", "confidence", "two-slashes"],
)
async def test_typed_text_reaches_rasa_as_words_never_as_an_intent(
    gateway, fake_rasa, http, typed, to_rasa
):
    status, body = await chat(http, gateway.url, {"sender": SENDER, "text": typed})
    assert status == 200
    assert [r.message for r in fake_rasa.received] == [to_rasa]
    assert "<img" not in str(body)
    assert await events_of(gateway.db, gateway.conversation_id("webchat", SENDER)) == []


async def test_typed_risk_intent_is_words_the_safety_screen_reads(gateway, fake_rasa, http):
    _, body = await chat(http, gateway.url, {"sender": SENDER, "text": "/risk_self_harm"})
    assert body["replies"][0]["kind"] == "crisis"  # "risk self harm": the screen's own words
    record = await gateway.db.run(inbound.get, body["message_id"])
    assert (record.text, record.kind) == ("risk self harm", "text")


async def test_only_a_slash_is_no_words(gateway, fake_rasa, http):
    _, body = await chat(http, gateway.url, {"sender": SENDER, "text": "/"})
    assert body["replies"][0]["text"].startswith("I didn't get any words there.")
    assert fake_rasa.received == []


async def test_a_button_the_conversation_was_offered_is_sent_as_its_payload(
    gateway, fake_rasa, http
):
    _, greeting = await chat(http, gateway.url, {"sender": SENDER, "payload": "/greet"})
    offered = [b["payload"] for b in greeting["replies"][0]["buttons"]]
    assert "/find_food" in offered
    status, _ = await chat(http, gateway.url, {"sender": SENDER, "payload": "/find_food"})
    assert status == 200
    other = "tab-someone-else-0001"  # offered to one conversation, not to another
    status, _ = await chat(http, gateway.url, {"sender": other, "payload": "/find_food"})
    assert status == 400
    assert [r.message for r in fake_rasa.received] == ["/greet", "/find_food"]


async def test_a_shared_location_is_sent_as_coordinates(gateway, fake_rasa, http):
    location = {"latitude": 37.485221, "longitude": -122.23635}
    status, _ = await chat(http, gateway.url, {"sender": SENDER, "location": location})
    assert status == 200
    assert fake_rasa.received[0].message == '/inform_location{"location":"geo:37.48522,-122.23635"}'


async def test_a_body_that_is_not_utf8_gets_400(gateway, http):
    body = b'{"sender": "me", "text": "caf\xe9"}'  # Latin-1
    headers = {"Content-Type": "application/json"}
    async with http.post(f"{gateway.url}/api/webchat", data=body, headers=headers) as response:
        assert response.status == 400
        assert "not UTF-8" in (await response.json())["error"]


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
    [
        "",
        "?sender=me",
        "?sender=fifteen-chars-x",
        f"?sender={SENDER}&after=ten",
        f"?sender={SENDER}&after={'9' * 40}",
        f"?sender={SENDER}&after=-1",
    ],
    ids=["no-sender", "short-sender", "15-characters", "after-not-a-number", "after-40-digits",
         "after-negative"],
)  # fmt: skip
async def test_polling_with_bad_parameters_gets_400(gateway, http, query):
    async with http.get(f"{gateway.url}/api/webchat/messages{query}") as response:
        assert response.status == 400
        assert (await response.json())["error"]


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
        assert await response.json() == {
            "status": "ok",
            "channels": ["webchat"],
            "rasa": "up",
            "replicas": [{"replica": 1, "up": True, "model": None}],  # the fake has no /status
            "screen_opinion": None,  # so no model to read the risk regression from
        }


async def test_a_failure_nobody_foresaw_is_logged_and_answered_503_not_500(gateway, http, caplog):
    async def broken(incoming: Any) -> None:
        raise RuntimeError("a bug")

    gateway.app[INBOX].accept = broken
    status, body = await chat(http, gateway.url, {"sender": SENDER, "text": "bed tonight"})
    assert status == 503
    assert body["error"] == "the gateway could not handle this request: send it again"
    assert "POST /api/webchat failed: RuntimeError" in caplog.text
    assert "bed tonight" not in caplog.text


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", f'{{"sender": "{SENDER}", "text": "hi"}}'),
        ("application/x-www-form-urlencoded", f"sender={SENDER}&text=hi"),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
    ids=["text-plain", "a-form", "multipart"],
)
async def test_a_body_another_site_could_send_without_asking_is_refused(
    gateway, fake_rasa, http, content_type, data
):
    headers = {"Content-Type": content_type}
    async with http.post(f"{gateway.url}/api/webchat", data=data, headers=headers) as response:
        assert response.status == 415
        assert "application/json" in (await response.json())["error"]
    assert await counts(gateway.db) == {}


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("https://evil.example", 403),
        ("null", 403),
        ("http://127.0.0.1.evil.example", 403),
        (None, 200),  # curl
        ("self", 200),  # the page itself
        ("https://help.example.org", 200),  # PUBLIC_URL, behind a proxy
    ],
)
async def test_only_the_gateways_own_page_may_post_from_a_browser(
    start_gateway, settings_for, fake_rasa, http, origin, status
):
    gateway = await start_gateway(settings_for(public_url="https://help.example.org"))
    headers = {} if origin is None else {"Origin": gateway.url if origin == "self" else origin}
    body = {"sender": SENDER, "text": "hello"}
    async with http.post(f"{gateway.url}/api/webchat", json=body, headers=headers) as response:
        assert response.status == status
        if status == 403:
            assert "gateway's own page" in (await response.json())["error"]
    assert len(fake_rasa.received) == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("query", "accept", "language"),
    [
        ("", "es-MX,es;q=0.9,en;q=0.8", "es"),
        ("", "en-US,en;q=0.9,es;q=0.8", "en"),
        ("", "fr-FR,fr;q=0.9,es;q=0.5", "es"),  # the first language the region has
        ("", "fr-FR", "en"),
        ("", "es;q=nonsense, en", "en"),
        ("?lang=es", "en-US", "es"),  # the link without a script
        ("?lang=xx", "es", "es"),
        ("", "", "en"),
    ],
)
async def test_the_page_opens_in_the_language_asked_or_the_browsers(
    gateway, http, query, accept, language
):
    async with http.get(f"{gateway.url}/{query}", headers={"Accept-Language": accept}) as response:
        assert response.status == 200
        assert response.headers["Vary"] == "Accept-Language"
        page = await response.text()
    assert f'<html lang="{language}">' in page
    heading = {"en": "Find help near you", "es": "Encuentra ayuda cerca de ti"}[language]
    assert f'<h1 data-text="title">{heading}</h1>' in page
    other = {"en": "es", "es": "en"}[language]
    assert f'href="?lang={other}"' in page
