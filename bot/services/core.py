"""What Merci does when a consumer gives data or an opinion.

Each public method is one unit of work: it reads, writes and chooses the thank-you
in a single transaction, so a failure stores nothing and thanks nobody. Calls are
idempotent by ``event_key``: a retried action returns the same reply without
storing anything twice.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.domain.congratulations import CongratulationTable, Occasion, load_table
from bot.domain.freshness import FreshnessPolicy, load_policy
from bot.domain.profile import (
    FORM_STEPS,
    PROFILE_FIELDS,
    completeness,
    crossed_milestone,
    display_value,
    missing_steps,
    step_of_field,
)
from bot.domain.validation import Parsed
from bot.domain.wording import Reply, Variant, choose_variant, load_responses, render
from bot.integrations.brand_event_payload import BrandEventInput
from bot.storage import repository as repo
from bot.storage.engine import get_engine
from bot.storage.unit_of_work import StorageError, transaction
from bot.storage.models import (
    BrandEvent,
    Consumer,
    Nudge,
    OutboxMessage,
    ProfileField,
    Review,
    utcnow,
)

T = TypeVar("T")

PROFILE_REMINDER = "profile_reminder"


@dataclass(frozen=True)
class Identity:
    """Who is talking: the channel name and the channel's sender id."""

    channel: str
    sender_id: str


@dataclass(frozen=True)
class ProfileState:
    values: dict[str, str]
    completeness: int
    paused_at: str | None

    @property
    def first_name(self) -> str | None:
        return self.values.get("first_name")

    def missing_steps(self, skipped: list[str] | tuple[str, ...] = ()) -> list[str]:
        return missing_steps(self.values, skipped)


@dataclass(frozen=True)
class Thanks:
    """The outcome of a contribution: the reply to send and the new profile state."""

    reply: Reply
    completeness: int
    filled: frozenset[str] = frozenset()
    replayed: bool = False


@dataclass(frozen=True)
class ReviewThanks:
    reply: Reply
    rating: int
    band: str
    replayed: bool = False


@dataclass(frozen=True)
class StaleValue:
    """A stored value Merci should check with the consumer ("toujours marie@exemple.fr ?")."""

    step: str
    value: str


@dataclass(frozen=True)
class Greeting:
    queued: list[dict[str, Any]]
    state: ProfileState
    stale: StaleValue | None


@dataclass(frozen=True)
class ReceivedEvent:
    """A brand event stored (or recognised as already stored) for a consumer."""

    duplicate: bool
    consumer: Identity
    intent: str
    event_id: str


