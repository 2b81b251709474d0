"""Staff sign-in for the console: password hashes, and sessions kept in the store.

Each member of staff has a name and the scrypt hash of a password or of a random token
(``python -m bot.handoff add-staff NAME`` makes either); ``STAFF_CONSOLE_USERS`` lists them.
Only hashes are configured, so the settings leak nothing that signs anyone in.

A session is a random token in an HttpOnly, SameSite=Strict cookie; the store keeps only its
SHA-256 (``staff_sessions``), with the session's CSRF token and expiry, so signing out ends it
at once and a copy of the database signs nobody in. Checking a sign-in without stalling the
gateway, and slowing down whoever guesses, is :mod:`bot.web.signin`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from bot.db import Connection
from bot.db.schema import staff_sessions

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
SESSION_SECONDS = 12 * 3600
_DUMMY = None  # a hash to check unknown names against, so that they take as long


@dataclass(frozen=True)
class StaffAccount:
    """A console account: a name and a password hash (masked in ``repr``)."""

    name: str
    password_hash: str = field(repr=False)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt:N:r:p:<salt hex>:<hash hex>`` for ``password``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"{SCHEME}:{N}:{R}:{P}:{salt.hex()}:{digest.hex()}"


def check_hash(encoded: str) -> None:
    """ValueError unless ``encoded`` is a hash :func:`hash_password` could have made."""
    parts = encoded.split(":")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ValueError("a password hash looks like scrypt:N:r:p:salt:hash")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        bytes.fromhex(parts[4])
        digest = bytes.fromhex(parts[5])
    except ValueError:
        raise ValueError("a password hash has numbers and hex digits only") from None
    if n < 2**14 or n & (n - 1) or not (1 <= r <= 32 and 1 <= p <= 16) or len(digest) != 32:
        raise ValueError("a password hash with weak or impossible scrypt parameters")


def verify(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded`` (constant time)."""
    _, n, r, p, salt, digest = encoded.split(":")
    given = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(given, bytes.fromhex(digest))


def authenticate(
    accounts: tuple[StaffAccount, ...], name: str, password: str
) -> StaffAccount | None:
    """The account ``name`` signs in to with ``password``, or None (same cost either way)."""
    global _DUMMY
    account = next((a for a in accounts if hmac.compare_digest(a.name, name)), None)
    if account is None:
        _DUMMY = _DUMMY or hash_password(secrets.token_hex(8))
        verify(password, _DUMMY)
        return None
    return account if verify(password, account.password_hash) else None


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(c: Connection, username: str, now: float) -> tuple[str, Session]:
    """A new session for ``username``: (the cookie's token, the session)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    c.execute(sa.delete(staff_sessions).where(staff_sessions.c.expires_at < now))
    c.execute(
        sa.insert(staff_sessions).values(
            token_hash=_digest(token), username=username, csrf=csrf, created_at=now,
            expires_at=now + SESSION_SECONDS,
        )
    )  # fmt: skip
    return token, Session(username, csrf)


def find_session(c: Connection, token: str, now: float) -> Session | None:
    row = c.execute(
        sa.select(staff_sessions.c.username, staff_sessions.c.csrf).where(
            staff_sessions.c.token_hash == _digest(token), staff_sessions.c.expires_at > now
        )
    ).first()
    return None if row is None else Session(str(row.username), str(row.csrf))


def end_session(c: Connection, token: str) -> None:
    c.execute(sa.delete(staff_sessions).where(staff_sessions.c.token_hash == _digest(token)))
