"""The app factory: :func:`create_app` builds the gateway from its settings.

One cleanup context per resource, so that start and stop stay paired. They start in this order
and stop in the reverse one:

1. the store (everything else keeps its state there);
2. the HTTP session (Rasa and Twilio calls);
3. the ways out, when configured: Telegram's Bot API client, Twilio's client;
4. the core, each part built with what it works with, in this order: sender hashing, the Rasa
   client and its health probe, the outbox (given the ways out), human handoff's client side
   (:mod:`bot.handoff`: given the staff relay when there is a Telegram staff group), the
   router and the inbox (given the handoff), then the staff desk and the watcher of waiting
   cases (given the outbox and the router);
5. privacy (:mod:`bot.privacy`): the daily purge (on start too when a day has passed since the
   last) and the erasures waiting for Rasa, in one background task;
6. the admins' loop (:mod:`bot.admin`): the /admin pages' service and the review inbox's
   ingestion from Rasa's tracker store;
7. the workers: on start they resume what was left pending; on stop they finish what is in
   flight for a few seconds and leave the rest pending for the next start;
8. Telegram's intake (the handlers, with the staff handlers first, then webhook registration
   or polling), last to start and first to stop, so that no update arrives while the workers
   are stopping.

Everything that keeps time (the store's timestamps, retries, office hours, unclaimed cases)
reads the one ``clock`` given to :func:`create_app`, so tests can say it is 2 a.m.

The background work (Telegram intake, the workers, Rasa's health probe) is also stopped on
shutdown, before the cleanup contexts: aiohttp's ``run_app`` waits up to a minute for every
task started after start-up to end before it runs them. Stopping twice does nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot import channels, tracker_store
from bot.admin import pages as admin_pages
from bot.admin import report as admin_report
from bot.admin.ingest import Ingestion
from bot.admin.service import Admin
from bot.channels.traits import traits
from bot.db import Database
from bot.errors import BadInput
from bot.followups import Followups
from bot.followups.worker import PROACTIVE_SHARE, FollowupWorker
from bot.handoff import service as handoff_service
from bot.handoff.desk import console
from bot.inbox import Inbox
from bot.language import LanguageDetector, places_of
from bot.messages import load_messages, region_values
from bot.outbox import Outbox
from bot.pipeline import Pipeline
from bot.privacy import load_hasher
from bot.privacy.service import Privacy
from bot.privacy.staffgroup import StaffGroupCleaner
from bot.privacy.tracker import RasaEraser
from bot.rasa import RasaClient, RasaHealth
from bot.safety import Screen
from bot.safety.opinion import Opinion
from bot.settings import Settings
from bot.state import (
    ADMIN,
    CLOCK,
    DB,
    HANDOFF,
    HTTP,
    INBOX,
    LANGUAGES,
    OPINION,
    OUTBOX,
    PIPELINE,
    PRIVACY,
    RASA,
    RASA_HEALTH,
    REGION,
    SCREEN,
    SENDERS,
    SETTINGS,
    TELEGRAM_BOT,
    TEXTS,
)
from region import Region, load_region

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
MAX_REQUEST_BYTES = 64 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OUTBOX_STOP_GRACE = 5.0
PRIVACY_TASK: web.AppKey[asyncio.Task[None]] = web.AppKey("privacy_task")
FOLLOWUPS: web.AppKey[FollowupWorker] = web.AppKey("followups")


def create_app(
    settings: Settings,
    region: Region | None = None,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """The gateway as an aiohttp application (nothing starts until the app runs)."""
    region = region or load_region(settings.region_file)
    app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[never_500])
    app[SETTINGS] = settings
    app[REGION] = region
    app[CLOCK] = clock
    app[TEXTS] = load_messages(region_values(region))
    app[LANGUAGES] = LanguageDetector(region.languages, places_of(ROOT))
    app[OPINION] = Opinion()  # the live model's risk regression, once read (admin_ctx)
    app[SCREEN] = Screen(region.emergency_number, opinion=app[OPINION])
    app[SENDERS] = {}  # each channel's way out, put there by the channel's own context
    before, after = zip(*(unit.contexts(settings) for unit in channels.units()), strict=True)
    app.cleanup_ctx.extend([store_ctx, http_ctx, *itertools.chain(*before)])
    app.cleanup_ctx.extend([core_ctx, privacy_ctx, admin_ctx, workers_ctx, handoff_workers_ctx])
    app.cleanup_ctx.extend(itertools.chain(*after))
    # aiohttp 3.9 types Signal's items wrongly (Signal[T] holds T, not Callable[[T], ...]).
    app.on_shutdown.append(stop_background_work)  # type: ignore[arg-type]
    add_routes(app, settings)
    return app


def add_routes(app: web.Application, settings: Settings) -> None:
    for unit in channels.units():
        unit.add_routes(app, settings)
    console.add_routes(app, secure_cookie=(settings.public_url or "").startswith("https://"))
    admin_report.add_routes(app)
    admin_pages.add_routes(app)
    app.router.add_get("/health", health)


@web.middleware
async def never_500(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bad input is a 400 with its reason; a failure nobody foresaw is logged and answered 503.

    Telegram and Twilio send a webhook again after a 5xx and the store drops what it already
    has, so "try again" is the honest answer; a 500 with aiohttp's page tells nobody anything.
    """
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except BadInput as exc:
        return web.json_response({"error": str(exc)}, status=400)
    except Exception as exc:
        log.exception("%s %s failed: %s", request.method, request.path, type(exc).__name__)
        body = {"error": "the gateway could not handle this request: send it again"}
        return web.json_response(body, status=503)


