"""Shared fixtures for the unit tests of ``bot/``.

Everything here is real: the project's ``domain.yml`` and ``data/congratulations.yml``,
and a real SQLite database (in memory, one per test).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT
from bot.domain.congratulations import CongratulationTable, load_table
from bot.domain.wording import Variant, load_responses
from bot.services import Identity, Services, build_services
from bot.storage.engine import build_engine
from bot.storage.models import metadata

DOMAIN = PROJECT_ROOT / "domain.yml"
CONGRATULATIONS = PROJECT_ROOT / "data" / "congratulations.yml"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def responses() -> dict[str, tuple[Variant, ...]]:
    return load_responses(DOMAIN)


@pytest.fixture(scope="session")
def table(responses: dict[str, tuple[Variant, ...]]) -> CongratulationTable:
    return load_table(CONGRATULATIONS, responses)


@pytest.fixture
def engine() -> Engine:
    engine = build_engine("sqlite://")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 25, 10, 30))


@pytest.fixture
def service(engine: Engine, table: CongratulationTable, responses, clock: Clock) -> Services:
    return build_services(engine, table, responses, clock=clock)


@pytest.fixture
def marie() -> Identity:
    return Identity(channel="socketio", sender_id="conversation-marie")


class Database:
    """Reads the database directly, as a support agent would, bypassing the service."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, sql: str, **params: object) -> list[tuple]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def select(self, *columns, order_by=None) -> list[tuple]:
        """Typed read (datetimes come back as datetimes) of model columns."""
        query = select(*columns)
        if order_by is not None:
            query = query.order_by(order_by)
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def count(self, table_name: str) -> int:
        return self.rows(f"SELECT COUNT(*) FROM {table_name}")[0][0]

    def execute(self, sql: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(sql))


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)
