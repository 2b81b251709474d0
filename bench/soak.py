"""The soak: 10,000 messages over Telegram, SMS and web chat to two Rasa replicas, while one
replica is killed and started again twice and the gateway is restarted once; then every
client's replies are counted from what the fake providers received.

    .venv/bin/python bench/soak.py [--messages 10000] [--rate 15] [--duplicates 0.05]
                                   [--rounds 1]

The processes are those of `RASA_REPLICAS=2 make run` (bench/processes.py): an action server,
two Rasa replicas on PostgreSQL and Redis, and the gateway with Telegram (webhook), SMS and web
chat, whose Telegram and Twilio are fakes in this process (scripts/fakes).

Each client (channels in turn) asks "where can i sleep tonight", then, each time a reply
arrives and a second has passed, sends one of four ZIP codes, each different: every reply
names the place it answers ("Near 94061 ..."), so a client's replies can be matched to its
messages and their order checked. Messages go out at ``--rate`` a second (open loop: a waiting
client's next message, else a new client's first), each delivered until the gateway accepts it,
as Telegram and Twilio retry and the web chat page resends; ``--duplicates`` of them are
delivered a second time, with the same Telegram update_id, Twilio MessageSid or web chat id.

Meanwhile ``rasa-1`` is killed with SIGKILL at 20% and 60% of the messages and started again
``--down`` seconds later, and the gateway is stopped (SIGTERM) at 40% and started again.

At the end (after the replies have had up to ``--drain`` seconds to arrive), from the fakes'
records and web chat's history: **lost** (a message whose reply never came), **doubled** (a
reply that came twice), **out of order** (a client whose replies came in another order than
its messages), and the outage notices clients saw. Results: results/bench/soak.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, report, unpooled_session
from bench.processes import memory_mb, start_setup
from scripts.fakes import telegram as tg
from scripts.fakes.telegram import BOT_TOKEN, WEBHOOK_SECRET, FakeTelegram
from scripts.fakes.twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    FakeTwilio,
    signature,
    sms_form,
)
from scripts.stack import free_port

ASK = "where can i sleep tonight"
ASKED = "Where are you now?"
# ZIP codes of the region, each with services near it; a client sends four different ones.
ZIPS = ["94063", "94061", "94062", "94065", "94401", "94402", "94403", "94404", "94010",
        "94025", "94030", "94044", "94066", "94080", "94014", "94015", "94070", "94002"]  # fmt: skip
STEPS = 5  # the question, then four places
# How a reply to a place begins (actions/texts.yml, directory_*): the place is in it.
PLACE = re.compile(
    r"^(?:Near|More near|That's all I have near) (\d{5})"
    r"|^Nothing within \d+ miles of (\d{5})"
    r"|^I found nothing for that within \d+ miles of (\d{5})"
)
NOTICE = "Sorry, I can't look things up right now"
THINK_SECONDS = 1.0
DELIVERY_LIMIT = 180.0  # a message the gateway has not accepted by then counts as undelivered
CHANNELS = ("telegram", "sms", "webchat")
Fault = Callable[[], Awaitable[None]]


def marker(text: str) -> str | None:
    """What a reply answers: ``ask`` for the question, a ZIP code for a place; None for the
    rest of a reply (a second SMS part, the 24/7 line) and for notices."""
    if text.startswith(ASKED):
        return "ask"
    found = PLACE.match(text)
    return next((g for g in found.groups() if g), None) if found else None


@dataclass
class Client:
    name: str  # the chat id, phone number or web chat sender
    channel: str
    zips: list[str]
    step: int = 0  # messages sent
    ready_at: float | None = 0.0  # None while its last message waits for a reply
    sent: list[str] = field(default_factory=list)  # the marker each message expects
    sent_at: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def next_text(self) -> str:
        return ASK if self.step == 0 else self.zips[self.step - 1]

    def next_marker(self) -> str:
        return "ask" if self.step == 0 else self.zips[self.step - 1]


class Soak:
    def __init__(self, http: aiohttp.ClientSession, gateway_url: str, telegram: FakeTelegram,
                 twilio: FakeTwilio, duplicates: float) -> None:  # fmt: skip
        self.http, self.url = http, gateway_url
        self.telegram, self.twilio = telegram, twilio
        self.duplicates = duplicates
        self.clients: dict[str, Client] = {}
        self.by_address: dict[str, Client] = {}
        self.ids = itertools.count(1_000)
        self.undelivered = 0
        self.duplicated = 0
        self.delivery_retries = 0
        self.tasks: list[asyncio.Task[None]] = []
        telegram.on_send = lambda sent: self.arrived(str(sent.chat_id), sent.text or "")
        twilio.on_send = lambda sms: self.arrived(sms.to, sms.body)

    def new_client(self, number: int) -> Client:
        channel = CHANNELS[number % 3]
        name = {
            "telegram": str(40_000_000 + number),
            "sms": f"+1628{number:07d}",
            "webchat": f"soak-{number:08d}-{os.urandom(4).hex()}",
        }[channel]
        client = Client(name, channel, random.sample(ZIPS, STEPS - 1))
        self.clients[name] = client
        return client

    def arrived(self, address: str, text: str) -> None:
        """A reply reached a client: if it is the one its last message waits for, the client
        answers a second later."""
        client = self.clients.get(address)
        if client is None or client.ready_at is not None or not client.sent:
            return
        if marker(text) == client.sent[-1]:
            client.latencies.append(time.monotonic() - client.sent_at)
            client.ready_at = time.monotonic() + THINK_SECONDS

    def send(self, client: Client) -> None:
        text = client.next_text()
        client.sent.append(client.next_marker())
        client.step += 1
        client.ready_at = None
        client.sent_at = time.monotonic()
        twice = random.random() < self.duplicates
        self.duplicated += twice
        self.tasks.append(asyncio.create_task(self._deliver(client, text, twice)))

    async def _deliver(self, client: Client, text: str, twice: bool) -> None:
        post = self._poster(client, text)
        ok = await self._until_accepted(post)
        if twice:  # the provider (or the page) delivers it again, a moment later
            await asyncio.sleep(random.uniform(0.05, 2.0))
            await self._until_accepted(post)
        if not ok:
            self.undelivered += 1

    async def _until_accepted(self, post: Callable[[], Awaitable[int]]) -> bool:
        deadline = time.monotonic() + DELIVERY_LIMIT
        while time.monotonic() < deadline:
            try:
                if await post() == 200:
                    return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            self.delivery_retries += 1
            await asyncio.sleep(0.5)
        return False

    def _poster(self, client: Client, text: str) -> Callable[[], Awaitable[int]]:
        if client.channel == "telegram":
            update = tg.text_update(next(self.ids), int(client.name), text)
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}

            async def telegram() -> int:
                async with self.http.post(
                    f"{self.url}/telegram/webhook", json=update, headers=headers
                ) as r:
                    return r.status

            return telegram
        if client.channel == "sms":
            target = f"{self.url}/sms/twilio"
            form = sms_form(client.name, text)
            sms_headers = {"X-Twilio-Signature": signature(target, form)}

            async def sms() -> int:
                async with self.http.post(target, data=form, headers=sms_headers) as r:
                    return r.status

            return sms
        body = {"sender": client.name, "text": text, "id": f"m{client.step}"}

        async def webchat() -> int:
            async with self.http.post(f"{self.url}/api/webchat", json=body) as r:
                if r.status == 200:
                    for unit in (await r.json()).get("replies", []):
                        self.arrived(client.name, unit.get("text", ""))
                    if client.ready_at is None:
                        self.tasks.append(asyncio.create_task(self._poll(client)))
                return r.status

        return webchat

    async def _poll(self, client: Client) -> None:
        """Read web chat's later replies as the page does, until the awaited one arrives."""
        waiting_for = len(client.sent)
        deadline = time.monotonic() + DELIVERY_LIMIT
        while client.ready_at is None and len(client.sent) == waiting_for:
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.5)
            for unit in await self.webchat_history(client.name):
                self.arrived(client.name, unit["text"])

    async def webchat_history(self, sender: str) -> list[dict[str, Any]]:
        try:
            async with self.http.get(
                f"{self.url}/api/webchat/messages", params={"sender": sender, "after": "0"}
            ) as r:
                return list((await r.json()).get("messages", [])) if r.status == 200 else []
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return []

    async def received(self, client: Client) -> list[str]:
        """Every text the client received, in the order it arrived."""
        if client.channel == "telegram":
            return [s.text or "" for s in self.telegram.sent if str(s.chat_id) == client.name]
        if client.channel == "sms":
            return [s.body for s in self.twilio.sent if s.to == client.name]
        return [u["text"] for u in await self.webchat_history(client.name)]


