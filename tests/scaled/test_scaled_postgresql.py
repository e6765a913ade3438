"""Merci on PostgreSQL: the schema's whole history upgrades a first-version database
without losing a row, and two schedulers fire each nudge once."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.storage.migrate import upgrade
from tests.e2e.conftest import Merci
from tests.e2e.test_scheduler import two_schedulers_fire_each_nudge_once

pytestmark = pytest.mark.e2e

FIRST_VERSION = "0001"
AT = datetime(2026, 1, 15, 9, 30)


@pytest.fixture
def empty_database(topology) -> str:
    """A new database on the topology's PostgreSQL server."""
    name = f"merci_{uuid.uuid4().hex[:12]}"
    admin = create_engine(topology.database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return str(make_url(topology.database_url).set(database=name))


def fill_first_version(connection) -> None:
    """Two consumers with what the first version kept: profile, reviews, thank-yous."""
    for number, sender in ((1, "pg-marie"), (2, "pg-paul")):
        connection.execute(
            text(
                "INSERT INTO consumers (id, channel, sender_id, external_id, created_at) "
                "VALUES (:id, 'rest', :sender, :external, :at)"
            ),
            {"id": number, "sender": sender, "external": f"crm-{sender}", "at": AT},
        )
        connection.execute(
            text(
                "INSERT INTO profile_fields (consumer_id, field, value, source, updated_at) "
                "VALUES (:id, 'city', 'Lyon', 'chat', :at), (:id, 'first_name', :name, 'chat', :at)"
            ),
            {"id": number, "name": sender[3:].title(), "at": AT},
        )
        connection.execute(
            text(
                "INSERT INTO reviews (consumer_id, event_key, rating, text, product, channel, "
                "created_at) VALUES (:id, :key, 5, 'Très douce', 'Crème', 'rest', :at)"
            ),
            {"id": number, "key": f"review:{sender}", "at": AT},
        )
        connection.execute(
            text(
                "INSERT INTO acknowledgements (consumer_id, event_key, kind, response, variant, "
                "text, created_at) VALUES (:id, :key, 'review', 'utter_thank_review', 0, "
                "'Merci pour votre avis', :at)"
            ),
            {"id": number, "key": f"review:{sender}", "at": AT},
        )


TABLES = {
    "consumers": "SELECT id, channel, sender_id, external_id, created_at FROM consumers",
    "profile_fields": "SELECT consumer_id, field, value, source, updated_at FROM profile_fields",
    "reviews": "SELECT consumer_id, event_key, rating, text, product, channel FROM reviews",
    "acknowledgements": "SELECT consumer_id, event_key, kind, response, text FROM acknowledgements",
}


def rows(connection) -> dict[str, list[tuple]]:
    return {
        table: sorted(tuple(row) for row in connection.execute(text(query)))
        for table, query in TABLES.items()
    }


def test_a_first_version_database_upgrades_to_the_latest_keeping_every_row(empty_database):
    upgrade(empty_database, FIRST_VERSION)
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            fill_first_version(connection)
            before = rows(connection)
        assert all(len(kept) >= 2 for kept in before.values())

        upgrade(empty_database)

        with engine.connect() as connection:
            assert rows(connection) == before
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert head != FIRST_VERSION
    finally:
        engine.dispose()


def test_two_schedulers_on_postgresql_fire_each_nudge_once(topology, servers):
    """The SQLite test of tests/e2e/test_scheduler.py, on PostgreSQL and through nginx."""
    first, _ = servers
    two_schedulers_fire_each_nudge_once(Merci(topology.url, first.engine, topology.database_url))
