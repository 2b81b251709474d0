"""The staff console: the queue, a case with its transcript, a reply box, Claim and Close;
on a closed case, erasing its client everywhere (with a confirmation, :mod:`bot.privacy`).

For staff at a desk, on the same store as the Telegram relay: what one does, the other sees.
Plain HTML forms (no build step); a small script adds new transcript lines without a reload.
Every page and action needs a signed-in member of staff (:mod:`bot.handoff.auth`); without a
session a page redirects to the sign-in form and the JSON answers 401, so nothing of a case is
readable by anyone else. Forms carry the session's CSRF token; the session cookie is HttpOnly
and SameSite=Strict. The client is shown by alias (never a number or a Telegram account).
"""

from __future__ import annotations

import hmac
import html
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.admin.service import AdminError
from bot.errors import BadInput, CaseError, CaseNotFound, ErasureRefused, PrivacyError
from bot.handoff import auth, signin, texts
from bot.handoff.model import Case, Entry, Staff
from bot.handoff.service import Handoff
from bot.inputs import whole_number
from bot.state import ADMIN, HANDOFF, PRIVACY

log = logging.getLogger(__name__)

PREFIX = "/staff"
COOKIE = "staff_session"
# The session is for the console (/staff) and the pages of leads and admins (/admin): a path
# both share. HttpOnly and SameSite=Strict, so no script and no other site can use it.
COOKIE_PATH = "/"
STATIC = Path(__file__).resolve().parent / "static"
SECURE_COOKIE = web.AppKey("staff_cookie_secure", bool)
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
        "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION_KEY = "staff_session"


def add_routes(app: web.Application, secure_cookie: bool) -> None:
    app[SECURE_COOKIE] = secure_cookie
    app.router.add_get(f"{PREFIX}/login", login_form)
    app.router.add_post(f"{PREFIX}/login", login)
    app.router.add_post(f"{PREFIX}/logout", signed_in(logout))
    app.router.add_get(PREFIX, signed_in(queue_page))
    app.router.add_get(f"{PREFIX}/", signed_in(queue_page))
    app.router.add_get(f"{PREFIX}/cases/{{id:\\d+}}", signed_in(case_page))
    app.router.add_get(f"{PREFIX}/cases/{{id:\\d+}}/entries", signed_in(entries, api=True))
    for action in ("claim", "reply", "note", "close"):
        app.router.add_post(f"{PREFIX}/cases/{{id:\\d+}}/{action}", signed_in(act, form=True))
    app.router.add_get(f"{PREFIX}/cases/{{id:\\d+}}/erase", signed_in(erase_form))
    app.router.add_post(f"{PREFIX}/cases/{{id:\\d+}}/erase", signed_in(erase, form=True))
    app.router.add_post(f"{PREFIX}/cases/{{id:\\d+}}/misread", signed_in(misread, form=True))
    app.router.add_static(f"{PREFIX}/static/", STATIC, append_version=False)


# --- signing in ---------------------------------------------------------------------------------


ROLES = {"staff": ("staff", "lead", "admin"), "lead": ("lead", "admin"), "admin": ("admin",)}


