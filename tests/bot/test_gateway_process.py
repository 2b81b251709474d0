"""``python -m bot`` as a process: it starts, talks on every channel, logs no identity, stops."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.process import GatewayProcess, free_port
from scripts.fakes.telegram import BOT_TOKEN
from scripts.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, post_sms, sms_form

ROOT = Path(__file__).resolve().parents[2]
CHAT = 987654321
PHONE = "+16505550177"


@pytest.fixture
async def run_gateway(tmp_path: Path) -> AsyncIterator[Callable[..., GatewayProcess]]:
    started: list[GatewayProcess] = []

    def make(**env: str) -> GatewayProcess:
        full = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(ROOT),
            "GATEWAY_PORT": str(free_port()),
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
            "RASA_TIMEOUT": "2",
            **env,
        }
        process = GatewayProcess(full, tmp_path)
        started.append(process)
        return process

    yield make
    for process in started:
        if process.process is not None and process.process.returncode is None:
            await process.stop()


def fakes_env(rasa, telegram, twilio, **env: str) -> dict[str, str]:
    """The settings of a gateway process that talks to these fake Rasa, Telegram and Twilio."""
    return {
        "RASA_URL": rasa.url,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_URL": telegram.url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_URL": twilio.url,
        **env,
    }


async def test_a_conversation_on_each_channel_leaves_no_identity_in_the_logs(
    run_gateway, fake_rasa, fake_telegram, fake_twilio
):
    gateway = run_gateway(**fakes_env(fake_rasa, fake_telegram, fake_twilio, LOG_LEVEL="DEBUG"))
    gateway.env["PUBLIC_URL"] = (
        gateway.url
    )  # Twilio signs the public URL; Telegram then uses a webhook
    await gateway.start()
    await wait_for(lambda: fake_telegram.webhook_url is not None)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "/start"))
    # Once "he has a knife" opens a case, what the client sent before and Rasa has not yet
    # answered goes to staff instead: wait for the greeting, so that Rasa gets both.
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) == 1)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "he has a knife"))
    async with aiohttp.ClientSession() as http:
        status, _ = await post_sms(
            http, f"{gateway.url}/sms/twilio", sms_form(PHONE, "food please")
        )
        assert status == 200
        async with http.post(
            f"{gateway.url}/api/webchat", json={"sender": "tab-abcdef0123456789", "text": "hello"}
        ) as response:
            assert (await response.json())["replies"][0]["text"] == "You said: hello"
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) >= 2 and len(fake_twilio.sent) == 1)
    await wait_for(lambda: len(fake_rasa.received) == 4)
    assert await gateway.stop() == 0

    logs = gateway.stderr
    assert "stored" in logs  # the gateway did log its work
    assert "handoff requested" in logs
    for secret in (str(CHAT), PHONE, PHONE[2:], BOT_TOKEN, BOT_TOKEN.split(":")[1], AUTH_TOKEN):
        assert secret not in logs
    for words in ("he has a knife", "food please"):
        assert words not in logs


async def test_the_access_log_never_writes_a_web_chat_sender(run_gateway, fake_rasa):
    gateway = run_gateway(RASA_URL=fake_rasa.url, LOG_LEVEL="DEBUG")  # a line per request
    await gateway.start()
    sender = "tab-0123456789abcdef0123456789"  # the only key to this conversation's history
    async with aiohttp.ClientSession() as http:
        body = {"sender": sender, "text": "hello"}
        async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
            assert response.status == 200
        query = {"sender": sender, "after": "0"}
        async with http.get(f"{gateway.url}/api/webchat/messages", params=query) as response:
            assert response.status == 200
    assert await gateway.stop() == 0
    assert 'GET /api/webchat/messages?sender=[hidden]&after=0 HTTP/1.1" 200' in gateway.stderr
    assert sender not in gateway.stderr
    assert "conv:" in gateway.stderr  # the conversation is named in the log, by its hash


async def test_by_default_the_log_has_a_line_per_event_not_per_request(run_gateway, fake_rasa):
    gateway = run_gateway(RASA_URL=fake_rasa.url, LOG_LEVEL="INFO")
    await gateway.start()
    async with aiohttp.ClientSession() as http:
        body = {"sender": "tab-quiet-0123456789", "text": "hello"}
        async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
            assert response.status == 200
        for _ in range(5):  # the page polls every 3 s: that is not an event
            query = {"sender": "tab-quiet-0123456789", "after": "0"}
            async with http.get(f"{gateway.url}/api/webchat/messages", params=query) as r:
                assert r.status == 200
    assert await gateway.stop() == 0
    assert "HTTP/1.1" not in gateway.stderr
    assert "webchat message 1 stored" in gateway.stderr
    assert "message 1 answered" in gateway.stderr
    assert "Warning" not in gateway.stderr


async def test_with_no_accounts_web_chat_runs_alone_and_says_so(run_gateway, fake_rasa):
    gateway = run_gateway(RASA_URL=fake_rasa.url)
    await gateway.start()
    async with aiohttp.ClientSession() as http, http.get(f"{gateway.url}/health") as response:
        assert (await response.json())["channels"] == ["webchat"]
    assert await gateway.stop() == 0
    assert "running web chat alone" in gateway.stderr


async def test_pending_messages_survive_a_stop_and_are_answered_after_a_start(
    run_gateway, fake_rasa
):
    await fake_rasa.stop()
    gateway = run_gateway(RASA_URL=fake_rasa.url)
    await gateway.start()
    async with aiohttp.ClientSession() as http:
        body = {"sender": "tab-abcdef0123456789", "text": "bed tonight"}
        async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
            assert (await response.json())["pending"] is True
    assert await gateway.stop() == 0
    await fake_rasa.start()
    again = run_gateway(RASA_URL=fake_rasa.url, GATEWAY_PORT=gateway.port)
    await again.start()
    await wait_for(lambda: [r.message for r in fake_rasa.received] == ["bed tonight"])
    assert await again.stop() == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GATEWAY_PORT": "http"}, "GATEWAY_PORT='http'"),
        ({"TWILIO_AUTH_TOKEN": "x"}, "missing: TWILIO_ACCOUNT_SID"),
        ({"REGION_FILE": "/nonexistent/region.yml"}, "cannot read region file"),
    ],
)
async def test_a_bad_setting_stops_start_up_with_a_clear_message(run_gateway, env, message):
    gateway = run_gateway(**env)
    await gateway.spawn()
    assert gateway.process is not None
    assert await asyncio.wait_for(gateway.process.wait(), 30) == 2
    assert await gateway.stop() == 2
    assert message in gateway.stderr
    assert "Traceback" not in gateway.stderr
