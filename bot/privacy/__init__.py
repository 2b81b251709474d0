"""Who a conversation is, without saying who the client is; and logs that never say it either.

A conversation is named by a salted hash of its channel and the client's id (Telegram chat id,
phone number, web chat sender). That hash is the sender id Rasa sees and the only identity in
the gateway's logs, written ``conv:`` and its first 12 hex digits (:func:`short`). The salt comes
from ``SENDER_HASH_SALT``, else one is generated once and kept in the gateway store (changing it
starts every conversation afresh).

:class:`RedactingFormatter` is the second line of defence: whatever a library logs, runs of
digits that look like a phone number or a Telegram id, and bot tokens, are masked. A
conversation's ``conv:`` name is left as it is, even when its 12 hex digits are all digits (one
conversation in 280): it is what a reader follows, and no number looks like it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

from bot.db import Database, meta

SALT_KEY = "sender_hash_salt"

# A phone number or a chat id: "+1 415 555 0100", "(415) 555-0100", "415.555.0100", or a run of
# six or more digits standing alone (Telegram ids). Dates and times do not match.
_NUMBER = re.compile(
    r"\+\d[\d\s().\-]{5,}\d"
    r"|(?:\b1[\s.\-])?\(?\b\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}\b"
    r"|(?<![\w.])-?\d{6,}(?![\w])"
)
# A Telegram bot token: the bot id, a colon, and 30-odd url-safe characters.
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
# A conversation as the logs name it (short()): shown, never masked.
_CONVERSATION = re.compile(r"\bconv:[0-9a-f]{12}(?![\w])")


class SenderHasher:
    """Turns (channel, client id) into the conversation id Rasa and the logs see."""

    def __init__(self, salt: str) -> None:
        if not salt:
            raise ValueError("the sender hash needs a salt")
        self._key = salt.encode("utf-8")

    def __call__(self, channel: str, user_id: str) -> str:
        message = f"{channel}:{user_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]


async def load_hasher(db: Database, configured_salt: str) -> SenderHasher:
    """The hasher for this gateway: the configured salt, else the one kept in the store."""
    salt = configured_salt or await db.run(meta.value, SALT_KEY, lambda: secrets.token_hex(32))
    return SenderHasher(salt)


def short(conversation_id: str) -> str:
    """A conversation as the logs name it: ``conv:`` and the first 12 digits of its hash."""
    return "conv:" + conversation_id[:12]


def redact(text: str) -> str:
    """``text`` with phone numbers, long ids and bot tokens masked; conversation names kept."""
    pieces, start = [], 0
    for found in _CONVERSATION.finditer(text):
        pieces += [_masked(text[start : found.start()]), found.group()]
        start = found.end()
    pieces.append(_masked(text[start:]))
    return "".join(pieces)


def _masked(text: str) -> str:
    return _NUMBER.sub("[number]", _BOT_TOKEN.sub("[bot-token]", text))


class RedactingFormatter(logging.Formatter):
    """A formatter that masks numbers and tokens in the whole formatted line."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
