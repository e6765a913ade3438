"""Queries of the privacy features: consents, what is held on a consumer, erasure and purge.

Like every query module, functions take a session and never commit. Rasa's ``events``
table lives in the same database but is not one of Merci's models: it is reached through
a lightweight table description, and only when it exists (unit tests run without Rasa).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String, Text, column, delete, func, inspect, select, table
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.domain.privacy import conversation_key
from bot.storage.models import (
    Acknowledgement,
    AnonymousReview,
    BrandEvent,
    Consent,
    Consumer,
    ErasedConversation,
    MessengerMessage,
    Nudge,
    OutboxMessage,
    ProfileField,
    Review,
)

# Rasa's tracker store (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
TRACKER_EVENTS = table(
    "events",
    column("id", Integer),
    column("sender_id", String),
    column("type_name", String),
    column("timestamp", Float),
    column("data", Text),
)
# What a purged brand event keeps of its payload (the column is NOT NULL).
PURGED_PAYLOAD = "{}"
# Children of consumers, deleted explicitly: ON DELETE CASCADE needs SQLite's foreign_keys.
CONSUMER_ROWS = (ProfileField, Review, Acknowledgement, BrandEvent, OutboxMessage, Nudge, Consent)


def has_tracker_events(session: Session) -> bool:
    return bool(inspect(session.connection()).has_table("events"))


def add_consent(session: Session, **values: Any) -> Consent:
    consent = Consent(**values)
    session.add(consent)
    return consent


def latest_consent(session: Session, consumer_id: int, purpose: str) -> Consent | None:
    return session.scalars(
        select(Consent)
        .where(Consent.consumer_id == consumer_id, Consent.purpose == purpose)
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(1)
    ).first()


def rows_of(session: Session, model: Any, consumer_ids: Sequence[int]) -> list[Any]:
    """Every row of ``model`` that belongs to one of ``consumer_ids``, oldest first."""
    return list(
        session.scalars(select(model).where(model.consumer_id.in_(consumer_ids)).order_by(model.id))
    )


def tracker_events(session: Session, sender_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The stored conversation events of ``sender_ids`` (Rasa's JSON), in order."""
    if not sender_ids or not has_tracker_events(session):
        return []
    rows = session.execute(
        select(TRACKER_EVENTS.c.sender_id, TRACKER_EVENTS.c.type_name, TRACKER_EVENTS.c.data)
        .where(TRACKER_EVENTS.c.sender_id.in_(sender_ids))
        .order_by(TRACKER_EVENTS.c.id)
    ).all()
    return [{"sender_id": r[0], "type": r[1], "data": r[2]} for r in rows]


def messenger_messages(session: Session, sender_ids: Sequence[str]) -> list[MessengerMessage]:
    return list(
        session.scalars(
            select(MessengerMessage)
            .where(MessengerMessage.sender_id.in_(sender_ids))
            .order_by(MessengerMessage.id)
        )
    )


def keep_reviews_anonymously(session: Session, consumer_ids: Sequence[int]) -> int:
    """Copy the reviews of ``consumer_ids`` as anonymous text (day only, no author)."""
    reviews = rows_of(session, Review, consumer_ids)
    for review in reviews:
        session.add(
            AnonymousReview(
                rating=review.rating,
                text=review.text,
                product=review.product,
                created_at=review.created_at.replace(hour=0, minute=0, second=0, microsecond=0),
            )
        )
    return len(reviews)


def delete_tracker_events(session: Session, sender_ids: Iterable[str]) -> int:
    ids = list(sender_ids)
    if not ids or not has_tracker_events(session):
        return 0
    result = session.execute(delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.sender_id.in_(ids)))
    return int(result.rowcount or 0)


def remember_erased_conversations(
    session: Session, sender_ids: Iterable[str], now: datetime
) -> None:
    """Keep, by hash only, that these conversations were erased at ``now``: the tracker
    store then refuses to write their older events back (a turn still in flight)."""
    for sender_id in sender_ids:
        session.add(ErasedConversation(sender_hash=conversation_key(sender_id), erased_at=now))


def forget_erased_conversations(session: Session, cutoff: datetime) -> int:
    """Records older than the conversations' own retention are no longer needed."""
    result = session.execute(
        delete(ErasedConversation).where(ErasedConversation.erased_at < cutoff)
    )
    return int(result.rowcount or 0)


def delete_consumers(session: Session, consumers: Sequence[Consumer]) -> int:
    """Delete ``consumers`` and every row about them: their own rows, their Messenger
    message ids and their conversations in Rasa's tracker store."""
    ids = [c.id for c in consumers]
    if not ids:
        return 0
    for model in CONSUMER_ROWS:
        session.execute(delete(model).where(model.consumer_id.in_(ids)))
    psids = [c.sender_id for c in consumers if c.channel == "facebook"]
    if psids:
        session.execute(delete(MessengerMessage).where(MessengerMessage.sender_id.in_(psids)))
    delete_tracker_events(session, [c.sender_id for c in consumers])
    session.execute(delete(Consumer).where(Consumer.id.in_(ids)))
    return len(ids)


def purge_tracker_events(session: Session, cutoff: datetime) -> int:
    """Conversation events older than ``cutoff`` (Rasa stores Unix timestamps)."""
    if not has_tracker_events(session):
        return 0
    epoch = (cutoff - datetime(1970, 1, 1)).total_seconds()
    result = session.execute(delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.timestamp < epoch))
    return int(result.rowcount or 0)


def purge_brand_event_payloads(session: Session, cutoff: datetime) -> int:
    """Empty the raw payloads of brand events received before ``cutoff`` (the row stays,
    so a replayed event is still recognised)."""
    result = session.execute(
        sql_update(BrandEvent)
        .where(BrandEvent.received_at < cutoff, BrandEvent.payload != PURGED_PAYLOAD)
        .values(payload=PURGED_PAYLOAD)
    )
    return int(result.rowcount or 0)


def inactive_consumers(session: Session, cutoff: datetime) -> list[Consumer]:
    """Consumers with no conversation, no profile update and no review since ``cutoff``."""
    latest_field = (
        select(func.max(ProfileField.updated_at))
        .where(ProfileField.consumer_id == Consumer.id)
        .scalar_subquery()
    )
    latest_review = (
        select(func.max(Review.created_at))
        .where(Review.consumer_id == Consumer.id)
        .scalar_subquery()
    )
    activity = func.coalesce(Consumer.last_seen_at, Consumer.created_at)
    return list(
        session.scalars(
            select(Consumer).where(
                activity < cutoff,
                func.coalesce(latest_field, Consumer.created_at) < cutoff,
                func.coalesce(latest_review, Consumer.created_at) < cutoff,
            )
        )
    )