def product_key(product: str | None) -> str | None:
    if not product:
        return None
    plain = unicodedata.normalize("NFKD", product.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", plain).strip() or None


def rating_band(rating: int) -> str:
    return "high" if rating == 5 else "middle" if rating >= 3 else "low"


class MerciService:
    def __init__(
        self,
        engine: Engine,
        table: CongratulationTable,
        responses: dict[str, tuple[Variant, ...]],
        clock: Callable[[], datetime] = utcnow,
        freshness: FreshnessPolicy | None = None,
        reminder_delay: timedelta = timedelta(hours=72),
    ) -> None:
        self.reminder_delay = reminder_delay
        self.engine = engine
        self.table = table
        self.responses = responses
        self.clock = clock
        self.freshness = freshness or FreshnessPolicy.uniform(months=24, quiet_days=7)

    # -- reading -------------------------------------------------------------

    def profile_state(self, who: Identity) -> ProfileState:
        def read(session: Session) -> ProfileState:
            consumer = repo.find_consumer(session, who.channel, who.sender_id)
            if consumer is None:
                return ProfileState({}, 0, None)
            values = {f: row.value for f, row in repo.profile_fields(session, consumer.id).items()}
            return ProfileState(values, completeness(values), consumer.profile_paused_at_field)

        return self._run(read)

    def greet(self, who: Identity, policy: FreshnessPolicy) -> Greeting:
        """What to tell a consumer who says hello: queued messages first, then at most one
        question on a stale value (not twice within the policy's quiet days, whatever the
        channel), and the state of the profile for the offers."""

        def work(session: Session) -> Greeting:
            consumer = repo.find_consumer(session, who.channel, who.sender_id)
            if consumer is None:
                return Greeting([], ProfileState({}, 0, None), None)
            now = self.clock()
            queued = self._deliver_outbox(session, consumer, now)
            fields = repo.profile_fields(session, consumer.id)
            values = {f: row.value for f, row in fields.items()}
            state = ProfileState(values, completeness(values), consumer.profile_paused_at_field)
            stale = None
            if self._may_ask_freshness(session, consumer, policy, now):
                rows = [
                    r
                    for r in fields.values()
                    if policy.is_stale(r.field, r.updated_at, r.confirmed_at, now)
                ]
                if rows:
                    oldest = min(
                        rows, key=lambda r: max(r.updated_at, r.confirmed_at or r.updated_at)
                    )
                    step = step_of_field(oldest.field)
                    stale = StaleValue(step, display_value(step, values))
                    consumer.freshness_asked_at = now
            return Greeting(queued, state, stale)

        return self._run(work)

    def start_conversation(self, who: Identity) -> list[dict[str, Any]]:
        """A new conversation begins: note it, and hand over the messages queued meanwhile."""

        def work(session: Session) -> list[dict[str, Any]]:
            consumer = repo.find_consumer(session, who.channel, who.sender_id)
            if consumer is None:
                return []
            now = self.clock()
            consumer.last_seen_at = now
            return self._deliver_outbox(session, consumer, now)

        return self._run(work)

    def link_external_id(self, who: Identity, external_id: str) -> None:
        """Tie a chat identity to the brand's id for this consumer (e.g. a logged-in visitor)."""

        def work(session: Session) -> None:
            self._consumer(session, who).external_id = external_id

        self._run(work)

    def stale_counts(self, policy: FreshnessPolicy) -> dict[str, int]:
        """How many consumers hold a stale value, per field (for marketers)."""

        def read(session: Session) -> dict[str, int]:
            now = self.clock()
            latest = case(
                (ProfileField.confirmed_at > ProfileField.updated_at, ProfileField.confirmed_at),
                else_=ProfileField.updated_at,
            )
            counts = {}
            for field in PROFILE_FIELDS:
                cutoff = now - timedelta(days=policy.period_days(field))
                counts[field] = (
                    session.scalar(
                        select(func.count(func.distinct(ProfileField.consumer_id))).where(
                            ProfileField.field == field, latest < cutoff
                        )
                    )
                    or 0
                )
            return counts

        return self._run(read)

    # -- brand events and proactive messages ---------------------------------

    def receive_brand_event(self, event: BrandEventInput) -> ReceivedEvent:
        """Store a brand event once, and apply it as if the consumer had done it in the chat."""

        def write(session: Session) -> ReceivedEvent:
            stored = repo.find_brand_event(session, event.event_id)
            if stored is not None:
                consumer = session.get(Consumer, stored.consumer_id)
                return ReceivedEvent(True, _identity(consumer), event.intent, event.event_id)
            consumer = self._brand_consumer(session, event.external_id)
            session.add(
                BrandEvent(
                    event_id=event.event_id,
                    type=event.type,
                    consumer_id=consumer.id,
                    payload=event.payload,
                    occurred_at=event.occurred_at,
                    received_at=self.clock(),
                )
            )
            key = brand_event_key(event.event_id)
            if event.review is not None:
                review = event.review
                self._save_review(
                    session, consumer, review["rating"], review["text"], review.get("product"),
                    key, "brand",
                )  # fmt: skip
            else:
                self._save_steps(session, consumer, event.profile_steps, key, "brand")
            return ReceivedEvent(False, _identity(consumer), event.intent, event.event_id)

        return self._run(write)

    def brand_event_thanks(self, event_id: str) -> Reply | None:
        """The congratulation chosen when the brand event was applied."""

        def read(session: Session) -> Reply | None:
            stored = repo.find_brand_event(session, event_id)
            if stored is None:
                return None
            consumer = session.get(Consumer, stored.consumer_id)
            return self._replay(session, consumer, brand_event_key(event_id))

        return self._run(read)

    def was_delivered(self, source_key: str) -> bool:
        return self._run(lambda session: repo.find_outbox(session, source_key) is not None)

    def record_delivery(
        self, who: Identity, source_key: str, messages: list[dict[str, Any]], delivered: bool
    ) -> bool:
        """Keep proactive messages: as sent (``delivered``) or queued for the next visit.

        Returns False when ``source_key`` was already recorded (nothing stored twice).
        """

        def write(session: Session) -> bool:
            if repo.find_outbox(session, source_key) is not None:
                return False
            now = self.clock()
            session.add(
                OutboxMessage(
                    consumer_id=self._consumer(session, who).id,
                    source_key=source_key,
                    messages=json.dumps(messages, ensure_ascii=False),
                    created_at=now,
                    delivered_at=now if delivered else None,
                )
            )
            return True

        return self._run(write)

    def render(self, response: str, values: dict[str, Any]) -> Reply:
        """A plain (non-congratulation) response, personal when the first name is known."""
        return render(response, choose_variant(self.responses[response], values), values)

    # -- contributions -------------------------------------------------------

    def save_profile_step(
        self, who: Identity, step: str, parsed: Parsed, event_key: str, source: str = "chat"
    ) -> Thanks:
        """Store the values of one form step and choose the thank-you."""
        if step not in FORM_STEPS or set(parsed.values) - set(FORM_STEPS[step]):
            raise ValueError(f"values {sorted(parsed.values)} do not belong to step {step!r}")

        def write(session: Session) -> Thanks:
            consumer = self._consumer(session, who)
            return self._save_steps(session, consumer, {step: parsed}, event_key, source)

        return self._run(write)

    def confirm_profile(
        self, who: Identity, event_key: str, step: str | None = None
    ) -> Thanks | None:
        """The consumer says their data (or one step of it) is still right: record and thank.
        None when Merci holds no data for them (nothing to confirm, nothing stored)."""

        def write(session: Session) -> Thanks | None:
            consumer = repo.find_consumer(session, who.channel, who.sender_id)
            fields = repo.profile_fields(session, consumer.id) if consumer else {}
            if consumer is None or not fields:
                return None
            replay = self._replay(session, consumer, event_key)
            if replay is not None:
                return Thanks(replay, completeness(fields), frozenset(fields), replayed=True)
            now = self.clock()
            confirmed = {
                f: row for f, row in fields.items() if step is None or f in FORM_STEPS[step]
            }
            repo.confirm_fields(session, confirmed, now)
            values = self._values(fields, completeness=completeness(fields))
            if step is not None:
                values["field_label"] = self._label(step)
            occasion = Occasion("data_confirmed", field=step)
            reply = self._thank(
                session, consumer, occasion, event_key, "data_confirmed", values, now
            )
            return Thanks(reply, completeness(fields), frozenset(fields))

        return self._run(write)

    def save_review(
        self, who: Identity, rating: int, text: str, product: str | None, event_key: str
    ) -> ReviewThanks:
        if rating not in range(1, 6):
            raise ValueError("rating must be between 1 and 5")

        def write(session: Session) -> ReviewThanks:
            consumer = self._consumer(session, who)
            return self._save_review(
                session, consumer, rating, text, product, event_key, who.channel
            )

        return self._run(write)

    def add_review_improvement(self, who: Identity, text: str) -> bool:
        """Attach "what would make it a 5" to the consumer's latest review."""

        def write(session: Session) -> bool:
            consumer = repo.find_consumer(session, who.channel, who.sender_id)
            review = consumer and repo.latest_review(session, consumer.id)
            if not review:
                return False
            review.improvement = text
            return True

        return self._run(write)

    def request_followup(self, who: Identity) -> bool:
        """A disappointed consumer accepts to be contacted about their latest review."""

        def write(session: Session) -> bool:
            consumer = repo.find_consumer(session, who.channel, who.sender_id)
            review = consumer and repo.latest_review(session, consumer.id)
            if not review:
                return False
            if review.followup_requested_at is None:
                review.followup_requested_at = self.clock()
            return True

        return self._run(write)

    def pause_profile(self, who: Identity, step: str | None) -> bool:
        """Remember where the profile form stopped, to offer to resume next time, and schedule
        a reminder if the consumer accepts to be contacted. True when a reminder was planned."""

        def write(session: Session) -> bool:
            consumer = self._consumer(session, who)
            consumer.profile_paused_at_field = step
            fields = {f: row.value for f, row in repo.profile_fields(session, consumer.id).items()}
            if fields.get("contact_channel") in (None, "none") or not missing_steps(fields):
                return False
            if repo.pending_nudge(session, consumer.id, PROFILE_REMINDER) is not None:
                return False
            now = self.clock()
            session.add(
                Nudge(
                    consumer_id=consumer.id,
                    kind=PROFILE_REMINDER,
                    due_at=now + self.reminder_delay,
                    created_at=now,
                )
            )
            return True

        return self._run(write)

    # -- internals -----------------------------------------------------------

    def _save_steps(
        self,
        session: Session,
        consumer: Consumer,
        steps: dict[str, Parsed],
        event_key: str,
        source: str,
    ) -> Thanks:
        fields = repo.profile_fields(session, consumer.id)
        replay = self._replay(session, consumer, event_key)
        if replay is not None:
            return Thanks(replay, completeness(fields), frozenset(fields), replayed=True)
        now = self.clock()
        before = completeness(fields)
        for parsed in steps.values():
            for name, value in parsed.values.items():
                repo.upsert_field(session, fields, consumer.id, name, value, source, now)
        after = completeness(fields)
        if consumer.profile_paused_at_field in steps or not missing_steps(fields):
            consumer.profile_paused_at_field = None
        step = next(iter(steps)) if len(steps) == 1 else None
        occasion = Occasion(
            "field_saved",
            field=step,
            milestone=crossed_milestone(before, after, self.table.milestones),
        )
        values = self._values(fields, completeness=after, field_label=self._label(step or ""))
        reply = self._thank(session, consumer, occasion, event_key, "field_saved", values, now)
        return Thanks(reply, after, frozenset(fields))

    def _save_review(
        self,
        session: Session,
        consumer: Consumer,
        rating: int,
        text: str,
        product: str | None,
        event_key: str,
        channel: str,
    ) -> ReviewThanks:
        replay = self._replay(session, consumer, event_key)
        if replay is not None:
            return ReviewThanks(replay, rating, rating_band(rating), replayed=True)
        now = self.clock()
        fields = repo.profile_fields(session, consumer.id)
        key = product_key(product)
        same_product_before = key is not None and repo.count_reviews(session, consumer.id, key) > 0
        session.add(
            Review(
                consumer_id=consumer.id,
                event_key=event_key,
                rating=rating,
                text=text,
                product=product or None,
                product_key=key,
                channel=channel,
                created_at=now,
            )
        )
        session.flush()
        count = repo.count_reviews(session, consumer.id)
        occasion = Occasion(
            "review", rating=rating, review_count=count, same_product_before=same_product_before
        )
        values = self._values(fields, rating=rating, review_count=count, product=product or "")
        reply = self._thank(session, consumer, occasion, event_key, "review", values, now)
        return ReviewThanks(reply, rating, rating_band(rating))

    def _run(self, work: Callable[[Session], T]) -> T:
        return transaction(work, self.engine)

    def _deliver_outbox(
        self, session: Session, consumer: Consumer, now: datetime
    ) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        for item in repo.pending_outbox(session, consumer.id):
            messages.extend(json.loads(item.messages))
            item.delivered_at = now
        return messages

    def _may_ask_freshness(
        self, session: Session, consumer: Consumer, policy: FreshnessPolicy, now: datetime
    ) -> bool:
        identities = (
            repo.consumers_by_external_id(session, consumer.external_id)
            if consumer.external_id
            else [consumer]
        )
        for identity in identities:
            asked = identity.freshness_asked_at
            if asked is None:
                continue
            if now - asked < timedelta(days=policy.quiet_days):
                return False
            if asked >= (consumer.last_seen_at or consumer.created_at):
                return False  # at most one question per conversation
        return True

    def _brand_consumer(self, session: Session, external_id: str) -> Consumer:
        """The consumer the brand means: their most recently seen chat identity."""
        known = repo.consumers_by_external_id(session, external_id)
        if known:
            return known[0]
        consumer = repo.add_consumer(session, "brand", external_id, self.clock())
        consumer.external_id = external_id
        return consumer

    def _consumer(self, session: Session, who: Identity) -> Consumer:
        consumer = repo.find_consumer(session, who.channel, who.sender_id)
        return consumer or repo.add_consumer(session, who.channel, who.sender_id, self.clock())

    def _label(self, step: str) -> str:
        return self.table.field_labels.get(step, step)

    @staticmethod
    def _values(fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
        first_name = fields["first_name"].value if "first_name" in fields else None
        return {"first_name": first_name, **extra}

    def _replay(self, session: Session, consumer: Consumer, event_key: str) -> Reply | None:
        """The reply already given for ``event_key``, word for word; None if it is new."""
        ack = repo.find_acknowledgement(session, consumer.id, event_key)
        if ack is None:
            return None
        variants = self.responses.get(ack.response, ())
        buttons = variants[ack.variant].buttons if ack.variant < len(variants) else ()
        return Reply(ack.response, ack.variant, ack.text, buttons)

    def _thank(
        self,
        session: Session,
        consumer: Consumer,
        occasion: Occasion,
        event_key: str,
        kind: str,
        values: dict[str, Any],
        now: datetime,
    ) -> Reply:
        response = self.table.choose(occasion)
        last = repo.last_acknowledgement(session, consumer.id)
        avoid = last.variant if last is not None and last.response == response else None
        variant = choose_variant(self.responses[response], values, avoid)
        reply = render(response, variant, values)
        repo.add_acknowledgement(
            session,
            consumer_id=consumer.id,
            event_key=event_key,
            kind=kind,
            response=response,
            variant=variant.index,
            text=reply.text,
            created_at=now,
        )
        return reply


def _identity(consumer: Consumer) -> Identity:
    return Identity(consumer.channel, consumer.sender_id)


def brand_event_key(event_id: str) -> str:
    return f"brand:{event_id}"


def field_event_key(step: str, message_id: str) -> str:
    return f"field:{step}:{message_id}"


def review_event_key(message_id: str) -> str:
    return f"review:{message_id}"


@lru_cache(maxsize=1)
def get_service() -> MerciService:
    """The service wired to the configured database, domain and congratulation table."""
    settings = get_settings()
    responses = load_responses(settings.domain_path)
    table = load_table(settings.congratulations_path, responses)
    freshness = load_policy(settings.freshness_path)
    return MerciService(
        get_engine(),
        table,
        responses,
        freshness=freshness,
        reminder_delay=timedelta(hours=settings.profile_reminder_hours),
    )
