"""How fast the gateway acknowledges webhooks at a steady rate (open loop), Telegram and SMS.

    .venv/bin/python bench/gateway_ack.py [--rate 200] [--seconds 10] [--rounds 3]

The gateway runs as its own process (`python -m bot`, SQLite store with synchronous=FULL: each
acknowledged message is on disk). This process plays Telegram and Twilio: it posts webhooks at
`--rate` a second (Telegram updates with the secret token, signed Twilio forms) from 1,000
different clients, and serves the fake Bot API, Twilio API and an instant Rasa that the
gateway's replies go to. Latency is counted from the moment a request was due, so a server
that falls behind cannot hide its queue. Each round starts a fresh gateway and store; figures
are medians over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
import tempfile
import time
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
CLIENTS = 1000


async def open_loop(send: Any, rate: float, seconds: float) -> tuple[list[float], int]:
    """Call ``send(i)`` at ``rate`` a second for ``seconds``; latencies from each due time."""
    count = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()

    async def one(index: int) -> None:
        nonlocal errors
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        try:
            status = await send(index)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            status = 0
        if status == 200:
            latencies.append(time.perf_counter() - due)
        else:
            errors += 1

    await asyncio.gather(*(one(i) for i in range(count)))
    return latencies, errors


async def round_for(channel: str, rate: float, seconds: float) -> dict[str, float]:
    async with FakeRasa() as rasa, FakeTelegram(BOT_TOKEN) as telegram, FakeTwilio() as twilio:
        with tempfile.TemporaryDirectory() as tmp:
            env = loopback_env(Path(tmp), rasa.url, telegram.url, twilio.url)
            async with gateway_process(env, Path(tmp)) as gateway:
                return await measure(channel, gateway.url, rate, seconds)


async def measure(channel: str, url: str, rate: float, seconds: float) -> dict[str, float]:
    async with unpooled_session() as http:
        if channel == "telegram":
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}

            async def send(i: int) -> int:
                update = tg.text_update(100 + i, 10_000_000 + i % CLIENTS, "where can i sleep")
                async with http.post(f"{url}/telegram/webhook", json=update, headers=headers) as r:
                    return r.status

        else:
            target = f"{url}/sms/twilio"

            async def send(i: int) -> int:
                form = sms_form(f"+1650555{i % CLIENTS:04d}", "where can i sleep")
                headers = {"X-Twilio-Signature": signature(target, form)}
                async with http.post(target, data=form, headers=headers) as r:
                    return r.status

        for i in range(20):  # warm up the connections and the store
            await send(-1 - i)
        latencies, errors = await open_loop(send, rate, seconds)
    return {
        "n": len(latencies),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
    }


async def main(args: argparse.Namespace) -> None:
    figures: dict[str, Any] = {
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "rounds": args.rounds,
    }
    for channel in ("telegram", "sms"):
        measure = functools.partial(round_for, channel, args.rate, args.seconds)
        figures[channel] = await rounds_and_median(measure, args.rounds)
    report("gateway_ack", figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
