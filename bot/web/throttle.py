"""Counting failed sign-ins per key (a name, an address, a device) in a sliding window.

:class:`Throttle` says a key is blocked once it has ``limit`` failures in the last ``window``
seconds. An attempt is counted before it is checked (:meth:`Throttle.take`, with nothing awaited
between the look and the count), and given back if it succeeds: so a burst of guesses sent at
once is held to ``limit`` like guesses sent one by one. Its table is bounded (``max_keys``), so that a stranger cannot grow it without end;
when it is full, keys whose failures are all older than the window go first, then the least
active of the keys that are not blocked. A blocked key, an attacker at work, is never dropped
to make room while another can be.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Throttle:
    """At most ``limit`` failures per key in ``window`` seconds, for at most ``max_keys`` keys."""

    def __init__(
        self,
        limit: int,
        window: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}  # only the last `limit` are needed

    def __len__(self) -> int:
        return len(self._failures)

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has had ``limit`` failures within the window."""
        stamps = self._failures.get(key)
        if stamps is None:
            return False
        self._expire(key, stamps, self.clock())
        return len(stamps) >= self.limit

    def take(self, key: str) -> bool:
        """Count an attempt for ``key`` now, unless it is blocked; False if it is."""
        now = self.clock()
        stamps = self._failures.get(key)
        if stamps is not None:
            self._expire(key, stamps, now)
            stamps = self._failures.get(key)
            if stamps is not None and len(stamps) >= self.limit:
                return False
        self.failed(key)
        return True

    def give_back(self, key: str) -> None:
        """An attempt counted by :meth:`take` succeeded (or never ran): it counts no more."""
        stamps = self._failures.get(key)
        if stamps:
            stamps.pop()
            if not stamps:
                self._failures.pop(key, None)

    def failed(self, key: str) -> None:
        """Count a failure for ``key``."""
        now = self.clock()
        stamps = self._failures.get(key)
        if stamps is None:
            if len(self._failures) >= self.max_keys:
                self._make_room(now)
            stamps = self._failures[key] = deque(maxlen=self.limit)
        stamps.append(now)

    def forget(self, key: str) -> None:
        """``key`` signed in: its failures no longer count."""
        self._failures.pop(key, None)

    def _expire(self, key: str, stamps: deque[float], now: float) -> None:
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        if not stamps:
            self._failures.pop(key, None)

    def _make_room(self, now: float) -> None:
        """Free a tenth of the table: expired keys, then the least active unblocked ones."""
        for key, stamps in list(self._failures.items()):
            self._expire(key, stamps, now)
        target = self.max_keys - max(1, self.max_keys // 10)
        if len(self._failures) <= target:
            return
        # Fewest failures first, then the longest quiet; blocked keys last of all.
        ranked = sorted(
            self._failures.items(),
            key=lambda item: (len(item[1]) >= self.limit, len(item[1]), item[1][-1]),
        )
        for key, _ in ranked[: len(self._failures) - target]:
            del self._failures[key]
