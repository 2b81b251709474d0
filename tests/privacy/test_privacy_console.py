"""Erasing from the staff console: a signed-in member of staff opens a closed case, reads what
erasing does, confirms by typing the word, and the client is gone from the gateway store and
Rasa's (fake) tracker; an open case is refused; a form without the session's token too."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.state import HANDOFF
from tests.handoff.conftest import PASSWORDS
from tests.handoff.helpers import settle
from tests.privacy.helpers import (
    ALEX,
    PHONE,
    found_in_store,
    open_case_of,
    plant_sms_with_staff,
    sms,
)


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_twilio):
    return await start_gateway(settings_for(sms=fake_twilio))


@pytest.fixture
async def staff(gateway):
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        form = {"name": "alex", "password": PASSWORDS["alex"]}
        async with session.post(
            f"{gateway.url}/staff/login", data=form, allow_redirects=False
        ) as r:
            assert r.status == 303
        yield session


async def csrf_of(staff, url: str) -> tuple[str, str]:
    async with staff.get(url) as response:
        assert response.status == 200
        page = await response.text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1), page


async def test_staff_erase_a_closed_case_after_confirming(gateway, staff, fake_rasa, http):
    case_id = await plant_sms_with_staff(http, gateway)
    cid = gateway.conversation_id("sms", PHONE)
    base = f"{gateway.url}/staff/cases/{case_id}"
    _, page = await csrf_of(staff, base)
    assert f"/staff/cases/{case_id}/erase" in page
    token, page = await csrf_of(staff, f"{base}/erase")
    assert "cannot be undone" in page

    async with staff.post(f"{base}/erase", data={"csrf": token, "confirm": "yes"}) as r:
        assert r.status == 409
        assert "Type erase to confirm" in await r.text()
    assert found_in_store(gateway.db.url, [PHONE])  # not confirmed: nothing erased

    async with staff.post(f"{base}/erase", data={"csrf": token, "confirm": "Erase"}) as r:
        assert r.status == 200
        assert "Erased everywhere" in await r.text()
    assert found_in_store(gateway.db.url, [PHONE, cid, "peru"]) == []
    assert cid not in fake_rasa.trackers

    async with staff.post(f"{base}/erase", data={"csrf": token, "confirm": "erase"}) as r:
        assert "Nothing is held" in await r.text()  # twice: nothing more to do


async def test_an_open_case_is_not_erased_and_a_forged_form_is_refused(gateway, staff, http):
    await sms(http, gateway, "can i talk to a person")
    case_id = await open_case_of(gateway)
    await settle(gateway)
    base = f"{gateway.url}/staff/cases/{case_id}"
    _, page = await csrf_of(staff, base)
    assert "/erase" not in page  # no erase link while it is open
    token, _ = await csrf_of(staff, f"{base}/erase")
    async with staff.post(f"{base}/erase", data={"csrf": "forged", "confirm": "erase"}) as r:
        assert r.status == 403
    async with staff.post(f"{base}/erase", data={"csrf": token, "confirm": "erase"}) as r:
        assert r.status == 409
        assert f"case {case_id} is open: close it first" in await r.text()
    assert found_in_store(gateway.db.url, [PHONE])
    await gateway.app[HANDOFF].desk.close(case_id, ALEX)
    async with staff.post(f"{base}/erase", data={"csrf": token, "confirm": "erase"}) as r:
        assert r.status == 200
    assert found_in_store(gateway.db.url, [PHONE]) == []


async def test_a_case_that_does_not_exist(gateway, staff):
    token, _ = await csrf_of(staff, f"{gateway.url}/staff/cases/99/erase")
    url = f"{gateway.url}/staff/cases/99/erase"
    async with staff.post(url, data={"csrf": token, "confirm": "erase"}) as r:
        assert r.status == 404