async def health(request: web.Request) -> web.Response:
    """GET /health: the gateway answers; which channels run; whether Rasa answers ("up", "down",
    or "degraded" when some replicas are down and the others take their conversations); and
    each replica, in RASA_URL's order, with whether it is up and the model it runs; and the
    model whose risk regression the safety screen asks (null: none read, the screen alone)."""
    settings = request.app[SETTINGS]
    replicas = await request.app[RASA].replicas()
    up = sum(replica["up"] for replica in replicas)
    body: dict[str, Any] = {
        "status": "ok",
        "channels": list(settings.channels()),
        "rasa": "up" if up == len(replicas) else "down" if up == 0 else "degraded",
        "replicas": replicas,
        "screen_opinion": request.app[OPINION].model,
    }
    if settings.not_started():
        body["not_started"] = settings.not_started()
    return web.json_response(body)


async def stop_background_work(app: web.Application) -> None:
    """Stop intake, then the workers (work in flight finishes or stays pending), then probes."""
    for unit in channels.units():
        await unit.stop_intake(app)
    if HANDOFF in app:
        await app[HANDOFF].stop(grace=OUTBOX_STOP_GRACE)
    if FOLLOWUPS in app:
        await app[FOLLOWUPS].stop()
    await app[PIPELINE].stop(grace=app[SETTINGS].rasa_timeout)
    await app[OUTBOX].stop(grace=OUTBOX_STOP_GRACE)
    await app[RASA_HEALTH].close()
    if PRIVACY_TASK in app:
        await _cancel(app[PRIVACY_TASK])


async def store_ctx(app: web.Application) -> AsyncIterator[None]:
    db = Database(app[SETTINGS].database_url.reveal())
    await db.open()
    app[DB] = db
    yield
    await db.close()


async def http_ctx(app: web.Application) -> AsyncIterator[None]:
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    app[HTTP] = session
    yield
    await session.close()


async def core_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, db, texts, clock = app[SETTINGS], app[DB], app[TEXTS], app[CLOCK]
    hasher = await load_hasher(db, settings.sender_hash_salt.reveal())
    rasa = RasaClient(
        app[HTTP], settings.rasa_urls, settings.rasa_token.reveal(), settings.rasa_timeout
    )
    health = RasaHealth(rasa)
    senders = app[SENDERS]
    outbox = Outbox(db, senders, clock)
    handoff, relay = handoff_service.client_side(
        settings.handoff, app[REGION], db, texts, hasher, app.get(TELEGRAM_BOT), clock
    )
    rules = followup_rules(settings, app[REGION])
    pipeline = Pipeline(db, rasa, health, outbox, texts, handoff, clock, rules)
    app[INBOX] = Inbox(
        db, hasher, texts, app[SCREEN], pipeline, outbox, handoff, clock, app[LANGUAGES], rules
    )
    # At most half of each channel's rate for proactive messages (staff's check-ins too, so
    # the worker runs even when the assistant offers none: FOLLOWUP_NEEDS=off).
    rates = {ch: s.pacer.overall.rate * PROACTIVE_SHARE for ch, s in senders.items()}
    app[FOLLOWUPS] = FollowupWorker(db, outbox, texts, rules, clock, rates=rates)
    app[HANDOFF] = handoff_service.staff_side(
        settings.handoff, handoff, relay, db, outbox, pipeline, clock
    )
    app[RASA], app[RASA_HEALTH], app[OUTBOX], app[PIPELINE] = rasa, health, outbox, pipeline
    yield
    await health.close()


