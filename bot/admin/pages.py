"""The /admin pages: the review inbox, training, the gate's report, models, the audit log.

For signed-in admins only (``ADMIN_USERS``): the staff console's sign-in and session
(:func:`bot.web.session.signed_in` with ``role="admin"``); other staff get 403, and a
visitor without a session is sent to the sign-in form. Every form carries the session's CSRF
token; pages are templates of the gateway's one Jinja environment (:mod:`bot.web`), served with its
headers (CSP without inline script or style). An action that works redirects to its
page, which shows the audit entry it wrote (``?done=ID``); one refused shows the page again
with the reason, and changes nothing. Templates are ``bot/templates/admin_*.html``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.admin import labels, training
from bot.admin.models import PromotionError
from bot.admin.service import AdminError
from bot.admin.training import TrainingError
from bot.db import audit
from bot.errors import BadInput
from bot.inputs import whole_number
from bot.state import ADMIN
from bot.web import HEADERS, auth, pages
from bot.web.session import FORM_KEY, SESSION_KEY, signed_in

PREFIX = "/admin"
REFUSED = (AdminError, labels.LabelError, TrainingError, PromotionError)


def add_routes(app: web.Application) -> None:
    pages.setup(app)
    get, post = app.router.add_get, app.router.add_post
    get(PREFIX, signed_in(inbox_page, role="admin"))
    get(f"{PREFIX}/", signed_in(inbox_page, role="admin"))
    post(f"{PREFIX}/inbox/{{id:\\d+}}/label", signed_in(label, form=True, role="admin"))
    post(f"{PREFIX}/inbox/{{id:\\d+}}/discard", signed_in(discard, form=True, role="admin"))
    get(f"{PREFIX}/training", signed_in(training_page, role="admin"))
    get(f"{PREFIX}/training/progress", signed_in(progress, api=True, role="admin"))
    post(f"{PREFIX}/training/start", signed_in(train, form=True, role="admin"))
    post(f"{PREFIX}/training/cancel", signed_in(cancel, form=True, role="admin"))
    get(f"{PREFIX}/models", signed_in(models_page, role="admin"))
    get(f"{PREFIX}/models/{{name}}/gate", signed_in(gate_page, role="admin"))
    post(f"{PREFIX}/models/promote", signed_in(promote, form=True, role="admin"))
    post(f"{PREFIX}/models/rollback", signed_in(rollback, form=True, role="admin"))
    post(f"{PREFIX}/models/evaluate", signed_in(evaluate, form=True, role="admin"))
    get(f"{PREFIX}/audit", signed_in(audit_page, role="admin"))


def _render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    session: auth.Session = request[SESSION_KEY]
    page = {"session": session, "prefix": PREFIX, "error": None, "done": None, **context}
    return pages.render(request, template, page, status)


async def _done(request: web.Request) -> audit.Entry | None:
    """The audit entry an action that worked wrote (shown once on the page it returns to)."""
    raw = request.query.get("done", "")
    if not raw.isdigit() or len(raw) > 12:
        return None
    admin = request.app[ADMIN]
    session: auth.Session = request[SESSION_KEY]
    for entry in await admin.audit_log(50):
        if entry.id == int(raw) and entry.actor == session.username:
            return entry
    return None


async def _back(request: web.Request, page: str) -> web.StreamResponse:
    admin = request.app[ADMIN]
    latest = await admin.audit_log(1)
    suffix = f"?done={latest[0].id}" if latest else ""
    raise web.HTTPSeeOther(f"{PREFIX}{page}{suffix}")


def _actor(request: web.Request) -> str:
    session: auth.Session = request[SESSION_KEY]
    return session.username


def _item_id(request: web.Request) -> int:
    try:
        return whole_number(request.match_info["id"], "the message number")
    except BadInput:
        raise web.HTTPNotFound(text="There is no such message.") from None


# --- the inbox ----------------------------------------------------------------------------------


async def inbox_page(
    request: web.Request, error: str | None = None, status: int = 200
) -> web.Response:
    """GET /admin: the messages to review, most urgent first."""
    admin = request.app[ADMIN]
    items, total = await admin.inbox()
    context = {
        "title": "Review inbox",
        "items": items,
        "total": total,
        "intents": admin.intents,
        "populations": labels.POPULATION_VALUES,
        "error": error,
        "done": None if error else await _done(request),
    }
    return _render(request, "admin_inbox.html", context, status)


def _spans(form: Any) -> list[labels.Span]:
    spans = []
    location = str(form.get("location", "")).strip()
    if location:
        spans.append(labels.Span("location", location))
    words = str(form.get("population", "")).strip()
    value = str(form.get("population_value", "")).strip() or None
    if words:
        spans.append(labels.Span("population", words, value))
    elif value:
        raise labels.LabelError("say which words of the message name the population")
    return spans


async def label(request: web.Request) -> web.StreamResponse:
    """POST /admin/inbox/N/label: intent (and entities) for a message of the inbox."""
    admin, form = request.app[ADMIN], request[FORM_KEY]
    intent = str(form.get("intent", "")).strip()
    try:
        if not intent:
            raise labels.LabelError("pick an intent")
        await admin.label(_item_id(request), intent, _spans(form), _actor(request))
    except REFUSED as exc:
        return await inbox_page(request, error=str(exc), status=409)
    return await _back(request, "")


async def discard(request: web.Request) -> web.StreamResponse:
    """POST /admin/inbox/N/discard: out of the inbox for good."""
    admin = request.app[ADMIN]
    try:
        await admin.discard(_item_id(request), _actor(request))
    except REFUSED as exc:
        return await inbox_page(request, error=str(exc), status=409)
    return await _back(request, "")


# --- training -------------------------------------------------------------------------------------


async def training_page(
    request: web.Request, error: str | None = None, status: int = 200
) -> web.Response:
    """GET /admin/training: start, progress (Rasa's epochs), cancel; the verdict at the end."""
    admin = request.app[ADMIN]
    context = {
        "title": "Training",
        "progress": admin.trainer.progress,
        "labels": labels.count_labels(admin.root),
        "estimate": training.estimate(admin.root),
        "error": error,
        "done": None if error else await _done(request),
    }
    return _render(request, "admin_training.html", context, status)


async def progress(request: web.Request) -> web.Response:
    """GET /admin/training/progress: the same as JSON (for scripts and the CLI's peers)."""
    return web.json_response(request.app[ADMIN].trainer.progress.as_dict(), headers=HEADERS)


async def train(request: web.Request) -> web.StreamResponse:
    """POST /admin/training/start."""
    try:
        await request.app[ADMIN].start_training(_actor(request))
    except REFUSED as exc:
        return await training_page(request, error=str(exc), status=409)
    return await _back(request, "/training")


async def cancel(request: web.Request) -> web.StreamResponse:
    """POST /admin/training/cancel."""
    if not await request.app[ADMIN].cancel_training(_actor(request)):
        return await training_page(request, error="no training is running", status=409)
    return await _back(request, "/training")


async def evaluate(request: web.Request) -> web.StreamResponse:
    """POST /admin/models/evaluate: the gate again, on a candidate, against the live model."""
    name = str(request[FORM_KEY].get("model", "")).strip() or None
    try:
        await request.app[ADMIN].evaluate(name, _actor(request))
    except REFUSED as exc:
        return await models_page(request, error=str(exc), status=409)
    return await _back(request, "/training")


# --- models ----------------------------------------------------------------------------------------


async def models_page(
    request: web.Request, error: str | None = None, status: int = 200
) -> web.Response:
    """GET /admin/models: candidates with their verdicts, the live model, the history."""
    admin = request.app[ADMIN]
    context = {
        "title": "Models",
        "models": admin.model_list(),
        "running": await admin.models.running(),
        "training": admin.trainer.progress.running,
        "error": error,
        "done": None if error else await _done(request),
    }
    return _render(request, "admin_models.html", context, status)


async def gate_page(request: web.Request) -> web.Response:
    """GET /admin/models/NAME/gate: the gate's report for a candidate."""
    admin = request.app[ADMIN]
    try:
        model = admin.resolve(request.match_info["name"])
    except AdminError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    report = admin.gate_report(model)
    if report is None:
        raise web.HTTPNotFound(text=f"{model.name} has no gate report yet.")
    rows = {name: _intent_rows(result) for name, result in report.get("sets", {}).items()}
    context = {"title": f"Gate · {model.name}", "model": model, "report": report, "rows": rows}
    return _render(request, "admin_gate.html", context)


def _intent_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per intent: the live model's F1, the candidate's, and better / worse / same."""
    old, new = result["live"]["f1"], result["candidate"]["f1"]
    rows = []
    for intent in sorted(set(old) | set(new)):
        change = "same"
        if intent in result.get("better", ()):
            change = "better"
        elif intent in result.get("worse", ()):
            change = "worse"
        rows.append({"intent": intent, "live": old.get(intent), "candidate": new.get(intent),
                     "change": change})  # fmt: skip
    return rows


async def promote(request: web.Request) -> web.StreamResponse:
    """POST /admin/models/promote: a candidate whose gate passed, on every Rasa replica."""
    name = str(request[FORM_KEY].get("model", "")).strip() or None
    try:
        await request.app[ADMIN].promote(name, _actor(request))
    except REFUSED as exc:
        return await models_page(request, error=str(exc), status=409)
    return await _back(request, "/models")


async def rollback(request: web.Request) -> web.StreamResponse:
    """POST /admin/models/rollback: the previous live model (or the one named) again."""
    name = str(request[FORM_KEY].get("model", "")).strip() or None
    try:
        await request.app[ADMIN].rollback(_actor(request), name)
    except REFUSED as exc:
        return await models_page(request, error=str(exc), status=409)
    return await _back(request, "/models")


async def audit_page(request: web.Request) -> web.Response:
    """GET /admin/audit: who did what, newest first."""
    entries = await request.app[ADMIN].audit_log(500)
    return _render(request, "admin_audit.html", {"title": "Audit log", "entries": entries})
