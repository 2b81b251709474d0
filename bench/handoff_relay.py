"""Human handoff: how long a case takes to reach staff, and words to go each way, through fakes.

    .venv/bin/python bench/handoff_relay.py [--rounds 3] [--samples 20]

The gateway runs in this process (the app factory, SQLite store with synchronous=FULL) with the
fake Telegram Bot API (client chat and a staff forum supergroup), the fake Twilio API and an
instant fake Rasa, all on loopback. Per round, for a Telegram client and for an SMS client:

- open: from the request for a person (webhook) to the case summary posted in its new topic
  (createForumTopic, then sendMessage);
- client -> staff: from the client's webhook to their words posted in the topic;
- staff -> client: from the staff message's webhook delivery to the client's message arriving
  at the fake Telegram or Twilio API;

one round trip at a time, ``--samples`` of each, spaced by 1.1 s so that the per-client pacing
(about one message a second) does not count. Telegram allows about 20 messages a minute in one
group, which the relay respects (bursts of 10, then one every 3 s); for these latencies that
pacing is lifted, so they measure the gateway. The flood figure keeps it: 50 client messages
in about 5 s, and how many posts (batches) and how long until staff have them all.

The cost of the handoff on every message: the time of the inbox's transaction for a message
(stored, screened, replies queued) with the handoff's check for an open case in it, against
the same without the handoff, on a SQLite store (synchronous=FULL) in this process. Figures are medians over rounds;
results/bench/handoff_relay.json.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report, summary_ms
from bot.db import Database
from bot.handoff.core import Core
from bot.handoff.intake import Intake
from bot.handoff.oncall.roster import Roster
from bot.handoff.settings import HandoffSettings
from bot.hooks import NoWorkers
from bot.inbox import Inbox
from bot.messages import load_messages
from bot.model import Incoming
from bot.pacing import Pacer
from bot.privacy import SenderHasher
from bot.safety import Screen
from bot.settings import Secret, Settings
from bot.state import HANDOFF
from bot.web.auth import StaffAccount, hash_password
from region import load_region
from scripts.fakes import telegram as tg
from scripts.fakes.gateway import RunningGateway
from scripts.fakes.rasa import FakeRasa
from scripts.fakes.staff_telegram import ALEX, STAFF_CHAT, StaffTelegram, staff_text
from scripts.fakes.telegram import BOT_TOKEN, WEBHOOK_SECRET
from scripts.fakes.twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    FakeTwilio,
    post_sms,
    sms_form,
)

TIME_LIMIT = 30.0  # for any one thing to arrive


async def until(predicate: Any, limit: float = TIME_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the bench waited too long for a message to arrive")
        await asyncio.sleep(0.001)


def settings_for(folder: Path, telegram: StaffTelegram, twilio: FakeTwilio, rasa: FakeRasa) -> Any:
    account = StaffAccount("bench", hash_password("bench password"))

    def build(url: str) -> Settings:
        return dataclasses.replace(
            Settings(),
            host="127.0.0.1",
            port=int(url.rsplit(":", 1)[1]),
            public_url=url,
            database_url=Secret(f"sqlite:///{folder / 'gateway.db'}"),
            rasa_urls=(rasa.url,),
            rasa_timeout=5.0,
            sender_hash_salt=Secret("bench-salt"),
            telegram_bot_token=Secret(BOT_TOKEN),
            telegram_api_url=telegram.url,
            telegram_webhook_secret=Secret(WEBHOOK_SECRET),
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=Secret(AUTH_TOKEN),
            twilio_from_number=FROM_NUMBER,
            twilio_api_url=twilio.url,
            log_level="WARNING",
            handoff=HandoffSettings(
                staff_chat_id=STAFF_CHAT, on_call_chat_id=STAFF_CHAT, console_accounts=(account,)
            ),
        )

    return build


class Client:
    """A client on one channel: ask for a person, write, and see what arrives."""

    def __init__(self, channel: str, gateway: RunningGateway, telegram: StaffTelegram,
                 twilio: FakeTwilio, http: aiohttp.ClientSession, n: int) -> None:  # fmt: skip
        self.channel, self.gateway, self.telegram, self.twilio, self.http = (
            channel, gateway, telegram, twilio, http,
        )  # fmt: skip
        self.chat = 555100000 + n
        self.phone = f"+1650555{n:04d}"

    async def say(self, words: str) -> None:
        if self.channel == "telegram":
            self.telegram.push(tg.text_update(self.telegram.next_update_id(), self.chat, words))
        else:
            url = f"{self.gateway.url}/sms/twilio"
            status, _ = await post_sms(self.http, url, sms_form(self.phone, words))
            assert status == 200

    def received(self) -> list[tuple[str, float]]:
        if self.channel == "telegram":
            return [(s.text or "", s.at) for s in self.telegram.sent if s.chat_id == self.chat]
        return [(m.body, m.at) for m in self.twilio.sent if m.to == self.phone]


async def one_case(client: Client, samples: int) -> dict[str, Any]:
    telegram = client.telegram
    before = len(telegram.topics_in(STAFF_CHAT))
    start = time.monotonic()
    await client.say("talk to a person")
    await until(lambda: len(telegram.topics_in(STAFF_CHAT)) == before + 1)
    topic = telegram.topics_in(STAFF_CHAT)[-1]
    await until(lambda: any(p.buttons() for p in telegram.posts_in(STAFF_CHAT, topic.thread)))
    summary = next(p for p in telegram.posts_in(STAFF_CHAT, topic.thread) if p.buttons())
    opened = summary.at - start
    # Claimed first, so that each measured answer is one message (the first answer to a waiting
    # case also tells the client a person has joined, a second message paced a second later).
    telegram.push(
        staff_text(telegram.next_update_id(), STAFF_CHAT, ALEX, "/claim", thread=topic.thread)
    )
    await until(lambda: "claimed by" in summary.text)
    to_staff: list[float] = []
    to_client: list[float] = []
    for n in range(samples):
        await asyncio.sleep(1.1)
        words = f"{client.channel} client message {n}"
        start = time.monotonic()
        await client.say(words)
        await until(
            lambda w=words: any(
                p.text.endswith(w) for p in telegram.posts_in(STAFF_CHAT, topic.thread)
            )
        )
        post = next(
            p for p in telegram.posts_in(STAFF_CHAT, topic.thread) if p.text.endswith(words)
        )
        to_staff.append(post.at - start)
        await asyncio.sleep(1.1)
        answer = f"staff answer {n} to the {client.channel} client"
        start = time.monotonic()
        telegram.push(
            staff_text(telegram.next_update_id(), STAFF_CHAT, ALEX, answer, thread=topic.thread)
        )
        await until(lambda a=answer: any(text == a for text, _ in client.received()))
        arrived = next(at for text, at in client.received() if text == answer)
        to_client.append(arrived - start)
    telegram.push(
        staff_text(telegram.next_update_id(), STAFF_CHAT, ALEX, "/close", thread=topic.thread)
    )
    await until(lambda: topic.closed)
    return {"open_ms": opened * 1000, "to_staff": to_staff, "to_client": to_client}


async def flood(client: Client, real_pacer: Pacer) -> dict[str, float]:
    """50 messages in ~5 s from one client, with the real group pacing: posts and time."""
    handoff = client.gateway.app[HANDOFF]
    assert handoff.relay is not None
    telegram = client.telegram
    await client.say("talk to a person")
    await until(
        lambda: any(
            t.name.startswith("🔵") and not t.closed for t in telegram.topics_in(STAFF_CHAT)
        )
    )
    topic = next(t for t in telegram.topics_in(STAFF_CHAT) if not t.closed)
    await until(lambda: any(p.buttons() for p in telegram.posts_in(STAFF_CHAT, topic.thread)))
    handoff.relay.pacer = real_pacer
    posts_before = len(telegram.posts_in(STAFF_CHAT, topic.thread))
    start = time.monotonic()
    for n in range(50):
        await client.say(f"flood {n:02d}")
        await asyncio.sleep(0.1)

    def lines() -> int:
        return sum(p.text.count("› flood") for p in telegram.posts_in(STAFF_CHAT, topic.thread))

    await until(lambda: lines() == 50, limit=120)
    return {
        "messages": 50,
        "posts": len(telegram.posts_in(STAFF_CHAT, topic.thread)) - posts_before,
        "all_with_staff_s": round(time.monotonic() - start, 2),
    }


async def one_round(samples: int, n: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    async with StaffTelegram(BOT_TOKEN) as telegram, FakeTwilio() as twilio, FakeRasa() as rasa:
        gateway = RunningGateway(settings_for(folder, telegram, twilio, rasa))
        await gateway.start()
        try:
            await until(lambda: telegram.webhook_url is not None)
            relay = gateway.app[HANDOFF].relay
            assert relay is not None
            real_pacer = relay.pacer
            relay.pacer = Pacer(1000.0, 1000.0, 1000.0, 1000.0)  # latency, not Telegram's limit
            async with aiohttp.ClientSession() as http:
                figures: dict[str, Any] = {}
                for i, channel in enumerate(("telegram", "sms")):
                    client = Client(channel, gateway, telegram, twilio, http, n * 10 + i)
                    figures[channel] = await one_case(client, samples)
                flooder = Client("telegram", gateway, telegram, twilio, http, n * 10 + 5)
                figures["flood"] = await flood(flooder, real_pacer)
            figures["accept"] = await accept_cost(folder)
            return figures
        finally:
            await gateway.stop()


async def accept_cost(folder: Path, count: int = 400) -> dict[str, float]:
    """Milliseconds to store a message (the inbox's transaction), without and with the
    handoff's check for an open case (medians)."""
    db = Database(f"sqlite:///{folder / 'cost.db'}")
    await db.open()
    texts = load_messages(load_region().template_values())
    roster = Roster(HandoffSettings(), None, True, time.time)
    hasher = SenderHasher("bench")
    intake = Intake(Core(texts, roster, hasher, False))
    screen = Screen(load_region().emergency_number)
    idle = NoWorkers()  # nothing is started: only the transaction is timed
    inboxes = {
        "without_handoff_ms": Inbox(db, hasher, texts, screen, idle, idle),
        "with_handoff_ms": Inbox(db, hasher, texts, screen, idle, idle, intake),
    }
    samples: dict[str, list[float]] = {label: [] for label in inboxes}
    try:
        for i in range(count):  # interleaved, so that drift counts the same for both
            for label, inbox in inboxes.items():
                message = Incoming(
                    "sms", f"+1650{i:07d}", "text", "where can i sleep tonight", f"{label}{i}"
                )
                cid = f"{label}-{i % 50}"
                start = time.perf_counter()
                await db.run(inbox.take_in, cid, message, time.time())
                samples[label].append(time.perf_counter() - start)
        figures = {k: round(statistics.median(v) * 1000, 3) for k, v in samples.items()}
    finally:
        await db.close()
    return figures


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for channel in ("telegram", "sms"):
        per_round = []
        for figures in rounds:
            case = figures[channel]
            staff, client = summary_ms(case["to_staff"]), summary_ms(case["to_client"])
            per_round.append(
                {
                    "open_ms": case["open_ms"],
                    "client_to_staff_p50_ms": staff["p50_ms"],
                    "client_to_staff_p95_ms": staff["p95_ms"],
                    "staff_to_client_p50_ms": client["p50_ms"],
                    "staff_to_client_p95_ms": client["p95_ms"],
                }
            )
        result[channel] = {
            key: round(statistics.median(r[key] for r in per_round), 2) for key in per_round[0]
        }
        result[channel]["samples_per_round"] = len(rounds[0][channel]["to_staff"])
    result["flood_real_group_pacing"] = {
        key: statistics.median(f["flood"][key] for f in rounds) for key in rounds[0]["flood"]
    }
    result["store_a_message"] = {
        key: statistics.median(f["accept"][key] for f in rounds) for key in rounds[0]["accept"]
    }
    result["rounds"] = len(rounds)
    return result


async def main(rounds: int, samples: int) -> None:
    logging.basicConfig(level=logging.ERROR)
    results = [await one_round(samples, n) for n in range(rounds)]
    report("handoff_relay", summarise(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.samples))
