"""Staff say the assistant misread a client: from the console's case page (a button) or the
case's Telegram topic (/misread), the client's last message goes to the admins' review inbox,
masked, first after the disagreements."""

from __future__ import annotations

import aiohttp

from bot.db import review
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import STAFF_CHAT
from tests.handoff.conftest import PASSWORDS
from tests.handoff.helpers import only_case, settle, topic_in

CLIENT = 555000222
WORDS = "im sleeping in my car, call me on 650 555 0142"


async def test_the_console_button_sends_the_clients_last_message_to_the_inbox(
    start_gateway, settings_for, http
):
    gateway = await start_gateway(settings_for())
    sender = "misread-client-0001"
    for text in ("talk to a person", WORDS):
        async with http.post(
            f"{gateway.url}/api/webchat", json={"sender": sender, "text": text}
        ) as response:
            assert response.status == 200
    await settle(gateway)
    case = await only_case(gateway)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as staff:
        form = {"name": "sam", "password": PASSWORDS["sam"]}  # staff, not an admin
        await staff.post(f"{gateway.url}/staff/login", data=form)
        async with staff.get(f"{gateway.url}/staff/cases/{case.id}") as response:
            page = await response.text()
        assert 'id="misread"' in page
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        url = f"{gateway.url}/staff/cases/{case.id}/misread"
        async with staff.post(url, data={"csrf": csrf}) as response:
            assert response.status == 200
            assert "Sent to the admins' review inbox." in await response.text()
        async with staff.post(url, data={"csrf": "forged"}) as response:
            assert response.status == 403
    (item,) = await gateway.db.run(review.listing)
    assert (item.kind, item.text) == ("staff", "im sleeping in my car, call me on [phone]")
    assert "sam" in item.detail


async def test_misread_in_the_staff_topic(start_gateway, settings_for, fake_telegram, staff_say):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "/human"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, WORDS))
    await wait_for(
        lambda: any("sleeping in my car" in p.text
                    for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread))
    )  # fmt: skip
    staff_say("/misread", topic.thread)
    await wait_for(
        lambda: any("1 message(s) of case #1 sent to the review inbox" in p.text
                    for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread))
    )  # fmt: skip
    await settle(gateway)
    (item,) = await gateway.db.run(review.listing)
    assert (item.kind, item.text) == ("staff", "im sleeping in my car, call me on [phone]")
    assert "Alex" in item.detail
    assert str(CLIENT) not in repr(item)
