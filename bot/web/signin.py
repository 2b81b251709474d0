"""Signing in to the staff console without stalling the gateway or letting a stranger lock staff
out (the hashes and sessions themselves are :mod:`bot.web.auth`).

- **Off the event loop.** A scrypt check costs tens of milliseconds of CPU and 16 MiB; run on
  the loop, 40 sign-ins at once held every webhook up for more than a second. Checks run in a
  small thread pool of their own (:data:`HASH_THREADS`; hashlib releases the GIL), at most
  :data:`MAX_WAITING` waiting: more is answered "busy", not queued without end.
- **Throttled by name and by address.** An unknown browser gets 5 failures per name and 20 per
  source address (an office may share one) in 5 minutes, then waits.
- **A known device still gets in.** A good sign-in leaves a device cookie (the name, a random
  nonce and their HMAC under a key kept in the store). A browser that shows one for the name it
  signs in as is not held by the name's or the address's count, only by its own (5 failures),
  so that whoever hammers the on-call worker's name cannot lock the worker out (the "device
  cookies" of OWASP's guidance on brute force).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.web import auth
from bot.web.auth import StaffAccount
from bot.web.throttle import Throttle

WINDOW = 300.0
NAME_FAILURES = 5
ADDRESS_FAILURES = 20
DEVICE_FAILURES = 5
DEVICE_COOKIE = "staff_device"
DEVICE_SECONDS = 180 * 24 * 3600
DEVICE_KEY = "staff_device_key"  # where the store keeps the HMAC key
HASH_THREADS = max(1, (os.cpu_count() or 2) // 2)  # the event loop keeps a core to itself
MAX_WAITING = 64


@dataclass(frozen=True)
class Outcome:
    """What a sign-in came to: an account (signed in), else why not, and a device cookie to set."""

    account: StaffAccount | None = None
    refused: str | None = None  # "throttled", "busy" or "wrong"
    device_cookie: str | None = None


class SignIn:
    """Checks sign-ins for the console; one per gateway (close it on stop)."""

    def __init__(
        self,
        accounts: tuple[StaffAccount, ...],
        device_key: Callable[[], Awaitable[str]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts = accounts
        self._device_key = device_key
        self._key: bytes | None = None
        self.by_name = Throttle(NAME_FAILURES, WINDOW, clock=clock)
        self.by_address = Throttle(ADDRESS_FAILURES, WINDOW, clock=clock)
        self.by_device = Throttle(DEVICE_FAILURES, WINDOW, clock=clock)
        self._executor = ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="scrypt")
        self._waiting = 0

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def attempt(self, name: str, password: str, address: str, cookie: str) -> Outcome:
        """Check ``name`` and ``password`` from ``address``, with the browser's device cookie.

        Every attempt is counted before its check, with nothing awaited between the look at the
        counts and the count (:meth:`Throttle.take`): forty guesses sent at once for one name
        are held to the limit as forty sent one by one are. A success gives its count back.
        """
        device = await self._device(cookie, name)
        if self._waiting >= MAX_WAITING:
            return Outcome(refused="busy")
        taken: list[tuple[Throttle, str]] = []
        if device is not None and self.by_device.take(device):
            taken.append((self.by_device, device))
        else:  # no device, or one that keeps failing and is trusted no more
            device = None
            for throttle, key in ((self.by_name, name), (self.by_address, address)):
                if not throttle.take(key):
                    for earlier, held in taken:
                        earlier.give_back(held)
                    return Outcome(refused="throttled")
                taken.append((throttle, key))
        self._waiting += 1
        try:
            loop = asyncio.get_running_loop()
            account = await loop.run_in_executor(
                self._executor, auth.authenticate, self.accounts, name, password
            )
        except BaseException:
            for throttle, key in taken:
                throttle.give_back(key)
            raise
        finally:
            self._waiting -= 1
        if account is None:
            if device is not None:
                self.by_address.failed(address)
            return Outcome(refused="wrong")
        for throttle, key in taken:
            throttle.give_back(key)
        if device is not None:
            self.by_device.forget(device)
        return Outcome(account=account, device_cookie=await self._new_device(account.name))

    async def _key_bytes(self) -> bytes:
        if self._key is None:
            self._key = bytes.fromhex(await self._device_key())
        return self._key

    async def _new_device(self, name: str) -> str:
        nonce = secrets.token_urlsafe(16)
        encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
        return f"{encoded}.{nonce}.{await self._signature(name, nonce)}"

    async def _device(self, cookie: str, name: str) -> str | None:
        """The device's nonce if ``cookie`` is a device cookie this gateway gave ``name``."""
        parts = cookie.split(".")
        if len(parts) != 3:
            return None
        encoded, nonce, signature = parts
        padded = encoded + "=" * (-len(encoded) % 4)
        try:
            owner = base64.urlsafe_b64decode(padded.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        if not hmac.compare_digest(owner.encode(), name.encode()):
            return None
        expected = await self._signature(owner, nonce)
        return nonce if hmac.compare_digest(expected.encode(), signature.encode()) else None

    async def _signature(self, name: str, nonce: str) -> str:
        message = f"{name}\n{nonce}".encode()
        return hmac.new(await self._key_bytes(), message, hashlib.sha256).hexdigest()
