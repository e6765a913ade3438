"""The studio's login limit: failed attempts per address and per account name, kept in
Merci's database so that a restart does not forget them and every studio process sharing the
database shares the limit.

Only failed attempts count: marketers behind one office address never lock each other out
by logging in. An attacker rotating addresses against one account meets the name's limit.
A key is stored as a hash (the name typed may be a password typed in the wrong field), and
rows older than the window are deleted at every login attempt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.storage import studio_queries
from bot.storage.unit_of_work import transaction

# Five failed attempts a minute per address and per name: enough for typos, not for guessing.
ATTEMPTS, WINDOW_SECONDS = 5, 60.0


def key_hash(kind: str, value: str) -> str:
    """The stored form of a key: ``kind`` is "address" or "name"."""
    normalised = value.strip().casefold() if kind == "name" else value.strip()
    return hashlib.sha256(f"merci-studio-login\x1f{kind}\x1f{normalised}".encode()).hexdigest()


class LoginLimit:
    """At most ``attempts`` failed logins per address and per name in ``window_seconds``."""

    def __init__(
        self,
        engine: Engine | None,
        attempts: int = ATTEMPTS,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], datetime] = studio_queries.utcnow,
    ) -> None:
        self._engine = engine
        self.attempts = attempts
        self.window = timedelta(seconds=window_seconds)
        self._clock = clock

    @staticmethod
    def _keys(address: str, name: str) -> list[str]:
        return [key_hash("address", address), key_hash("name", name)]

    def over(self, address: str, name: str) -> bool:
        """Whether the address or the name has used up its failed attempts (StorageError
        when the database cannot be read). Attempts older than the window are pruned."""
        keys, since = self._keys(address, name), self._clock() - self.window

        def count(session: Session) -> dict[str, int]:
            studio_queries.prune_failed_logins(session, since)
            return studio_queries.failed_logins(session, keys, since)

        counts = transaction(count, self._engine)
        return any(n >= self.attempts for n in counts.values())

    def record_failure(self, address: str, name: str) -> None:
        """Count one failed attempt for the address and for the name."""
        keys, now = self._keys(address, name), self._clock()

        def store(session: Session) -> None:
            studio_queries.add_failed_login(session, keys, now)

        transaction(store, self._engine)
