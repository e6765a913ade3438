"""Merci Studio on PostgreSQL: the studio's migrations go up and down, two studio processes
share the login limit, and the audit log keeps which files an edit changed."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from bot.storage import studio_queries
from bot.storage.engine import build_engine
from bot.storage.migrate import alembic_config, upgrade
from bot.storage.unit_of_work import transaction
from bot.studio.accounts import add_user
from tests.e2e.test_postgres_down import postgresql  # noqa: F401  (the fixture)
from tests.unit.test_studio_login_limit import PASSWORD, log_in, studio

pytestmark = pytest.mark.e2e


def test_the_studio_tables_on_postgresql(postgresql):  # noqa: F811
    upgrade(postgresql.url)
    command.downgrade(alembic_config(postgresql.url), "0009")
    upgrade(postgresql.url)
    engine = build_engine(postgresql.url)
    try:
        assert "studio_login_attempts" in inspect(engine).get_table_names()
        add_user(engine, "Camille", PASSWORD, "editeur")
        first, second = studio(engine), studio(engine)
        assert [log_in(first, "non") for _ in range(3)] == [401] * 3
        assert [log_in(second, "non") for _ in range(2)] == [401] * 2
        assert log_in(second, PASSWORD) == 429

        change = ("data/freshness.yml", "a" * 40, "b" * 40)
        transaction(lambda s: studio_queries.audit(s, "Camille", "edit", "x", [change]), engine)
        assert transaction(lambda s: studio_queries.file_changes(s, None), engine) == [change]
    finally:
        engine.dispose()
