"""The studio's login limit lives in the database: two studio processes share it, a restart
does not forget it, an attacker rotating addresses meets the account's limit, and nothing
typed at the login is stored as it was typed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from bot.config import PROJECT_ROOT
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.storage.models import StudioLoginAttempt
from bot.storage.unit_of_work import unit_of_work
from bot.studio.accounts import add_user
from bot.studio.app import create_app
from bot.studio.login_limit import LoginLimit
from bot.studio.web import StudioConfig

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    engine = build_engine(url)
    add_user(engine, "Camille", PASSWORD, "editeur")
    return engine


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0)

    def __call__(self) -> datetime:
        return self.now


def studio(engine: Engine, address: str = "127.0.0.1") -> TestClient:
    config = StudioConfig(
        root=PROJECT_ROOT,
        engine=engine,
        rasa_url="http://127.0.0.1:9",
        rasa_token=None,
        rest_token=None,
        secret="unit-test-secret",
    )
    return TestClient(create_app(config), client=(address, 50000))


def attempt(client: TestClient, password: str, name: str = "Camille") -> httpx.Response:
    form = client.get("/connexion").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert match
    return client.post(
        "/connexion",
        data={"name": name, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )


def log_in(client: TestClient, password: str, name: str = "Camille") -> int:
    return attempt(client, password, name).status_code


def test_two_studio_processes_over_one_database_share_the_limit(engine: Engine):
    first, second = studio(engine), studio(engine)
    assert [log_in(first, "non") for _ in range(3)] == [401, 401, 401]
    assert [log_in(second, "toujours-non") for _ in range(2)] == [401, 401]
    assert log_in(first, PASSWORD) == 429
    assert log_in(second, PASSWORD) == 429


def test_a_restarted_studio_remembers_the_failed_attempts(engine: Engine):
    before = studio(engine)
    for _ in range(5):
        assert log_in(before, "non") == 401
    after_restart = studio(engine)
    assert log_in(after_restart, PASSWORD) == 429


def test_an_attacker_rotating_addresses_meets_the_accounts_own_limit(engine: Engine):
    for number in range(5):
        assert log_in(studio(engine, f"192.0.2.{number}"), "devine") == 401
    assert log_in(studio(engine, "192.0.2.99"), PASSWORD) == 429
    # Another marketer, from yet another address, is not held up by Camille's account.
    add_user(engine, "Dominique", PASSWORD, "lecteur")
    assert log_in(studio(engine, "198.51.100.7"), PASSWORD, name="Dominique") == 303


def test_a_right_password_does_not_count_and_four_typos_still_let_one_in(engine: Engine):
    client = studio(engine)
    assert [log_in(client, "faute") for _ in range(4)] == [401] * 4
    assert log_in(client, PASSWORD) == 303
    with unit_of_work(engine) as session:
        assert len(list(session.scalars(select(StudioLoginAttempt)))) == 8  # 4 x address, name


def test_the_limit_lifts_after_a_minute_and_old_attempts_are_pruned(engine: Engine):
    clock = Clock()
    limit = LoginLimit(engine, attempts=5, window_seconds=60, clock=clock)
    for _ in range(5):
        limit.record_failure("192.0.2.1", "Camille")
    assert limit.over("192.0.2.1", "Camille")
    assert limit.over("198.51.100.7", "camille ")  # the same account, however typed
    assert limit.over("192.0.2.1", "Dominique")  # the same address
    assert not limit.over("198.51.100.7", "Dominique")
    clock.now += timedelta(seconds=61)
    assert not limit.over("203.0.113.5", "Alex")  # anyone's next attempt prunes the old rows
    with unit_of_work(engine) as session:
        assert list(session.scalars(select(StudioLoginAttempt))) == []
    assert not limit.over("192.0.2.1", "Camille")


def test_neither_the_password_nor_the_name_nor_the_address_is_stored(engine: Engine):
    client = studio(engine, "192.0.2.44")
    assert log_in(client, "mon-secret-tape-ici", name="Camille") == 401
    with engine.connect() as connection:
        stored = " ".join(
            str(value)
            for row in connection.execute(text("SELECT * FROM studio_login_attempts"))
            for value in row
        )
    assert stored
    for typed in ("mon-secret-tape-ici", "Camille", "camille", "192.0.2.44"):
        assert typed not in stored


def test_a_database_that_does_not_answer_refuses_the_login_with_a_clear_message(tmp_path: Path):
    engine = build_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    client = studio(engine)
    answer = attempt(client, PASSWORD)
    assert answer.status_code == 503
    assert "La base de données du studio ne répond pas" in answer.text
