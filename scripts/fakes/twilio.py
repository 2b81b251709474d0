"""A fake Twilio: the Messages REST API the gateway sends through, and signed inbound webhooks.

Sends need the account's basic auth, like Twilio. ``fail_next`` makes the next sends answer
Twilio's error shape (e.g. 400 with code 21610 for an opted-out number, 429, 500).
:func:`signed_sms` builds an inbound webhook form signed with twilio's own RequestValidator.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

from .base import LoopbackServer

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-test-auth-token"
FROM_NUMBER = "+15005550006"


@dataclass
class Sms:
    to: str
    from_: str
    body: str
    at: float = field(default_factory=time.monotonic)


class FakeTwilio(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sms] = []
        self.failures: list[tuple[int, int, str]] = []
        self.on_send: Callable[[Sms], None] | None = None  # benchmarks watch replies arrive
        self._sids = itertools.count(1)
        path = "/2010-04-01/Accounts/{sid}/Messages.json"
        self.app.router.add_post(path, self._create)

    def fail_next(self, count: int, status: int, code: int, message: str) -> None:
        self.failures.extend([(status, code, message)] * count)

    def bodies_to(self, number: str) -> list[str]:
        return [m.body for m in self.sent if m.to == number]

    async def _create(self, request: web.Request) -> web.Response:
        expected = aiohttp.BasicAuth(ACCOUNT_SID, AUTH_TOKEN).encode()
        if (
            request.match_info["sid"] != ACCOUNT_SID
            or request.headers.get("Authorization") != expected
        ):
            return _error(401, 20003, "Authenticate")
        form = await request.post()
        if self.failures:
            return _error(*self.failures.pop(0))
        sms = Sms(str(form["To"]), str(form["From"]), str(form["Body"]))
        self.sent.append(sms)
        if self.on_send is not None:
            self.on_send(sms)
        sid = f"SM{next(self._sids):032d}"
        body = {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "to": sms.to,
            "from": sms.from_,
            "body": sms.body,
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": "Thu, 30 Jul 2015 20:12:31 +0000",
            "date_updated": "Thu, 30 Jul 2015 20:12:31 +0000",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
        }
        return web.json_response(body, status=201)


def _error(status: int, code: int, message: str) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status)


_message_sids = itertools.count(1)


def sms_form(sender: str, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
    """The form Twilio posts for an inbound SMS."""
    return {
        "MessageSid": sid or f"SMin{next(_message_sids):030d}",
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


def signature(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a POST of ``form`` to ``url``."""
    return RequestValidator(token).compute_signature(url, form)


async def post_sms(
    session: aiohttp.ClientSession, url: str, form: dict[str, str], signed_url: str | None = None
) -> tuple[int, str]:
    """POST a signed inbound SMS webhook as Twilio does; (status, body)."""
    headers = {"X-Twilio-Signature": signature(signed_url or url, form)}
    async with session.post(url, data=form, headers=headers) as response:
        return response.status, await response.text()
