"""The whole system, with the real Rasa and action servers (tests/servers.py): clients talk on
SMS, Telegram and web chat, the SMS client also with staff (a case in a Telegram staff topic,
replies, a note); then ``python -m bot.privacy erase`` (a separate process, as staff run it)
and the retention purge. Afterwards every table of the gateway store and of Rasa's tracker
store, and every line the gateway, Rasa and the action server logged, is searched for the
client's sentence and number: none may remain, and the counts are unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.privacy import RedactingFormatter
from bot.settings import Secret
from bot.state import PRIVACY
from bot.tracker_store import events
from scripts.fakes.base import wait_for
from tests.handoff.helpers import settle
from tests.privacy.helpers import (
    CHAT,
    PHONE,
    PHONE_WRITTEN,
    SENTENCE,
    WEB,
    counts,
    found_in_files,
    found_in_lines,
    found_in_store,
    plant_sms_with_staff,
    plant_telegram,
    sms,
    web,
)
from tests.privacy.test_privacy_cli import privacy_cli
from tests.servers import RasaServers

pytestmark = pytest.mark.slow

OTHER = "my neighbour keeps three grey ferrets"  # another client's words: they stay


@pytest.fixture
def log_file(tmp_path: Path):
    """The gateway's log, written as `python -m bot` writes it (masked), to a file."""
    path = tmp_path / "gateway.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


@pytest.fixture
async def gateway(
    rasa_servers: RasaServers, settings_for, start_gateway, fake_telegram, fake_twilio, log_file
):
    return await start_gateway(
        settings_for(
            telegram=fake_telegram,
            sms=fake_twilio,
            **rasa_servers.gateway_settings(timeout=30.0),
            tracker_store_url=Secret(f"sqlite:///{rasa_servers.tracker_db}"),
        )
    )


def tracker_url(rasa_servers: RasaServers) -> str:
    return f"sqlite:///{rasa_servers.tracker_db}"


def everywhere(gateway, rasa_servers: RasaServers, log_file: Path, words) -> list[str]:
    """Every place the words are: tables of both stores, every file beside them (the files of
    var/ under make run: SQLite files, write-ahead logs, shared memory), the gateway's log,
    Rasa's and the action server's output."""
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert any("message" in line and "stored" in line for line in lines)  # it is the log
    for name in ("rasa", "actions"):
        lines += rasa_servers.stack.output.get(name, [])
    folders = {
        Path(gateway.db.url.removeprefix("sqlite:///")).parent,
        rasa_servers.tracker_db.parent,
    }
    return (
        found_in_store(gateway.db.url, words)
        + found_in_store(tracker_url(rasa_servers), words)
        + found_in_files(folders, words)
        + [f"log: {line}" for line in found_in_lines(lines, words)]
    )


async def cli(*args: str, rasa_servers: RasaServers, database: str) -> tuple[int, str]:
    return await privacy_cli(
        *args,
        GATEWAY_DATABASE_URL=database,
        RASA_URL=rasa_servers.rasa_url,
        RASA_TOKEN=rasa_servers.token,
        RASA_TRACKER_DB=str(rasa_servers.tracker_db),
    )


