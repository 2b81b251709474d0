"""Planting words through the channels as clients and staff would, and searching every table
of a store for them afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

from bot.channels.sms import WEBHOOK_PATH as SMS_PATH
from bot.db.schema import case_messages, cases, inbound, outbox
from bot.handoff.model import Staff
from bot.state import HANDOFF
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.gateway import RunningGateway
from scripts.fakes.twilio import post_sms, sms_form
from tests.handoff.helpers import settle

# Words no store may keep after an erasure or a purge, and that neither model reads as a risk
# end to end (python scripts/first_reply.py SET --show): the purge keeps an open high-risk case,
# and "the blue heron sleeps under pier nineteen" became one at f2c2842c (risk_immediate_danger,
# escalated), as did "the orange cat naps on the harbor wall" (risk_self_harm).
SENTENCE = "my cousin collects blue stamps from peru"
PHONE = "+16505550123"
PHONE_WRITTEN = "650 555 0123"  # as a client types it in a message
CHAT = 555000111
WEB = "privacy-web-sender-0000000001"
ALEX = Staff("console:alex", "alex")


def needles() -> tuple[str, ...]:
    """What must be gone: the sentence, the number (as sent and as typed), the chat id."""
    return (SENTENCE, PHONE, PHONE.removeprefix("+1"), PHONE_WRITTEN, str(CHAT), WEB)


def found_in_store(url_or_engine: str | sa.engine.Engine, words: Iterable[str]) -> list[str]:
    """Every ``table.column`` of every table in the store holding one of ``words``."""
    engine = sa.create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    words = [w.lower() for w in words]
    hits = []
    with engine.connect() as connection:
        for name in sa.inspect(connection).get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            for row in connection.execute(sa.select(table)):
                for column, value in row._mapping.items():
                    text = str(value).lower()
                    hits += [f"{name}.{column}: {w!r}" for w in words if w in text]
    if isinstance(url_or_engine, str):
        engine.dispose()
    return hits


def found_in_lines(lines: Iterable[str], words: Iterable[str]) -> list[str]:
    words = [w.lower() for w in words]
    return [line for line in lines if any(w in line.lower() for w in words)]


async def sms(http: aiohttp.ClientSession, gateway: RunningGateway, text: str) -> None:
    status, _ = await post_sms(http, f"{gateway.url}{SMS_PATH}", sms_form(PHONE, text))
    assert status == 200


async def web(http: aiohttp.ClientSession, gateway: RunningGateway, text: str) -> dict[str, Any]:
    async with http.post(f"{gateway.url}/api/webchat", json={"sender": WEB, "text": text}) as r:
        assert r.status == 200, await r.text()
        return dict(await r.json())


async def plant_sms_with_staff(http: aiohttp.ClientSession, gateway: RunningGateway) -> int:
    """An SMS client talks to the bot, then to staff, who answer and close: the case's id."""
    await sms(http, gateway, f"{SENTENCE}, call me on {PHONE_WRITTEN}")
    await settle(gateway)
    await sms(http, gateway, "can i talk to a person")
    await settle(gateway)
    case_id = await open_case_of(gateway)
    await sms(http, gateway, f"i said {SENTENCE}")
    await settle(gateway)
    desk = gateway.app[HANDOFF].desk
    await desk.reply(case_id, ALEX, f"I read you: {SENTENCE}. Still on {PHONE_WRITTEN}?", "t:1")
    await desk.note(case_id, ALEX, f"client mentions {SENTENCE}", "t:2")
    await desk.close(case_id, ALEX, f"Take care near {SENTENCE}.")
    await settle(gateway)
    return case_id


async def open_case_of(gateway: RunningGateway) -> int:
    query = sa.select(cases.c.id).where(cases.c.status != "closed").order_by(cases.c.id.desc())
    found: list[int] = []

    async def opened() -> bool:
        found[:] = await gateway.db.run(lambda c: list(c.execute(query).scalars()))
        return bool(found)

    for _ in range(200):
        if await opened():
            return found[0]
        await settle(gateway)
    raise AssertionError("no case opened")


async def plant_telegram(fake_telegram: Any, gateway: RunningGateway) -> None:
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, SENTENCE))
    await wait_for(lambda: len(fake_telegram.texts_to(CHAT)) >= 1, timeout=15)
    await settle(gateway)


async def counts(gateway: RunningGateway) -> dict[str, int]:
    """What a report counts: rows of messages, replies, cases and transcript entries."""

    def read(c: Any) -> dict[str, int]:
        return {
            table.name: int(c.execute(sa.select(sa.func.count()).select_from(table)).scalar())
            for table in (inbound, outbox, cases, case_messages)
        }

    return await gateway.db.run(read)


def found_in_files(folders: Iterable[Path], words: Iterable[str]) -> list[str]:
    """Every file under ``folders`` whose bytes hold one of ``words`` (as UTF-8, in any case):
    a SQLite file, its write-ahead log, its shared memory, anything else kept there.

    Read in another process: closing a file that SQLite has open in this one (the gateway the
    test runs) would drop SQLite's POSIX locks on it, which corrupts the store (sqlite.org,
    "How To Corrupt An SQLite Database File", 2.2)."""
    import json
    import subprocess
    import sys

    needles = sorted({w for w in words} | {w.lower() for w in words})
    code = (
        "import json, sys, pathlib\n"
        "folders, needles = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "hits = []\n"
        "for folder in folders:\n"
        "    for path in sorted(p for p in pathlib.Path(folder).rglob('*') if p.is_file()):\n"
        "        data = path.read_bytes()\n"
        "        hits += [f'file {path.name}: {n!r}' for n in needles if n.encode() in data]\n"
        "print(json.dumps(sorted(set(hits))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps([str(f) for f in folders]), json.dumps(needles)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return list(json.loads(done.stdout))
