"""Merci Studio's doors: accounts from the command line, CSRF on every form, a login that
cannot be guessed at speed, and every edit written in the audit log."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.config import PROJECT_ROOT
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.storage.models import StudioAudit, StudioUser
from bot.storage.unit_of_work import unit_of_work
from bot.studio.app import create_app
from bot.studio.web import StudioConfig

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    return url


def add_user(
    database_url: str, name: str, role: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "studio",
            "add-user",
            name,
            "--role",
            role,
            "--database-url",
            database_url,
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )


@pytest.fixture
def client(database_url: str) -> TestClient:
    assert add_user(database_url, "Camille", "editeur").returncode == 0
    config = StudioConfig(
        root=PROJECT_ROOT,
        engine=build_engine(database_url),
        rasa_url="http://127.0.0.1:9",
        rasa_token=None,
        rest_token=None,
        secret="unit-test-secret",
    )
    return TestClient(create_app(config))


def csrf(client: TestClient, path: str = "/connexion") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def test_an_account_is_stored_as_an_argon2_hash_and_a_short_password_is_refused(database_url: str):
    assert add_user(database_url, "Dominique", "lecteur").returncode == 0
    short = add_user(database_url, "Alex", "editeur", password="court")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    with unit_of_work(build_engine(database_url)) as session:
        users = {u.name: u for u in session.scalars(select(StudioUser))}
    assert set(users) == {"Dominique"}
    assert users["Dominique"].role == "lecteur"
    assert users["Dominique"].password_hash.startswith("$argon2id$")
    assert PASSWORD not in users["Dominique"].password_hash


def test_a_form_without_its_csrf_token_is_refused(client: TestClient):
    answer = client.post("/connexion", data={"name": "Camille", "password": PASSWORD})
    assert answer.status_code == 403
    assert "Jeton de sécurité" in answer.text
    assert client.get("/boite", follow_redirects=False).headers["location"] == "/connexion"


def test_the_right_password_opens_the_inbox_and_the_login_is_in_the_audit_log(
    client: TestClient, database_url: str
):
    answer = client.post(
        "/connexion", data={"name": "Camille", "password": PASSWORD, "csrf_token": csrf(client)}
    )
    assert answer.status_code == 200 and "Boîte de réception" in answer.text
    with unit_of_work(build_engine(database_url)) as session:
        assert [(a.user_name, a.action) for a in session.scalars(select(StudioAudit))] == [
            ("Camille", "login")
        ]


def test_after_five_wrong_passwords_even_the_right_one_waits_a_minute(client: TestClient):
    token = csrf(client)
    for _ in range(5):
        wrong = client.post(
            "/connexion", data={"name": "Camille", "password": "non", "csrf_token": token}
        )
        assert wrong.status_code == 401
    right = client.post(
        "/connexion", data={"name": "Camille", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 429
    assert "Trop de tentatives" in right.text


def test_marketers_logging_in_from_one_office_never_lock_each_other_out(client: TestClient):
    token = csrf(client)
    for _ in range(8):
        answer = client.post(
            "/connexion", data={"name": "Camille", "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 200 and "Boîte de réception" in answer.text
        client.post("/deconnexion", data={"csrf_token": csrf(client)})
        token = csrf(client)
