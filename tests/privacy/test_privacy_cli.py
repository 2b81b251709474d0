"""``python -m bot.privacy`` as staff run it, a separate process on the gateway's store: bad
input is refused with what to give instead, an unknown client is "nothing held", an erasure
while Rasa is down is pending (exit 3) and the gateway finishes it, export gives JSON."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from scripts.fakes.base import wait_for
from tests.bot.test_gateway_rasa import ROOT
from tests.handoff.helpers import settle
from tests.privacy.helpers import PHONE, PHONE_WRITTEN, SENTENCE, found_in_store, sms


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_twilio):
    return await start_gateway(settings_for(sms=fake_twilio))


@pytest.fixture(autouse=True)
def tracker_file(tmp_path, monkeypatch):
    """A tracker store as Rasa creates it, empty: the fake Rasa keeps its own in memory."""
    import sqlalchemy as sa

    from bot import tracker_store

    path = tmp_path / "tracker.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    tracker_store.metadata.create_all(engine)
    engine.dispose()
    monkeypatch.setenv("RASA_TRACKER_DB", str(path))
    return path


async def privacy_cli(*args: str, **env: str) -> tuple[int, str]:
    """``python -m bot.privacy ARGS`` as staff run it, on a tracker store on SQLite, with ``env``
    over this process's environment: its exit code and what it printed."""
    env = {
        **os.environ,
        "SENDER_HASH_SALT": "salt-for-tests",
        "RASA_TRACKER_DIALECT": "sqlite",
        "RASA_TRACKER_URL": "",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.privacy", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return int(process.returncode or 0), out.decode()


async def cli(gateway, fake_rasa, *args: str) -> tuple[int, str]:
    return await privacy_cli(
        *args, GATEWAY_DATABASE_URL=gateway.db.url, RASA_URL=fake_rasa.url, RASA_TOKEN="x"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("erase", "sms", "4155550100"), "a phone number with + and the country code"),
        (("erase", "telegram", "@someone"), "the Telegram chat id, a number"),
        (("erase", "webchat", "a b"), "1 to 128 letters"),
        (("erase",), "give CHANNEL CLIENT_ID, or --case N"),
        (("erase", "sms", PHONE, "--case", "1"), "not both"),
        (("erase", "--case", "42"), "there is no case 42"),
    ],
)
async def test_bad_input_is_refused_with_what_to_give(gateway, fake_rasa, args, said):
    code, out = await cli(gateway, fake_rasa, *args)
    assert code == 1
    assert said in out


async def test_unknown_then_erase_while_rasa_is_down_then_export(gateway, fake_rasa, http):
    code, out = await cli(gateway, fake_rasa, "erase", "sms", "+16505550999")
    assert (code, out.strip()) == (
        1,
        "Nothing is held about this client (never seen, or already erased).",
    )

    await sms(http, gateway, f"{SENTENCE}, call me on {PHONE_WRITTEN}")
    await settle(gateway)
    code, out = await cli(gateway, fake_rasa, "export", "sms", PHONE)
    assert code == 0
    assert f"{SENTENCE}, call me on {PHONE_WRITTEN}" in [
        m["text"] for m in json.loads(out)["messages"]
    ]

    cid = gateway.conversation_id("sms", PHONE)
    await fake_rasa.stop()
    code, out = await cli(gateway, fake_rasa, "erase", "sms", "+1 (650) 555-0123")
    assert code == 3, out
    assert "will finish the erasure as soon as Rasa answers" in out
    assert found_in_store(gateway.db.url, [SENTENCE, PHONE]) == []
    await fake_rasa.start()
    await wait_for(lambda: cid not in fake_rasa.trackers, timeout=20)  # the gateway finished it

    code, out = await cli(gateway, fake_rasa, "audit")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert actions[:2] == ["erase", "export"]
    assert PHONE not in out
    assert cid not in out
