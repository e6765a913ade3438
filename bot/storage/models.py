"""SQLAlchemy models: consumers, their profile fields, reviews and acknowledgements."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.sql.expression import false

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
# SQLAlchemy 1.4 has no type stubs: the declarative base is Any to mypy.
Base: Any = declarative_base(metadata=metadata)


class Consumer(Base):
    """A person talking to Merci, known by channel and sender id."""

    __tablename__ = "consumers"
    __table_args__ = (UniqueConstraint("channel", "sender_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(255), nullable=False)
    external_id = Column(String(255), nullable=True, index=True)
    created_at = Column(DateTime, nullable=False)
    # Where the profile form stopped when the consumer said "plus tard"; None when not paused.
    profile_paused_at_field = Column(String(32), nullable=True)
    # Start of the consumer's latest conversation on this identity.
    last_seen_at = Column(DateTime, nullable=True)
    # When Merci last asked whether a stored value is still right.
    freshness_asked_at = Column(DateTime, nullable=True)
    # Made up by ``python -m bot demo-data``, which deletes only these (never by sender id).
    is_demo = Column(Boolean, nullable=False, server_default=false())

    fields = relationship("ProfileField", back_populates="consumer", lazy="raise")


class ProfileField(Base):
    """One profile value, with where it came from and when it was last updated or confirmed."""

    __tablename__ = "profile_fields"
    __table_args__ = (UniqueConstraint("consumer_id", "field"),)

    id = Column(Integer, primary_key=True)
    consumer_id = Column(ForeignKey("consumers.id", ondelete="CASCADE"), nullable=False)
    field = Column(String(32), nullable=False)
    value = Column(String(255), nullable=False)
    source = Column(String(32), nullable=False)
    updated_at = Column(DateTime, nullable=False)
    confirmed_at = Column(DateTime, nullable=True)

    consumer = relationship("Consumer", back_populates="fields", lazy="raise")


class Review(Base):
    """A product review left by a consumer."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("consumer_id", "event_key"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id = Column(Integer, primary_key=True)
    consumer_id = Column(ForeignKey("consumers.id", ondelete="CASCADE"), nullable=False, index=True)
    event_key = Column(String(255), nullable=False)
    rating = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    product = Column(String(255), nullable=True)
    product_key = Column(String(255), nullable=True)
    # The product's id in the brand's catalogue (data/products.yml), when it has one.
    product_id = Column(String(255), nullable=True, index=True)
    channel = Column(String(32), nullable=False)
    created_at = Column(DateTime, nullable=False)
    # Answer to "what would have made it a 5?" for 3 and 4 stars.
    improvement = Column(Text, nullable=True)
    # Set when a disappointed consumer accepts to be contacted by a person.
    followup_requested_at = Column(DateTime, nullable=True)


class Acknowledgement(Base):
    """What Merci thanked a consumer for, when, and with which response variant."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("consumer_id", "event_key"),)

    id = Column(Integer, primary_key=True)
    consumer_id = Column(ForeignKey("consumers.id", ondelete="CASCADE"), nullable=False, index=True)
    event_key = Column(String(255), nullable=False)
    kind = Column(String(32), nullable=False)
    response = Column(String(128), nullable=False)
    variant = Column(Integer, nullable=False)
    # The sentence as said, so that a retried action repeats it word for word.
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)


def utcnow() -> datetime:
    """Naive UTC timestamps: portable across SQLite and PostgreSQL ``timestamp`` columns."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BrandEvent(Base):
    """Something the consumer did on the brand's site, reported by the brand (stored once)."""

    __tablename__ = "brand_events"

    id = Column(Integer, primary_key=True)
    event_id = Column(String(128), nullable=False, unique=True)
    type = Column(String(64), nullable=False)
    consumer_id = Column(ForeignKey("consumers.id", ondelete="CASCADE"), nullable=False, index=True)
    payload = Column(Text, nullable=False)
    occurred_at = Column(DateTime, nullable=False)
    received_at = Column(DateTime, nullable=False)


