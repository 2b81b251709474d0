"""What the benchmarks share: percentiles, medians over rounds, bounded request loops, the
gateway as a child process, reports.

Benchmarks measure; tests assert. Figures are printed and written to results/bench/<name>.json.
Every loop is bounded in count and in time.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from scripts.fakes.process import GatewayProcess

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "bench"


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; NaN for no samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50/p95/max in milliseconds of samples given in seconds."""
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2) if samples else float("nan"),
    }


def median_of_rounds(rounds: list[dict[str, float]]) -> dict[str, float]:
    keys = rounds[0].keys()
    return {k: round(statistics.median(r[k] for r in rounds), 2) for k in keys}


async def rounds_and_median(
    measure: Callable[[], Awaitable[dict[str, float]]], rounds: int
) -> dict[str, Any]:
    """``measure()`` ``rounds`` times, one after another: each round's figures and their median."""
    each = [await measure() for _ in range(rounds)]
    return {"median": median_of_rounds(each), "rounds": each}


async def closed_loop(
    request: Callable[[int], Awaitable[None]], clients: int, count: int, time_limit: float
) -> list[float]:
    """`clients` concurrent clients send `count` requests in all, each waiting for its answer;
    stops early at `time_limit` seconds. Returns each request's latency in seconds."""
    latencies: list[float] = []
    next_index = 0
    deadline = time.monotonic() + time_limit

    async def client() -> None:
        nonlocal next_index
        while next_index < count and time.monotonic() < deadline:
            index = next_index
            next_index += 1
            start = time.perf_counter()
            await request(index)
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


async def two_turn_clients(
    turn: Callable[[str, int], Awaitable[bool]],
    new_client: Callable[[], str],
    rate: float,
    seconds: float,
    think_seconds: float,
) -> tuple[float, int]:
    """Open loop: ``rate`` messages a second for ``seconds``, each sent when due whatever came
    back before. A message is a client's answer (step 1) when a client's question (step 0) came
    back at least ``think_seconds`` ago and is not answered yet, else a new client's first
    message (step 0). ``turn(client, step)`` sends one and says whether it came back. Returns
    when the loop started (time.monotonic) and how many messages it sent, once all are done."""
    ready: list[tuple[float, str]] = []  # clients whose question came back, and when they answer

    async def one(client: str, step: int, due: float) -> None:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if await turn(client, step) and step == 0:
            ready.append((time.monotonic() + think_seconds, client))

    start = time.monotonic()
    tasks = []
    for index in range(int(rate * seconds)):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if ready and ready[0][0] <= time.monotonic():
            step, client = 1, ready.pop(0)[1]
        else:
            step, client = 0, new_client()
        tasks.append(asyncio.create_task(one(client, step, due)))
    await asyncio.gather(*tasks)
    return start, len(tasks)


@asynccontextmanager
async def gateway_process(env: dict[str, str], cwd: Path) -> AsyncIterator[GatewayProcess]:
    """``python -m bot`` with ``env`` in ``cwd`` (scripts.fakes.process), started; stopped after."""
    from scripts.fakes.process import GatewayProcess

    gateway = GatewayProcess(env, cwd)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


def unpooled_session(total_timeout: float | None = None) -> aiohttp.ClientSession:
    """A client session with no limit on connections (the benchmark sets the load); each request
    given ``total_timeout`` seconds in all if said, else aiohttp's default timeouts."""
    connector = aiohttp.TCPConnector(limit=0)
    if total_timeout is None:
        return aiohttp.ClientSession(connector=connector)
    timeout = aiohttp.ClientTimeout(total=total_timeout)
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


def report(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
