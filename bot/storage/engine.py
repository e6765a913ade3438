"""The database engine, created lazily from the settings (transactions: ``unit_of_work``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.future import create_engine
from sqlalchemy.pool import QueuePool

from bot.config import get_settings


def sqlite_file(url: str | URL) -> str | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return str(parsed.database)


def sqlite_engine_options(url: str | URL) -> dict[str, Any]:
    """``create_engine`` options for a SQLite file shared by the Rasa server, the action
    server and the tools: a busy timeout, and a pool that keeps its connections open.

    SQLAlchemy 1.4 opens and closes a connection per session on a SQLite file; closing the
    last connection of a WAL database makes SQLite checkpoint the log to the database file,
    which then costs a disk flush on every turn. Pooled connections are used by one thread
    at a time (hence ``check_same_thread`` off)."""
    return {
        "connect_args": {"timeout": 15, "check_same_thread": False},
        "poolclass": QueuePool,
    }


def file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def install_sqlite_pragmas(engine: Any, database: str | None) -> None:
    """Foreign keys on every connection; on a file (``database``), the write-ahead log
    (readers never wait for a writer) with ``synchronous=NORMAL``: a commit is written to the
    log without waiting for the disk, which SQLite documents as safe against corruption in WAL
    mode; only the last transactions before a power cut (not a crash of Merci) could be lost.

    A pooled connection keeps the file it opened: if the file was moved, deleted or replaced
    (a restored backup), the connection is dropped and the path opened again, as it would be
    without a pool."""

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if database:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            record.info["file"] = file_identity(database)
        cursor.close()

    if database:

        @event.listens_for(engine, "checkout")
        def _same_file(_dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
            if record.info.get("file") != file_identity(database):
                raise DisconnectionError("the database file was moved or replaced")


def build_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so the Rasa server can share it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = sqlite_file(parsed)
        if database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, **sqlite_engine_options(parsed))
        else:
            engine = create_engine(url, connect_args={"timeout": 15})
        install_sqlite_pragmas(engine, database)
        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)