async def drive(soak: Soak, messages: int, rate: float, faults: list[tuple[float, Fault]]) -> None:
    """Send ``messages`` at ``rate`` a second. Each fault (share of the messages sent, what to
    do) runs in the background once that share is sent and the fault before it is over (a
    replica killed again before it has loaded its model would not test much)."""
    numbers = itertools.count(1)
    start = time.monotonic()
    reached = [asyncio.Event() for _ in faults]

    async def run_faults() -> None:
        for event, (_, fault) in zip(reached, faults, strict=True):
            await event.wait()
            await fault()

    runner = asyncio.create_task(run_faults())
    waiting: list[Client] = []
    for index in range(messages):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        for event, (share, _) in zip(reached, faults, strict=True):
            if index >= share * messages:
                event.set()
        now = time.monotonic()
        waiting = [c for c in waiting if c.step < STEPS]
        ready = next((c for c in waiting if c.ready_at is not None and c.ready_at <= now), None)
        client = ready or soak.new_client(next(numbers))
        if client is not ready:
            waiting.append(client)
        soak.send(client)
    for event in reached:
        event.set()
    await runner


async def count(soak: Soak) -> dict[str, Any]:
    lost = doubled = out_of_order = notices = 0
    replies = 0
    for client in soak.clients.values():
        texts = await soak.received(client)
        notices += sum(t.startswith(NOTICE) for t in texts)
        got = [m for m in (marker(t) for t in texts) if m is not None]
        replies += len(got)
        lost += sum(1 for expected in client.sent if expected not in got)
        doubled += sum(got.count(m) - 1 for m in set(got))
        if [m for m in got if m in client.sent] != [m for m in client.sent if m in got]:
            out_of_order += 1
    latencies = [s for c in soak.clients.values() for s in c.latencies]
    return {
        "clients": len(soak.clients),
        "messages": sum(len(c.sent) for c in soak.clients.values()),
        "delivered_twice": soak.duplicated,
        "replies": replies,
        "lost": lost,
        "doubled": doubled,
        "clients_out_of_order": out_of_order,
        "outage_notices": notices,
        "undelivered": soak.undelivered,
        "delivery_retries": soak.delivery_retries,
        "reply_p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "reply_p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "reply_p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


async def one_round(args: argparse.Namespace) -> dict[str, Any]:
    async with FakeTelegram(BOT_TOKEN) as telegram, FakeTwilio() as twilio:
        port = free_port()
        env = {
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_API_URL": telegram.url,
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_URL": twilio.url,
        }
        setup = await asyncio.to_thread(start_setup, 2, True, env, port)
        events: list[str] = []
        started = time.monotonic()

        def note(what: str) -> None:
            events.append(f"{time.monotonic() - started:7.1f} s  {what}")
            print(events[-1], flush=True)

        async def kill_rasa() -> None:
            process = setup.stack.processes["rasa-1"]
            os.killpg(process.pid, signal.SIGKILL)
            note(f"rasa-1 (pid {process.pid}) killed with SIGKILL")
            await asyncio.to_thread(process.wait, 30)
            await asyncio.sleep(args.down)
            setup.stack.start(setup.stack.specs["rasa-1"])
            note("rasa-1 started again")
            await asyncio.to_thread(setup.stack.wait_ready, ["rasa-1"], 600)
            note("rasa-1 answers")

        async def restart_gateway() -> None:
            note("gateway stopping (SIGTERM)")
            await asyncio.to_thread(setup.stack.stop, "gateway")
            setup.stack.start(setup.stack.specs["gateway"])
            note("gateway started again")
            await asyncio.to_thread(setup.stack.wait_ready, ["gateway"], 120)
            note("gateway answers")

        try:
            async with unpooled_session(60) as http:
                assert setup.gateway_url is not None
                soak = Soak(http, setup.gateway_url, telegram, twilio, args.duplicates)
                faults = [(0.2, kill_rasa), (0.4, restart_gateway), (0.6, kill_rasa)]
                await drive(soak, args.messages, args.rate, faults)
                note(f"{args.messages} messages sent; waiting for the replies")
                for _ in range(int(args.drain)):  # every client's last reply, or the limit
                    if all(c.ready_at is not None for c in soak.clients.values()):
                        break
                    await asyncio.sleep(1.0)
                await asyncio.gather(*soak.tasks)
                figures = await count(soak)
            figures["seconds"] = round(time.monotonic() - started, 1)
            figures["events"] = events
            figures["memory_mb"] = {name: memory_mb(pid) for name, pid in setup.pids().items()}
            print(figures, flush=True)
            return figures
        finally:
            await asyncio.to_thread(setup.stop)


def main(args: argparse.Namespace) -> None:
    rounds = [asyncio.run(one_round(args)) for _ in range(args.rounds)]
    keys = [k for k, v in rounds[0].items() if isinstance(v, (int, float))]
    median = {k: statistics.median(r[k] for r in rounds) for k in keys}
    report("soak", {"settings": vars(args), "median": median, "rounds": rounds})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=15.0)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--down", type=float, default=10.0, help="seconds rasa-1 stays down")
    parser.add_argument("--drain", type=float, default=300.0)
    parser.add_argument("--rounds", type=int, default=1)
    main(parser.parse_args())
