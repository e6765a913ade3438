"""Reviews: each one saved and thanked by rating and history, and what follows a review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.domain.congratulations import Occasion
from bot.domain.reviews import product_key, rating_band
from bot.domain.wording import Reply
from bot.services.base import Context, Identity, personal_values
from bot.services.privacy import consent_refused
from bot.storage import repository as repo
from bot.storage.models import Consumer, Review


@dataclass(frozen=True)
class ReviewThanks:
    reply: Reply
    rating: int
    band: str
    replayed: bool = False


def review_event_key(message_id: str) -> str:
    return f"review:{message_id}"


class ReviewService:
    def __init__(self, context: Context) -> None:
        self.context = context

    def save_review(
        self,
        who: Identity,
        rating: int,
        text: str,
        product: str | None,
        event_key: str,
        product_id: str | None = None,
    ) -> ReviewThanks:
        """``product_id``: the product's id in the brand's catalogue, when it has one."""
        if rating not in range(1, 6):
            raise ValueError("rating must be between 1 and 5")

        def write(session: Session) -> ReviewThanks:
            consumer = self.context.consumer(session, who)
            return self.save(
                session, consumer, rating, text, product, event_key, who.channel, product_id
            )

        return self.context.run(write)

    def add_review_improvement(self, who: Identity, text: str) -> bool:
        """Attach "what would make it a 5" to the consumer's latest review."""

        def write(session: Session) -> bool:
            review = self._latest(session, who)
            if review is None:
                return False
            review.improvement = text
            return True

        return self.context.run(write)

    def request_followup(self, who: Identity) -> bool:
        """A disappointed consumer accepts to be contacted about their latest review."""

        def write(session: Session) -> bool:
            review = self._latest(session, who)
            if review is None:
                return False
            if review.followup_requested_at is None:
                review.followup_requested_at = self.context.clock()
            return True

        return self.context.run(write)

    def save(
        self,
        session: Session,
        consumer: Consumer,
        rating: int,
        text: str,
        product: str | None,
        event_key: str,
        channel: str,
        product_id: str | None = None,
    ) -> ReviewThanks:
        """Inside a transaction: store a review (from the chat or the brand's site) and thank."""
        replay = self.context.replay(session, consumer, event_key)
        if replay is not None:
            return ReviewThanks(replay, rating, rating_band(rating), replayed=True)
        now = self.context.clock()
        # A consumer who refused personal data is thanked without a first name.
        fields = (
            {} if consent_refused(session, consumer) else repo.profile_fields(session, consumer.id)
        )
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
                product_id=product_id,
                channel=channel,
                created_at=now,
            )
        )
        session.flush()
        count = repo.count_reviews(session, consumer.id)
        occasion = Occasion(
            "review", rating=rating, review_count=count, same_product_before=same_product_before
        )
        values = personal_values(fields, rating=rating, review_count=count, product=product or "")
        reply = self.context.thank(session, consumer, occasion, event_key, values, now)
        return ReviewThanks(reply, rating, rating_band(rating))

    def _latest(self, session: Session, who: Identity) -> Review | None:
        consumer = self.context.find_consumer(session, who)
        return repo.latest_review(session, consumer.id) if consumer else None