def signed_in(
    handler: Handler, api: bool = False, form: bool = False, role: str = "staff"
) -> Handler:
    """Only for a signed-in member of staff with ``role`` (``staff``, ``lead`` or ``admin``:
    each allows the ones after it); a form must carry the session's CSRF token."""
    allowed = ROLES[role]

    async def guarded(request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(COOKIE, "")
        handoff = request.app[HANDOFF]
        session = None
        if token:
            session = await handoff.desk.db.run(auth.find_session, token, handoff.desk.clock())
        if session is None:
            if api:
                return web.json_response({"error": "sign in first"}, status=401)
            if request.method == "POST":
                raise web.HTTPForbidden(text="sign in first")
            raise web.HTTPSeeOther(f"{PREFIX}/login")
        if handoff.settings.role_of(session.username) not in allowed:
            text = f"this page is for {'admins' if role == 'admin' else 'staff leads and admins'}"
            if api:
                return web.json_response({"error": text}, status=403)
            raise web.HTTPForbidden(text=text)
        if form or request.method == "POST":
            data = await request.post()
            given = str(data.get("csrf", ""))
            if not hmac.compare_digest(given.encode(), session.csrf.encode()):
                raise web.HTTPForbidden(text="the form is out of date: reload the page")
            request[FORM_KEY] = data
        request[SESSION_KEY] = session
        return await handler(request)

    return guarded


FORM_KEY = "staff_form"


async def login_form(request: web.Request) -> web.Response:
    """GET /staff/login."""
    return _page("Sign in", _login_body(request.app[HANDOFF], None), None)


def _login_body(handoff: Handoff, error: str | None) -> str:
    if not handoff.settings.console_accounts:
        return (
            "<p class='error'>No staff accounts are configured. Set STAFF_CONSOLE_USERS "
            "(python -m bot.handoff add-staff NAME makes an entry).</p>"
        )
    message = f"<p class='error' role='alert'>{_e(error)}</p>" if error else ""
    return (
        f"{message}<form method='post' action='{PREFIX}/login' class='login'>"
        "<label>Name <input name='name' autocomplete='username' required maxlength='32'></label>"
        "<label>Password or token <input name='password' type='password' required "
        "autocomplete='current-password' maxlength='200'></label>"
        "<button type='submit'>Sign in</button></form>"
    )


async def login(request: web.Request) -> web.Response:
    """POST /staff/login: a session cookie for the right name and password; else say no."""
    handoff = request.app[HANDOFF]
    data = await request.post()
    name, password = str(data.get("name", ""))[:32], str(data.get("password", ""))[:200]
    address = request.remote or "unknown"
    device = request.cookies.get(signin.DEVICE_COOKIE, "")
    outcome = await handoff.signin.attempt(name, password, address, device)
    if outcome.refused == "throttled":
        body = _login_body(handoff, "Too many attempts. Wait a few minutes and try again.")
        return _page("Sign in", body, None, status=429)
    if outcome.refused == "busy":
        body = _login_body(handoff, "Too many sign-ins at once. Try again in a moment.")
        return _page("Sign in", body, None, status=503)
    account = outcome.account
    if account is None:
        log.warning("staff console: a sign-in was refused")
        return _page("Sign in", _login_body(handoff, "Wrong name or password."), None, status=401)
    token, _ = await handoff.desk.db.run(auth.start_session, account.name, handoff.desk.clock())
    response = web.HTTPSeeOther(PREFIX)
    secure = request.app[SECURE_COOKIE]
    response.set_cookie(
        COOKIE,
        token,
        max_age=auth.SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=secure,
    )
    if outcome.device_cookie:  # this browser has signed in as this name: a known device
        response.set_cookie(
            signin.DEVICE_COOKIE,
            outcome.device_cookie,
            max_age=signin.DEVICE_SECONDS,
            path=f"{PREFIX}/login",
            httponly=True,
            samesite="Strict",
            secure=secure,
        )
    log.info("staff console: %s signed in", account.name)
    raise response


async def logout(request: web.Request) -> web.Response:
    """POST /staff/logout: the session ends at once."""
    token = request.cookies.get(COOKIE, "")
    await request.app[HANDOFF].desk.db.run(auth.end_session, token)
    response = web.HTTPSeeOther(f"{PREFIX}/login")
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    raise response


# --- pages ----------------------------------------------------------------------------------------


async def queue_page(request: web.Request) -> web.Response:
    """GET /staff: the open cases, most urgent first, and the ones closed lately."""
    handoff = request.app[HANDOFF]
    session: auth.Session = request[SESSION_KEY]
    now = handoff.desk.clock()
    open_cases = await handoff.desk.queue()
    closed = await handoff.desk.recently_closed()
    rows = "".join(_queue_row(handoff, case, now) for case in open_cases) or (
        "<tr><td colspan='6'>No open cases.</td></tr>"
    )
    done = "".join(
        f"<li><a href='{PREFIX}/cases/{c.id}'>#{c.id}</a> {_e(texts.alias(c))} · "
        f"{_e(texts.reason_label(c.reason))} · {_e(texts.status_line(c))}</li>"
        for c in closed
    )
    body = (
        "<h2>Open cases <small>(most urgent first)</small></h2>"
        "<table id='queue'><thead><tr><th>#</th><th>Risk</th><th>Client</th><th>Why</th>"
        f"<th>Waiting</th><th>Status</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<h2>Closed lately</h2><ul id='closed'>{done or '<li>None.</li>'}</ul>"
    )
    if handoff.settings.role_of(session.username) in ROLES["lead"]:
        body += "<p><a id='report' href='/admin/report'>Report: what clients needed</a></p>"
    return _page("Queue", body, session, refresh=True)


def _queue_row(handoff: Handoff, case: Case, now: float) -> str:
    waited = max(0.0, now - case.opened_at) / 60
    state = "WAITING" if case.status == "waiting" else f"claimed by {case.claimed_by_name}"
    risk = "HIGH" if case.risk == "high" else "normal"
    return (
        f"<tr class='{case.risk} {case.status}'><td><a href='{PREFIX}/cases/{case.id}'>"
        f"#{case.id}</a></td><td>{risk}</td><td>{_e(texts.alias(case))}</td>"
        f"<td>{_e(texts.reason_label(case.reason))}</td><td>{waited:.0f} min</td>"
        f"<td>{_e(state)}</td></tr>"
    )


async def case_page(request: web.Request, error: str | None = None) -> web.Response:
    """GET /staff/cases/N: the summary, the transcript, and what can be done."""
    handoff = request.app[HANDOFF]
    session: auth.Session = request[SESSION_KEY]
    case_id = _case_id(request)
    try:
        case = await handoff.desk.case(case_id)
    except CaseNotFound:
        raise web.HTTPNotFound(text=f"There is no case #{case_id}.") from None
    opening = await handoff.desk.opening_text(case_id)
    transcript = await handoff.desk.transcript(case_id)
    when = handoff.roster.local_time(case.opened_at)
    summary = texts.summary(case, opening, when, status=False, limit=None)  # the page shows all
    last = transcript[-1].id if transcript else 0
    lines = "".join(_entry(handoff, e) for e in transcript)
    alert = f"<p class='error' role='alert'>{_e(error)}</p>" if error else ""
    if not error and request.query.get("marked"):
        alert = "<p class='done' role='status' id='marked'>Sent to the admins' review inbox.</p>"
    body = (
        f"<p><a href='{PREFIX}'>← Queue</a></p>{alert}"
        f"<pre class='summary'>{_e(summary)}</pre>"
        f"<p id='status' class='{case.status}'>{_e(texts.status_line(case))}</p>"
        f"<ol id='transcript' data-case='{case.id}' data-last='{last}'>{lines}</ol>"
        f"{_actions(case, session)}{_misread_form(case, session)}"
    )
    return _page(f"Case #{case.id}", body, session, status=409 if error else 200)


def _entry(handoff: Handoff, entry: Entry) -> str:
    when = handoff.roster.local_time(entry.created_at)
    return (
        f"<li class='{entry.direction}' data-id='{entry.id}'><time>{_e(when)}</time> "
        f"{_e(texts.entry_line(entry))}</li>"
    )


def _actions(case: Case, session: auth.Session) -> str:
    if not case.is_open:
        return (
            "<p>This case is closed.</p>"
            f"<p><a id='erase' href='{PREFIX}/cases/{case.id}/erase'>Erase this client's "
            "conversation…</a></p>"
        )
    csrf = f"<input type='hidden' name='csrf' value='{_e(session.csrf)}'>"
    nonce = f"<input type='hidden' name='nonce' value='{secrets.token_urlsafe(12)}'>"
    base = f"{PREFIX}/cases/{case.id}"
    claim = (
        f"<form method='post' action='{base}/claim'>{csrf}<button id='claim'>Claim</button></form>"
        if case.status == "waiting"
        else ""
    )
    return (
        f"<section class='actions'>{claim}"
        f"<form method='post' action='{base}/reply' class='reply'>{csrf}{nonce}"
        "<label for='reply-text'>Reply to the client</label>"
        "<textarea id='reply-text' name='text' rows='3' maxlength='4000' required></textarea>"
        "<button id='send'>Send to client</button></form>"
        f"<form method='post' action='{base}/note' class='note'>{csrf}{nonce}"
        "<label for='note-text'>Note for staff only</label>"
        "<input id='note-text' name='text' maxlength='4000' required>"
        "<button id='add-note'>Add note</button></form>"
        f"<form method='post' action='{base}/close' class='close'>{csrf}"
        "<label for='close-text'>Last message to the client (optional)</label>"
        "<input id='close-text' name='text' maxlength='4000'>"
        "<button id='close'>Close the case</button></form></section>"
    )


def _misread_form(case: Case, session: auth.Session) -> str:
    """The assistant misunderstood the client: their last message to the admins' inbox."""
    return (
        f"<form method='post' action='{PREFIX}/cases/{case.id}/misread' class='misread'>"
        f"<input type='hidden' name='csrf' value='{_e(session.csrf)}'>"
        "<button id='misread'>The assistant misread the client's last message</button></form>"
    )


async def misread(request: web.Request) -> web.StreamResponse:
    """POST /staff/cases/N/misread: the client's last message to the admins' review inbox."""
    session: auth.Session = request[SESSION_KEY]
    case_id = _case_id(request)
    admin = request.app.get(ADMIN)
    if admin is None:
        raise web.HTTPServiceUnavailable(text="The review inbox is not running.")
    try:
        await admin.mark_case(case_id, session.username)
    except AdminError as exc:
        return await case_page(request, error=str(exc))
    raise web.HTTPSeeOther(f"{PREFIX}/cases/{case_id}?marked=1")


async def entries(request: web.Request) -> web.Response:
    """GET /staff/cases/N/entries?after=ID: transcript lines after ID, and the case's status."""
    handoff = request.app[HANDOFF]
    raw = request.match_info["id"]
    try:
        case_id = whole_number(raw, "the case number")
        case = await handoff.desk.case(case_id)
    except (BadInput, CaseNotFound):
        return web.json_response({"error": f"there is no case #{_shown(raw)}"}, status=404)
    try:
        after = whole_number(request.query.get("after", "0"), "after")
    except BadInput as exc:
        return web.json_response({"error": str(exc)}, status=400)
    lines = await handoff.desk.transcript(case_id, after)
    body = {
        "status": case.status,
        "status_line": texts.status_line(case),
        "entries": [
            {
                "id": e.id,
                "direction": e.direction,
                "time": handoff.roster.local_time(e.created_at),
                "text": texts.entry_line(e),
            }
            for e in lines
        ],
    }
    return web.json_response(body, headers=HEADERS)


async def act(request: web.Request) -> web.StreamResponse:
    """POST /staff/cases/N/{claim,reply,note,close}: do it, then back to the case."""
    handoff = request.app[HANDOFF]
    session: auth.Session = request[SESSION_KEY]
    data = request[FORM_KEY]
    case_id = _case_id(request)
    action = request.path.rsplit("/", 1)[1]
    staff = Staff("console:" + session.username, session.username)
    text = str(data.get("text", ""))
    nonce = str(data.get("nonce", ""))[:64] or secrets.token_urlsafe(12)
    provider_id = f"console:{session.username}:{nonce}"
    desk = handoff.desk
    try:
        if action == "claim":
            await desk.claim(case_id, staff)
        elif action == "reply":
            await desk.reply(case_id, staff, text, provider_id, echo=True)
        elif action == "note":
            await desk.note(case_id, staff, text, provider_id + ":note", echo=True)
        else:
            await desk.close(case_id, staff, text or None)
    except CaseNotFound:
        raise web.HTTPNotFound(text=f"There is no case #{case_id}.") from None
    except CaseError as exc:
        return await case_page(request, error=str(exc))
    raise web.HTTPSeeOther(f"{PREFIX}/cases/{case_id}")


# --- erasure (bot.privacy) ------------------------------------------------------------------------

ERASE_WORD = "erase"


async def erase_form(request: web.Request, error: str | None = None) -> web.Response:
    """GET /staff/cases/N/erase: what erasing does, and a form to confirm it."""
    session: auth.Session = request[SESSION_KEY]
    case_id = _case_id(request)
    alert = f"<p class='error' role='alert'>{_e(error)}</p>" if error else ""
    body = (
        f"<p><a href='{PREFIX}/cases/{case_id}'>← Case #{case_id}</a></p>{alert}"
        "<p>Erasing removes, for good, everything this client wrote and was sent: their "
        "messages to the assistant and its replies, the transcript of this case and of any "
        "other case of theirs, the staff group's posts about them, what Rasa recorded, and "
        "their phone number or chat id. What reports count stays, without words. It cannot "
        "be undone. The privacy audit records that you erased a conversation, and when; not "
        "whose.</p>"
        f"<form method='post' action='{PREFIX}/cases/{case_id}/erase' class='erase'>"
        f"<input type='hidden' name='csrf' value='{_e(session.csrf)}'>"
        f"<label for='erase-confirm'>Type <b>{ERASE_WORD}</b> to confirm</label>"
        "<input id='erase-confirm' name='confirm' required autocomplete='off'>"
        "<button id='erase-now'>Erase everywhere</button></form>"
    )
    return _page(f"Erase case #{case_id}", body, session, status=409 if error else 200)


async def erase(request: web.Request) -> web.Response:
    """POST /staff/cases/N/erase: erase the case's client everywhere, once confirmed."""
    session: auth.Session = request[SESSION_KEY]
    case_id = _case_id(request)
    if str(request[FORM_KEY].get("confirm", "")).strip().lower() != ERASE_WORD:
        return await erase_form(request, error=f"Type {ERASE_WORD} to confirm.")
    try:
        result = await request.app[PRIVACY].erase_case(case_id, "console:" + session.username)
    except ErasureRefused as exc:
        return await erase_form(request, error=f"Not erased: {exc}.")
    except PrivacyError:
        raise web.HTTPNotFound(text=f"There is no case #{case_id}.") from None
    log.info("console: %s erased a conversation (%s)", session.username, result.status)
    body = (
        f"<p><a href='{PREFIX}'>← Queue</a></p>"
        f"<p id='erased' class='{result.status}'>{_e(result.describe())}</p>"
    )
    return _page("Erased", body, session)


def _case_id(request: web.Request) -> int:
    """The case number in the path; 404 when no case can have it (40 digits, say)."""
    raw = request.match_info["id"]
    try:
        return whole_number(raw, "the case number")
    except BadInput:
        raise web.HTTPNotFound(text=f"There is no case #{_shown(raw)}.") from None


def _shown(digits: str) -> str:
    return digits if len(digits) <= 20 else digits[:20] + "…"


# --- the page around it ---------------------------------------------------------------------------


def _page(
    title: str,
    body: str,
    session: auth.Session | None,
    status: int = 200,
    refresh: bool = False,
) -> web.Response:
    signed = ""
    if session is not None:
        signed = (
            f"<form method='post' action='{PREFIX}/logout' class='who'>"
            f"<input type='hidden' name='csrf' value='{_e(session.csrf)}'>"
            f"{_e(session.username)} <button id='logout'>Sign out</button></form>"
        )
    meta = "<meta http-equiv='refresh' content='10'>" if refresh else ""
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"{meta}<title>{_e(title)} · Staff console</title>"
        f"<link rel='stylesheet' href='{PREFIX}/static/console.css'>"
        f"<script src='{PREFIX}/static/console.js' defer></script></head>"
        f"<body><header><h1>Staff console · {_e(title)}</h1>{signed}</header>"
        f"<main>{body}</main></body></html>"
    )
    return web.Response(text=document, content_type="text/html", status=status, headers=HEADERS)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)
