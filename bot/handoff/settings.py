"""The handoff's deployment settings: where staff are, who is paged, how long a case may wait.

Staff chat ids, on-call numbers and console accounts belong to a deployment, never to the
repository: they come from the environment (or ``.env``), read with the gateway's other
settings (:func:`bot.settings.load_settings`), and ``.env.example`` documents each. Office hours
and the time zone are the region's (``region/san-mateo.yml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.web.auth import StaffAccount, check_hash
from contract import DEFAULT_LANGUAGE, LANGUAGES

_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_PHONE = re.compile(r"\+[1-9]\d{6,14}")


@dataclass(frozen=True)
class HandoffSettings:
    """Everything the handoff reads from the environment."""

    staff_chat_id: int | None = None  # the office's Telegram staff group
    on_call_chat_id: int | None = None  # after hours (default: the staff group)
    # Paged by SMS: the on-call worker for a high-risk case after hours; the backup when nobody
    # claims a case. Personal numbers: kept out of repr, so out of logs.
    on_call_phone: str | None = field(default=None, repr=False)
    # The languages staff answer in: the office's (STAFF_LANGUAGES) and after hours
    # (ON_CALL_LANGUAGES, default the office's); and an on-call worker per language, paged
    # first for a client who writes in it (ON_CALL_PHONE_ES).
    languages: frozenset[str] = frozenset({DEFAULT_LANGUAGE})
    on_call_languages: frozenset[str] = frozenset({DEFAULT_LANGUAGE})
    phones_by_language: dict[str, str] = field(default_factory=dict, repr=False)
    backup_phone: str | None = field(default=None, repr=False)
    unclaimed_minutes: float = 5.0  # announced again after this; the backup paged after twice
    give_up_minutes: float = 30.0  # a normal-risk case nobody claims closes (never a risk one)
    console_accounts: tuple[StaffAccount, ...] = ()
    # Console accounts with more than the queue: admins teach the model (/admin) and see the
    # report; staff leads see the report. Named from console_accounts.
    admins: frozenset[str] = frozenset()
    leads: frozenset[str] = frozenset()

    def role_of(self, name: str) -> str:
        """``admin``, ``lead`` or ``staff``: what the console account ``name`` may open."""
        if name in self.admins:
            return "admin"
        return "lead" if name in self.leads else "staff"

    @property
    def telegram_staff(self) -> bool:
        return self.staff_chat_id is not None or self.on_call_chat_id is not None

    def staff_chats(self) -> frozenset[int]:
        return frozenset(c for c in (self.staff_chat_id, self.on_call_chat_id) if c is not None)


def chat_id(raw: str) -> int:
    value = int(raw)
    if value == 0:
        raise ValueError("a Telegram chat id is a non-zero whole number, e.g. -1001234567890")
    return value


def phone(raw: str) -> str:
    value = re.sub(r"[\s().-]", "", raw)
    if not _PHONE.fullmatch(value):
        raise ValueError("give the number in international form, e.g. +16505550100")
    return value


def minutes(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 24 * 60:
        raise ValueError("minutes above 0, at most a day")
    return value


def accounts(raw: str) -> tuple[StaffAccount, ...]:
    """``name:scrypt:...`` entries separated by spaces or commas (make them with add-staff)."""
    found: list[StaffAccount] = []
    for entry in re.split(r"[\s,]+", raw.strip()):
        if not entry:
            continue
        name, _, encoded = entry.partition(":")
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r}: a name is 1 to 32 letters, digits, '.', '_' or '-'")
        if any(account.name == name for account in found):
            raise ValueError(f"{name!r} is listed twice")
        try:
            check_hash(encoded)
        except ValueError as exc:
            raise ValueError(
                f"{name}: {exc} (make one with python -m bot.handoff add-staff)"
            ) from None
        found.append(StaffAccount(name, encoded))
    return tuple(found)


def names(raw: str) -> frozenset[str]:
    """Account names separated by spaces or commas."""
    found = frozenset(n for n in re.split(r"[\s,]+", raw.strip()) if n)
    for name in found:
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r}: a name is 1 to 32 letters, digits, '.', '_' or '-'")
    return found


def languages(raw: str) -> frozenset[str]:
    """Language codes separated by spaces or commas ("en, es"), each one a conversation can
    be in (contract.LANGUAGES)."""
    found = frozenset(code.lower() for code in re.split(r"[\s,]+", raw.strip()) if code)
    unknown = sorted(found - set(LANGUAGES))
    if unknown or not found:
        raise ValueError(f"name one or more of {', '.join(LANGUAGES)}")
    return found


def check(settings: HandoffSettings, telegram: bool, sms: bool, give_up_given: bool) -> None:
    """ValueError when the handoff settings contradict each other or the channels."""
    if settings.telegram_staff and not telegram:
        raise ValueError("STAFF_CHAT_ID and ON_CALL_CHAT_ID need TELEGRAM_BOT_TOKEN")
    if (settings.on_call_phone or settings.backup_phone or settings.phones_by_language) and not sms:
        raise ValueError("ON_CALL_PHONE and BACKUP_PHONE are paged by SMS: set the Twilio settings")
    known = {account.name for account in settings.console_accounts}
    for variable, listed in (("ADMIN_USERS", settings.admins), ("STAFF_LEADS", settings.leads)):
        unknown = sorted(listed - known)
        if unknown:
            raise ValueError(
                f"{variable} names {', '.join(unknown)}, not in STAFF_CONSOLE_USERS: give each"
                " a console account first (python -m bot.handoff add-staff NAME)"
            )
    if settings.give_up_minutes <= 2 * settings.unclaimed_minutes:
        which = "HANDOFF_GIVE_UP_MINUTES" if give_up_given else "the default give-up time"
        raise ValueError(
            f"{which} ({settings.give_up_minutes:g}) must be more than twice"
            f" HANDOFF_UNCLAIMED_MINUTES ({settings.unclaimed_minutes:g}): the backup is paged"
            " before a case can time out"
        )
