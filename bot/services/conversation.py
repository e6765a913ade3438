"""The start of a conversation: messages queued meanwhile, a freshness question, and who
the consumer is on the brand's side."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from bot.domain.freshness import FreshnessPolicy
from bot.domain.profile import completeness
from bot.services.base import Context, Identity
from bot.services.delivery import deliver_outbox
from bot.services.freshness import FreshnessService, StaleValue
from bot.services.profile import EMPTY_PROFILE, ProfileState
from bot.storage import repository as repo


@dataclass(frozen=True)
class Greeting:
    queued: list[dict[str, Any]]
    state: ProfileState
    stale: StaleValue | None


class Link(Enum):
    """What became of a request to tie a chat identity to the brand's id."""

    LINKED = "linked"  # tied now, or already tied to this same id
    # Already tied to someone else: never moved, the channel starts a new conversation.
    REFUSED = "refused"


class ConversationService:
    def __init__(self, context: Context, freshness: FreshnessService) -> None:
        self.context = context
        self.freshness = freshness

    def greet(self, who: Identity, policy: FreshnessPolicy | None = None) -> Greeting:
        """What to tell a consumer who says hello: queued messages first, then at most one
        question on a stale value, and the state of the profile for the offers."""
        policy = policy or self.freshness.policy

        def work(session: Session) -> Greeting:
            consumer = self.context.find_consumer(session, who)
            if consumer is None:
                return Greeting([], EMPTY_PROFILE, None)
            now = self.context.clock()
            queued = deliver_outbox(session, consumer, now)
            fields = repo.profile_fields(session, consumer.id)
            values = {f: row.value for f, row in fields.items()}
            state = ProfileState(values, completeness(values), consumer.profile_paused_at_field)
            stale = self.freshness.stale_value(session, consumer, fields, policy, now)
            return Greeting(queued, state, stale)

        return self.context.run(work)

    def start_conversation(self, who: Identity) -> list[dict[str, Any]]:
        """A new conversation begins: note it, and hand over the messages queued meanwhile."""

        def work(session: Session) -> list[dict[str, Any]]:
            consumer = self.context.find_consumer(session, who)
            if consumer is None:
                return []
            now = self.context.clock()
            consumer.last_seen_at = now
            return deliver_outbox(session, consumer, now)

        return self.context.run(work)

    def linked_to(self, who: Identity) -> str | None:
        """The brand's id this chat identity was tied to by a verified token, if any."""

        def read(session: Session) -> str | None:
            consumer = self.context.find_consumer(session, who)
            return consumer.external_id if consumer is not None else None

        return self.context.run(read)

    def link_external_id(self, who: Identity, external_id: str) -> Link:
        """Tie a chat identity to the brand's id for this consumer (a logged-in visitor whose
        signed token vouches for ``external_id``). An identity already tied to another id
        keeps it: its conversation and data belong to that other person."""

        def work(session: Session) -> Link:
            consumer = self.context.consumer(session, who)
            if consumer.external_id not in (None, external_id):
                return Link.REFUSED
            consumer.external_id = external_id
            return Link.LINKED

        return self.context.run(work)
