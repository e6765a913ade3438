"""Aggregate queries of the invisible-work report (``bot.tools.invisible_work``).

Every function takes a session and never commits: ``unit_of_work.transaction`` does.
Each figure is one grouped query, so the report costs a handful of scans whatever the
number of consumers. ``[since, until)`` bounds what was done; ``since=None``: from the start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import DateTime, and_, case, distinct, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.models import Acknowledgement, Consumer, ProfileField, Review


class ReviewCount(NamedTuple):
    rating: int
    channel: str
    reviews: int
    improvements: int  # "what would make it a 5" answers
    followups: int  # disappointed consumers who asked to be called back


def _period(column: Any, since: datetime | None, until: datetime) -> ColumnElement[bool]:
    if since is None:
        return column < until
    return and_(column >= since, column < until)


def _since_flag(column: Any, since: datetime | None) -> Any:
    """1 when ``column`` is in the period (always, without a start), else 0."""
    return case((column >= since, 1), else_=0) if since else literal(1)


def consumer_counts(session: Session, since: datetime | None, until: datetime) -> tuple[int, int]:
    """Consumers known at ``until``, and how many of them arrived since ``since``."""
    total, new = session.execute(
        select(func.count(), func.coalesce(func.sum(_since_flag(Consumer.created_at, since)), 0))
        .where(Consumer.created_at < until)
    ).one()  # fmt: skip
    return int(total), int(new)


def complete_profile_counts(
    session: Session, fields: Sequence[str], since: datetime | None, until: datetime
) -> tuple[int, int]:
    """Profiles holding every one of ``fields`` at ``until``, and those completed since ``since``
    (their latest field entered in the period)."""
    last_entry = func.max(ProfileField.updated_at).label("last_entry")
    complete = (
        select(ProfileField.consumer_id, last_entry)
        .where(ProfileField.field.in_(fields), ProfileField.updated_at < until)
        .group_by(ProfileField.consumer_id)
        .having(func.count(distinct(ProfileField.field)) == len(fields))
        .subquery()
    )
    completed = _since_flag(complete.c.last_entry, since)
    total, in_period = session.execute(
        select(func.count(), func.coalesce(func.sum(completed), 0)).select_from(complete)
    ).one()
    return int(total), int(in_period)


def _by_field_and_channel(
    session: Session, column: Any, fields: Sequence[str], since: datetime | None, until: datetime
) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(ProfileField.field, Consumer.channel, func.count())
        .join(Consumer, Consumer.id == ProfileField.consumer_id)
        .where(ProfileField.field.in_(fields), _period(column, since, until))
        .group_by(ProfileField.field, Consumer.channel)
    )
    return {(field, channel): int(count) for field, channel, count in rows}


def fields_entered(
    session: Session, fields: Sequence[str], since: datetime | None, until: datetime
) -> dict[tuple[str, str], int]:
    """(field, consumer's channel) -> values entered in the period (latest entry of each)."""
    return _by_field_and_channel(session, ProfileField.updated_at, fields, since, until)


def fields_confirmed(
    session: Session, fields: Sequence[str], since: datetime | None, until: datetime
) -> dict[tuple[str, str], int]:
    """(field, consumer's channel) -> values confirmed in the period (latest confirmation)."""
    return _by_field_and_channel(session, ProfileField.confirmed_at, fields, since, until)


def review_counts(session: Session, since: datetime | None, until: datetime) -> list[ReviewCount]:
    """Reviews written in the period, by rating and channel."""
    rows = session.execute(
        select(
            Review.rating,
            Review.channel,
            func.count(),
            func.count(Review.improvement),
            func.count(Review.followup_requested_at),
        )
        .where(_period(Review.created_at, since, until))
        .group_by(Review.rating, Review.channel)
    )
    return [ReviewCount(int(r[0]), r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]


def product_review_counts(
    session: Session, since: datetime | None, until: datetime
) -> dict[tuple[str, str], int]:
    """(catalogue id, product name) -> reviews written in the period about that product;
    reviews without a catalogue product are left out."""
    rows = session.execute(
        select(Review.product_id, func.max(Review.product), func.count())
        .where(Review.product_id.is_not(None), _period(Review.created_at, since, until))
        .group_by(Review.product_id)
    )
    return {(str(pid), str(name or pid)): int(count) for pid, name, count in rows}


def thanks_counts(
    session: Session, since: datetime | None, until: datetime
) -> dict[tuple[str, str], int]:
    """(kind, response) -> acknowledgements sent in the period."""
    rows = session.execute(
        select(Acknowledgement.kind, Acknowledgement.response, func.count())
        .where(_period(Acknowledgement.created_at, since, until))
        .group_by(Acknowledgement.kind, Acknowledgement.response)
    )
    return {(kind, response): int(count) for kind, response, count in rows}


def fresh_counts(
    session: Session, oldest_fresh: Mapping[str, datetime], until: datetime
) -> dict[str, tuple[int, int]]:
    """Per field of ``oldest_fresh``: (values entered or confirmed since the field's date,
    values stored at ``until``). Fields without any value are left out."""
    latest = case(
        (ProfileField.confirmed_at > ProfileField.updated_at, ProfileField.confirmed_at),
        else_=ProfileField.updated_at,
    )
    oldest = case(
        {field: literal(moment, DateTime()) for field, moment in oldest_fresh.items()},
        value=ProfileField.field,
    )
    within = func.sum(case((latest >= oldest, 1), else_=0))
    rows = session.execute(
        select(ProfileField.field, func.count(), within)
        .where(ProfileField.field.in_(list(oldest_fresh)), ProfileField.updated_at < until)
        .group_by(ProfileField.field)
    )
    return {field: (int(fresh or 0), int(stored)) for field, stored, fresh in rows}
