"""Throughput at 10 to 40 messages a second, in one run: Rasa alone, and the gateway with one
and with two Rasa replicas.

    .venv/bin/python bench/throughput.py [--rates 10,20,30,40] [--seconds 20] [--rounds 3]
                                         [--setups rasa,gateway-1,gateway-2]

The conversation is the issue's two turns: "where can i sleep tonight", then, a second after
the question arrives (as a person reads it), "redwood city" (the directory search). Messages
are sent at a fixed rate, open loop: each is a waiting client's answer, else a new client's
first message, so new conversations arrive steadily whatever the servers do.

Setups (each started as `make run` starts it, one after another; bench/processes.py):

- ``rasa``: Rasa's REST channel alone, one process (SQLite tracker store), and the action server;
- ``gateway-1``: web chat (``POST /api/webchat``) through the gateway, one Rasa: `make run`;
- ``gateway-2``: the same with two Rasa replicas on PostgreSQL and Redis: ``RASA_REPLICAS=2``.

Latency is from sending a message to its reply: the REST answer, or the web chat request's
answer; when the gateway answers "pending" (Rasa slower than ``RASA_TIMEOUT``), the reply is
polled for as the page does, and the message counts as late. A message with no reply within
60 s counts as failed. Throughput is the messages answered divided by the time from the first
send to the last reply. CPU is each process's user and system time over the run (the drain
after it included) per answered message; memory is each process's resident size after the
setup's last run, and its peak. Before each run the last one's work is let finish. Figures are
medians over rounds; results/bench/throughput.json has every round.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import secrets
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, report, two_turn_clients, unpooled_session
from bench.processes import Setup, cpu_seconds, memory_mb, start_setup

TURNS = ("where can i sleep tonight", "redwood city")
ASK = "Where are you now?"
THINK_SECONDS = 1.0
REPLY_LIMIT = 60.0  # a reply later than this counts as failed
POLL_EVERY = 0.25
SETUPS = {"rasa": (1, False), "gateway-1": (1, True), "gateway-2": (2, True)}
_clients = itertools.count(1)

Turn = Callable[[str, int], Awaitable[tuple[float, bool]]]  # (client, step) -> (seconds, late)


class Failed(Exception):
    """No reply, or not the reply the conversation expects."""


def rasa_turn(http: aiohttp.ClientSession, rasa_url: str) -> Turn:
    async def turn(client: str, step: int) -> tuple[float, bool]:
        body = {"sender": client, "message": TURNS[step], "metadata": {"channel": "webchat"}}
        start = time.monotonic()
        async with http.post(f"{rasa_url}/webhooks/rest/webhook", json=body) as response:
            replies = await response.json() if response.status == 200 else []
        check(step, [r.get("text") or "" for r in replies])
        return time.monotonic() - start, False

    return turn


def webchat_turn(http: aiohttp.ClientSession, gateway_url: str) -> Turn:
    async def turn(client: str, step: int) -> tuple[float, bool]:
        body = {"sender": client, "text": TURNS[step], "id": f"m{step}"}
        start = time.monotonic()
        async with http.post(f"{gateway_url}/api/webchat", json=body) as response:
            answer = await response.json() if response.status == 200 else {}
        texts = [u["text"] for u in answer.get("replies", []) if u.get("kind") == "reply"]
        late = False
        after = max([0, *(u["id"] for u in answer.get("replies", []))])
        while not texts and time.monotonic() - start < REPLY_LIMIT:
            late = True  # the gateway said "pending": the reply comes through the poll
            await asyncio.sleep(POLL_EVERY)
            params = {"sender": client, "after": str(after)}
            async with http.get(f"{gateway_url}/api/webchat/messages", params=params) as r:
                units = (await r.json()).get("messages", []) if r.status == 200 else []
            texts = [u["text"] for u in units if u.get("kind") == "reply"]
            after = max([after, *(u["id"] for u in units)])
        check(step, texts)
        return time.monotonic() - start, late

    return turn


def check(step: int, texts: list[str]) -> None:
    if not texts:
        raise Failed("no reply")
    if step == 0 and not any(t.startswith(ASK) for t in texts):
        raise Failed(f"not the question: {texts[0][:60]!r}")


async def load(turn: Turn, rate: float, seconds: float) -> dict[str, float]:
    """``rate`` messages a second for ``seconds``: a waiting client's answer, else a new one."""
    latencies: list[float] = []
    late = failed = 0
    replies_at: list[float] = []

    async def one(client: str, step: int) -> bool:
        nonlocal late, failed
        try:
            seconds, was_late = await asyncio.wait_for(turn(client, step), REPLY_LIMIT + 5)
        except (Failed, aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            failed += 1
            return False
        latencies.append(seconds)
        replies_at.append(time.monotonic())
        late += was_late
        return True

    def new_client() -> str:
        return f"bench-{next(_clients):07d}-{secrets.token_hex(6)}"

    start, sent = await two_turn_clients(one, new_client, rate, seconds, THINK_SECONDS)
    elapsed = (max(replies_at) if replies_at else time.monotonic()) - start
    return {
        "offered_per_s": rate,
        "sent": sent,
        "answered": len(latencies),
        "failed": failed,
        "late": late,
        "throughput_per_s": round(len(latencies) / max(elapsed, 1e-9), 2),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


async def settle(http: aiohttp.ClientSession, setup: Setup, limit: float = 240.0) -> None:
    """Wait until the last run's work is done: nothing pending in the gateway, every Rasa quick.

    Open-loop overload leaves queues behind; the next run must not pay for them.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        pending = 0
        if setup.gateway_db is not None and setup.gateway_db.exists():
            with sqlite3.connect(f"file:{setup.gateway_db}?mode=ro", uri=True) as store:
                pending = store.execute(
                    "SELECT (SELECT COUNT(*) FROM inbound WHERE status = 'pending')"
                    " + (SELECT COUNT(*) FROM outbox WHERE status = 'pending')"
                ).fetchone()[0]
        quick = True
        for url in setup.rasa_urls:
            start = time.monotonic()
            body = {"sender": f"settle-{secrets.token_hex(4)}", "message": "/greet"}
            try:
                async with http.post(f"{url}/webhooks/rest/webhook", json=body) as response:
                    await response.read()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                quick = False
            quick = quick and time.monotonic() - start < 0.5
        if pending == 0 and quick:
            return
        await asyncio.sleep(2.0)


async def measure_setup(name: str, setup: Setup, args: argparse.Namespace) -> dict[str, Any]:
    async with unpooled_session(REPLY_LIMIT + 10) as http:
        if setup.gateway_url is None:
            turn = rasa_turn(http, setup.rasa_urls[0])
        else:
            turn = webchat_turn(http, setup.gateway_url)
        await load(turn, 2.0, 5.0)  # warm up: TensorFlow's first calls, connections, caches
        pids = {k: v for k, v in setup.pids().items() if k != "gateway" or setup.gateway_url}
        result: dict[str, Any] = {"rates": {}}
        for rate in args.rates:
            rounds = []
            for _ in range(args.rounds):
                await settle(http, setup)
                before = {process: cpu_seconds(pid) for process, pid in pids.items()}
                figures = await load(turn, rate, args.seconds)
                await settle(http, setup)
                for process, pid in pids.items():
                    spent = cpu_seconds(pid) - before[process]
                    figures[f"cpu_ms_per_msg_{process}"] = round(
                        1000 * spent / max(1, figures["answered"]), 1
                    )
                rounds.append(figures)
                print(name, figures, flush=True)
            result["rates"][f"{rate:g}"] = {"median": median(rounds), "rounds": rounds}
        result["memory_mb"] = {process: memory_mb(pid) for process, pid in pids.items()}
    return result


def median(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in rounds), 1) for k in rounds[0]}


def table(figures: dict[str, Any]) -> str:
    """The medians as a Markdown table, one row per setup and rate."""
    lines = [
        "| setup | offered | answered/s | p50 | p95 | p99 | late | failed | CPU ms per message |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in figures["setups"].items():
        for rate, row in result["rates"].items():
            m = row["median"]
            cpu = ", ".join(
                f"{k.removeprefix('cpu_ms_per_msg_')} {v:g}"
                for k, v in m.items()
                if k.startswith("cpu_ms_per_msg_")
            )
            lines.append(
                f"| {name} | {rate}/s | {m['throughput_per_s']:g} | {m['p50_ms']:g} ms "
                f"| {m['p95_ms']:g} ms | {m['p99_ms']:g} ms | {m['late']:g} | {m['failed']:g} "
                f"| {cpu} |"
            )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> None:
    figures: dict[str, Any] = {"settings": vars(args), "setups": {}}
    for name in args.setups:
        replicas, gateway = SETUPS[name]
        setup = start_setup(replicas, gateway)
        try:
            figures["setups"][name] = asyncio.run(measure_setup(name, setup, args))
        finally:
            setup.stop()
    report("throughput", figures)
    print(table(figures))


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part]


def _setups(text: str) -> list[str]:
    names = [part for part in text.split(",") if part]
    unknown = [n for n in names if n not in SETUPS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown setup {unknown}; known: {', '.join(SETUPS)}")
    return names


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rates", type=_floats, default=[10.0, 20.0, 30.0, 40.0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--setups", type=_setups, default=list(SETUPS))
    main(parser.parse_args())
