"""Queries. Every function takes a session and never commits: the unit of work does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.models import (
    Acknowledgement,
    BrandEvent,
    Consumer,
    MessengerMessage,
    Nudge,
    OutboxMessage,
    ProfileField,
    Review,
)


def find_consumer(session: Session, channel: str, sender_id: str) -> Consumer | None:
    return session.scalars(
        select(Consumer).where(Consumer.channel == channel, Consumer.sender_id == sender_id)
    ).one_or_none()


def add_consumer(session: Session, channel: str, sender_id: str, now: datetime) -> Consumer:
    consumer = Consumer(channel=channel, sender_id=sender_id, created_at=now)
    session.add(consumer)
    session.flush()
    return consumer


def profile_fields(session: Session, consumer_id: int) -> dict[str, ProfileField]:
    rows = session.scalars(select(ProfileField).where(ProfileField.consumer_id == consumer_id))
    return {row.field: row for row in rows}


def upsert_field(
    session: Session,
    existing: dict[str, ProfileField],
    consumer_id: int,
    field: str,
    value: str,
    source: str,
    now: datetime,
) -> None:
    row = existing.get(field)
    if row is None:
        row = ProfileField(consumer_id=consumer_id, field=field)
        session.add(row)
        existing[field] = row
    if row.value == value:
        row.confirmed_at = now
    else:
        row.value, row.updated_at = value, now
    row.source = source
    if row.updated_at is None:
        row.updated_at = now


def confirm_fields(session: Session, existing: dict[str, ProfileField], now: datetime) -> int:
    for row in existing.values():
        row.confirmed_at = now
    return len(existing)


def find_acknowledgement(
    session: Session, consumer_id: int, event_key: str
) -> Acknowledgement | None:
    return session.scalars(
        select(Acknowledgement).where(
            Acknowledgement.consumer_id == consumer_id, Acknowledgement.event_key == event_key
        )
    ).one_or_none()


def last_acknowledgement(session: Session, consumer_id: int) -> Acknowledgement | None:
    return session.scalars(
        select(Acknowledgement)
        .where(Acknowledgement.consumer_id == consumer_id)
        .order_by(Acknowledgement.id.desc())
        .limit(1)
    ).first()


def add_acknowledgement(session: Session, **values: object) -> Acknowledgement:
    ack = Acknowledgement(**values)
    session.add(ack)
    return ack


def count_reviews(session: Session, consumer_id: int, product_key: str | None = None) -> int:
    query = select(func.count(Review.id)).where(Review.consumer_id == consumer_id)
    if product_key is not None:
        query = query.where(Review.product_key == product_key)
    return session.scalar(query) or 0


def latest_review(session: Session, consumer_id: int) -> Review | None:
    return session.scalars(
        select(Review).where(Review.consumer_id == consumer_id).order_by(Review.id.desc()).limit(1)
    ).first()


def consumers_by_external_id(session: Session, external_id: str) -> list[Consumer]:
    return list(
        session.scalars(
            select(Consumer)
            .where(Consumer.external_id == external_id)
            .order_by(Consumer.last_seen_at.desc().nullslast(), Consumer.id.desc())
        )
    )


def count_stale_consumers(session: Session, field: str, cutoff: datetime) -> int:
    """Consumers whose ``field`` was neither updated nor confirmed since ``cutoff``."""
    latest = case(
        (ProfileField.confirmed_at > ProfileField.updated_at, ProfileField.confirmed_at),
        else_=ProfileField.updated_at,
    )
    return (
        session.scalar(
            select(func.count(func.distinct(ProfileField.consumer_id))).where(
                ProfileField.field == field, latest < cutoff
            )
        )
        or 0
    )


def claimable(now: datetime) -> ColumnElement[bool]:
    """A nudge nobody holds: never claimed, or its lease ran out before it was fired."""
    return and_(
        Nudge.fired_at.is_(None),
        Nudge.cancelled_at.is_(None),
        or_(Nudge.claimed_by.is_(None), Nudge.claimed_until < now),
    )


def due_nudges(session: Session, now: datetime, limit: int) -> list[tuple[int, str, str, str]]:
    """Claimable nudges due by ``now``: (id, kind, channel, sender id)."""
    rows = session.execute(
        select(Nudge.id, Nudge.kind, Consumer.channel, Consumer.sender_id)
        .join(Consumer, Consumer.id == Nudge.consumer_id)
        .where(Nudge.due_at <= now, claimable(now))
        .order_by(Nudge.due_at)
        .limit(limit)
    ).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def claim_nudge(
    session: Session, nudge_id: int, claimer: str, now: datetime, until: datetime
) -> bool:
    """Lease a nudge until ``until`` if nobody holds it: one conditional UPDATE, True when
    this caller got it."""
    result = session.execute(
        update(Nudge)
        .where(Nudge.id == nudge_id, claimable(now))
        .values(claimed_by=claimer, claimed_at=now, claimed_until=until)
    )
    return result.rowcount == 1


def cancel_unfired_nudges(session: Session, consumer_ids: list[int], now: datetime) -> int:
    """Cancel every reminder of these consumers not fired yet, leased or not."""
    result = session.execute(
        update(Nudge)
        .where(
            Nudge.consumer_id.in_(consumer_ids),
            Nudge.fired_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )
    return int(result.rowcount or 0)


def finish_nudge(session: Session, nudge_id: int, now: datetime, cancelled: bool) -> None:
    """Mark a nudge fired (or cancelled); a nudge already finished keeps its first mark."""
    values = {"cancelled_at": now} if cancelled else {"fired_at": now}
    session.execute(
        update(Nudge)
        .where(Nudge.id == nudge_id, Nudge.fired_at.is_(None), Nudge.cancelled_at.is_(None))
        .values(**values)
    )


def pending_outbox(session: Session, consumer_id: int) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.consumer_id == consumer_id, OutboxMessage.delivered_at.is_(None))
            .order_by(OutboxMessage.id)
            .with_for_update()
        )
    )


def find_outbox(session: Session, source_key: str) -> OutboxMessage | None:
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.source_key == source_key)
    ).one_or_none()


def find_brand_event(session: Session, event_id: str) -> BrandEvent | None:
    return session.scalars(select(BrandEvent).where(BrandEvent.event_id == event_id)).one_or_none()


def pending_nudge(session: Session, consumer_id: int, kind: str) -> Nudge | None:
    return session.scalars(
        select(Nudge).where(
            Nudge.consumer_id == consumer_id,
            Nudge.kind == kind,
            Nudge.claimed_by.is_(None),
            Nudge.cancelled_at.is_(None),
        )
    ).first()


def find_messenger_message(session: Session, mid: str) -> MessengerMessage | None:
    return session.scalars(
        select(MessengerMessage).where(MessengerMessage.mid == mid)
    ).one_or_none()


def add_messenger_message(
    session: Session, mid: str | None, sender_id: str, received_at: datetime
) -> MessengerMessage:
    message = MessengerMessage(mid=mid, sender_id=sender_id, received_at=received_at)
    session.add(message)
    return message


def last_messenger_message_at(session: Session, sender_id: str) -> datetime | None:
    return session.scalar(
        select(func.max(MessengerMessage.received_at)).where(
            MessengerMessage.sender_id == sender_id
        )
    )
