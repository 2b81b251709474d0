"""The staff console: the queue, a case with its transcript, a reply box, Claim and Close;
on a closed case, erasing its client everywhere (with a confirmation, :mod:`bot.privacy`).

For staff at a desk, on the same store as the Telegram relay: what one does, the other sees.
Plain HTML forms from templates (``bot/templates/console_*.html``, :mod:`bot.web`), no build
step; a small script adds new transcript lines without a reload.
Every page and action needs a signed-in member of staff (:mod:`bot.web.session`); without a
session a page redirects to the sign-in form and the JSON answers 401, so nothing of a case is
readable by anyone else. Forms carry the session's CSRF token; the session cookie is HttpOnly
and SameSite=Strict. The client is shown by alias (never a number or a Telegram account).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.admin.service import AdminError
from bot.db import followups as followup_store
from bot.db.followups import Followup
from bot.errors import BadInput, CaseError, CaseNotFound, ErasureRefused, PrivacyError
from bot.handoff import checkins, texts
from bot.handoff.model import Case, Entry, Staff
from bot.handoff.service import Handoff
from bot.inputs import whole_number
from bot.state import ADMIN, HANDOFF, PRIVACY
from bot.web import HEADERS, auth, pages, session
from bot.web.session import FORM_KEY, ROLES, SESSION_KEY, signed_in

log = logging.getLogger(__name__)

PREFIX = "/staff"


def add_routes(app: web.Application, secure_cookie: bool) -> None:
    pages.setup(app)
    session.add_routes(app, secure_cookie)
    app.router.add_get(PREFIX, signed_in(queue_page))
    app.router.add_get(f"{PREFIX}/", signed_in(queue_page))
    app.router.add_get(f"{PREFIX}/cases/{{id:\\d+}}", signed_in(case_page))
    app.router.add_get(f"{PREFIX}/cases/{{id:\\d+}}/entries", signed_in(entries, api=True))
    for action in ("claim", "reply", "note", "close"):
        app.router.add_post(f"{PREFIX}/cases/{{id:\\d+}}/{action}", signed_in(act, form=True))
    app.router.add_get(f"{PREFIX}/cases/{{id:\\d+}}/erase", signed_in(erase_form))
    app.router.add_post(f"{PREFIX}/cases/{{id:\\d+}}/erase", signed_in(erase, form=True))
    app.router.add_post(f"{PREFIX}/cases/{{id:\\d+}}/misread", signed_in(misread, form=True))
    app.router.add_post(f"{PREFIX}/cases/{{id:\\d+}}/checkin", signed_in(checkin, form=True))
    app.router.add_post(
        f"{PREFIX}/cases/{{id:\\d+}}/checkins/{{checkin:\\d{{1,9}}}}/cancel",
        signed_in(cancel_checkin, form=True),
    )


# --- pages ----------------------------------------------------------------------------------------


async def queue_page(request: web.Request) -> web.Response:
    """GET /staff: the open cases, most urgent first, and the ones closed lately."""
    handoff = request.app[HANDOFF]
    session: auth.Session = request[SESSION_KEY]
    now = handoff.desk.clock()
    rows = [_queue_row(case, now) for case in await handoff.desk.queue()]
    closed = [
        {"case": c, "alias": texts.alias(c), "reason": texts.reason_label(c.reason),
         "status": texts.status_line(c)}
        for c in await handoff.desk.recently_closed()
    ]  # fmt: skip
    lead = handoff.settings.role_of(session.username) in ROLES["lead"]
    found = await handoff.desk.checkin_queue()
    zone = handoff.roster.tz
    checkin_rows = {
        name: [_checkin_row(f, zone, now) for f in getattr(found, name)]
        for name in ("held", "due", "unanswered", "answered", "dropped")
    }
    proposed = [
        {"case": c, "alias": texts.alias(c), "reason": texts.reason_label(c.reason),
         "closed": checkins.shown(c.closed_at or now, zone)}
        for c in found.proposed
    ]  # fmt: skip
    return _page(request, "console_queue.html", "Queue", refresh=True, rows=rows, closed=closed,
                 lead=lead, proposed=proposed, checkins=checkin_rows)  # fmt: skip


def _checkin_row(followup: Followup, zone: ZoneInfo, now: float) -> dict[str, Any]:
    """A check-in as the console lists it (its words only on its case's page)."""
    when = followup.sent_at or followup.due_at
    ago = max(0.0, now - when) / 3600
    return {
        "id": followup.id,
        "case_id": followup.case_id,
        "when": checkins.shown(when, zone),
        "ago": f"{ago:.0f} h ago" if followup.sent_at else "",
        "kind": "appointment reminder" if followup.kind == "appointment" else "check-in",
        "state": checkins.state_of(followup),
        "author": followup.author or "?",
        "note": followup.note if followup.state == "cancelled" else "",
        "text": followup.text or "",
        "live": followup.state in followup_store.LIVE,
    }


def _queue_row(case: Case, now: float) -> dict[str, Any]:
    return {
        "case": case,
        "risk": "HIGH" if case.risk == "high" else "normal",
        "alias": texts.alias(case),
        "reason": texts.reason_label(case.reason),
        "waited": f"{max(0.0, now - case.opened_at) / 60:.0f}",
        "state": "WAITING" if case.status == "waiting" else f"claimed by {case.claimed_by_name}",
    }


async def case_page(
    request: web.Request, error: str | None = None, checkin_form: dict[str, str] | None = None
) -> web.Response:
    """GET /staff/cases/N: the summary, the transcript, and what can be done."""
    handoff = request.app[HANDOFF]
    case_id = _case_id(request)
    try:
        case = await handoff.desk.case(case_id)
    except CaseNotFound:
        raise web.HTTPNotFound(text=f"There is no case #{case_id}.") from None
    opening = await handoff.desk.opening_text(case_id)
    transcript = await handoff.desk.transcript(case_id)
    when = handoff.roster.local_time(case.opened_at)
    now, zone = handoff.desk.clock(), handoff.roster.tz
    scheduled = await handoff.desk.checkins_of(case_id)
    why_not, proposed = await handoff.desk.checkin_options(case)
    return _page(
        request, "console_case.html", f"Case #{case.id}", 409 if error else 200,
        error=error,
        marked=not error and bool(request.query.get("marked")),
        case=case,
        summary=texts.summary(case, opening, when, status=False, limit=None),  # the page: all
        status_line=texts.status_line(case),
        last=transcript[-1].id if transcript else 0,
        entries=[_entry(handoff, e) for e in transcript],
        nonce=secrets.token_urlsafe(12),
        checkins=[_checkin_row(f, zone, now) for f in scheduled],
        can_check_in=why_not is None,
        why_not=why_not,
        propose=proposed and not scheduled,
        default_when=_default_when(now, zone),
        usual=handoff.core.texts.of(case.language).checkin_template,
        checkin_form={**dict.fromkeys(CHECKIN_FIELDS, ""), **(checkin_form or {})},
    )  # fmt: skip


def _default_when(now: float, zone: ZoneInfo) -> str:
    """Tomorrow at 10:00, the client's time, as a date and time field wants it."""
    tomorrow = datetime.fromtimestamp(now, zone).date() + timedelta(days=1)
    return f"{tomorrow.isoformat()}T10:00"


async def checkin(request: web.Request) -> web.StreamResponse:
    """POST /staff/cases/N/checkin: schedule a check-in (bot.handoff.checkins)."""
    handoff = request.app[HANDOFF]
    session: auth.Session = request[SESSION_KEY]
    data = request[FORM_KEY]
    case_id = _case_id(request)
    form = {name: str(data.get(name, ""))[:4000] for name in CHECKIN_FIELDS}
    staff = Staff("console:" + session.username, session.username)
    try:
        await handoff.desk.schedule_checkin(
            case_id, staff, form["when"].strip() or "-", form["kind"] or "checkin",
            form["text"], form["appointment"], form["place"],
        )  # fmt: skip
    except CaseNotFound:
        raise web.HTTPNotFound(text=f"There is no case #{case_id}.") from None
    except CaseError as exc:
        return await case_page(request, error=f"Not scheduled: {exc}", checkin_form=form)
    raise web.HTTPSeeOther(f"{PREFIX}/cases/{case_id}#checkins")


CHECKIN_FIELDS = ("when", "kind", "text", "appointment", "place")


async def cancel_checkin(request: web.Request) -> web.StreamResponse:
    """POST /staff/cases/N/checkins/M/cancel: cancel a check-in not sent or answered yet."""
    handoff = request.app[HANDOFF]
    session: auth.Session = request[SESSION_KEY]
    case_id = _case_id(request)
    followup_id = int(request.match_info["checkin"])
    staff = Staff("console:" + session.username, session.username)
    try:
        await handoff.desk.cancel_checkin(followup_id, staff, case_id)
    except CaseError as exc:
        return await case_page(request, error=str(exc))
    back = str(request[FORM_KEY].get("back", ""))
    raise web.HTTPSeeOther(PREFIX if back == "queue" else f"{PREFIX}/cases/{case_id}#checkins")


def _entry(handoff: Handoff, entry: Entry) -> dict[str, Any]:
    """A transcript line, as the page shows it and as ``entries`` sends it to the page's script."""
    return {
        "id": entry.id,
        "direction": entry.direction,
        "time": handoff.roster.local_time(entry.created_at),
        "text": texts.entry_line(entry),
    }


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
        "entries": [_entry(handoff, e) for e in lines],
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
    case_id = _case_id(request)
    return _page(request, "console_erase.html", f"Erase case #{case_id}", 409 if error else 200,
                 error=error, case_id=case_id, word=ERASE_WORD)  # fmt: skip


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
    return _page(request, "console_erased.html", "Erased", status=result.status,
                 described=result.describe())  # fmt: skip


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
    request: web.Request,
    template: str,
    title: str,
    code: int = 200,
    refresh: bool = False,
    **context: Any,
) -> web.Response:
    """A console page: ``template`` (bot/templates) in the console's frame."""
    page = {"title": title, "prefix": PREFIX, "session": request.get(SESSION_KEY),
            "refresh": refresh, "error": None, **context}  # fmt: skip
    return pages.render(request, template, page, status=code)
