"""Pacing sends to a provider's limits: a token bucket per recipient and one for everyone.

Telegram allows about one message a second to one chat (short bursts are tolerated) and about
30 a second overall; a 429 answer says how long to wait, and :meth:`Pacer.pause` honours it
for every send of the channel. python-telegram-bot's ``AIORateLimiter`` paces only the
overall rate and group chats, not private chats, so the gateway keeps its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; reservations may run into debt."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.updated = clock()

    def reserve(self) -> float:
        """Take one token; how many seconds to wait before using it."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def idle(self) -> bool:
        """Full again: nothing is owed, the bucket can be forgotten."""
        elapsed = self.clock() - self.updated
        return self.tokens + elapsed * self.rate >= self.burst


class Pacer:
    """Waits before each send so that neither one recipient nor the channel goes too fast."""

    MAX_KEYS = 10_000

    def __init__(
        self,
        per_key_rate: float,
        per_key_burst: float,
        overall_rate: float,
        overall_burst: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_key = (per_key_rate, per_key_burst)
        self.clock = clock
        self.overall = TokenBucket(overall_rate, overall_burst, clock)
        self.keys: dict[str, TokenBucket] = {}
        self.paused_until = 0.0

    def delay(self, key: str) -> float:
        """Reserve a send to ``key``; how long to wait before making it."""
        bucket = self.keys.get(key)
        if bucket is None:
            if len(self.keys) >= self.MAX_KEYS:
                self.keys = {k: b for k, b in self.keys.items() if not b.idle()}
            bucket = self.keys[key] = TokenBucket(*self.per_key, self.clock)
        pause = self.paused_until - self.clock()
        return max(bucket.reserve(), self.overall.reserve(), pause, 0.0)

    async def wait(self, key: str) -> None:
        delay = self.delay(key)
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self, seconds: float) -> None:
        """The provider said "too many requests, retry after ``seconds``": hold every send."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)
