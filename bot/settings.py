"""The gateway's settings: one frozen object, read once at start-up.

Each value comes from the environment, else from ``.env`` (python-dotenv, never overriding the
environment), else from the default here; an empty value counts as unset. ``.env.example``
documents every variable. Secrets are :class:`Secret`, whose ``repr`` and ``str`` are masked, so
that logging the settings (or an exception holding them) shows no token.

A malformed value stops start-up with a :class:`~bot.errors.SettingsError` naming the variable:
it is better to refuse to start than to lose messages later. A channel whose settings are whole
but cannot work is not started, and :meth:`Settings.not_started` says which setting it lacks
(the gateway logs it and ``/health`` shows it): SMS with the Twilio settings but no
``PUBLIC_URL`` can still page staff, but Twilio has no address to call and sign.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values

from bot.errors import SettingsError
from bot.handoff import settings as handoff
from bot.handoff.settings import HandoffSettings
from contract import LANGUAGES, NEEDS

T = TypeVar("T")

DEFAULT_DATABASE_URL = "sqlite:///var/gateway.db"
DEFAULT_RASA_TOKEN_FILE = Path("var/rasa-token")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_DATABASE_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+psycopg2://", "postgres://")


@dataclass(frozen=True)
class Secret:
    """A value that must not appear in logs: masked ``repr`` and ``str``, ``reveal()`` to use it."""

    _value: str = field(default="", repr=False)

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """Everything the gateway reads from its environment."""

    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    database_url: Secret = Secret(DEFAULT_DATABASE_URL)
    region_file: str | None = None
    rasa_urls: tuple[str, ...] = ("http://127.0.0.1:5005",)
    rasa_token: Secret = Secret()
    rasa_timeout: float = 10.0
    sender_hash_salt: Secret = Secret()
    telegram_bot_token: Secret = Secret()
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: Secret = Secret()
    twilio_account_sid: str | None = None
    twilio_auth_token: Secret = Secret()
    twilio_from_number: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    quick_exit_url: str = "https://www.google.com/"
    log_level: str = "INFO"
    # Retention (bot/privacy, docs/privacy.md, "Privacy"): the words of the bot's conversations, and case
    # records (transcripts, staff posts), are purged after so many days.
    retention_days: int = 30
    case_retention_days: int = 365
    # Rasa's tracker store, as endpoints.yml names it with the RASA_TRACKER_* variables (the
    # purge and erasure read and redact it); empty when it cannot be worked out.
    tracker_store_url: Secret = Secret()
    # The admins' loop (bot.admin): the project (data/, models/, domain.yml) it labels and
    # trains; the tracker store the review inbox is filled from (None: the one endpoints.yml
    # names; "off": not filled), read every review_interval seconds.
    project_dir: str = "."
    review_tracker_url: str | None = None
    review_interval: float = 5.0
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    # Follow-ups (bot/followups): the needs whose listing is followed by the offer to check back
    # the next morning ("off": none).
    followup_needs: tuple[str, ...] = ("shelter",)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def telegram_webhook_mode(self) -> bool:
        """Telegram pushes updates to PUBLIC_URL; without it the gateway polls."""
        return self.telegram_enabled and self.public_url is not None

    @property
    def twilio_enabled(self) -> bool:
        """The gateway can send SMS through Twilio (client replies, pages to staff)."""
        return bool(self.twilio_auth_token)

    @property
    def sms_enabled(self) -> bool:
        """Clients can text the gateway: Twilio calls, and signs, PUBLIC_URL/sms/twilio."""
        return self.twilio_enabled and self.public_url is not None

    def channels(self) -> tuple[str, ...]:
        """The channels this configuration runs; web chat always runs."""
        enabled = ("telegram", self.telegram_enabled), ("sms", self.sms_enabled)
        return (*(name for name, on in enabled if on), "webchat")

    def not_started(self) -> dict[str, str]:
        """Channels that are configured but cannot work, and the setting each lacks."""
        if self.twilio_enabled and not self.sms_enabled:
            return {
                "sms": "PUBLIC_URL is missing: Twilio calls PUBLIC_URL/sms/twilio with each SMS "
                "and signs it for that address, so no SMS from a client can be received"
            }
        return {}


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | os.PathLike[str] | None = ".env"
) -> Settings:
    """Read the settings: the environment, then ``env_file`` (if it exists), then defaults."""
    env = dict(os.environ if environ is None else environ)
    file_values = {}
    if env_file is not None and Path(env_file).is_file():
        file_values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    reader = _Reader(env, file_values)
    settings = Settings(
        host=reader.get("GATEWAY_HOST", str, Settings.host),
        port=reader.get("GATEWAY_PORT", _port, Settings.port),
        public_url=reader.get("PUBLIC_URL", _url, None),
        database_url=Secret(
            reader.get("GATEWAY_DATABASE_URL", _database_url, DEFAULT_DATABASE_URL)
        ),
        region_file=reader.get("REGION_FILE", str, None),
        rasa_urls=reader.get("RASA_URL", _url_list, Settings.rasa_urls),
        rasa_token=Secret(reader.get("RASA_TOKEN", str, None) or _token_from_file()),
        rasa_timeout=reader.get("RASA_TIMEOUT", _positive_float, Settings.rasa_timeout),
        sender_hash_salt=Secret(reader.get("SENDER_HASH_SALT", str, "")),
        telegram_bot_token=Secret(reader.get("TELEGRAM_BOT_TOKEN", str, "")),
        telegram_api_url=reader.get("TELEGRAM_API_URL", _url, Settings.telegram_api_url),
        telegram_webhook_secret=Secret(reader.get("TELEGRAM_WEBHOOK_SECRET", _webhook_secret, "")),
        twilio_account_sid=reader.get("TWILIO_ACCOUNT_SID", str, None),
        twilio_auth_token=Secret(reader.get("TWILIO_AUTH_TOKEN", str, "")),
        twilio_from_number=reader.get("TWILIO_FROM_NUMBER", str, None),
        twilio_api_url=reader.get("TWILIO_API_URL", _url, Settings.twilio_api_url),
        quick_exit_url=reader.get("QUICK_EXIT_URL", _url, Settings.quick_exit_url),
        log_level=reader.get("LOG_LEVEL", _log_level, Settings.log_level),
        retention_days=reader.get("RETENTION_DAYS", _days, Settings.retention_days),
        case_retention_days=reader.get("CASE_RETENTION_DAYS", _days, Settings.case_retention_days),
        tracker_store_url=Secret(_tracker_store_url(env, file_values)),
        project_dir=reader.get("PROJECT_DIR", str, Settings.project_dir),
        review_tracker_url=reader.get("REVIEW_TRACKER_URL", str, None),
        review_interval=reader.get("REVIEW_INTERVAL", _positive_float, Settings.review_interval),
        handoff=_handoff_settings(reader),
        followup_needs=reader.get("FOLLOWUP_NEEDS", _needs, Settings.followup_needs),
    )
    _check_twilio(settings)
    if settings.case_retention_days < settings.retention_days:
        raise SettingsError(
            "CASE_RETENTION_DAYS must be at least RETENTION_DAYS: a case's transcript holds the "
            "same words as the conversation, for longer"
        )
    try:
        given = reader.get("HANDOFF_GIVE_UP_MINUTES", str, "") != ""
        handoff.check(settings.handoff, settings.telegram_enabled, settings.twilio_enabled, given)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return settings


def _handoff_settings(reader: _Reader) -> HandoffSettings:
    default = HandoffSettings()
    staff_languages = reader.get("STAFF_LANGUAGES", handoff.languages, default.languages)
    staff_chat = reader.get("STAFF_CHAT_ID", handoff.chat_id, None)
    return HandoffSettings(
        staff_chat_id=staff_chat,
        on_call_chat_id=reader.get("ON_CALL_CHAT_ID", handoff.chat_id, staff_chat),
        on_call_phone=reader.get("ON_CALL_PHONE", handoff.phone, None),
        languages=staff_languages,
        on_call_languages=reader.get("ON_CALL_LANGUAGES", handoff.languages, staff_languages),
        phones_by_language={
            code: phone
            for code in LANGUAGES
            if (phone := reader.get(f"ON_CALL_PHONE_{code.upper()}", handoff.phone, None))
        },
        backup_phone=reader.get("BACKUP_PHONE", handoff.phone, None),
        unclaimed_minutes=reader.get(
            "HANDOFF_UNCLAIMED_MINUTES", handoff.minutes, default.unclaimed_minutes
        ),
        give_up_minutes=reader.get(
            "HANDOFF_GIVE_UP_MINUTES", handoff.minutes, default.give_up_minutes
        ),
        console_accounts=reader.get("STAFF_CONSOLE_USERS", handoff.accounts, ()),
        admins=reader.get("ADMIN_USERS", handoff.names, frozenset()),
        leads=reader.get("STAFF_LEADS", handoff.names, frozenset()),
    )


class _Reader:
    """Looks a variable up in the environment, then the .env values, and parses it."""

    def __init__(self, env: Mapping[str, str], file_values: Mapping[str, str]) -> None:
        self._layers = (env, file_values)

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        for layer in self._layers:
            raw = (layer.get(name) or "").strip()
            if raw:
                try:
                    return parse(raw)
                except ValueError as exc:
                    raise SettingsError(f"{name}={_shown(name, raw)}: {exc}") from None
        return default


def _shown(name: str, raw: str) -> str:
    words = ("TOKEN", "SECRET", "SALT", "DATABASE_URL", "PHONE", "USERS")
    secret = any(word in name for word in words)
    return "<hidden>" if secret else repr(raw)


def _port(raw: str) -> int:
    port = int(raw)
    if not 0 <= port <= 65535:
        raise ValueError("a port is a number from 0 to 65535")
    return port


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a number of seconds above 0")
    return value


def _url(raw: str) -> str:
    if not re.match(r"https?://[^/\s]+", raw):
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


def _url_list(raw: str) -> tuple[str, ...]:
    urls = tuple(_url(part.strip()) for part in raw.split(",") if part.strip())
    if not urls:
        raise ValueError("give at least one URL")
    return urls


def _database_url(raw: str) -> str:
    if not raw.startswith(_DATABASE_SCHEMES):
        raise ValueError("use sqlite:///path/to/file.db or postgresql://user:password@host/db")
    return raw


def _webhook_secret(raw: str) -> str:
    if not _WEBHOOK_SECRET.fullmatch(raw):
        raise ValueError("Telegram accepts 1 to 256 characters A-Z, a-z, 0-9, _ and -")
    return raw


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("use DEBUG, INFO, WARNING or ERROR")
    return level


def _needs(raw: str) -> tuple[str, ...]:
    """A comma-separated list of the needs (contract.NEEDS), or "off"."""
    if raw.strip().lower() in ("off", "none", ""):
        return ()
    named = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [need for need in named if need not in NEEDS]
    if unknown:
        raise ValueError(f"not needs: {', '.join(unknown)} (the needs are {', '.join(NEEDS)})")
    return named


def _days(raw: str) -> int:
    days = int(raw)
    if not 1 <= days <= 3650:
        raise ValueError("a number of days from 1 to 3650")
    return days


# What scripts/stack.py gives every Rasa it starts when the variables are unset.
TRACKER_DEFAULTS = {"RASA_TRACKER_DIALECT": "sqlite", "RASA_TRACKER_URL": "",
                    "RASA_TRACKER_DB": "var/tracker.db"}  # fmt: skip


def _tracker_store_url(env: Mapping[str, str], file_values: Mapping[str, str]) -> str:
    """The tracker store endpoints.yml names, read as Rasa would with these variables."""
    from bot.tracker_store import TrackerStoreError, url_from_endpoints

    variables = dict(TRACKER_DEFAULTS)
    for layer in (file_values, env):
        variables.update({k: v for k, v in layer.items() if k in TRACKER_DEFAULTS and v})
    try:
        return url_from_endpoints(environ=variables)
    except TrackerStoreError:
        return ""


def _token_from_file() -> str:
    """The token `make run` generates for local use, when RASA_TOKEN is not set."""
    try:
        return DEFAULT_RASA_TOKEN_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _check_twilio(settings: Settings) -> None:
    given = {
        "TWILIO_ACCOUNT_SID": bool(settings.twilio_account_sid),
        "TWILIO_AUTH_TOKEN": bool(settings.twilio_auth_token),
        "TWILIO_FROM_NUMBER": bool(settings.twilio_from_number),
    }
    if any(given.values()) and not all(given.values()):
        missing = ", ".join(name for name, ok in given.items() if not ok)
        raise SettingsError(f"SMS needs all three Twilio settings; missing: {missing}")
