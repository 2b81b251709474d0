"""End to end through the gateway with the real Rasa and action servers, beside Rasa alone.

    .venv/bin/python bench/gateway_e2e.py [--rates 1,10,30] [--seconds 20] [--rounds 3]
                                          [--sweep 5,8,10,12,15,20,30] [--sweep-seconds 15]

Starts Rasa (the model for the current data; `make train` first) and the action server as
`make run` does, the gateway as its own process, and plays Telegram and Twilio in this
process. Each client asks for a place to sleep in words ("i need a bed tonight": a client can
send an intent only by a button the bot offered it) and, once the question arrives, shares where
it is (a Telegram location, an SMS ZIP code), which makes the action server search the
directory. Messages are sent at a fixed rate (open loop): a message
is a new client's first or a client's answer (sent a second or more after the question
arrived, as a person would). Latency is from the webhook post to the first reply
arriving at the fake Telegram or Twilio API. "rasa_direct" sends the same turns straight to
Rasa's REST channel (latency: its answer). The sweep finds the highest rate whose p95 stays
under one second, for the gateway on Telegram and for Rasa alone. Before each run the last one's
work is let finish (nothing pending in the gateway, Rasa quick again). Then the memory (RSS, and
its peak) of each process, and the CPU time each spent per message (a figure that other work on
the machine does not change much, unlike latency). Figures are medians over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.directory import build, db
from bench.common import (
    gateway_process,
    median_of_rounds,
    percentile,
    report,
    two_turn_clients,
    unpooled_session,
)
from scripts.fakes import telegram as tg
from scripts.fakes.process import loopback_env
from scripts.fakes.telegram import BOT_TOKEN, WEBHOOK_SECRET, FakeTelegram
from scripts.fakes.twilio import (
    FakeTwilio,
    signature,
    sms_form,
)
from scripts.model import model_path
from scripts.stack import ROOT, Stack, actions_spec, free_port, rasa_spec

REDWOOD_CITY = (37.48522, -122.23635)
ASK = "i need a bed tonight"
REPLY_TIMEOUT = 30.0
THINK_SECONDS = 1.0
CHANNELS = ["telegram", "sms", "rasa_direct"]
_ids = itertools.count(1)
_clients = itertools.count(1)  # every client of every run is new: no state left over


class Channel:
    """One way in: sends a client's n-th message, and says when its reply arrives."""

    name = "channel"

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}

    def replied(self, client: str, at: float) -> None:
        future = self.waiting.pop(client, None)
        if future is not None and not future.done():
            future.set_result(at)

    async def turn(self, client: str, step: int) -> float:
        """Send step ``step`` of ``client``'s conversation; seconds until its first reply."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[client] = future
        start = time.monotonic()
        await self.send(client, step)
        return await asyncio.wait_for(future, REPLY_TIMEOUT) - start

    async def send(self, client: str, step: int) -> None:
        raise NotImplementedError


class TelegramChannel(Channel):
    name = "telegram"

    def __init__(self, http: aiohttp.ClientSession, url: str, fake: FakeTelegram) -> None:
        super().__init__()
        self.http, self.url = http, url
        fake.on_send = lambda sent: self.replied(str(sent.chat_id), sent.at)

    async def send(self, client: str, step: int) -> None:
        chat, update_id = int(client), next(_ids)
        if step == 0:
            update = tg.text_update(update_id, chat, ASK)
        else:
            update = tg.location_update(update_id, chat, *REDWOOD_CITY)
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        async with self.http.post(
            f"{self.url}/telegram/webhook", json=update, headers=headers
        ) as r:
            r.raise_for_status()


class SmsChannel(Channel):
    name = "sms"

    def __init__(self, http: aiohttp.ClientSession, url: str, fake: FakeTwilio) -> None:
        super().__init__()
        self.http, self.url = http, f"{url}/sms/twilio"
        fake.on_send = lambda sms: self.replied(sms.to, sms.at)

    async def send(self, client: str, step: int) -> None:
        text = ASK if step == 0 else "94063"
        form = sms_form(client, text)
        headers = {"X-Twilio-Signature": signature(self.url, form)}
        async with self.http.post(self.url, data=form, headers=headers) as r:
            r.raise_for_status()


class RasaDirect(Channel):
    name = "rasa_direct"

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        super().__init__()
        self.http, self.url = http, f"{url}/webhooks/rest/webhook"

    async def turn(self, client: str, step: int) -> float:
        location = json.dumps({"location": "geo:{:.5f},{:.5f}".format(*REDWOOD_CITY)})
        text = ASK if step == 0 else f"/inform_location{location}"  # as the gateway sends it
        body = {"sender": client, "message": text, "metadata": {"channel": "telegram"}}
        start = time.monotonic()
        async with self.http.post(self.url, json=body) as r:
            r.raise_for_status()
            await r.read()
        return time.monotonic() - start


def client_names(channel: Channel) -> Callable[[], str]:
    if channel.name == "sms":
        return lambda: f"+1415{next(_clients) + 5_000_000:07d}"
    if channel.name == "telegram":
        return lambda: str(20_000_000 + next(_clients))
    return lambda: f"bench-{next(_clients)}-{secrets.token_hex(4)}"


async def load(channel: Channel, rate: float, seconds: float) -> dict[str, float]:
    """Messages at ``rate`` a second for ``seconds``: a waiting client's answer, else a new one."""
    latencies: list[float] = []
    by_step: dict[int, list[float]] = {0: [], 1: []}
    failures = 0

    async def one(client: str, step: int) -> bool:
        nonlocal failures
        try:
            latency = await channel.turn(client, step)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            failures += 1
            return False
        latencies.append(latency)
        by_step[step].append(latency)
        return True

    # A client answers their question a second after it arrived at the soonest, as a person
    # reading it would (and as the per-recipient pacing of SMS expects).
    await two_turn_clients(one, client_names(channel), rate, seconds, THINK_SECONDS)
    return {
        "rate_per_s": rate,
        "n": len(latencies),
        "failed": failures,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p50_question_ms": round(percentile(by_step[0], 50) * 1000, 1),
        "p50_search_ms": round(percentile(by_step[1], 50) * 1000, 1),
    }


