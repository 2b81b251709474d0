"""Whether staff sign-ins hold the gateway up: /health while 40 sign-ins arrive at once.

    .venv/bin/python bench/console_signin.py [--signins 40] [--rounds 3]

The gateway runs as its own process (`python -m bot`) with one console account. This process
polls `GET /health` every 20 ms (one request at a time, as a load balancer would), and after a
second of that posts `--signins` sign-ins with the right password at once (each is one scrypt
check: N=2^14, r=8, 16 MiB). It reports the /health latency while the sign-ins are being
checked, beside the same with no sign-ins, and how long the last sign-in took. Every /health
answer is a webhook answer it stands for: a stalled event loop stalls Telegram and Twilio too.
Figures are medians over rounds (a fresh gateway each round).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    gateway_process,
    median_of_rounds,
    report,
    summary_ms,
    unpooled_session,
)
from bot.web.auth import hash_password
from scripts.fakes.rasa import FakeRasa
from scripts.stack import free_port

NAME, PASSWORD = "alex", "correct horse battery staple"
POLL_EVERY = 0.02


async def poll_health(http: aiohttp.ClientSession, url: str, stop: asyncio.Event) -> list[float]:
    latencies: list[float] = []
    while not stop.is_set() and len(latencies) < 10_000:
        start = time.perf_counter()
        async with http.get(f"{url}/health") as response:
            await response.read()
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(POLL_EVERY)
    return latencies


async def sign_in(http: aiohttp.ClientSession, url: str) -> tuple[int, float]:
    start = time.perf_counter()
    form = {"name": NAME, "password": PASSWORD}
    async with http.post(f"{url}/staff/login", data=form, allow_redirects=False) as response:
        await response.read()
        return response.status, time.perf_counter() - start


async def one_round(signins: int, entry: str) -> dict[str, float]:
    async with FakeRasa() as rasa:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(ROOT),
                "GATEWAY_PORT": str(free_port()),
                "GATEWAY_DATABASE_URL": f"sqlite:///{tmp}/gateway.db",
                "RASA_URL": rasa.url,
                "STAFF_CONSOLE_USERS": entry,
                "LOG_LEVEL": "WARNING",
            }
            async with gateway_process(env, Path(tmp)) as gateway:
                return await measure(gateway.url, signins)


async def measure(url: str, signins: int) -> dict[str, float]:
    async with unpooled_session() as http:
        stop = asyncio.Event()
        idle = asyncio.create_task(poll_health(http, url, stop))
        await asyncio.sleep(1.0)
        stop.set()
        quiet = await idle
        stop = asyncio.Event()
        busy = asyncio.create_task(poll_health(http, url, stop))
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        results = await asyncio.gather(*(sign_in(http, url) for _ in range(signins)))
        all_done = time.perf_counter() - started
        stop.set()
        during = await busy
    statuses = [status for status, _ in results]
    assert all(status == 303 for status in statuses), f"sign-ins answered {statuses}"
    idle_ms, busy_ms = summary_ms(quiet), summary_ms(during)
    return {
        "health_idle_p50_ms": idle_ms["p50_ms"],
        "health_idle_max_ms": idle_ms["max_ms"],
        "health_during_p50_ms": busy_ms["p50_ms"],
        "health_during_p95_ms": busy_ms["p95_ms"],
        "health_during_max_ms": busy_ms["max_ms"],
        "health_polls_during": busy_ms["n"],
        "all_signins_done_s": round(all_done, 2),
    }


async def main(args: argparse.Namespace) -> None:
    entry = f"{NAME}:{hash_password(PASSWORD)}"
    rounds = [await one_round(args.signins, entry) for _ in range(args.rounds)]
    figures: dict[str, Any] = {
        "signins": args.signins,
        "rounds": args.rounds,
        "median": median_of_rounds(rounds),
        "each_round": rounds,
    }
    report("console_signin", figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--signins", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
