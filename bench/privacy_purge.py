"""How long the retention purge and an erasure take on a store of many conversations (SQLite).

    .venv/bin/python bench/privacy_purge.py [--conversations 2000] [--runs 3]

Builds, in a temporary folder, a gateway store and a Rasa tracker store with ``--conversations``
conversations older than the retention periods (each: 5 client messages, 5 replies, an event,
20 tracker events; one in ten with a closed case of 6 transcript entries and 4 staff posts),
then times ``Privacy.purge`` (every word of every conversation, one transaction each) and the
gateway store's part of one erasure (Rasa's part is one HTTP call). Each run builds afresh;
the medians are printed and written to results/bench/privacy_purge.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report
from bot import tracker_store
from bot.db import Database
from bot.db.schema import case_messages, cases, conversations, events, inbound, outbox, staff_posts
from bot.privacy.service import DAY, Privacy, erase_in_store

WORDS = "i have nowhere to sleep tonight near redwood city, call me on 650 555 0123"


def fill(c: sa.engine.Connection, count: int, at: float) -> None:
    for n in range(count):
        cid = f"conv{n:08d}"
        c.execute(conversations.insert().values(
            id=cid, channel="sms", address=f"+1650555{n:04d}", opted_out=False, buttons=(),
            created_at=at, updated_at=at))  # fmt: skip
        c.execute(inbound.insert(), [
            {"conversation_id": cid, "channel": "sms", "kind": "text", "text": WORDS,
             "status": "done", "received_at": at + i} for i in range(5)])  # fmt: skip
        c.execute(outbox.insert(), [
            {"conversation_id": cid, "channel": "sms", "kind": "reply", "body": {"text": WORDS},
             "status": "sent", "created_at": at + i} for i in range(5)])  # fmt: skip
        c.execute(events.insert().values(conversation_id=cid, kind="handoff", created_at=at,
                  data={"reason": "request_human", "recent": [{"text": WORDS}]}))  # fmt: skip
        if n % 10 == 0:
            case_id = c.execute(cases.insert().values(
                conversation_id=cid, channel="sms", status="closed", risk="normal",
                reason="request_human", details={"need": "shelter", "recent": [{"text": WORDS}]},
                route="office", opened_at=at, closed_at=at + 60)).inserted_primary_key[0]  # fmt: skip
            c.execute(case_messages.insert(), [
                {"case_id": case_id, "direction": "client", "text": WORDS, "created_at": at}
                for _ in range(6)])  # fmt: skip
            c.execute(staff_posts.insert(), [
                {"case_id": case_id, "op": "client", "body": {"text": WORDS}, "status": "sent",
                 "created_at": at} for _ in range(4)])  # fmt: skip


def fill_tracker(engine: sa.engine.Engine, count: int, at: float) -> None:
    tracker_store.metadata.create_all(engine)
    rows = []
    for n in range(count):
        for i in range(20):
            kind = ("user", "bot", "action", "slot")[i % 4]
            data = {"event": kind, "timestamp": at + i, "text": WORDS}
            rows.append({"sender_id": f"conv{n:08d}", "type_name": kind, "timestamp": at + i,
                         "data": json.dumps(data)})  # fmt: skip
    with engine.begin() as c:
        c.execute(tracker_store.events.insert(), rows)


async def nothing_in_rasa(_cid: str) -> int:
    return 0


async def one_run(count: int) -> tuple[float, float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as folder:
        at = time.time() - 400 * DAY
        db = Database(f"sqlite:///{folder}/gateway.db")
        await db.open()
        await db.run(fill, count, at)
        engine = tracker_store.engine_for(f"sqlite:///{folder}/tracker.db")
        fill_tracker(engine, count, at)
        privacy = Privacy(db, nothing_in_rasa, engine)
        started = time.perf_counter()
        counts = await privacy.purge("bench")
        purge = time.perf_counter() - started
        started = time.perf_counter()
        await db.run(erase_in_store, "conv00000001", "bench", time.time())
        erase = time.perf_counter() - started
        await db.close()
        engine.dispose()
        return purge, erase, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    purges, erases = [], []
    counts: dict[str, int] = {}
    for _ in range(args.runs):
        purge, erase, counts = asyncio.run(one_run(args.conversations))
        purges.append(purge)
        erases.append(erase)
    median = statistics.median(purges)
    report(
        "privacy_purge",
        {
            "conversations": args.conversations,
            "runs": args.runs,
            "rows_changed_per_purge": counts,
            "purge_seconds_median": round(median, 2),
            "conversations_per_second": round(args.conversations / median),
            "erase_gateway_ms_median": round(statistics.median(erases) * 1000, 1),
        },
    )


if __name__ == "__main__":
    main()
