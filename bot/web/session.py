"""Signing in, for every page of staff: the console (``/staff``), and the pages of leads and
admins (``/admin``). One session cookie for both; a route wraps its handler in
:func:`signed_in` with the role it needs.

The hashes and sessions are :mod:`bot.web.auth`; checking a password off the event loop, and
slowing down whoever guesses, :mod:`bot.web.signin`. Without a session a page redirects to the
sign-in form and the JSON answers 401. Forms carry the session's CSRF token; the cookie is
HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.state import HANDOFF
from bot.web import auth, pages, signin

log = logging.getLogger(__name__)

HOME = "/staff"  # where a sign-in leads
LOGIN = f"{HOME}/login"
COOKIE = "staff_session"
# The session is for the console (/staff) and the pages of leads and admins (/admin): a path
# both share. HttpOnly and SameSite=Strict, so no script and no other site can use it.
COOKIE_PATH = "/"
SECURE_COOKIE = web.AppKey("staff_cookie_secure", bool)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION_KEY = "staff_session"


def add_routes(app: web.Application, secure_cookie: bool) -> None:
    app[SECURE_COOKIE] = secure_cookie
    app.router.add_get(LOGIN, login_form)
    app.router.add_post(LOGIN, login)
    app.router.add_post(f"{HOME}/logout", signed_in(logout))


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
            raise web.HTTPSeeOther(LOGIN)
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
    return _login_page(request, None)


def _login_page(request: web.Request, error: str | None, status: int = 200) -> web.Response:
    accounts = bool(request.app[HANDOFF].settings.console_accounts)
    page = {"title": "Sign in", "prefix": HOME, "session": None, "refresh": False,
            "accounts": accounts, "error": error}  # fmt: skip
    return pages.render(request, "console_login.html", page, status=status)


async def login(request: web.Request) -> web.Response:
    """POST /staff/login: a session cookie for the right name and password; else say no."""
    handoff = request.app[HANDOFF]
    data = await request.post()
    name, password = str(data.get("name", ""))[:32], str(data.get("password", ""))[:200]
    address = request.remote or "unknown"
    device = request.cookies.get(signin.DEVICE_COOKIE, "")
    outcome = await handoff.signin.attempt(name, password, address, device)
    if outcome.refused == "throttled":
        return _login_page(request, "Too many attempts. Wait a few minutes and try again.", 429)
    if outcome.refused == "busy":
        return _login_page(request, "Too many sign-ins at once. Try again in a moment.", 503)
    account = outcome.account
    if account is None:
        log.warning("staff console: a sign-in was refused")
        return _login_page(request, "Wrong name or password.", 401)
    token, _ = await handoff.desk.db.run(auth.start_session, account.name, handoff.desk.clock())
    response = web.HTTPSeeOther(HOME)
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
            path=LOGIN,
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
    response = web.HTTPSeeOther(LOGIN)
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    raise response
