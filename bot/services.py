"""What Merci does when a consumer gives data or an opinion.

Each public method is one unit of work: it reads, writes and chooses the thank-you
in a single transaction, so a failure stores nothing and thanks nobody. Calls are
idempotent by ``event_key``: a retried action returns the same reply without
storing anything twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot import repository as repo
from bot.congratulations import CongratulationTable, Occasion
from bot.db import unit_of_work
from bot.config import get_settings
from bot.congratulations import load_table
from bot.db import get_engine
from bot.models import Consumer, Review, utcnow
from bot.profile import FORM_STEPS, completeness, crossed_milestone, missing_steps
from bot.validation import Parsed
from bot.wording import Reply, Variant, choose_variant, load_responses, render

T = TypeVar("T")


class StorageError(RuntimeError):
    """The database could not be read or written; nothing was stored."""


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
    ) -> None:
        self.engine = engine
        self.table = table
        self.responses = responses
        self.clock = clock

    # -- reading -------------------------------------------------------------

    def profile_state(self, who: Identity) -> ProfileState:
        def read(session: Session) -> ProfileState:
            consumer = repo.find_consumer(session, who.channel, who.sender_id)
            if consumer is None:
                return ProfileState({}, 0, None)
            values = {f: row.value for f, row in repo.profile_fields(session, consumer.id).items()}
            return ProfileState(values, completeness(values), consumer.profile_paused_at_field)

        return self._run(read)

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
            fields = repo.profile_fields(session, consumer.id)
            replay = self._replay(session, consumer, event_key)
            if replay is not None:
                return Thanks(replay, completeness(fields), frozenset(fields), replayed=True)
            now = self.clock()
            before = completeness(fields)
            for name, value in parsed.values.items():
                repo.upsert_field(session, fields, consumer.id, name, value, source, now)
            after = completeness(fields)
            if consumer.profile_paused_at_field == step or not missing_steps(fields):
                consumer.profile_paused_at_field = None
            occasion = Occasion(
                "field_saved",
                field=step,
                milestone=crossed_milestone(before, after, self.table.milestones),
            )
            values = self._values(fields, completeness=after, field_label=self._label(step))
            reply = self._thank(session, consumer, occasion, event_key, "field_saved", values, now)
            return Thanks(reply, after, frozenset(fields))

        return self._run(write)

    def confirm_profile(self, who: Identity, event_key: str) -> Thanks:
        """The consumer says their data is still right: record it and thank them."""

        def write(session: Session) -> Thanks:
            consumer = self._consumer(session, who)
            fields = repo.profile_fields(session, consumer.id)
            replay = self._replay(session, consumer, event_key)
            if replay is not None:
                return Thanks(replay, completeness(fields), replayed=True)
            now = self.clock()
            repo.confirm_fields(session, fields, now)
            values = self._values(fields, completeness=completeness(fields))
            occasion = Occasion("data_confirmed")
            reply = self._thank(session, consumer, occasion, event_key, "data_confirmed", values, now)
            return Thanks(reply, completeness(fields))

        return self._run(write)

    def save_review(
        self, who: Identity, rating: int, text: str, product: str | None, event_key: str
    ) -> ReviewThanks:
        if rating not in range(1, 6):
            raise ValueError("rating must be between 1 and 5")

        def write(session: Session) -> ReviewThanks:
            consumer = self._consumer(session, who)
            fields = repo.profile_fields(session, consumer.id)
            replay = self._replay(session, consumer, event_key)
            if replay is not None:
                return ReviewThanks(replay, rating, rating_band(rating), replayed=True)
            now = self.clock()
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
                    channel=who.channel,
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

    def pause_profile(self, who: Identity, step: str | None) -> None:
        """Remember where the profile form stopped, to offer to resume next time."""

        def write(session: Session) -> None:
            consumer = self._consumer(session, who)
            consumer.profile_paused_at_field = step

        self._run(write)

    # -- internals -----------------------------------------------------------

    def _run(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction; a lost race on a unique key is retried once."""
        for attempt in (1, 2):
            try:
                with unit_of_work(self.engine) as session:
                    return work(session)
            except IntegrityError as exc:
                if attempt == 2:
                    raise StorageError("could not store the contribution") from exc
            except SQLAlchemyError as exc:
                raise StorageError("the database is unavailable") from exc
        raise AssertionError("unreachable")

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
    return MerciService(get_engine(), table, responses)