def followup_rules(settings: Settings, region: Region) -> Followups:
    """The follow-ups' rules (FOLLOWUP_NEEDS=off: the assistant offers none, and STOP and the
    answers to staff's check-ins are still read); the web chat names the channels that can
    check back."""
    reached = (unit.reachable_at(settings) for unit in channels.units())
    elsewhere = [where for where in reached if where]
    needs = frozenset(settings.followup_needs or ())
    return Followups(region.tz, needs, ", ".join(elsewhere) or None)


async def privacy_ctx(app: web.Application) -> AsyncIterator[None]:
    """Retention and erasure: the daily purge and the erasures waiting for Rasa."""
    settings = app[SETTINGS]
    url = settings.tracker_store_url.reveal()
    engine = tracker_store.engine_for(url) if url else None
    eraser = RasaEraser(
        app[HTTP], settings.rasa_urls, settings.rasa_token.reveal(), settings.rasa_timeout
    )
    cleaner = StaffGroupCleaner(app[TELEGRAM_BOT]) if TELEGRAM_BOT in app else None
    privacy = Privacy(
        app[DB], eraser, engine, settings.retention_days, settings.case_retention_days,
        app[CLOCK], cleaner,
    )  # fmt: skip
    app[PRIVACY] = privacy
    app[INBOX].privacy = privacy  # a client's confirmed erasure wakes it
    app[PRIVACY_TASK] = asyncio.create_task(privacy.run(), name="privacy")
    yield
    await _cancel(app[PRIVACY_TASK])
    if engine is not None:
        engine.dispose()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def project_root(settings: Settings) -> Path:
    """PROJECT_DIR as an absolute path (a relative one is the gateway's working directory)."""
    return Path(settings.project_dir).resolve()


async def admin_ctx(app: web.Application) -> AsyncIterator[None]:
    """The admins' loop (/admin, the review inbox's ingestion), on the project at
    PROJECT_DIR; the inbox is filled from the tracker store endpoints.yml names, unless
    REVIEW_TRACKER_URL names another or is "off"."""
    settings = app[SETTINGS]
    root = project_root(settings)
    app[ADMIN] = Admin.build(
        root, app[DB], app[HTTP], settings.rasa_urls, settings.rasa_token.reveal(), app[CLOCK]
    )
    url = settings.review_tracker_url
    if url is None:
        try:
            url = tracker_store.url_from_endpoints(root / "endpoints.yml", root=root)
        except tracker_store.TrackerStoreError as exc:
            log.warning("the review inbox is not filled: %s", exc)
            url = "off"
    ingestion = None
    if url != "off":
        ingestion = Ingestion(app[DB], url, settings.review_interval)
        ingestion.start()
    # The safety screen's second opinion keeps to the live model (bot/safety/opinion.py).
    follower = asyncio.create_task(app[OPINION].follow(app[ADMIN].live_model), name="opinion")
    yield
    await _cancel(follower)
    if ingestion is not None:
        await ingestion.stop()
    await app[ADMIN].trainer.close()


async def workers_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    await app[PIPELINE].resume()
    await app[OUTBOX].resume()
    channels = settings.channels()
    for channel, why in settings.not_started().items():
        log.warning("%s is not started: %s", channel, why)
    if len(channels) == 1 and not settings.not_started():
        log.info("no other channel is set up: running %s alone", traits(channels[0]).label)
    log.info(
        "gateway ready on %s:%d; channels: %s", settings.host, settings.port, ", ".join(channels)
    )
    if FOLLOWUPS in app:
        app[FOLLOWUPS].start()
    yield
    if FOLLOWUPS in app:
        await app[FOLLOWUPS].stop()
    await app[PIPELINE].stop(grace=settings.rasa_timeout)
    await app[OUTBOX].stop(grace=OUTBOX_STOP_GRACE)


async def handoff_workers_ctx(app: web.Application) -> AsyncIterator[None]:
    await app[HANDOFF].start()
    yield
    await app[HANDOFF].stop(grace=OUTBOX_STOP_GRACE)