async def settle(
    http: aiohttp.ClientSession, rasa_url: str, store: Path, limit: float = 180
) -> None:
    """Wait until the last run's work is done: nothing pending in the gateway, Rasa quick again.

    Open-loop overload leaves queues behind (the gateway keeps every message; Rasa finishes
    turns whose caller gave up); the next run must not pay for them.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            pending = db.execute(
                "SELECT (SELECT COUNT(*) FROM inbound WHERE status = 'pending')"
                " + (SELECT COUNT(*) FROM outbox WHERE status = 'pending')"
            ).fetchone()[0]
        start = time.monotonic()
        body = {"sender": f"settle-{secrets.token_hex(4)}", "message": "/greet"}
        async with http.post(f"{rasa_url}/webhooks/rest/webhook", json=body) as response:
            await response.read()
        if pending == 0 and time.monotonic() - start < 0.5:
            return
        await asyncio.sleep(2.0)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields["VmRSS"], "peak_rss_mb": fields["VmHWM"]}


async def run(args: argparse.Namespace, rasa_url: str, token: str, stack: Stack) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    async with FakeTelegram(BOT_TOKEN) as telegram, FakeTwilio() as twilio:
        with tempfile.TemporaryDirectory() as tmp:
            env = loopback_env(
                Path(tmp), rasa_url, telegram.url, twilio.url, RASA_TOKEN=token, RASA_TIMEOUT="20"
            )
            async with gateway_process(env, Path(tmp)) as gateway:
                async with unpooled_session(60) as http:
                    channels: list[Channel] = [
                        TelegramChannel(http, gateway.url, telegram),
                        SmsChannel(http, gateway.url, twilio),
                        RasaDirect(http, rasa_url),
                    ]
                    channels = [c for c in channels if c.name in args.channels]
                    for channel in channels:  # warm up: models, connections, the directory
                        await load(channel, 2.0, 3.0)
                    store = Path(tmp) / "gateway.db"

                    pids = {
                        "gateway": gateway.pid,
                        "rasa": stack.processes["rasa"].pid,
                        "actions": stack.processes["actions"].pid,
                    }

                    async def settled() -> None:
                        await settle(http, rasa_url, store)

                    async def measured(channel: Channel, rate: float, seconds: float) -> dict:
                        """One run, with the CPU each process spent per message on it."""
                        await settled()
                        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                        figures = await load(channel, rate, seconds)
                        await settled()
                        for name, pid in pids.items():
                            spent = cpu_seconds(pid) - before[name]
                            figures[f"cpu_ms_per_msg_{name}"] = round(
                                1000 * spent / max(1, figures["n"]), 2
                            )
                        return figures

                    figures["rates"] = await rates(channels, args, measured)
                    sweeping = [c for c in channels if c.name != "sms"]
                    figures["sweep"] = await sweep(sweeping, args, measured)
                figures["memory_mb"] = {
                    "rasa": memory(stack.processes["rasa"].pid),
                    "actions": memory(stack.processes["actions"].pid),
                    "gateway": memory(gateway.pid),
                }
    return figures


Run = Callable[[Channel, float, float], Awaitable[dict[str, float]]]


async def rates(channels: list[Channel], args: argparse.Namespace, run: Run) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for rate in args.rates:
        for channel in channels:
            rounds = [await run(channel, rate, args.seconds) for _ in range(args.rounds)]
            result.setdefault(f"{rate:g}_per_s", {})[channel.name] = median_of_rounds(rounds)
            print(channel.name, rate, result[f"{rate:g}_per_s"][channel.name], flush=True)
        row = result[f"{rate:g}_per_s"]
        if "telegram" in row and "rasa_direct" in row:
            ratio = row["telegram"]["p50_ms"] / row["rasa_direct"]["p50_ms"]
            row["telegram_over_direct_p50"] = round(ratio, 2)
    return result


async def sweep(channels: list[Channel], args: argparse.Namespace, run: Run) -> dict[str, Any]:
    """The highest rate of ``args.sweep`` at which p95 stays under a second, per channel."""
    result: dict[str, Any] = {}
    for channel in channels:
        best = None
        steps = []
        for rate in args.sweep:
            figures = await run(channel, rate, args.sweep_seconds)
            steps.append(figures)
            print("sweep", channel.name, figures, flush=True)
            if figures["p95_ms"] >= 1000 or figures["failed"]:
                break
            best = rate
        result[channel.name] = {"highest_rate_p95_under_1s": best, "steps": steps}
    return result


def main(args: argparse.Namespace) -> None:
    model = model_path()
    if not model.exists():
        raise SystemExit(f"no model at {model}: run `make train` first")
    path = db.db_path()
    build.ensure(path if path.is_absolute() else ROOT / path)
    token = secrets.token_urlsafe(16)
    actions_port, rasa_port = free_port(), free_port()
    stack = Stack()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            stack.start(actions_spec(actions_port))
            action_url = f"http://127.0.0.1:{actions_port}/webhook"
            stack.start(rasa_spec(rasa_port, model, token, action_url, f"{tmp}/tracker.db"))
            stack.wait_ready()
            rasa_url = f"http://127.0.0.1:{rasa_port}"
            figures = asyncio.run(run(args, rasa_url, token, stack))
        finally:
            stack.stop()
    figures["settings"] = {k: v for k, v in vars(args).items()}
    report("gateway_e2e", figures)


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rates", type=_floats, default=[1.0, 10.0, 30.0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sweep", type=_floats, default=[5.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0])
    parser.add_argument("--sweep-seconds", type=float, default=15.0)
    parser.add_argument("--channels", type=lambda s: s.split(","), default=CHANNELS)
    main(parser.parse_args())
