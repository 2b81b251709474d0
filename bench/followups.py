"""Ten thousand follow-ups due at the same minute, while clients keep writing (issue 23).

    .venv/bin/python bench/followups.py [--count 10000] [--live-rate 2] [--rounds 3]
                                        [--max-seconds 900]

The gateway runs in this process against the fake Rasa, Telegram Bot API and Twilio on
loopback, with its clock set to 8:59:30 in the region's zone. ``--count`` follow-ups (half on
Telegram, half on SMS, each a different client who said yes) are put in its store, all due at
9:00. Live Telegram clients write at ``--live-rate`` messages a second (open loop, a new client
each) through the whole run; their latency is from the webhook post to the reply reaching the
fake Bot API. The clock moves to 9:00 after 10 s. The run ends when every follow-up was sent
(or ``--max-seconds``).

Figures: how long the batch took to leave; the most follow-ups either channel sent in any one
second (the worker's share is half of the channel's 30 a second); how many clients got the
question twice (none should) and how many before 9:00 (none should); the live clients' p50 and
p95 with the batch, beside the same load with no follow-ups due (a baseline run of the same
length); medians over ``--rounds``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.common import report, summary_ms
from bot.app import FOLLOWUPS
from bot.db.schema import consents, conversations, followups
from region import load_region
from scripts.fakes import telegram as tg
from scripts.fakes.gateway import RunningGateway, loopback_settings
from scripts.fakes.rasa import FakeRasa
from scripts.fakes.twilio import FakeTwilio

QUESTION = "Did you get a bed last night?"
LIVE_FIRST_CHAT = 900_000_000


class Clock:
    def __init__(self, start: float) -> None:
        self.offset = start - time.time()

    def __call__(self) -> float:
        return time.time() + self.offset

    def set(self, moment: float) -> None:
        self.offset = moment - time.time()


def fill(c: Any, count: int, due: float, now: float, hasher: Any) -> None:
    """``count`` clients who said yes, their question due at ``due``."""
    if not count:
        return
    rows_c, rows_k, rows_f = [], [], []
    for n in range(count):
        channel = "telegram" if n % 2 == 0 else "sms"
        address = str(100_000 + n) if channel == "telegram" else f"+1650{5_000_000 + n:07d}"
        cid = hasher(channel, address)
        rows_c.append({"id": cid, "channel": channel, "address": address, "opted_out": False,
                       "buttons": (), "created_at": now, "updated_at": now, "language": "en"})  # fmt: skip
        rows_k.append({"id": n + 1, "conversation_id": cid, "channel": channel, "kind": "outcome",
                       "need": "shelter", "place": "Redwood City", "sensitive": False,
                       "wording": "offer_bed-v1-en", "answer": "yes", "asked_at": now})  # fmt: skip
        rows_f.append({"conversation_id": cid, "channel": channel, "consent_id": n + 1,
                       "kind": "question", "need": "shelter", "place": "Redwood City",
                       "sensitive": False, "state": "scheduled", "first_due_at": due,
                       "due_at": due, "created_at": now})  # fmt: skip
    c.execute(sa.insert(conversations), rows_c)
    c.execute(sa.insert(consents), rows_k)
    c.execute(sa.insert(followups), rows_f)


def busiest_second(moments: list[float]) -> int:
    """The most events in any one-second window."""
    ordered, best, start = sorted(moments), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def one_run(
    count: int, live_rate: float, max_seconds: float, work: Path, length: float | None = None
) -> dict[str, Any]:
    """One run; ``length``: seconds of live load when there is no batch to wait for."""
    zone = load_region().tz
    day = datetime.now(zone).date() + timedelta(days=1)
    nine = datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone).timestamp()
    clock = Clock(nine - 30)
    rasa, telegram, twilio = FakeRasa(), tg.FakeTelegram(tg.BOT_TOKEN), FakeTwilio()
    async with rasa, telegram, twilio:

        def settings(url: str) -> Any:
            return loopback_settings(url, work / f"gateway-{count}.db", rasa.url,
                                     telegram_url=telegram.url, twilio_url=twilio.url,
                                     webhook=True)  # fmt: skip

        gateway = RunningGateway(settings, clock=clock)
        await gateway.start()
        try:
            await gateway.db.run(fill, count, nine, clock(), gateway.conversation_id)
            sent_at: dict[int, float] = {}
            pushed: dict[int, float] = {}
            questions: list[tuple[str, float, float]] = []  # (to, monotonic, gateway clock)

            def on_telegram(sent: tg.Sent) -> None:
                if sent.chat_id >= LIVE_FIRST_CHAT and sent.chat_id not in sent_at:
                    sent_at[sent.chat_id] = time.monotonic()
                elif QUESTION in (sent.text or ""):
                    questions.append((str(sent.chat_id), sent.at, clock()))

            def on_sms(sms: Any) -> None:
                if QUESTION in sms.body:
                    questions.append((sms.to, sms.at, clock()))

            telegram.on_send, twilio.on_send = on_telegram, on_sms
            chats = itertools.count(LIVE_FIRST_CHAT)
            started = time.monotonic()
            moved = False
            first_question = None
            while time.monotonic() - started < max_seconds:
                elapsed = time.monotonic() - started
                if not moved and elapsed >= 10:
                    clock.set(nine + 1)
                    gateway.app[FOLLOWUPS].kick()
                    moved = True
                if questions and first_question is None:
                    first_question = questions[0][1]
                if count and len(questions) >= count and elapsed > 20:
                    break
                if length is not None and elapsed >= length:
                    break
                chat = next(chats)
                pushed[chat] = time.monotonic()
                telegram.push(tg.text_update(telegram.next_update_id(), chat, "hello"))
                await asyncio.sleep(1 / live_rate)
            await asyncio.sleep(3)
            latencies = [sent_at[c] - pushed[c] for c in pushed if c in sent_at]
            to = Counter(q[0] for q in questions)
            ended = max((q[1] for q in questions), default=None)
            by_channel: dict[str, list[float]] = {"telegram": [], "sms": []}
            for who, at, _ in questions:
                by_channel["sms" if who.startswith("+") else "telegram"].append(at)
            return {
                "count": count,
                "seconds": round(time.monotonic() - started, 1),
                "sent": len(questions),
                "twice": sum(1 for n in to.values() if n > 1),
                "before_nine": sum(1 for _, _, when in questions if when < nine),
                "batch_seconds": round(ended - first_question, 1)
                if ended and first_question
                else None,
                "busiest_second": {ch: busiest_second(m) for ch, m in by_channel.items()},
                "live": summary_ms(latencies),
                "live_unanswered": len(pushed) - len(latencies),
            }
        finally:
            await gateway.stop()


async def main(args: argparse.Namespace) -> int:
    runs, baselines = [], []
    with tempfile.TemporaryDirectory(prefix="followups-bench-") as tmp:
        for n in range(args.rounds):
            work = Path(tmp) / str(n)
            work.mkdir()
            found = await one_run(args.count, args.live_rate, args.max_seconds, work)
            print("with follow-ups:", found, flush=True)
            runs.append(found)
            base = await one_run(0, args.live_rate, args.max_seconds, work, found["seconds"])
            print("baseline:", base, flush=True)
            baselines.append(base)
    figures = {
        "count": args.count,
        "live_rate": args.live_rate,
        "rounds": args.rounds,
        "batch_seconds": statistics.median(r["batch_seconds"] or 0 for r in runs),
        "sent": statistics.median(r["sent"] for r in runs),
        "twice": max(r["twice"] for r in runs),
        "before_nine": max(r["before_nine"] for r in runs),
        "busiest_second_telegram": max(r["busiest_second"]["telegram"] for r in runs),
        "busiest_second_sms": max(r["busiest_second"]["sms"] for r in runs),
        "live_p95_ms_with": statistics.median(r["live"]["p95_ms"] for r in runs),
        "live_p95_ms_without": statistics.median(r["live"]["p95_ms"] for r in baselines),
        "live_p50_ms_with": statistics.median(r["live"]["p50_ms"] for r in runs),
        "live_p50_ms_without": statistics.median(r["live"]["p50_ms"] for r in baselines),
        "live_unanswered": max(r["live_unanswered"] for r in runs),
    }
    report("followups", figures)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--live-rate", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
