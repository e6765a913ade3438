"""Alembic environment: URL from Merci's settings, metadata from its models."""

from __future__ import annotations

from alembic import context

from bot.storage.engine import build_engine
from bot.storage.models import metadata

# Rasa's SQL tracker store shares the database; its tables are not ours to migrate.
RASA_TABLES = {"events"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name in RASA_TABLES)


def run_migrations() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _migrate(given)
        return
    # An engine of our own is closed at once: a pooled connection left open would keep
    # the database (and a SQLite file's WAL) in use after the upgrade.
    engine = build_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations()
