"""Turning listings into text for a channel: SMS within two GSM-7 segments, richer elsewhere.

SMS: plain GSM-7 (no emoji, no curly quotes), at most 306 characters for the whole reply
(two concatenated segments of 153), top 3 with name, distance, open or not, phone and a short
address, shortened field by field until it fits. Telegram and web chat: up to 5, a few lines
each, with who the service is for. The words around the listing are the domain's responses;
the action measures them and gives this module the space that is left. Every word this module
writes ("open til 5pm", "call first", "Phone:") comes from the action server's catalog in the
client's language (``say``: actions/texts.py); day names are CLDR's (babel).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable
from typing import Any

from actions.directory.details import Listing
from actions.directory.hours import Status

Say = Callable[..., str]  # actions.texts.say in the client's language: (key, **values) -> text

SMS_LIMIT = 306  # two concatenated GSM-7 segments
SMS_PAGE = 3
RICH_PAGE = 5
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_REPLACE = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "•": "-",
    "·": "-",
    "\t": " ",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "~": "-",
    "|": "/",
    "^": "",
    "\\": "/",
    "€": "EUR",
}


def page_size(channel: str) -> int:
    return SMS_PAGE if channel == "sms" else RICH_PAGE


def to_gsm7(text: str) -> str:
    """Text an SMS can carry in GSM-7 basic characters: quotes straightened, accents dropped
    where GSM-7 lacks the letter, anything else (emoji) removed."""
    out = []
    for char in text:
        char = _REPLACE.get(char, char)
        if all(c in GSM7 for c in char):
            out.append(char)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if c in GSM7)
        out.append(plain)
    return "".join(out)


def sms_segments(text: str) -> int:
    """How many SMS a GSM-7 text takes (1 up to 160 characters, then 153 per segment)."""
    return 1 if len(text) <= 160 else math.ceil(len(text) / 153)


def _clock(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def _english(key: str, **values: Any) -> str:
    """The catalog's English, for callers that give no ``say`` (the directory's CLI)."""
    from actions.texts import say

    return say(key, "en", **values)


def status_text(
    status: Status, now: dt.datetime, short: bool = False, say: Say = _english, language: str = "en"
) -> str:
    """'open til 5pm', 'open 24h', 'closed, opens Tue 8am', 'call first' (hours unknown)."""
    suffix = "_short" if short else ""
    if status.state == "open":
        if status.until is None:
            return say(f"open_24h{suffix}")
        return say(f"open_until{suffix}", time=_when(status.until, now, say, language))
    if status.state == "closed":
        if status.opens is None:
            return say(f"closed{suffix}")
        return say(f"closed_opens{suffix}", time=_when(status.opens, now, say, language))
    return say(f"hours_unknown{suffix}")


def _when(moment: dt.datetime, now: dt.datetime, say: Say = _english, language: str = "en") -> str:
    """'8am' today (or tonight into tomorrow morning), 'tomorrow 9am', 'Wed 9am'."""
    local_now = now.astimezone(moment.tzinfo)
    days = (moment.date() - local_now.date()).days
    if days == 0 or (days == 1 and moment.hour < 12 and local_now.hour >= 12):
        return _clock(moment)  # overnight: "til 8am" is tomorrow morning, as anyone reads it
    if days == 1:
        return f"{say('day_tomorrow')} {_clock(moment)}"
    from babel.dates import format_date

    day = format_date(moment, "EEE", locale=language).rstrip(".")
    return f"{day} {_clock(moment)}"


def dialable(phone: str | None, country: str) -> tuple[str | None, str | None]:
    """A phone number as people dial it ("+1 650-555-0199"), which Telegram and phones make
    tappable, and as a tel: link ("tel:+1-650-555-0199"); the number as the data gives it,
    and no link, when it does not read as a phone number of ``country``."""
    if not phone:
        return None, None
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        return phone, None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:  # too short, or dialled locally only
        return phone, None
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return international, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


def distance_text(item: Listing, short: bool = False, say: Say = _english) -> str:
    if item.confidential:
        return say("call_for_address") if not short else ""
    if item.miles is None:
        return say("serves_area_short" if short else "serves_area")
    value = f"{item.miles:.1f}" if item.miles < 10 else f"{item.miles:.0f}"
    about = f"{say('about')} " if item.approximate else ""
    return f"{about}{value}mi" if short else f"{about}{value} mi"


def who_text(item: Listing, say: Say = _english) -> str:
    """Who a service takes, in the client's words: "women, 18+", "mujeres, 18+", "" for anyone."""
    parts = []
    if item.gender in ("female", "male"):
        parts.append(say("who_women" if item.gender == "female" else "who_men"))
    low = int(item.min_age) if item.min_age else None
    high = int(item.max_age) if item.max_age and item.max_age < 100 else None
    if low and high:
        parts.append(say("who_ages", low=low, high=high))
    elif low:
        parts.append(say("who_from", low=low))
    elif high:
        parts.append(say("who_up_to", high=high))
    return ", ".join(parts)


def rich(
    items: list[Listing], first: int, now: dt.datetime, say: Say = _english, language: str = "en"
) -> str:
    """Telegram and web chat: a numbered block per service."""
    blocks = []
    for n, item in enumerate(items, start=first):
        head = f"{n}. {item.name}"
        distance = distance_text(item, say=say)
        lines = [
            f"{head} ({distance})" if distance else head,
            f"   {status_text(item.status, now, say=say, language=language)}",
        ]
        if item.phone:
            lines.append(f"   {say('label_phone')} {item.phone}")
        if item.address:
            area = f"{say('label_area')} " if item.confidential else ""
            lines.append(f"   {area}{item.address}")
        who = who_text(item, say)
        if who:
            lines.append(f"   {say('label_for')} {who}")
        if item.speaks and say("directory_speaks"):
            lines.append(f"   {say('directory_speaks')}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


# Shortening steps for SMS, tried in order until the reply fits: (name, address) lengths.
_SMS_STEPS = ((34, 26), (26, 20), (22, 14), (18, 0), (14, 0), (10, 0))


def sms(
    items: list[Listing],
    first: int,
    now: dt.datetime,
    budget: int,
    say: Say = _english,
    language: str = "en",
) -> str:
    """SMS: one line per service, shortened until ``budget`` characters (GSM-7) hold them."""
    text = ""
    for name_len, address_len in _SMS_STEPS:
        text = "\n".join(
            _sms_line(n, item, now, name_len, address_len, say, language)
            for n, item in enumerate(items, start=first)
        )
        if len(text) <= budget:
            return text
    return text[: max(0, budget)]


def _sms_line(
    n: int,
    item: Listing,
    now: dt.datetime,
    name_len: int,
    address_len: int,
    say: Say = _english,
    language: str = "en",
) -> str:
    parts = [f"{n}. {_cut(to_gsm7(item.name), name_len)}"]
    distance = distance_text(item, short=True, say=say)
    if distance:
        parts.append(to_gsm7(distance))
    parts.append(to_gsm7(status_text(item.status, now, short=True, say=say, language=language)))
    if item.phone:
        parts.append(to_gsm7(item.phone))
    if address_len and item.address:
        parts.append(
            _cut(
                to_gsm7(item.address.split(",")[0] if not item.confidential else item.address),
                address_len,
            )
        )
    return ", ".join(parts)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "."
