"""Privacy: consent, what Merci holds on a consumer (for them or the DPO), erasure, retention.

Who may see or erase what depends on :func:`is_proven`: a proven identity acts for every
chat identity sharing its external id; an unproven one (REST, an anonymous widget) only
for itself, and only sees what it gave in the current conversation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.domain.masking import identity_proven
from bot.domain.privacy import MARKETING_CONTACT, PERSONAL_DATA, PrivacyPolicy
from bot.services.base import Context, Identity
from bot.storage import privacy_queries as pq
from bot.storage import repository as repo
from bot.storage.models import (
    Acknowledgement,
    BrandEvent,
    Consent,
    Consumer,
    Erasure,
    Nudge,
    OutboxMessage,
    ProfileField,
    Review,
)

__all__ = ["DataSummary", "ErasureResult", "PrivacyService", "PurgeResult", "is_proven"]


def is_proven(consumer: Consumer) -> bool:
    """Whether the person talking is known to be this consumer (the rule itself is
    :func:`bot.domain.masking.identity_proven`: Messenger, or a widget session linked by
    the brand's verified token)."""
    return identity_proven(consumer.channel, linked_by_token=consumer.external_id is not None)


def may_contact(session: Session, consumer: Consumer) -> bool:
    """Marketing contact (reminders, proactive messages) is allowed: a contact channel was
    chosen and the latest ``marketing_contact`` answer is not a refusal."""
    fields = repo.profile_fields(session, consumer.id)
    channel = fields["contact_channel"].value if "contact_channel" in fields else None
    if channel in (None, "none"):
        return False
    latest = pq.latest_consent(session, consumer.id, MARKETING_CONTACT)
    return latest is None or bool(latest.granted)


def add_consent(
    session: Session,
    consumer: Consumer,
    purpose: str,
    granted: bool,
    now: datetime,
    policy: PrivacyPolicy,
) -> None:
    """Inside a transaction: keep a consent answer, when and where it was given, and which
    version of the consent text the consumer read."""
    pq.add_consent(
        session,
        consumer_id=consumer.id,
        purpose=purpose,
        granted=granted,
        given_at=now,
        channel=consumer.channel,
        text_version=policy.consent_version,
    )


def consent_refused(session: Session, consumer: Consumer) -> bool:
    latest = pq.latest_consent(session, consumer.id, PERSONAL_DATA)
    return latest is not None and not latest.granted


@dataclass(frozen=True)
class DataSummary:
    """What a consumer may see of what Merci holds on them."""

    proven: bool
    fields: list[tuple[str, str, datetime]] = field(default_factory=list)
    review_count: int = 0
    consents: list[tuple[str, bool, datetime]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.fields or self.review_count or self.consents)


@dataclass(frozen=True)
class ErasureResult:
    identities: int
    sender_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PurgeResult:
    conversation_events: int
    brand_event_payloads: int
    inactive_consumers: int


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _export_rows(session: Session, ids: Sequence[int], sender_ids: Sequence[str]) -> dict[str, Any]:
    rows = {model: pq.rows_of(session, model, ids) for model in pq.CONSUMER_ROWS}
    return {
        "profile": [
            {"field": r.field, "value": r.value, "source": r.source,
             "updated_at": _iso(r.updated_at), "confirmed_at": _iso(r.confirmed_at)}
            for r in rows[ProfileField]
        ],
        "reviews": [
            {"rating": r.rating, "text": r.text, "product": r.product, "channel": r.channel,
             "improvement": r.improvement, "created_at": _iso(r.created_at),
             "followup_requested_at": _iso(r.followup_requested_at)}
            for r in rows[Review]
        ],
        "consents": [
            {"purpose": r.purpose, "granted": r.granted, "given_at": _iso(r.given_at),
             "channel": r.channel, "text_version": r.text_version}
            for r in rows[Consent]
        ],
        "acknowledgements": [
            {"kind": r.kind, "text": r.text, "created_at": _iso(r.created_at)}
            for r in rows[Acknowledgement]
        ],
        "outbox": [
            {"messages": json.loads(r.messages), "created_at": _iso(r.created_at),
             "delivered_at": _iso(r.delivered_at)}
            for r in rows[OutboxMessage]
        ],
        "nudges": [
            {"kind": r.kind, "due_at": _iso(r.due_at), "fired_at": _iso(r.fired_at),
             "cancelled_at": _iso(r.cancelled_at)}
            for r in rows[Nudge]
        ],
        "brand_events": [
            {"event_id": r.event_id, "type": r.type, "payload": json.loads(r.payload),
             "occurred_at": _iso(r.occurred_at), "received_at": _iso(r.received_at)}
            for r in rows[BrandEvent]
        ],
        "messenger_messages": [
            {"mid": r.mid, "received_at": _iso(r.received_at)}
            for r in pq.messenger_messages(session, sender_ids)
        ],
        "conversations": [
            {**e, "data": json.loads(e["data"])} for e in pq.tracker_events(session, sender_ids)
        ],
    }  # fmt: skip


class PrivacyService:
    def __init__(self, context: Context, policy: PrivacyPolicy | None = None) -> None:
        self.context = context
        self.policy = policy or PrivacyPolicy.default()

    def consent_state(self, who: Identity, purpose: str = PERSONAL_DATA) -> bool | None:
        """The consumer's latest answer for ``purpose``: True, False, or None if never asked."""

        def read(session: Session) -> bool | None:
            consumer = self.context.find_consumer(session, who)
            latest = pq.latest_consent(session, consumer.id, purpose) if consumer else None
            return None if latest is None else bool(latest.granted)

        return self.context.run(read)

    def record_consent(self, who: Identity, purpose: str, granted: bool) -> None:
        """Keep the answer, the moment, the channel and the version of the text read."""

        def write(session: Session) -> None:
            consumer = self.context.consumer(session, who)
            self._add_consent(session, consumer, purpose, granted)

        self.context.run(write)

    def contact_allowed(self, who: Identity) -> bool:
        """Whether reminders and proactive messages may still reach this consumer."""

        def read(session: Session) -> bool:
            consumer = self.context.find_consumer(session, who)
            return consumer is not None and may_contact(session, consumer)

        return self.context.run(read)

    def withdraw_contact(self, who: Identity) -> int:
        """No more marketing contact, on every identity the consumer proves; pending
        reminders are cancelled. Returns how many were cancelled."""

        def write(session: Session) -> int:
            consumers = self._identities(session, self.context.consumer(session, who))
            now = self.context.clock()
            for consumer in consumers:
                self._add_consent(session, consumer, MARKETING_CONTACT, False)
            return repo.cancel_unfired_nudges(session, [c.id for c in consumers], now)

        return self.context.run(write)

    def my_data(self, who: Identity) -> DataSummary:
        """What the person talking may see: everything if proven, else only what was given
        since this conversation started."""

        def read(session: Session) -> DataSummary:
            consumer = self.context.find_consumer(session, who)
            if consumer is None:
                return DataSummary(proven=False)
            proven = is_proven(consumer)
            consumers = self._identities(session, consumer)
            since = None if proven else consumer.last_seen_at or consumer.created_at
            return self._summary(session, consumers, proven, since)

        return self.context.run(read)

    def erase(self, who: Identity, via: str = "chat") -> ErasureResult:
        """Erase everything about the person talking: all identities sharing their external
        id when proven, else this chat identity only."""

        def write(session: Session) -> ErasureResult:
            consumer = self.context.find_consumer(session, who)
            if consumer is None:
                return ErasureResult(0, (who.sender_id,))
            return self._erase(session, self._identities(session, consumer), via)

        return self.context.run(write)

    def erase_external_id(self, external_id: str, via: str) -> ErasureResult:
        """The DPO's or the brand's request: every identity sharing ``external_id``."""

        def write(session: Session) -> ErasureResult:
            return self._erase(session, repo.consumers_by_external_id(session, external_id), via)

        return self.context.run(write)

    def export(self, external_id: str) -> dict[str, Any] | None:
        """Everything Merci holds on the consumer the brand knows as ``external_id``."""

        def read(session: Session) -> dict[str, Any] | None:
            consumers = repo.consumers_by_external_id(session, external_id)
            if not consumers:
                return None
            identities = [
                {"channel": c.channel, "sender_id": c.sender_id, "created_at": _iso(c.created_at),
                 "last_seen_at": _iso(c.last_seen_at)}
                for c in consumers
            ]  # fmt: skip
            ids, senders = [c.id for c in consumers], [c.sender_id for c in consumers]
            return {"external_id": external_id, "identities": identities} | _export_rows(
                session, ids, senders
            )

        return self.context.run(read)

    def purge(self) -> PurgeResult:
        """Apply data/privacy.yml's retention: old conversations, old brand event payloads,
        and inactive consumers with all their rows. Meant to run daily."""

        def write(session: Session) -> PurgeResult:
            now = self.context.clock()
            events = pq.purge_tracker_events(session, self.policy.cutoff("conversations", now))
            pq.forget_erased_conversations(session, self.policy.cutoff("conversations", now))
            payloads = pq.purge_brand_event_payloads(
                session, self.policy.cutoff("brand_events", now)
            )
            inactive = pq.inactive_consumers(session, self.policy.cutoff("inactive_profiles", now))
            if inactive:
                self._erase(session, inactive, "retention")
            return PurgeResult(events, payloads, len(inactive))

        return self.context.run(write)

    def _add_consent(
        self, session: Session, consumer: Consumer, purpose: str, granted: bool
    ) -> None:
        add_consent(session, consumer, purpose, granted, self.context.clock(), self.policy)

    def _identities(self, session: Session, consumer: Consumer) -> list[Consumer]:
        """The identities a request from ``consumer`` speaks for."""
        if not is_proven(consumer) or consumer.external_id is None:
            return [consumer]
        others = repo.consumers_by_external_id(session, consumer.external_id)
        return [consumer] + [c for c in others if c.id != consumer.id]

    def _summary(
        self, session: Session, consumers: list[Consumer], proven: bool, since: datetime | None
    ) -> DataSummary:
        ids = [c.id for c in consumers]

        def recent(moment: datetime) -> bool:
            return since is None or moment >= since

        fields = [
            (r.field, r.value, r.updated_at)
            for r in pq.rows_of(session, ProfileField, ids)
            if recent(r.updated_at)
        ]
        reviews = [r for r in pq.rows_of(session, Review, ids) if recent(r.created_at)]
        consents = [
            (r.purpose, bool(r.granted), r.given_at)
            for r in pq.rows_of(session, Consent, ids)
            if recent(r.given_at)
        ]
        return DataSummary(proven, fields, len(reviews), consents)

    def _erase(self, session: Session, consumers: list[Consumer], via: str) -> ErasureResult:
        if not consumers:
            return ErasureResult(0)
        ids = [c.id for c in consumers]
        consents = len(pq.rows_of(session, Consent, ids))
        if self.policy.keep_anonymous_reviews:
            pq.keep_reviews_anonymously(session, ids)
        senders = tuple(c.sender_id for c in consumers)
        pq.delete_consumers(session, consumers)
        pq.remember_erased_conversations(session, senders, self.context.clock())
        session.add(
            Erasure(
                erased_at=self.context.clock(),
                requested_via=via,
                identities=len(consumers),
                consents_withdrawn=consents,
            )
        )
        return ErasureResult(len(consumers), senders)
