"""``python -m bot`` as a process with staff on Telegram, paging and the console: a whole case
leaves nothing of itself in the logs (no words, no number, no Telegram id of client or staff).
"""

from __future__ import annotations

import aiohttp

from scripts.fakes.base import wait_for
from scripts.fakes.staff_telegram import ALEX, STAFF_CHAT
from scripts.fakes.twilio import post_sms, sms_form
from tests.bot.test_gateway_process import fakes_env, run_gateway  # noqa: F401 - a fixture
from tests.handoff.conftest import ACCOUNTS, BACKUP_PHONE, ON_CALL_PHONE

PHONE = "+16505550166"
CLIENT_WORDS = ("i need to talk to someone", "my landlord locked me out")
STAFF_WORDS = "Stay where you are, I am calling the shelter for you"


async def test_a_case_through_the_process_logs_nothing_of_itself(
    run_gateway,  # noqa: F811 - the fixture imported above
    fake_rasa,
    fake_telegram,
    staff_say,
    fake_twilio,
):
    gateway = run_gateway(
        **fakes_env(fake_rasa, fake_telegram, fake_twilio),
        STAFF_CHAT_ID=str(STAFF_CHAT),  # the same group at any hour, whatever the day
        ON_CALL_CHAT_ID=str(STAFF_CHAT),
        ON_CALL_PHONE=ON_CALL_PHONE,
        BACKUP_PHONE=BACKUP_PHONE,
        STAFF_CONSOLE_USERS=" ".join(f"{a.name}:{a.password_hash}" for a in ACCOUNTS),
        LOG_LEVEL="DEBUG",
    )
    gateway.env["PUBLIC_URL"] = gateway.url
    await gateway.start()
    await wait_for(lambda: fake_telegram.webhook_url is not None)
    async with aiohttp.ClientSession() as http:
        for words in CLIENT_WORDS:
            status, _ = await post_sms(http, f"{gateway.url}/sms/twilio", sms_form(PHONE, words))
            assert status == 200
        await wait_for(lambda: len(fake_telegram.topics_in(STAFF_CHAT)) == 1)
        [topic] = fake_telegram.topics_in(STAFF_CHAT)
        staff_say(STAFF_WORDS, topic.thread)
        await wait_for(lambda: STAFF_WORDS in fake_twilio.bodies_to(PHONE))
        staff_say("/note keys with neighbour", topic.thread)
        staff_say("/close", topic.thread)
        await wait_for(lambda: topic.closed)
        form = {"name": "alex", "password": "wrong password"}
        async with http.post(f"{gateway.url}/staff/login", data=form) as response:
            assert response.status == 401
    assert await gateway.stop() == 0

    logs = gateway.stderr
    assert "case 1 opened" in logs  # the gateway did log its work
    assert "case 1 closed" in logs
    for secret in (
        PHONE,
        PHONE[2:],
        PHONE[-7:],
        str(ALEX),
        str(STAFF_CHAT),
        ON_CALL_PHONE,
        BACKUP_PHONE,
    ):
        assert secret not in logs
    for words in (*CLIENT_WORDS, STAFF_WORDS, "keys with neighbour", "wrong password", "Alex"):
        assert words not in logs
