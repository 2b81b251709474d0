"""The application's typed state: one ``web.AppKey`` per resource, all in one place.

Each key is filled by one cleanup context in :mod:`bot.app`, which also releases it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from bot.db import Database
from bot.inbox import Inbox
from bot.language import LanguageDetector
from bot.messages import Catalog
from bot.outbox import Outbox, Sender
from bot.pipeline import Pipeline
from bot.rasa import RasaClient, RasaHealth
from bot.safety import Screen
from bot.safety.opinion import Opinion
from bot.settings import Settings
from region import Region

if TYPE_CHECKING:
    from bot.admin.service import Admin
    from bot.channels.telegram import TelegramBot
    from bot.handoff.service import Handoff
    from bot.privacy.service import Privacy

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
HTTP = web.AppKey("http", aiohttp.ClientSession)
TEXTS = web.AppKey("texts", Catalog)
LANGUAGES = web.AppKey("languages", LanguageDetector)
RASA = web.AppKey("rasa", RasaClient)
RASA_HEALTH = web.AppKey("rasa_health", RasaHealth)
OUTBOX = web.AppKey("outbox", Outbox)
PIPELINE = web.AppKey("pipeline", Pipeline)
INBOX = web.AppKey("inbox", Inbox)
TELEGRAM_BOT: web.AppKey[TelegramBot] = web.AppKey("telegram_bot")
SENDERS: web.AppKey[dict[str, Sender]] = web.AppKey("senders")  # by channel name
SCREEN = web.AppKey("screen", Screen)
OPINION = web.AppKey("opinion", Opinion)  # the screen's second opinion
REGION = web.AppKey("region", Region)
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("clock")
HANDOFF: web.AppKey[Handoff] = web.AppKey("handoff")
PRIVACY: web.AppKey[Privacy] = web.AppKey("privacy")
ADMIN: web.AppKey[Admin] = web.AppKey("admin")