class OutboxMessage(Base):
    """Proactive messages for a consumer who could not be reached: said at their next visit."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    consumer_id = Column(ForeignKey("consumers.id", ondelete="CASCADE"), nullable=False, index=True)
    source_key = Column(String(160), nullable=False, unique=True)
    messages = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime, nullable=True)


class Nudge(Base):
    """A reminder Merci will send later; fired once, even with two schedulers.

    A claim is a lease until ``claimed_until``: a nudge whose lease ran out unfired (its
    scheduler crashed) can be claimed again. Claims made before leases have no end.
    """

    __tablename__ = "nudges"
    __table_args__ = (UniqueConstraint("consumer_id", "kind", "due_at"),)

    id = Column(Integer, primary_key=True)
    consumer_id = Column(ForeignKey("consumers.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    due_at = Column(DateTime, nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)
    claimed_by = Column(String(64), nullable=True)
    claimed_at = Column(DateTime, nullable=True)
    claimed_until = Column(DateTime, nullable=True)
    fired_at = Column(DateTime, nullable=True)
    cancelled_at = Column(DateTime, nullable=True)


class MessengerMessage(Base):
    """A Messenger message received: its ``mid`` is handled once, and the latest one per
    sender opens Messenger's 24-hour window for messages that are not answers."""

    __tablename__ = "messenger_messages"

    id = Column(Integer, primary_key=True)
    # Postbacks from older clients carry no mid: NULL, which the unique constraint allows.
    mid = Column(String(255), nullable=True, unique=True)
    sender_id = Column(String(255), nullable=False, index=True)
    received_at = Column(DateTime, nullable=False)


class Consent(Base):
    """A consumer's answer to a consent question: for what, yes or no, when, where, and
    which version of the text they read. The latest row per purpose is the one in force."""

    __tablename__ = "consents"

    id = Column(Integer, primary_key=True)
    consumer_id = Column(ForeignKey("consumers.id", ondelete="CASCADE"), nullable=False, index=True)
    # "personal_data" or "marketing_contact" (bot/domain/privacy.py).
    purpose = Column(String(32), nullable=False)
    granted = Column(Boolean, nullable=False)
    given_at = Column(DateTime, nullable=False)
    channel = Column(String(32), nullable=False)
    text_version = Column(String(64), nullable=False)


class Erasure(Base):
    """Proof that a consumer's data was erased, with no personal value: when, on whose
    request, and how many identities and consents went."""

    __tablename__ = "erasures"

    id = Column(Integer, primary_key=True)
    erased_at = Column(DateTime, nullable=False)
    # "chat", "cli", "brand_event" or "retention".
    requested_via = Column(String(32), nullable=False)
    identities = Column(Integer, nullable=False)
    consents_withdrawn = Column(Integer, nullable=False)


class ErasedConversation(Base):
    """A conversation erased from the tracker store, by the hash of its sender id: Merci's
    tracker store never writes back an event older than ``erased_at`` for it."""

    __tablename__ = "erased_conversations"

    id = Column(Integer, primary_key=True)
    sender_hash = Column(String(64), nullable=False, index=True)
    erased_at = Column(DateTime, nullable=False)


class AnonymousReview(Base):
    """A review kept after its author's erasure (data/privacy.yml ``keep_anonymous_reviews``):
    the rating, the text and the product, with no link to anyone."""

    __tablename__ = "anonymous_reviews"

    id = Column(Integer, primary_key=True)
    rating = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    product = Column(String(255), nullable=True)
    created_at = Column(DateTime, nullable=False)


class StudioUser(Base):
    """A marketer who may log in to Merci Studio: an argon2 hash, never the password."""

    __tablename__ = "studio_users"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    # "editeur" (edit and publish) or "lecteur" (inbox and dashboard only).
    role = Column(String(16), nullable=False)
    created_at = Column(DateTime, nullable=False)


class InboxDecision(Base):
    """What a marketer decided about a group of inbox messages, by the hash of their
    normalised text (bot.domain.inbox.group_key): the text itself went to data/nlu/, or
    nowhere."""

    __tablename__ = "studio_inbox_decisions"

    id = Column(Integer, primary_key=True)
    group_key = Column(String(64), nullable=False, unique=True)
    # "assigned", "out_of_scope" or "dismissed".
    decision = Column(String(16), nullable=False)
    intent = Column(String(80), nullable=True)
    decided_by = Column(String(80), nullable=False)
    decided_at = Column(DateTime, nullable=False)


class StudioAudit(Base):
    """Every edit made in the studio: who, when, what (file and name, never consumer text)."""

    __tablename__ = "studio_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    user_name = Column(String(80), nullable=False)
    action = Column(String(40), nullable=False)
    detail = Column(Text, nullable=False)
    # The content files the edit changed, as JSON [[path, blob id before, blob id after]]
    # (null for a file absent): the history tells the studio's edits from hand edits by it.
    files = Column(Text, nullable=True)


class StudioLoginAttempt(Base):
    """A failed login to Merci Studio, kept a few minutes to limit guessing. Keyed by a hash
    of the address or of the name typed (never the password, nor the name or address)."""

    __tablename__ = "studio_login_attempts"

    id = Column(Integer, primary_key=True)
    key_hash = Column(String(64), nullable=False, index=True)
    at = Column(DateTime, nullable=False, index=True)
