"""SMS through Twilio: signed webhooks in, Twilio's REST API out.

``POST /sms/twilio`` checks ``X-Twilio-Signature`` with twilio's own ``RequestValidator``
against the public URL (``PUBLIC_URL`` + path, so it holds behind a reverse proxy that rewrites
the host; without ``PUBLIC_URL`` the route is not there, see :meth:`Settings.not_started`),
answers 403 when it does not match, stores the message, and acknowledges at once
with empty TwiML. Replies go out through the outbox with ``messages.create`` (GSM-7, at most two
segments each, see :mod:`bot.channels.sms.render`).

Keywords, matched on the whole message (case and trailing punctuation ignored): the opt-out
words are recorded and nothing more is sent until START or UNSTOP; HELP and INFO get the
gateway's help text with the crisis line. Twilio's error 21610 (the number has opted out at
Twilio) marks the conversation opted out too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels import Context
from bot.errors import PermanentSendError, StoreError, TransientSendError
from bot.model import Incoming, Kind
from bot.pacing import Pacer
from bot.settings import Settings
from bot.state import HTTP, INBOX, SENDERS, SETTINGS

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/sms/twilio"
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
TWILIO_API = "https://api.twilio.com"

OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
OPTED_OUT_ERROR = 21610
# Twilio errors that a later attempt may get past: authentication (a fixed setting), queue full.
TRANSIENT_ERRORS = frozenset({20003, 20429, 30001})


def keyword_kind(body: str) -> Kind | None:
    """The kind an SMS keyword makes of a message, if the whole message is one."""
    word = body.strip().rstrip(".!").strip().upper()
    if word in OPT_OUT_WORDS:
        return "opt_out"
    if word in OPT_IN_WORDS:
        return "opt_in"
    if word in HELP_WORDS:
        return "help"
    return None


def incoming_from_form(form: Any) -> Incoming:
    """The message a Twilio webhook form carries; ValueError when it is not a message."""
    sender = (form.get("From") or "").strip()
    if not sender:
        raise ValueError("the form has no From")
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not sid:
        raise ValueError("the form has no MessageSid")
    body = form.get("Body") or ""
    try:
        media = int(form.get("NumMedia") or 0)
    except ValueError:
        media = 0
    kind: Kind = keyword_kind(body) or "text"
    if kind == "text" and not body.strip():
        kind = "media" if media else "empty"
    return Incoming("sms", sender, kind, body, provider_id=sid)


async def webhook(request: web.Request) -> web.Response:
    """POST /sms/twilio: check the signature, store the message, answer empty TwiML."""
    channel = request.app[CHANNEL]
    form = await request.post()
    signature = request.headers.get(SIGNATURE_HEADER)
    url = channel.public_url_of(request)
    if not signature or not channel.validator.validate(url, form, signature):
        log.warning("SMS webhook refused: %s X-Twilio-Signature", "wrong" if signature else "no")
        return web.Response(status=403, text="invalid or missing X-Twilio-Signature\n")
    try:
        incoming = incoming_from_form(form)
    except ValueError as exc:
        return web.Response(status=400, text=f"not an SMS webhook: {exc}\n")
    try:
        await request.app[INBOX].accept(incoming)
    except StoreError as exc:
        log.error("SMS not stored: %s", exc)
        return web.Response(status=503, text="not stored, send again\n")
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


class SmsChannel:
    """The SMS webhook's checks and Twilio's REST client."""

    def __init__(self, settings: Settings, session: aiohttp.ClientSession) -> None:
        if not (settings.twilio_account_sid and settings.twilio_from_number):
            raise ValueError("SMS needs TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER")
        self.public_url = settings.public_url
        self.validator = RequestValidator(settings.twilio_auth_token.reveal())
        http = RebasedHttpClient(session, settings.twilio_api_url, timeout=10.0)
        self.client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token.reveal(), http_client=http
        )
        self.sender = TwilioSender(self.client, settings.twilio_from_number)

    def public_url_of(self, request: web.Request) -> str:
        """The URL Twilio signed: PUBLIC_URL and the path (the route exists only with one)."""
        return f"{self.public_url or ''}{request.path_qs}"


class TwilioSender:
    """Sends one SMS through Twilio's REST API; maps its errors to transient and permanent."""

    def __init__(self, client: Client, from_number: str) -> None:
        self.client = client
        self.from_number = from_number
        # Keep a client's parts a second apart so they arrive in order; Twilio queues the rest.
        self.pacer = Pacer(per_key_rate=1.0, per_key_burst=1, overall_rate=30.0, overall_burst=30)

    async def send(self, address: str, body: dict[str, Any]) -> str | None:
        try:
            message = await self.client.messages.create_async(
                to=address, from_=self.from_number, body=body["text"]
            )
        except TwilioRestException as exc:
            raise _send_error(exc) from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise TransientSendError(f"cannot reach Twilio: {type(exc).__name__}") from None
        return str(message.sid) if message.sid else None


def _send_error(exc: TwilioRestException) -> Exception:
    code = f"Twilio error {exc.code} (HTTP {exc.status})"
    if exc.code == OPTED_OUT_ERROR:
        return PermanentSendError(f"{code}: the number has opted out", opted_out=True)
    if exc.status == 429 or exc.status >= 500 or exc.code in TRANSIENT_ERRORS or exc.status == 401:
        return TransientSendError(code)
    return PermanentSendError(code)


class RebasedHttpClient(AsyncHttpClient):
    """twilio's async HTTP client on the gateway's aiohttp session, at TWILIO_API_URL.

    Twilio's own ``AsyncTwilioHttpClient`` opens a session of its own and always calls
    api.twilio.com; this one shares the gateway's session and can point at a fake in tests.
    """

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout: float) -> None:
        super().__init__(logger=log, is_async=True, timeout=timeout)
        self.session = session
        self.base_url = base_url.rstrip("/")

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        async with self.session.request(
            method.upper(),
            url,
            params=params,
            data=data,
            headers=headers,
            auth=aiohttp.BasicAuth(*auth) if auth else None,
            timeout=aiohttp.ClientTimeout(total=timeout or self.timeout),
            allow_redirects=allow_redirects,
        ) as response:
            text = await response.text()
            return TwilioResponse(response.status, text, response.headers)


# --- the channel's interface (bot.channels.Unit) ----------------------------------------------

NAME = "sms"
CHANNEL: web.AppKey[SmsChannel] = web.AppKey("sms_channel")


def contexts(settings: Settings) -> tuple[list[Context], list[Context]]:
    # Twilio sends client replies, and pages to staff even with no SMS channel (no PUBLIC_URL).
    return ([client_ctx] if settings.twilio_enabled else []), []


def add_routes(app: web.Application, settings: Settings) -> None:
    if settings.sms_enabled:
        app.router.add_post(WEBHOOK_PATH, webhook)


async def stop_intake(app: web.Application) -> None:
    """Nothing to stop: Twilio's webhooks end with the server."""


def reachable_at(settings: Settings) -> str | None:
    if settings.sms_enabled and settings.twilio_from_number:
        return f"SMS {settings.twilio_from_number}"
    return None


async def client_ctx(app: web.Application) -> AsyncIterator[None]:
    channel = SmsChannel(app[SETTINGS], app[HTTP])
    app[CHANNEL] = channel
    app[SENDERS][NAME] = channel.sender
    yield
