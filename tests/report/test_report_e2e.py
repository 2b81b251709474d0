"""A night of use, then the report: a few hundred conversations through web chat, Telegram
(fake Bot API, webhook) and SMS (signed Twilio webhooks) against the real Rasa and action
servers, then the figures, the CSVs, and each chart drawn in headless Chromium with the right
number of bars, cells and points.

The gateway's clock is the test's: 2 a.m. on a Tuesday (after hours), moved on 3 minutes
before a member of staff claims the requests for a person. Clients type what clients type; the
NLU and the directory decide the rest, and the report must count exactly what happened:

- 150 clients (50 a channel) look for a bed in Redwood City: found, near;
- 90 (30 a channel) look for food in Pescadero: the nearest is further than 10 miles, unmet;
- 6 (2 a channel) look for food in Fresno (93721), outside the region: nothing found at all;
- 12 ask for a person (web chat and Telegram), claimed 3 minutes later on the console;
- 6 write that they want to kill themselves by SMS (the screen: clear risk, a case each);
- 1 non-lead member of staff tries the page: 403.

Runtime, on a busy 2-core machine: about 45 s for the test itself (264 clients, 510 messages;
58, 31 and 45 s in three runs), plus 50 to 90 s to start Rasa and the action server when no
other test of the session has started them (``pytest -m "slow and browser" --durations=3
tests/report/test_report_e2e.py``).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from playwright.async_api import Browser

from bot.db import report
from bot.db.schema import inbound
from bot.handoff.model import Staff
from bot.state import HANDOFF
from scripts.fakes.telegram import FakeTelegram, text_update
from scripts.fakes.twilio import post_sms, sms_form
from tests.handoff.conftest import TUESDAY_2AM, Clock
from tests.handoff.helpers import settle
from tests.report.conftest import LEAD, PASSWORDS
from tests.servers import RasaServers

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHELTER = ("where can i sleep tonight", "redwood city")
FOOD = ("im hungry where can i get food", "pescadero")
NOTHING = ("im hungry where can i get food", "93721")  # a ZIP code of Fresno
PERSON = "talk to a person"
CLEAR_RISK = "i want to kill myself"
PER_CHANNEL = {"shelter": 50, "food": 30, "nothing": 2}
PEOPLE = 12
AT_RISK = 6
AT_ONCE = 24  # web chat requests and webhooks in flight at a time


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@pytest.fixture
async def gateway(
    rasa_servers: RasaServers, settings_for, start_gateway, fake_telegram, fake_twilio, clock
):
    clock.set(TUESDAY_2AM)
    return await start_gateway(
        settings_for(
            telegram=fake_telegram,
            sms=fake_twilio,
            **rasa_servers.gateway_settings(timeout=60.0),
        )
    )


class Clients:
    """Sends what each client types on their own channel, a bounded number at a time."""

    def __init__(self, gateway, http: aiohttp.ClientSession, telegram: FakeTelegram) -> None:
        self.gateway, self.http, self.telegram = gateway, http, telegram
        self.sent = 0
        self._gate = asyncio.Semaphore(AT_ONCE)

    async def say(self, channel: str, n: int, text: str) -> None:
        async with self._gate:
            if channel == "webchat":
                body = {"sender": f"report-e2e-client-{n:05d}", "text": text}
                async with self.http.post(f"{self.gateway.url}/api/webchat", json=body) as r:
                    assert r.status == 200, await r.text()
            elif channel == "telegram":
                update_id = self.telegram.next_update_id()
                self.telegram.push(text_update(update_id, 7_000_000 + n, text))
            else:
                url = f"{self.gateway.url}/sms/twilio"
                status, _ = await post_sms(self.http, url, sms_form(f"+1628555{n:04d}", text))
                assert status == 200
            self.sent += 1

    async def round(self, sends: list[Callable[[], Awaitable[None]]]) -> None:
        """Everyone's next message, then wait until every one is stored and answered."""
        await asyncio.gather(*(send() for send in sends))
        stored = sa.select(sa.func.count()).select_from(inbound).where(inbound.c.kind != "control")
        expected = self.sent

        async def count() -> int:
            return int(await self.gateway.db.run(lambda c: c.execute(stored).scalar_one()))

        for _ in range(600):  # Telegram's webhook deliveries arrive on their own
            if await count() >= expected:
                break
            await asyncio.sleep(0.1)
        assert await count() == expected
        await settle(self.gateway, timeout=600)


