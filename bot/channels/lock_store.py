"""Conversation locks shared by several Rasa servers, taken atomically on Redis.

Rasa's ``RedisLockStore`` reads the conversation's ticket queue, adds a ticket in Python
and writes the queue back (GET, then SET): two servers taking the same lock at once both
read an empty queue, both issue ticket 0, and both handle the conversation together (the
fix, Rasa PR #11256, was reverted). Here every step is one Redis command or one Lua script,
which Redis runs atomically:

- ``INCR`` issues the ticket number, so no two takers ever get the same one;
- the waiting tickets are a sorted set (ordered by number) with a second sorted set of
  their expiry times (Redis's clock, the same for every server): a ticket whose holder
  died expires after the lock lifetime, as in Rasa;
- the holder is the lowest live ticket; leaving removes one's own ticket only.

Configured in the rendered endpoints as ``lock_store: {type:
bot.channels.lock_store.AtomicRedisLockStore, url: ${MERCI_REDIS_URL}}``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from redis import asyncio as redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY_PREFIX = "merci:lock:"
# How often a waiting taker looks again (Rasa's stores wait a whole second).
POLL_SECONDS = 0.01
SOCKET_TIMEOUT_SECONDS = 10.0

# KEYS: counter, queue, expiries. ARGV: lifetime in ms. Returns the ticket number.
ISSUE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lifetime = tonumber(ARGV[1])
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('ZADD', KEYS[3], now_ms + lifetime, ticket)
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, lifetime * 2) end
return ticket
"""

# KEYS: queue, expiries. ARGV: ticket. 1: the ticket is served; 0: wait; -1: it expired.
SERVED = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now_ms)
for _, gone in ipairs(expired) do
  redis.call('ZREM', KEYS[1], gone)
  redis.call('ZREM', KEYS[2], gone)
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local first = redis.call('ZRANGE', KEYS[1], 0, 0)
if first[1] == ARGV[1] then return 1 end
return 0
"""


class AtomicRedisLockStore(LockStore):
    """Rasa's ticket lock (first come, first served, tickets expire), atomic on Redis."""

    def __init__(self, endpoint_config: Any = None, url: str | None = None) -> None:
        url = url or getattr(endpoint_config, "url", None)
        if not url:
            raise ValueError("the Redis lock store needs a url (MERCI_REDIS_URL)")
        self.red = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_SECONDS)
        self._issue = self.red.register_script(ISSUE)
        self._served = self.red.register_script(SERVED)
        super().__init__()

    @staticmethod
    def keys(conversation_id: str) -> tuple[str, str, str]:
        # The braces keep a conversation's keys on one node of a Redis cluster.
        base = f"{KEY_PREFIX}{{{conversation_id}}}"
        return f"{base}:next", f"{base}:queue", f"{base}:expires"

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock: wait for every earlier ticket, then yield."""
        counter, queue, expiries = self.keys(conversation_id)
        try:
            ticket = int(
                await self._issue(
                    keys=[counter, queue, expiries], args=[lifetime_ms(lock_lifetime)]
                )
            )
        except RedisError as error:
            raise LockError(f"Could not take a lock on Redis ({type(error).__name__}).") from None
        try:
            await self._wait_for(conversation_id, ticket, min(wait_time_in_seconds, POLL_SECONDS))
            yield TicketLock(conversation_id)
        finally:
            await self._leave(queue, expiries, ticket)

    async def _wait_for(self, conversation_id: str, ticket: int, poll: float) -> None:
        _, queue, expiries = self.keys(conversation_id)
        while True:
            try:
                served = int(await self._served(keys=[queue, expiries], args=[ticket]))
            except RedisError as error:
                raise LockError(f"Lost Redis while waiting ({type(error).__name__}).") from None
            if served == 1:
                return
            if served == -1:
                raise LockError("The conversation's lock expired before its turn came.")
            await asyncio.sleep(poll)

    async def _leave(self, queue: str, expiries: str, ticket: int) -> None:
        try:
            async with self.red.pipeline(transaction=True) as pipe:
                await pipe.zrem(queue, ticket).zrem(expiries, ticket).execute()
        except RedisError as error:
            # The ticket then expires with the lock lifetime: later messages wait until then.
            logger.error("could not release a conversation lock (%s)", type(error).__name__)


def lifetime_ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)
