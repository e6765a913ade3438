"""Merci's conversation locks on a real Redis: two servers (two clients, two event loops,
two threads) taking the same conversation's lock at once never hold it together."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from rasa.core.lock_store import LockError

from bot.channels.lock_store import AtomicRedisLockStore
from bot.runtime.services_local import redis

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


class Holders:
    """Who holds the lock now, the most that ever held it together, and the order served."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self.now = 0
        self.most = 0
        self.served: list[str] = []

    def enter(self, name: str) -> None:
        with self._guard:
            self.now += 1
            self.most = max(self.most, self.now)
            self.served.append(name)

    def leave(self) -> None:
        with self._guard:
            self.now -= 1


def server(store_class, url: str, name: str, holders: Holders, turns: int) -> None:
    """One Rasa server: its own client and event loop, ``turns`` messages at once."""

    async def main() -> None:
        store = store_class(url=url) if store_class is AtomicRedisLockStore else store_class()

        async def message(index: int) -> None:
            async with store.lock("same-consumer", wait_time_in_seconds=0.005):
                holders.enter(f"{name}-{index}")
                await asyncio.sleep(0.002)
                holders.leave()

        await asyncio.gather(*(message(i) for i in range(turns)))

    asyncio.run(main())


def two_servers_at_once(store_class, url: str, turns: int = 40) -> Holders:
    holders = Holders()
    threads = [
        threading.Thread(target=server, args=(store_class, url, name, holders, turns))
        for name in ("a", "b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return holders


def test_two_servers_never_hold_one_conversation_together(redis_url):
    holders = two_servers_at_once(AtomicRedisLockStore, redis_url)
    assert holders.most == 1
    assert len(holders.served) == 80 and len(set(holders.served)) == 80, "every message served"


async def test_messages_are_served_in_the_order_they_took_their_ticket(redis_url):
    store = AtomicRedisLockStore(url=redis_url)
    _, queue, _ = store.keys("in-order")
    all_waiting = asyncio.Event()
    served: list[int] = []

    async def message(index: int) -> None:
        async with store.lock("in-order"):
            served.append(index)
            await all_waiting.wait()

    tasks = []
    for index in range(10):
        tasks.append(asyncio.create_task(message(index)))
        while await store.red.zcard(queue) < index + 1:  # its ticket is taken
            await asyncio.sleep(0.001)
    all_waiting.set()
    await asyncio.gather(*tasks)
    assert served == list(range(10))


async def test_a_lock_left_by_a_dead_server_frees_itself_after_its_lifetime(redis_url):
    store = AtomicRedisLockStore(url=redis_url)
    counter, queue, expiries = store.keys("abandoned")
    await store._issue(keys=[counter, queue, expiries], args=[300])  # taken, never released

    started = asyncio.get_running_loop().time()
    async with store.lock("abandoned"):
        waited = asyncio.get_running_loop().time() - started
    assert 0.2 < waited < 5


async def test_a_message_that_outlives_its_lock_is_refused_not_served_twice(redis_url):
    store = AtomicRedisLockStore(url=redis_url)
    counter, queue, expiries = store.keys("slow")
    await store._issue(keys=[counter, queue, expiries], args=[60_000])  # a long turn ahead

    with pytest.raises(LockError):
        async with store.lock("slow", lock_lifetime=0.2):
            pytest.fail("served while the turn ahead still held the lock")
