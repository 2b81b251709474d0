"""The staff console: signed-in staff only, driven in headless Chromium for the whole loop.

Clients here use web chat (its JSON API), so the test sees exactly what a client would.
"""

from __future__ import annotations

import aiohttp
import pytest
from playwright.async_api import Browser, Page

from tests.handoff.conftest import PASSWORDS
from tests.handoff.helpers import settle

NORMAL = "console-client-normal-0001"
AT_RISK = "console-client-at-risk-0002"


async def say(http: aiohttp.ClientSession, gateway, sender: str, text: str) -> dict:
    async with http.post(f"{gateway.url}/api/webchat", json={"sender": sender, "text": text}) as r:
        assert r.status == 200
        return await r.json()


async def heard(http: aiohttp.ClientSession, gateway, sender: str) -> list[str]:
    query = {"sender": sender, "after": "0"}
    async with http.get(f"{gateway.url}/api/webchat/messages", params=query) as response:
        return [m["text"] for m in (await response.json())["messages"]]


async def sign_in(http: aiohttp.ClientSession, gateway, name: str, password: str):
    """(status, page text, whether a session cookie was set)."""
    form = {"name": name, "password": password}
    async with http.post(f"{gateway.url}/staff/login", data=form, allow_redirects=False) as r:
        return r.status, await r.text(), "staff_session" in r.cookies


@pytest.fixture
async def gateway(start_gateway, settings_for):
    return await start_gateway(settings_for())


async def test_nothing_of_a_case_is_readable_without_signing_in(gateway, http):
    await say(http, gateway, NORMAL, "talk to a person")
    for path in ("/staff", "/staff/cases/1"):
        async with http.get(f"{gateway.url}{path}", allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/staff/login"
            assert "talk to a person" not in await response.text()
    async with http.get(f"{gateway.url}/staff/cases/1/entries") as response:
        assert response.status == 401
    form = {"text": "hello from nobody", "csrf": "x"}
    async with http.post(f"{gateway.url}/staff/cases/1/reply", data=form) as response:
        assert response.status == 403
    await settle(gateway)
    assert "hello from nobody" not in await heard(http, gateway, NORMAL)


async def test_a_wrong_password_an_unknown_name_and_too_many_tries_are_refused(gateway, http):
    for name, password in (("alex", "not the password"), ("mallory", PASSWORDS["alex"])):
        status, text, session = await sign_in(http, gateway, name, password)
        assert status == 401
        assert "Wrong name or password." in text  # the same for both
        assert not session
    for _ in range(4):
        await sign_in(http, gateway, "alex", "guess")
    status, text, session = await sign_in(http, gateway, "alex", PASSWORDS["alex"])
    assert status == 429  # slowed down, even with the right password now
    assert "Too many attempts" in text
    assert not session
    status, _, session = await sign_in(http, gateway, "sam", PASSWORDS["sam"])
    assert (status, session) == (303, True)  # another member of staff is not held up


async def test_a_form_without_the_session_token_is_refused(gateway, http):
    await say(http, gateway, NORMAL, "talk to a person")
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as staff:
        status, _, _ = await sign_in(staff, gateway, "alex", PASSWORDS["alex"])
        assert status == 303
        async with staff.post(f"{gateway.url}/staff/cases/1/claim", data={"csrf": "forged"}) as r:
            assert r.status == 403
        async with staff.get(f"{gateway.url}/staff/cases/1/entries") as r:
            assert (await r.json())["status"] == "waiting"


async def test_a_case_number_no_case_can_have_is_not_found(gateway, http):
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as staff:
        assert (await sign_in(staff, gateway, "alex", PASSWORDS["alex"]))[0] == 303
        huge = "9" * 40
        async with staff.get(f"{gateway.url}/staff/cases/{huge}") as response:
            assert response.status == 404
            assert "There is no case #99999999999999999999…" in await response.text()
        async with staff.get(f"{gateway.url}/staff/cases/{huge}/entries") as response:
            assert response.status == 404
            assert (await response.json())["error"].startswith("there is no case #")
        async with staff.get(f"{gateway.url}/staff/cases/1/entries?after={huge}") as response:
            assert response.status in (400, 404)  # no case 1 here, or a bad after: never 500


async def console(chromium: Browser, gateway, name: str = "alex") -> Page:
    page = await (await chromium.new_context()).new_page()
    await page.goto(f"{gateway.url}/staff")
    assert page.url.endswith("/staff/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", PASSWORDS[name])
    await page.click("button[type=submit]")
    await page.wait_for_selector("#queue")
    return page


@pytest.mark.browser
async def test_staff_at_a_desk_work_a_case_in_the_console(browser, gateway, http):
    await say(http, gateway, NORMAL, "can i talk to a real person")
    await say(http, gateway, AT_RISK, "i want to kill myself")  # later, but first in the queue
    page = await console(browser, gateway)
    rows = await page.locator("#queue tbody tr").all_inner_texts()
    assert rows[0].startswith("#2\tHIGH")
    assert rows[1].startswith("#1\tnormal")
    assert "WAITING" in rows[1]

    await page.click("a[href='/staff/cases/1']")
    await page.wait_for_selector("#transcript li.client >> text=can i talk to a real person")
    assert "web chat client" in await page.inner_text("pre.summary")
    await page.click("#claim")
    await page.wait_for_selector("#status >> text=claimed by alex")
    await page.fill("#reply-text", "Hello, I'm from the team. How can I help tonight?")
    await page.click("#send")
    await page.wait_for_selector("#transcript li.staff >> text=How can I help tonight?")
    await page.fill("#note-text", "returning client, calm")
    await page.click("#add-note")
    await page.wait_for_selector("#transcript li.note >> text=returning client, calm")
    await settle(gateway)
    told = await heard(http, gateway, NORMAL)
    assert told[-2:] == [
        "A person from our team is here now and will reply in this chat.",
        "Hello, I'm from the team. How can I help tonight?",
    ]
    assert not any("returning client" in t for t in told)
    assert not any("alex" in t.lower() for t in told)  # the client never learns who it is

    await say(http, gateway, NORMAL, "i need a bed for tonight")
    await page.wait_for_selector(
        "#transcript li.client >> text=i need a bed for tonight"
    )  # no reload

    await page.fill("#close-text", "I've sent you the shelter list. Take care.")
    await page.click("#close")
    await page.wait_for_selector("#status >> text=closed (alex)")
    await settle(gateway)
    told = await heard(http, gateway, NORMAL)
    assert told[-2:] == [
        "I've sent you the shelter list. Take care.",
        'You\'re back with the assistant now. Tell me in a few words what you need, or say "person" to talk to someone again.',
    ]
    answer = await say(http, gateway, NORMAL, "thanks")
    assert [r["text"] for r in answer["replies"]] == ["You said: thanks"]  # the bot again

    await page.click("a[href='/staff']")
    assert await page.locator("#queue tbody tr").count() == 1  # only the high-risk case is open
    assert "#1" in await page.inner_text("#closed")
    await page.click("#logout")
    await page.wait_for_url("**/staff/login")
    await page.goto(f"{gateway.url}/staff/cases/2")
    assert page.url.endswith("/staff/login")  # signed out: nothing readable