async def test_erase_an_sms_client_who_talked_to_the_bot_and_to_staff(
    gateway, rasa_servers, fake_telegram, http, log_file
):
    await web(http, gateway, OTHER)
    await plant_sms_with_staff(http, gateway)
    await sms(http, gateway, f"back again, {SENTENCE}")  # to Rasa again after the case
    await settle(gateway, timeout=60)
    cid = gateway.conversation_id("sms", PHONE)
    assert SENTENCE in str(rasa_servers.tracker(cid)["events"])  # planted in Rasa too
    assert everywhere(gateway, rasa_servers, log_file, [SENTENCE])
    before = await counts(gateway)

    # The number as staff might type it: spaces and all.
    code, out = await cli(
        "erase", "sms", "+1 650 555 0123", "--by", "alex",
        rasa_servers=rasa_servers, database=gateway.db.url,
    )  # fmt: skip

    assert code == 0, out
    assert "Erased everywhere" in out
    # The CLI has no Telegram bot: the running gateway deletes the staff group's topic.
    await wait_for(lambda: fake_telegram.topics == {}, timeout=30)
    assert not any(SENTENCE in p.text for p in fake_telegram.posts)
    assert everywhere(gateway, rasa_servers, log_file, [SENTENCE, PHONE, PHONE_WRITTEN, cid]) == []
    assert found_in_store(gateway.db.url, [OTHER])  # the other client's words stay
    assert await counts(gateway) == before
    assert rasa_servers.tracker(cid)["events"] == [] or all(
        e.get("event") != "user" for e in rasa_servers.tracker(cid)["events"]
    )

    # Rasa does not bring it back: the client's next message starts a new conversation.
    await sms(http, gateway, "hello")
    await settle(gateway, timeout=60)
    events = rasa_servers.tracker(cid)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["hello"]
    assert found_in_store(tracker_url(rasa_servers), [SENTENCE]) == []

    code, out = await cli("audit", rasa_servers=rasa_servers, database=gateway.db.url)
    assert '"action": "erase", "actor": "alex"' in out
    assert cid not in out
    assert PHONE not in out


async def test_the_purge_leaves_no_words_in_any_store_and_the_counts(
    gateway, rasa_servers, fake_telegram, http, log_file, clock
):
    await plant_sms_with_staff(http, gateway)
    await web(http, gateway, SENTENCE)
    await plant_telegram(fake_telegram, gateway)
    await settle(gateway, timeout=60)
    ids = [
        gateway.conversation_id(*a)
        for a in (("sms", PHONE), ("webchat", WEB), ("telegram", str(CHAT)))
    ]
    assert found_in_store(tracker_url(rasa_servers), [SENTENCE])
    before = await counts(gateway)
    user_events = await asyncio.to_thread(_user_events, tracker_url(rasa_servers), ids)

    clock.advance(minutes=366 * 24 * 60)  # past both retention periods
    await gateway.app[PRIVACY].purge("cli:test")

    words = [SENTENCE, PHONE, PHONE_WRITTEN]
    assert everywhere(gateway, rasa_servers, log_file, words) == []
    assert await counts(gateway) == before
    # Rasa's record keeps what reports count: every message, with its intent, no words.
    assert await asyncio.to_thread(_user_events, tracker_url(rasa_servers), ids) == user_events
    # ... and Rasa still answers these conversations.
    replies = await web(http, gateway, "where can i get food")
    assert replies["replies"]


def _user_events(url: str, ids: list[str]) -> list[tuple[str, str | None]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(events.c.sender_id, events.c.intent_name)
            .where(events.c.type_name == "user", events.c.sender_id.in_(ids))
            .order_by(events.c.id)
        ).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


async def test_a_turn_in_flight_does_not_bring_an_erased_conversation_back(rasa_servers):
    """Rasa appends the events beyond those stored when it saves a tracker: a turn that loaded
    the conversation before its rows were deleted would write it all back. The erase route
    takes the conversation's lock, so the turn either finishes first or starts afresh."""
    import aiohttp

    from bot.privacy.tracker import RasaEraser
    from tests.servers import new_sender

    sender = new_sender()
    await asyncio.to_thread(rasa_servers.send, sender, SENTENCE)
    async with aiohttp.ClientSession() as session:
        # The route needs the API token, as every other conversation route of Rasa.
        url = f"{rasa_servers.rasa_url}/webhooks/erase/conversations/{sender}"
        async with session.delete(url) as refused:
            assert refused.status == 401
        async with session.delete(url, params={"token": "wrong"}) as refused:
            assert refused.status == 401
        assert SENTENCE in str(rasa_servers.tracker(sender)["events"])
        eraser = RasaEraser(session, [rasa_servers.rasa_url], rasa_servers.token)
        # Deleting the rows directly at these moments brought the words back in 2 of 6.
        for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.3):
            turn = asyncio.create_task(
                asyncio.to_thread(rasa_servers.send, sender, "i need a bed in redwood city")
            )
            await asyncio.sleep(delay)
            await eraser(sender)
            await turn
            assert SENTENCE not in str(rasa_servers.tracker(sender)["events"])
            await asyncio.to_thread(rasa_servers.send, sender, SENTENCE)  # for the next round
