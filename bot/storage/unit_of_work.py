"""The one place that frames transactions and turns database errors into ``StorageError``.

Every caller (services, the scheduler, the Messenger channel, the command line) goes
through :func:`transaction`, so none of them sees a raw SQLAlchemy error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot.storage.engine import get_engine

T = TypeVar("T")


class StorageError(RuntimeError):
    """The database could not be read or written; nothing was stored."""


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """Begin a transaction, commit on success, roll back on any error."""
    session = Session(engine or get_engine(), future=True, expire_on_commit=False)
    with session, session.begin():
        yield session


def transaction(work: Callable[[Session], T], engine: Engine | None = None) -> T:
    """Run ``work`` in one transaction; a lost race on a unique key is retried once.

    ``work`` reads before it writes, so on the retry it sees the row the other writer
    committed and returns what it would have returned for a duplicate.
    """
    for attempt in (1, 2):
        try:
            with unit_of_work(engine) as session:
                return work(session)
        except IntegrityError as exc:
            if attempt == 2:
                raise StorageError("could not store the contribution") from exc
        except SQLAlchemyError as exc:
            raise StorageError("the database is unavailable") from exc
    raise AssertionError("unreachable")
