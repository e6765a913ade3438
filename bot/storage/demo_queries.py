"""Writes of the demo data generator (``bot.tools.demo_data``).

Every function takes a session and never commits: ``unit_of_work.transaction`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bot.storage.models import Acknowledgement, Consumer, ProfileField, Review

Rows = Sequence[dict[str, Any]]


def remove_demo_consumers(session: Session) -> int:
    """Delete the consumers marked ``is_demo`` and everything they did; how many consumers."""
    demo = select(Consumer.id).where(Consumer.is_demo.is_(True))
    for model in (Acknowledgement, Review, ProfileField):
        table = model.__table__
        session.execute(delete(table).where(table.c.consumer_id.in_(demo)))
    consumers = Consumer.__table__
    return int(session.execute(delete(consumers).where(consumers.c.id.in_(demo))).rowcount)


def next_consumer_id(session: Session) -> int:
    """The first consumer id above every id in use."""
    return int(session.scalar(select(func.coalesce(func.max(Consumer.id), 0)))) + 1


def real_sender_ids(session: Session, prefix: str) -> set[str]:
    """Sender ids starting with ``prefix`` that real consumers (not demo ones) chose."""
    return set(
        session.scalars(
            select(Consumer.sender_id).where(
                Consumer.is_demo.is_(False), Consumer.sender_id.startswith(prefix, autoescape=True)
            )
        )
    )


def insert_demo_rows(
    session: Session, consumers: Rows, fields: Rows, reviews: Rows, thanks: Rows
) -> None:
    """Bulk-insert rows given as column dicts (consumers first, for the foreign keys)."""
    for model, rows in (
        (Consumer, consumers),
        (ProfileField, fields),
        (Review, reviews),
        (Acknowledgement, thanks),
    ):
        if rows:
            session.execute(insert(model.__table__), list(rows))
