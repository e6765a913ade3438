"""Brand events: what the consumer did on the brand's site, stored once and applied as if
done in the chat, with the congratulation kept for the conversation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.domain.wording import Reply
from bot.integrations.brand_event_payload import BrandEventInput
from bot.services.base import Context, Identity
from bot.services.profile import ProfileService
from bot.services.reviews import ReviewService
from bot.storage import repository as repo
from bot.storage.models import BrandEvent, Consumer


@dataclass(frozen=True)
class ReceivedEvent:
    """A brand event stored (or recognised as already stored) for a consumer."""

    duplicate: bool
    consumer: Identity
    intent: str
    event_id: str


def brand_event_key(event_id: str) -> str:
    return f"brand:{event_id}"


class BrandEventService:
    def __init__(self, context: Context, profile: ProfileService, reviews: ReviewService) -> None:
        self.context = context
        self.profile = profile
        self.reviews = reviews

    def receive_brand_event(self, event: BrandEventInput) -> ReceivedEvent:
        """Store a brand event once, and apply it as if the consumer had done it in the chat."""

        def write(session: Session) -> ReceivedEvent:
            stored = repo.find_brand_event(session, event.event_id)
            if stored is not None:
                consumer = session.get(Consumer, stored.consumer_id)
                return ReceivedEvent(True, Identity.of(consumer), event.intent, event.event_id)
            consumer = self._brand_consumer(session, event.external_id)
            session.add(
                BrandEvent(
                    event_id=event.event_id,
                    type=event.type,
                    consumer_id=consumer.id,
                    payload=event.payload,
                    occurred_at=event.occurred_at,
                    received_at=self.context.clock(),
                )
            )
            self._apply(session, consumer, event)
            return ReceivedEvent(False, Identity.of(consumer), event.intent, event.event_id)

        return self.context.run(write)

    def brand_event_thanks(self, who: Identity, event_id: str) -> Reply | None:
        """The congratulation chosen when the brand event was applied, for ``who`` only:
        None when the event is unknown or was applied to another consumer."""

        def read(session: Session) -> Reply | None:
            stored = repo.find_brand_event(session, event_id)
            consumer = self.context.find_consumer(session, who)
            if stored is None or consumer is None or stored.consumer_id != consumer.id:
                return None
            return self.context.replay(session, consumer, brand_event_key(event_id))

        return self.context.run(read)

    def _apply(self, session: Session, consumer: Consumer, event: BrandEventInput) -> None:
        key = brand_event_key(event.event_id)
        if event.review is None:
            self.profile.save_steps(session, consumer, event.profile_steps, key, "brand")
            return
        review = event.review
        self.reviews.save(
            session, consumer, review["rating"], review["text"], review.get("product"), key, "brand"
        )

    def _brand_consumer(self, session: Session, external_id: str) -> Consumer:
        """The consumer the brand means: their most recently seen chat identity."""
        known = repo.consumers_by_external_id(session, external_id)
        if known:
            return known[0]
        consumer = repo.add_consumer(session, "brand", external_id, self.context.clock())
        consumer.external_id = external_id
        return consumer
