"""Fixtures for the action tests: a real database, real trackers, a real dispatcher.

Every test gets its own SQLite file in ``tmp_path``, migrated with Alembic as
``make migrate`` does; the settings / engine / service caches are cleared around it
so that the actions, which call ``get_services()``, talk to that database.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from merci_action_helpers import Database, build_tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import PROJECT_ROOT
from bot.domain.wording import load_responses
from bot.storage.migrate import upgrade
from tests.wiring import reset_wiring


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> Iterator[str]:
    """A fresh, migrated SQLite file that the actions reach through ``get_services()``."""
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MERCI_DOMAIN_PATH", raising=False)
    monkeypatch.delenv("MERCI_CONGRATULATIONS_PATH", raising=False)
    reset_wiring()
    upgrade(url)
    yield url
    reset_wiring()


@pytest.fixture
def db(database_url) -> Database:
    return Database(database_url)


@pytest.fixture
def consented(db, sender_id) -> None:
    """The consumer already said « Oui » to the consent question (asked before the first
    personal value is stored: tests/actions/test_privacy_actions.py)."""
    db.given_consent(sender_id)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The real domain, as the Rasa server sends it to the action server."""
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Domain.load(str(PROJECT_ROOT / "domain.yml")).as_dict()


@pytest.fixture(scope="session")
def responses():
    """The response variants of domain.yml, as the bot renders them."""
    return load_responses(PROJECT_ROOT / "domain.yml")


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def sender_id(request) -> str:
    return f"consumer-{request.node.name}"[:200]


@pytest.fixture
def tracker_for(domain, sender_id):
    """``tracker_for("mon mail c'est ...", "give_email", slots=...)``: the consumer's message."""

    def make(text: str = "", intent: str | None = None, **kwargs: Any):
        return build_tracker(domain, kwargs.pop("sender_id", sender_id), text, intent, **kwargs)

    return make
