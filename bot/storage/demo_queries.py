"""Writes of the demo data generator (``bot.tools.demo_data``).

Every function takes a session and never commits: ``unit_of_work.transaction`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bot.storage.models import Acknowledgement, Consumer, ProfileField, Review

DEMO_PREFIX = "demo-"

Rows = Sequence[dict[str, Any]]


def _demo_consumers() -> Any:
    return select(Consumer.id).where(Consumer.sender_id.like(f"{DEMO_PREFIX}%"))


def remove_demo_consumers(session: Session) -> int:
    """Delete the demo consumers and everything they did; the number of consumers removed."""
    demo = _demo_consumers()
    for model in (Acknowledgement, Review, ProfileField):
        table = model.__table__
        session.execute(delete(table).where(table.c.consumer_id.in_(demo)))
    consumers = Consumer.__table__
    return int(session.execute(delete(consumers).where(consumers.c.id.in_(demo))).rowcount)


def next_consumer_id(session: Session) -> int:
    """The first consumer id above every id in use."""
    return int(session.scalar(select(func.coalesce(func.max(Consumer.id), 0)))) + 1


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
