"""Plumbing for the Messenger tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.fakes.graph_api import FakeGraphAPI


@pytest.fixture
def graph() -> Iterator[FakeGraphAPI]:
    with FakeGraphAPI.running() as fake:
        yield fake


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine on a fresh loop in its own thread: other suites (the browser tests)
    may leave an event loop running in the main thread, which pytest-asyncio then trips on."""

    def run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    return run_coroutine
