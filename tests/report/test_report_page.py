"""/admin/report through the running gateway (fake Rasa on loopback): who may open it, what a
report payload does (counted, never shown), the CSVs, and a bad range."""

from __future__ import annotations

import csv
import io

import aiohttp
import pytest

from bot.db import report
from scripts.fakes.rasa import FakeRasa
from tests.handoff.helpers import settle
from tests.report.conftest import ADMIN, LEAD, PASSWORDS

SEARCH = {"kind": "search", "need": "food", "place": "Pescadero", "postcode": None,
          "latitude": 37.2065, "longitude": -122.3649, "found": 12, "nearest": 19.5}  # fmt: skip


@pytest.fixture
async def http():
    """A browser-like session: it keeps the console's cookie for 127.0.0.1."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@pytest.fixture
async def gateway(start_gateway, settings_for):
    return await start_gateway(settings_for())


async def sign_in(http: aiohttp.ClientSession, gateway, name: str) -> None:
    form = {"name": name, "password": PASSWORDS[name]}
    async with http.post(f"{gateway.url}/staff/login", data=form, allow_redirects=False) as r:
        assert r.status == 303, await r.text()


async def say(http: aiohttp.ClientSession, gateway, sender: str, text: str) -> list[str]:
    async with http.post(f"{gateway.url}/api/webchat", json={"sender": sender, "text": text}) as r:
        assert r.status == 200
        body = await r.json()
    return [reply["text"] for reply in body["replies"]]


async def test_without_signing_in_the_report_is_not_readable(gateway, http) -> None:
    for path in ("/admin/report", "/admin/report/unmet.csv"):
        async with http.get(f"{gateway.url}{path}", allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/staff/login"


async def test_staff_who_are_not_leads_get_403(gateway, http) -> None:
    await sign_in(http, gateway, "alex")
    for path in ("/admin/report", "/admin/report/unmet.csv", "/admin/report/headline.csv"):
        async with http.get(f"{gateway.url}{path}", allow_redirects=False) as response:
            assert response.status == 403
            assert "staff leads and admins" in await response.text()
    async with http.get(f"{gateway.url}/staff", allow_redirects=False) as response:
        assert response.status == 200  # the console itself is still theirs
        assert "/admin/report" not in await response.text()


@pytest.mark.parametrize("name", [LEAD, ADMIN])
async def test_leads_and_admins_see_the_report_with_every_chart(gateway, http, name) -> None:
    await sign_in(http, gateway, name)
    async with http.get(f"{gateway.url}/staff") as response:
        assert '<a id="report" href="/admin/report">' in await response.text()
    async with http.get(f"{gateway.url}/admin/report?since=7d") as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    for key in ("needs_by_day", "needs_by_week_hour", "unmet", "unmet_map", "waits", "risk_by_day",
                "channels", "handoffs"):  # fmt: skip
        assert f'id="chart-{key}"' in page
        assert f"/admin/report/{key}.csv?since=7d" in page
    async with http.get(f"{gateway.url}/static/report.css") as response:
        assert response.status == 200


async def test_a_report_payload_is_counted_and_never_reaches_the_client(
    gateway, http, fake_rasa: FakeRasa
) -> None:
    fake_rasa.script["food in pescadero"] = [
        {"text": "Nothing within 10 miles of Pescadero. Nearest within 50 miles: ..."},
        {"custom": {"report": SEARCH}},
    ]
    check = [
        {"text": "Are you safe right now?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"custom": {"report": {"kind": "risk", "tier": "uncertain"}}},
    ]
    fake_rasa.script["im done with everything"] = check  # the screen: uncertain
    fake_rasa.script["everything feels pointless"] = check  # the NLU alone
    for n in range(6):
        assert await say(http, gateway, f"report-client-{n:02d}", "food in pescadero") == [
            "Nothing within 10 miles of Pescadero. Nearest within 50 miles: ..."
        ]
    assert await say(http, gateway, "report-client-98", "im done with everything") == [
        "Are you safe right now?"
    ]
    assert await say(http, gateway, "report-client-99", "everything feels pointless") == [
        "Are you safe right now?"
    ]
    await settle(gateway)
    # What the client's page reads later holds no report either.
    query = {"sender": "report-client-00", "after": "0"}
    async with http.get(f"{gateway.url}/api/webchat/messages", params=query) as response:
        assert "report" not in await response.text()
    events = await gateway.db.run(report.rows, 0, 2e10)
    kinds = sorted(e.kind for e in events)
    assert kinds.count("search") == 6
    assert kinds.count("conversation") == 8
    # Once each: the screen saw the first (the NLU's check is not counted again), the NLU alone
    # the second.
    assert [(e.risk, e.tier, e.source) for e in events if e.kind == "risk"] == [
        ("self_harm", "uncertain", "screen"),
        (None, "uncertain", "nlu"),
    ]

    await sign_in(http, gateway, LEAD)
    async with http.get(f"{gateway.url}/admin/report/unmet.csv?since=1d") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[1] == ["food · Pescadero", "6", "0", "6"]
    async with http.get(f"{gateway.url}/admin/report/headline.csv?since=1d") as response:
        headline = dict(csv.reader(io.StringIO(await response.text())))
    assert headline["Needs asked (searches)"] == "6"
    assert headline["Conversations"] == "8"
    assert headline["Risk signals, uncertain"] == "<5"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/admin/report?since=forever", 400),
        ("/admin/report/unmet.csv?since=forever", 400),
        ("/admin/report/nonsense.csv", 404),
        ("/admin/report/UNMET.csv", 404),
        ("/admin/report?since=2026-12-02&until=2026-11-01", 400),
    ],
)
async def test_a_bad_range_or_chart_says_so(gateway, http, path: str, status: int) -> None:
    await sign_in(http, gateway, LEAD)
    async with http.get(f"{gateway.url}{path}") as response:
        assert response.status == status
        if status == 400 and "csv" not in path:
            assert (
                "not a period" in await response.text() or "before its end" in await response.text()
            )
