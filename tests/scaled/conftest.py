"""The scaled topology, started once per session: PostgreSQL, Redis, two Rasa servers with
their action servers, and nginx in front, all on loopback on free ports
(:func:`bot.runtime.scaled.scaled`, as ``make run-scaled`` starts it)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.scaled import Topology, scaled
from bot.storage.engine import build_engine
from tests.e2e.conftest import API_TOKEN, BRAND_SECRET, MODEL, WIDGET_SECRET, Merci

# Six hundred messages from one address in a few seconds: these tests are about
# consistency, the rate limits have their own.
NO_RATE_LIMIT = {
    "MERCI_RATE_LIMIT_PER_SENDER": "1000000",
    "MERCI_RATE_LIMIT_PER_ADDRESS": "1000000",
}


@pytest.fixture(scope="session")
def topology() -> Iterator[Topology]:
    if not MODEL.exists():
        pytest.fail("models/merci.tar.gz is missing: run the tests with `make test`")
    directory = Path(tempfile.mkdtemp(prefix="merci-scaled-"))
    directory.chmod(0o755)  # PostgreSQL runs as postgres under root: it must get through
    try:
        with scaled(
            MODEL,
            directory,
            extra_env={
                "BRAND_EVENTS_SECRET": BRAND_SECRET,
                "WIDGET_IDENTITY_SECRET": WIDGET_SECRET,
                **NO_RATE_LIMIT,
            },
            api_token=API_TOKEN,
        ) as running:
            yield running
    except RuntimeError as error:
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in directory.rglob("*.log"))
        pytest.fail(f"{error}\n{logs}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def servers(topology: Topology) -> tuple[Merci, Merci]:
    """Each Rasa server, addressed directly (the same database behind both)."""
    engine = build_engine(topology.database_url)
    first, second = (Merci(url, engine, topology.database_url) for url in topology.rasa_urls)
    return first, second
