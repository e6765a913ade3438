"""A small in-process sliding-window rate limiter (per sender, per address).

Kept in memory: with several Rasa processes each counts its own share, which is enough to
stop one consumer or one address from monopolising a server's event loop.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

DEFAULT_MAX_KEYS = 100_000


class SlidingWindow:
    """At most ``limit`` accepted events per key in any ``window_seconds``."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._accepted: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False (not counted) when over the limit."""
        times = self._recent(key)
        if len(times) >= self.limit:
            return False
        times.append(self._clock())
        return True

    def over(self, key: str) -> bool:
        """Whether ``key`` has used up its events in the window (nothing is counted)."""
        return len(self._recent(key)) >= self.limit

    def record(self, key: str) -> None:
        """Count one event for ``key``, even over the limit."""
        self._recent(key).append(self._clock())

    def _recent(self, key: str) -> deque[float]:
        """``key``'s events still in the window, its entry moved to the most recent end."""
        now = self._clock()
        times = self._accepted.pop(key, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        self._accepted[key] = times  # most recently seen last
        if len(self._accepted) > self._max_keys:
            self._accepted.popitem(last=False)
        return times

    def __len__(self) -> int:
        return len(self._accepted)
