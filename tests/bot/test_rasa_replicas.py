"""Several Rasa replicas behind one gateway (bot/rasa.py), with fake replicas on loopback that
share one tracker, as real replicas share PostgreSQL: each conversation stays on its home
replica; while that one is down its conversations go to the next one up and come back when it
answers again; a turn that broke mid-way is never answered or recorded twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.errors import RasaUnavailable
from bot.rasa import MESSAGE_ID_KEY, RasaClient, RasaHealth
from bot.state import RASA
from scripts.fakes.base import LoopbackServer, wait_for
from scripts.fakes.rasa import FakeRasa

SENDER = "tab-0123456789abcdef"


class DiesMidTurn(LoopbackServer):
    """A replica that records the turn in the shared tracker, then loses the connection, as a
    Rasa killed between saving the tracker and answering."""

    def __init__(self, trackers: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__()
        self.trackers = trackers
        self.received: list[str] = []
        self.app.router.add_get("/", self._hello)
        self.app.router.add_post("/webhooks/rest/webhook", self._webhook)

    async def _hello(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa")

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body["message"])
        events = self.trackers.setdefault(body["sender"], [])
        events.append({"event": "user", "text": body["message"], "metadata": body["metadata"]})
        events.append({"event": "bot", "text": f"recorded: {body['message']}", "data": {}})
        assert request.transport is not None
        request.transport.abort()  # the connection breaks before the answer goes
        return web.json_response([])


@pytest.fixture
async def replicas() -> AsyncIterator[list[FakeRasa]]:
    """Three fake replicas sharing one tracker, each saying which model it runs."""
    servers = [FakeRasa() for _ in range(3)]
    for index, server in enumerate(servers):
        server.trackers = servers[0].trackers

        async def status(request: web.Request, index: int = index) -> web.Response:
            return web.json_response({"model_file": f"/srv/models/model-{index}.tar.gz"})

        server.app.router.add_get("/status", status)
        await server.start()
    yield servers
    for server in servers:
        await server.close()


@pytest.fixture
async def client(replicas) -> AsyncIterator[RasaClient]:
    async with aiohttp.ClientSession() as session:
        rasa = RasaClient(session, tuple(r.url for r in replicas), "", 5.0, probe_interval=0.05)
        yield rasa
        await rasa.close()


def sender_homed_on(client: RasaClient, base: str) -> str:
    return next(s for s in (f"conv-{i}" for i in range(1000)) if client.home(s) == base)


def turn(message_id: int) -> dict[str, Any]:
    return {"channel": "webchat", MESSAGE_ID_KEY: message_id}


def test_each_conversation_has_one_home_spread_over_the_replicas(client, replicas):
    senders = [f"conv-{i}" for i in range(300)]
    homes = [client.home(s) for s in senders]
    assert homes == [client.home(s) for s in senders]  # stable
    assert all(homes.count(r.url) > 60 for r in replicas)  # spread
    assert all(client.base_for(s) == client.home(s) for s in senders)


async def test_a_down_replica_s_conversations_go_to_the_next_one_and_come_back(client, replicas):
    first, second, third = replicas
    sender = sender_homed_on(client, first.url)
    other = sender_homed_on(client, third.url)
    assert [m.text for m in await client.send(sender, "hello", turn(1))] == ["You said: hello"]
    assert first.messages_from(sender) == ["hello"]

    await first.stop()  # connections refused from now on
    answer = await client.send(sender, "/greet", turn(2))  # answered in the same call
    assert answer[0].text == "Hi, what do you need?"
    assert second.messages_from(sender) == ["/greet"]
    assert not client.is_up(first.url)
    assert client.base_for(sender) == second.url
    assert client.base_for(other) == third.url  # other conversations stay where they are
    assert [e["text"] for e in first.trackers[sender] if e["event"] == "user"] == [
        "hello",
        "/greet",
    ]  # one conversation in the shared tracker, in order

    await first.start()
    await wait_for(lambda: client.is_up(first.url), timeout=5)  # the probe sees it answer
    await client.send(sender, "back home", turn(3))
    assert first.messages_from(sender) == ["hello", "back home"]
    assert second.messages_from(sender) == ["/greet"]


async def test_the_next_replica_up_is_taken_in_order_and_every_one_at_most_once(client, replicas):
    first, second, third = replicas
    sender = sender_homed_on(client, first.url)
    await first.stop()
    await second.stop()
    await client.send(sender, "hello", turn(1))
    assert third.messages_from(sender) == ["hello"]
    await third.stop()
    with pytest.raises(RasaUnavailable):
        await client.send(sender, "anyone?", turn(2))
    assert not client.any_up()


async def test_the_router_waits_for_any_replica_and_goes_on_when_one_answers(client, replicas):
    health = RasaHealth(client)
    sender = sender_homed_on(client, replicas[0].url)
    for replica in replicas:
        await replica.stop()
    with pytest.raises(RasaUnavailable, match="cannot reach Rasa"):
        await client.send(sender, "hello", turn(1))
    assert health.any_down()
    assert await health.wait_up(replicas[0].url, 0.2) is False

    await replicas[2].start()  # not its home: its conversations can still be answered
    assert await health.wait_up(replicas[0].url, 5) is True
    await client.send(sender, "hello", turn(1))
    assert replicas[2].messages_from(sender) == ["hello"]


async def test_a_turn_that_broke_mid_way_is_not_sent_twice(replicas):
    trackers = replicas[0].trackers
    async with DiesMidTurn(trackers) as dying, aiohttp.ClientSession() as session:
        client = RasaClient(session, (dying.url, replicas[1].url), "", 5.0, probe_interval=0.05)
        try:
            sender = sender_homed_on(client, dying.url)
            answer = await client.send(sender, "where can i sleep", turn(7))
            # The replica that died had recorded the turn: its answer is read from the shared
            # tracker through the next replica, and the message is not sent to it again.
            assert [m.text for m in answer] == ["recorded: where can i sleep"]
            assert dying.received == ["where can i sleep"]
            assert replicas[1].messages_from(sender) == []
            assert [e["event"] for e in trackers[sender]] == ["user", "bot"]
            await client.send(sender, "94063", turn(8))  # the next one goes as usual
            assert replicas[1].messages_from(sender) == ["94063"]
        finally:
            await client.close()


async def test_a_turn_that_broke_before_rasa_recorded_it_is_sent_again(client, replicas):
    first, second, _ = replicas
    sender = sender_homed_on(client, first.url)
    first.mode = "slow"
    first.delay = 30.0
    call = asyncio.create_task(client.send(sender, "hello", turn(3)))
    await wait_for(lambda: first.in_flight == 1)
    first.trackers.clear()  # as if Rasa had not saved the turn when it died
    await first.stop()  # the connection in flight breaks
    answer = await call
    assert answer[0].text == "You said: hello"
    assert second.messages_from(sender) == ["hello"]


async def test_pause_and_resume_follow_the_conversation_to_the_replica_up(client, replicas):
    first, second, _ = replicas
    sender = sender_homed_on(client, first.url)
    await first.stop()
    await client.append_events(sender, [{"event": "pause"}])
    assert second.controls_of(sender) == ["pause"]
    assert sender in second.paused


async def test_a_replica_answering_an_error_is_not_failed_over(client, replicas):
    first, second, _ = replicas
    sender = sender_homed_on(client, first.url)
    first.mode = "error"  # HTTP 500: the next replica would likely fail the same way
    with pytest.raises(RasaUnavailable, match="HTTP 500"):
        await client.send(sender, "hello", turn(1))
    assert second.messages_from(sender) == []
    assert client.is_up(first.url)


async def test_the_replicas_say_which_model_they_run(client, replicas):
    await replicas[1].stop()
    client.mark_down(replicas[1].url)
    assert await client.replicas() == [
        {"replica": 1, "up": True, "model": "model-0.tar.gz"},
        {"replica": 2, "up": False, "model": None},
        {"replica": 3, "up": True, "model": "model-2.tar.gz"},
    ]


async def test_health_says_which_replica_runs_which_model(
    start_gateway, settings_for, replicas, http
):
    gateway = await start_gateway(settings_for(rasa_urls=tuple(r.url for r in replicas)))
    async with http.get(f"{gateway.url}/health") as response:
        body = await response.json()
    assert body["rasa"] == "up"
    assert [r["model"] for r in body["replicas"]] == [f"model-{i}.tar.gz" for i in range(3)]


async def test_web_chat_is_answered_by_the_next_replica_while_its_own_is_down(
    start_gateway, settings_for, replicas, http
):
    first, second, _ = replicas
    gateway = await start_gateway(settings_for(rasa_urls=tuple(r.url for r in replicas)))
    senders = [f"tab-{i:016d}" for i in range(40)]
    rasa = gateway.app[RASA]
    sender = next(
        s for s in senders if rasa.home(gateway.conversation_id("webchat", s)) == first.url
    )
    conversation = gateway.conversation_id("webchat", sender)

    async def say(body: dict[str, Any]) -> dict[str, Any]:
        async with http.post(f"{gateway.url}/api/webchat", json={"sender": sender, **body}) as r:
            assert r.status == 200
            return dict(await r.json())

    first_reply = await say({"payload": "/greet"})
    assert first_reply["replies"][0]["text"] == "Hi, what do you need?"
    await first.stop()
    during = await say({"payload": "/find_shelter"})  # no outage notice: another replica answers
    assert [u["kind"] for u in during["replies"]] == ["reply"]
    assert during["replies"][0]["text"].startswith("Where are you now?")
    assert second.messages_from(conversation) == ["/find_shelter"]
    async with http.get(f"{gateway.url}/health") as response:
        health = await response.json()
    assert health["rasa"] == "degraded"
    assert [r["up"] for r in health["replicas"]] == [False, True, True]
