"""How long a client who signals risk waits for the crisis reply, whatever Rasa's state.

    .venv/bin/python bench/crisis_latency.py [--seconds 15] [--rounds 3] [--load 40]

The crisis reply is the gateway's own (bot/safety/, bot/messages.yml): it must never wait for
Rasa. Each round runs the gateway as its own process (`python -m bot`, SQLite store) against
fakes on loopback (Telegram Bot API, Twilio, Rasa) in one of two states:

- **hung**: Rasa accepts connections and never answers, as after `kill -STOP`;
- **saturated**: Rasa answers every turn after 3 s, as when far more messages arrive than it
  can handle, while ordinary messages arrive at ``--load`` a second on the three channels.

Meanwhile clients write "i want to kill myself" on web chat, Telegram and SMS, one every 0.3 s
(new clients each time). The time counted is from the moment the message was sent to the
moment the crisis reply reached the client: the web chat request's answer, or the fake
provider's receipt of the message. Figures are p50/p95/max per channel, medians over rounds.
Results: results/bench/crisis_latency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import sys
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import gateway_process, percentile, report, rounds_and_median, unpooled_session
from scripts.fakes import telegram as tg
from scripts.fakes.process import loopback_env
from scripts.fakes.rasa import FakeRasa
from scripts.fakes.telegram import BOT_TOKEN, WEBHOOK_SECRET, FakeTelegram
from scripts.fakes.twilio import (
    FakeTwilio,
    signature,
    sms_form,
)

ROOT = Path(__file__).resolve().parent.parent
RISK = "i want to kill myself"
ORDINARY = "where can i sleep tonight"
CRISIS_START = "I'm really glad you told me"
CRISIS_EVERY_S = 0.3


class Round:
    """One gateway, its fakes, and the clients' messages."""

    def __init__(self, http: aiohttp.ClientSession, url: str, tg_fake: FakeTelegram,
                 twilio: FakeTwilio) -> None:  # fmt: skip
        self.http, self.url, self.telegram, self.twilio = http, url, tg_fake, twilio
        self.ids = itertools.count(1000)
        self.latencies: dict[str, list[float]] = {"webchat": [], "telegram": [], "sms": []}
        self.lost: dict[str, int] = {"webchat": 0, "telegram": 0, "sms": 0}
        self.errors = 0

    async def webchat(self, sender: str, text: str, risk: bool) -> None:
        start = time.monotonic()
        body = {"sender": sender, "text": text}
        try:
            async with self.http.post(f"{self.url}/api/webchat", json=body) as response:
                data = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            self.errors += 1
            return
        if not risk:
            return
        if any(r.get("kind") == "crisis" for r in data.get("replies", [])):
            self.latencies["webchat"].append(time.monotonic() - start)
        else:
            self.lost["webchat"] += 1

    async def telegram_message(self, chat: int, text: str, risk: bool) -> None:
        start = time.monotonic()
        update = tg.text_update(next(self.ids), chat, text)
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        if not await self._post(f"{self.url}/telegram/webhook", json=update, headers=headers):
            return
        if risk:
            await self._arrival("telegram", start, lambda: _first_crisis_tg(self.telegram, chat))

    async def sms(self, phone: str, text: str, risk: bool) -> None:
        start = time.monotonic()
        target = f"{self.url}/sms/twilio"
        form = sms_form(phone, text)
        headers = {"X-Twilio-Signature": signature(target, form)}
        if not await self._post(target, data=form, headers=headers):
            return
        if risk:
            await self._arrival("sms", start, lambda: _first_crisis_sms(self.twilio, phone))

    async def _post(self, url: str, **request: Any) -> bool:
        """A webhook to the gateway, its answer read; False (an error counted) if it failed."""
        try:
            async with self.http.post(url, **request) as response:
                await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            self.errors += 1
            return False
        return True

    async def _arrival(self, channel: str, start: float, found: Any) -> None:
        deadline = start + 20.0
        while time.monotonic() < deadline:
            at = found()
            if at is not None:
                self.latencies[channel].append(at - start)
                return
            await asyncio.sleep(0.005)
        self.lost[channel] += 1


def _first_crisis_tg(fake: FakeTelegram, chat: int) -> float | None:
    return next(
        (s.at for s in fake.sent if s.chat_id == chat and (s.text or "").startswith(CRISIS_START)),
        None,
    )


def _first_crisis_sms(fake: FakeTwilio, phone: str) -> float | None:
    return next(
        (s.at for s in fake.sent if s.to == phone and s.body.startswith(CRISIS_START)), None
    )


async def drive(run: Round, seconds: float, load: float) -> None:
    """Ordinary load at ``load`` a second and a risk message every CRISIS_EVERY_S, for ``seconds``."""
    tasks: list[asyncio.Task[None]] = []
    start = time.monotonic()

    def message(kind: str, i: int) -> Coroutine[Any, Any, None]:
        """The ``i``-th "load" or "risk" message: web chat, Telegram and SMS in turn, each from a
        new client."""
        risk = kind == "risk"
        words = RISK if risk else ORDINARY
        channel = i % 3
        if channel == 0:
            return run.webchat(f"{kind}-{i:08d}-abcdefgh", words, risk)
        if channel == 1:
            return run.telegram_message((30_000_000 if risk else 20_000_000) + i, words, risk)
        return run.sms(f"{'+1415' if risk else '+1650'}{i:07d}", words, risk)

    async def every(interval: float, kind: str) -> None:
        """A ``kind`` message every ``interval`` seconds from the start, for ``seconds``."""
        for i in itertools.count():
            due = start + i * interval
            if due - start > seconds:
                return
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(message(kind, i)))

    loops = [every(1 / load, "load")] if load > 0 else []
    await asyncio.gather(*loops, every(CRISIS_EVERY_S, "risk"))
    await asyncio.gather(*tasks)


async def one_round(state: str, seconds: float, load: float) -> dict[str, Any]:
    async with FakeRasa() as rasa, FakeTelegram(BOT_TOKEN) as telegram, FakeTwilio() as twilio:
        rasa.mode = "slow"
        rasa.delay = 3600.0 if state == "hung" else 3.0
        with tempfile.TemporaryDirectory() as tmp:
            env = loopback_env(Path(tmp), rasa.url, telegram.url, twilio.url, RASA_TIMEOUT="10")
            async with gateway_process(env, Path(tmp)) as gateway, unpooled_session(30) as http:
                run = Round(http, gateway.url, telegram, twilio)
                await drive(run, seconds, load if state == "saturated" else load / 4)
    figures: dict[str, Any] = {"errors": run.errors}
    for channel, samples in run.latencies.items():
        figures[f"{channel}_n"] = len(samples)
        figures[f"{channel}_lost"] = run.lost[channel]
        figures[f"{channel}_p50_ms"] = round(percentile(samples, 50) * 1000, 1)
        figures[f"{channel}_p95_ms"] = round(percentile(samples, 95) * 1000, 1)
        figures[f"{channel}_max_ms"] = round(max(samples) * 1000, 1) if samples else float("nan")
    return figures


async def main(args: argparse.Namespace) -> None:
    figures: dict[str, Any] = {"seconds": args.seconds, "rounds": args.rounds, "load": args.load}
    for state in ("hung", "saturated"):
        measure = functools.partial(one_round, state, args.seconds, args.load)
        figures[state] = await rounds_and_median(measure, args.rounds)
    report("crisis_latency", figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load", type=float, default=40.0, help="ordinary messages a second")
    asyncio.run(main(parser.parse_args()))
