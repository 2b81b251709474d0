"""What the gateway counts for the report, through the running gateway (fake Rasa): requests for
a person nobody could answer, a case that timed out unclaimed, a claim's wait; the report
payloads taken out of Rasa's answer; and ``python -m bot.report``."""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path

import aiohttp
import pytest

from bot.db import Database, report
from bot.handoff.model import Staff
from bot.model import BotMessage, Button
from bot.pipeline import without_reports
from bot.report.__main__ import main as report_main
from bot.state import HANDOFF
from tests.handoff.conftest import TUESDAY_2AM
from tests.handoff.helpers import settle


async def say(http: aiohttp.ClientSession, gateway, sender: str, text: str) -> list[str]:
    async with http.post(f"{gateway.url}/api/webchat", json={"sender": sender, "text": text}) as r:
        assert r.status == 200
        return [reply["text"] for reply in (await r.json())["replies"]]


def test_report_payloads_are_taken_out_of_rasas_answer() -> None:
    listing = BotMessage("Near Redwood City: ...")
    check = BotMessage("Are you safe?", buttons=(Button("Yes", "/affirm"),),
                       custom={"report": {"kind": "risk"}, "request_location": True})  # fmt: skip
    kept, reports = without_reports(
        [listing, BotMessage(custom={"report": {"kind": "search", "need": "food"}}), check]
    )
    assert kept == [listing, BotMessage("Are you safe?", buttons=(Button("Yes", "/affirm"),))]
    assert kept[1].custom == {"request_location": True}
    assert reports == [{"kind": "search", "need": "food"}, {"kind": "risk"}]


async def test_a_request_nobody_can_answer_is_counted_as_such(start_gateway, settings_for, http):
    gateway = await start_gateway(settings_for(handoff={"console_accounts": ()}))
    await say(http, gateway, "nobody-here-0001", "talk to a person")
    await settle(gateway)
    [event] = [e for e in await gateway.db.run(report.rows, 0, 2e10) if e.kind == "handoff"]
    assert (event.reason, event.outcome, event.channel) == ("request_human", "nobody", "webchat")


async def test_a_claim_and_a_timeout_are_counted_with_their_wait(
    start_gateway, settings_for, http, clock
) -> None:
    clock.set(TUESDAY_2AM)
    gateway = await start_gateway(settings_for())
    await say(http, gateway, "claimed-client-0001", "talk to a person")
    await say(http, gateway, "waiting-client-0002", "talk to a person")
    await settle(gateway)
    handoff = gateway.app[HANDOFF]
    first, _waiting = sorted(await handoff.desk.queue(), key=lambda case: case.id)
    clock.advance(3)
    await handoff.desk.claim(first.id, Staff("console:alex", "alex"))
    clock.advance(30)  # the other one gives up (HANDOFF_GIVE_UP_MINUTES)
    await handoff.watcher.tick()
    await settle(gateway)
    events = await gateway.db.run(report.rows, 0, 2e10)
    asked = [(e.outcome, e.after_hours, e.hour) for e in events if e.kind == "handoff"]
    assert asked == [("case", True, report.hour_of(TUESDAY_2AM.timestamp()))] * 2
    [claimed] = [e for e in events if e.kind == "claimed"]
    assert 180 <= claimed.wait <= 185
    assert claimed.hour == report.hour_of(TUESDAY_2AM.timestamp())  # the hour the client asked
    [unclaimed] = [e for e in events if e.kind == "unclaimed"]
    assert unclaimed.outcome == "timeout"
    assert unclaimed.wait >= 33 * 60


async def test_the_terminal_report_prints_the_headline_and_writes_every_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    db = Database(url)
    await db.open()
    now = report.hour_of(time.time()) - 3600
    fields = {"need": "food", "place": "Pescadero", "found": 0}
    for _ in range(7):
        await db.run(report.add, "search", "sms", now, **fields)
    await db.run(report.add, "search", "sms", now, need="shelter", place="Daly City", found=3,
                 nearest=1.0)  # fmt: skip
    await db.close()
    monkeypatch.setenv("GATEWAY_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no .env of the project's
    folder = tmp_path / "funder"
    assert await asyncio.to_thread(report_main, ["--since", "30d", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Needs asked (searches)" in out
    assert "8" in out.split("Needs asked (searches)")[1].splitlines()[0]
    assert "7 (88%)" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["headline.csv", "needs_by_day.csv", "needs_by_week_hour.csv", "needs.csv", "unmet.csv",
         "unmet_map.csv", "waits.csv", "handoffs.csv", "risk_by_day.csv", "channels.csv",
         "followups.csv", "turned_away.csv"]
    )  # fmt: skip
    with (folder / "unmet.csv").open() as rows:
        assert list(csv.reader(rows))[1] == ["food · Pescadero", "7", "7", "7"]
    with (folder / "needs.csv").open() as rows:
        assert ["shelter", "<5"] in list(csv.reader(rows))


def test_the_terminal_report_refuses_a_period_it_cannot_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATEWAY_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    assert report_main(["--since", "last tuesday", str(tmp_path / "out")]) == 2
    assert "is not a period" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