def sends(clients: Clients, plan: list[tuple[str, int, str]]) -> list[Callable[[], Any]]:
    return [lambda ch=ch, n=n, text=text: clients.say(ch, n, text) for ch, n, text in plan]


async def sign_in(http: aiohttp.ClientSession, gateway, name: str) -> None:
    form = {"name": name, "password": PASSWORDS[name]}
    async with http.post(f"{gateway.url}/staff/login", data=form, allow_redirects=False) as r:
        assert r.status == 303


async def test_a_night_of_conversations_is_counted_drawn_and_downloadable(
    gateway,
    http,
    fake_telegram,
    clock: Clock,
    browser: Browser,
) -> None:
    clients = Clients(gateway, http, fake_telegram)
    channels = ("webchat", "telegram", "sms")
    searchers: list[tuple[str, int, tuple[str, str]]] = []
    n = 0
    for need, per in PER_CHANNEL.items():
        for channel in channels:
            for _ in range(per):
                words = {"shelter": SHELTER, "food": FOOD, "nothing": NOTHING}[need]
                searchers.append((channel, n, words))
                n += 1
    people = [(channels[i % 2], n + i, PERSON) for i in range(PEOPLE)]  # web chat, Telegram
    n += PEOPLE
    at_risk = [("sms", n + i, CLEAR_RISK) for i in range(AT_RISK)]

    # 2 a.m.: first words, then the place; the requests for a person and the risk beside them.
    first = [(ch, i, words[0]) for ch, i, words in searchers] + people + at_risk
    await clients.round(sends(clients, first))
    await clients.round(sends(clients, [(ch, i, words[1]) for ch, i, words in searchers]))
    # A member of staff claims each request for a person 3 minutes after it was made, on the
    # test's clock, which only moves forward (not the risk cases: they wait for the on-call
    # worker, which the report counts as asked, not claimed).
    desk = gateway.app[HANDOFF].desk
    requests = [case for case in await desk.queue() if case.reason == "request_human"]
    assert len(requests) == PEOPLE
    for case in sorted(requests, key=lambda case: case.opened_at):
        clock.set(dt.datetime.fromtimestamp(case.opened_at + 180, dt.timezone.utc))
        await desk.claim(case.id, Staff("console:alex", "alex"))

    events = await gateway.db.run(report.rows, 0, 2e10)
    kinds = Counter(e.kind for e in events)
    searches = Counter((e.need, e.place, e.channel) for e in events if e.kind == "search")
    expected = Counter()
    for channel in channels:
        expected[("shelter", "Redwood City", channel)] = PER_CHANNEL["shelter"]
        expected[("food", "Pescadero", channel)] = PER_CHANNEL["food"]
        expected[("food", "Fresno, CA", channel)] = PER_CHANNEL["nothing"]
    assert searches == expected
    found = [e for e in events if e.kind == "search"]  # not the follow-ups' counts
    assert all(e.found and e.nearest < 10 for e in found if e.need == "shelter")
    pescadero = [e for e in found if e.place == "Pescadero"]
    assert all(e.found and e.nearest > 10 and e.latitude for e in pescadero)
    fresno = [e for e in found if e.place == "Fresno, CA"]
    assert all(e.found == 0 and e.nearest is None and e.latitude is None for e in fresno)
    total = len(searchers) + PEOPLE + AT_RISK
    assert kinds["conversation"] == total
    assert kinds["claimed"] == PEOPLE
    assert [e.wait for e in events if e.kind == "claimed"] == [180.0] * PEOPLE
    risks = Counter((e.risk, e.tier, e.source, e.channel) for e in events if e.kind == "risk")
    assert risks == {("self_harm", "clear", "screen", "sms"): AT_RISK}
    handoffs = Counter((e.reason, e.outcome, e.after_hours) for e in events if e.kind == "handoff")
    assert handoffs == {
        ("request_human", "case", True): PEOPLE,
        ("risk_self_harm", "case", True): AT_RISK,
    }

    # The CSVs, as a lead downloads them.
    await sign_in(http, gateway, LEAD)
    async with http.get(f"{gateway.url}/admin/report/headline.csv?since=1d") as response:
        assert response.status == 200
        headline = dict(csv.reader(io.StringIO(await response.text())))
    assert headline["Conversations"] == str(total)
    assert headline["Needs asked (searches)"] == "246"
    assert headline["Unmet: nothing within 10 miles"] == "96 (39%)"
    assert headline["Nothing found at all"] == "6"
    assert headline["Risk signals, clear"] == str(AT_RISK)
    assert headline["Asked for a person"] == str(PEOPLE + AT_RISK)
    assert headline["Claimed by a person"] == str(PEOPLE)
    assert headline["Time to a person after hours, median"] == "3 min"
    assert headline["Time to a person after hours, 90th percentile"] == "3 min"
    async with http.get(f"{gateway.url}/admin/report/unmet.csv?since=1d") as response:
        rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[1:] == [["food · Pescadero", "90", "0", "90"], ["food · Fresno, CA", "6", "6", "6"]]
    async with http.get(f"{gateway.url}/admin/report/channels.csv?since=1d") as response:
        rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[1:] == [  # 88 conversations each: by name
        ["SMS", "88", "82", "6", "6"],
        ["Telegram", "88", "82", "0", "6"],
        ["web chat", "88", "82", "0", "6"],
    ]

    # The pictures, in headless Chromium: a lead signs in and opens the report.
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{gateway.url}/staff/login")
    await page.fill("input[name=name]", LEAD)
    await page.fill("input[name=password]", PASSWORDS[LEAD])
    await page.click("button[type=submit]")
    await page.wait_for_url("**/staff")
    await page.goto(f"{gateway.url}/admin/report?since=1d")

    async def drawn(key: str, selector: str) -> int:
        return await page.locator(f"#chart-{key} svg {selector}").count()

    days = 2  # since=1d at 2:03 a.m.: part of Monday and of Tuesday
    assert await drawn("needs_by_day", "rect.bar") == days * 2  # shelter and food, stacked
    assert await drawn("needs_by_week_hour", "rect.cell") == 7 * 24
    assert await drawn("needs", "rect.bar") == 2
    assert await drawn("unmet", "rect.bar") == 2
    assert await drawn("unmet_map", "circle.place") == 1  # Fresno is not in the region's map
    assert await drawn("waits", "circle.point") == 2  # median and 90th percentile at 02
    assert await drawn("handoffs", "rect.bar") == 2 * 3
    assert await drawn("risk_by_day", "rect.bar") == days * 4
    assert await drawn("channels", "rect.bar") == 3
    # The numbers are one click away.
    unmet = page.locator("#chart-unmet details")
    assert not await unmet.locator("table").is_visible()
    await unmet.locator("summary").click()
    assert await unmet.locator("tbody tr").count() == 2
    assert await unmet.locator("tbody td").first.inner_text() == "90"
    assert await page.locator("[data-key=unmet] dd").inner_text() == "96 (39%)"

    # A member of staff who is not a lead: 403.
    staff = await (await browser.new_context()).new_page()
    await staff.goto(f"{gateway.url}/staff/login")
    await staff.fill("input[name=name]", "alex")
    await staff.fill("input[name=password]", PASSWORDS["alex"])
    await staff.click("button[type=submit]")
    await staff.wait_for_url("**/staff")
    response = await staff.goto(f"{gateway.url}/admin/report")
    assert response is not None
    assert response.status == 403
