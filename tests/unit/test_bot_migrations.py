"""Alembic migrations build the schema the models describe, and can be run at every start."""

from __future__ import annotations

from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bot.storage.migrate import upgrade
from bot.storage.models import metadata


def test_upgrade_creates_merci_tables_on_a_fresh_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) == {
            "consumers",
            "profile_fields",
            "reviews",
            "acknowledgements",
            "brand_events",
            "outbox",
            "nudges",
            "messenger_messages",
            "consents",
            "erasures",
            "erased_conversations",
            "anonymous_reviews",
            "studio_users",
            "studio_inbox_decisions",
            "studio_audit",
            "studio_login_attempts",
            "alembic_version",
        }
    finally:
        engine.dispose()


def test_running_upgrade_again_changes_nothing_and_keeps_the_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO consumers (channel, sender_id, created_at) "
                    "VALUES ('socketio', 'conversation-marie', :now)"
                ),
                {"now": datetime(2026, 11, 25, 10, 30)},
            )
            version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        upgrade(url)
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT version_num FROM alembic_version")).all() == version
            )
            assert connection.execute(text("SELECT sender_id FROM consumers")).all() == [
                ("conversation-marie",)
            ]
    finally:
        engine.dispose()


def test_the_migrated_schema_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_the_schema_check_would_notice_a_missing_table(tmp_path):
    """Guards the previous test: compare_metadata does report a difference when there is one."""
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE acknowledgements"))
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
        added = [d[1].name for d in differences if d[0] == "add_table"]
        assert added == ["acknowledgements"]
    finally:
        engine.dispose()


def _fill_at_0003(url: str) -> None:
    """A database at revision 0003 with consumers and their profile fields."""
    upgrade(url, "0003")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for number, sender in enumerate(["demo-0000042", "demo-marie", "marie"], start=1):
                connection.execute(
                    text(
                        "INSERT INTO consumers (id, channel, sender_id, created_at) "
                        "VALUES (:id, 'rest', :sender, :now)"
                    ),
                    {"id": number, "sender": sender, "now": datetime(2026, 11, 25)},
                )
                connection.execute(
                    text(
                        "INSERT INTO profile_fields (consumer_id, field, value, source, "
                        "updated_at) VALUES (:id, 'city', 'Lyon', 'chat', :now)"
                    ),
                    {"id": number, "now": datetime(2026, 11, 25)},
                )
    finally:
        engine.dispose()


def test_0004_marks_only_the_generators_former_demo_consumers_and_keeps_every_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    _fill_at_0003(url)
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(
                text("SELECT sender_id, is_demo FROM consumers ORDER BY id")
            ).all() == [("demo-0000042", 1), ("demo-marie", 0), ("marie", 0)]
            assert connection.execute(text("SELECT COUNT(*) FROM profile_fields")).all() == [(3,)]
    finally:
        engine.dispose()


def test_0004_downgrades_without_losing_a_row(tmp_path):
    from alembic import command

    from bot.storage.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'merci.db'}"
    _fill_at_0003(url)
    upgrade(url)
    command.downgrade(alembic_config(url), "0003")
    engine = create_engine(url)
    try:
        columns = {column["name"] for column in inspect(engine).get_columns("consumers")}
        assert "is_demo" not in columns
        with engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM consumers")).all() == [(3,)]
            # Rebuilding consumers with foreign keys on would have cascaded to these.
            assert connection.execute(text("SELECT COUNT(*) FROM profile_fields")).all() == [(3,)]
    finally:
        engine.dispose()
    upgrade(url)


def test_0010_and_0011_of_the_studio_downgrade_and_upgrade_again(tmp_path):
    from alembic import command

    from bot.storage.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0009")
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert "studio_login_attempts" not in tables and "studio_audit" in tables
        audit_columns = {column["name"] for column in inspect(engine).get_columns("studio_audit")}
        assert "files" not in audit_columns
    finally:
        engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    try:
        assert "studio_login_attempts" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
