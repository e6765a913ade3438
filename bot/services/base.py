"""What every service shares: who is talking, one transaction per call, and the thank-you.

A service method is one unit of work (``Context.run``): it reads, writes and chooses the
thank-you in a single transaction, so a failure stores nothing and thanks nobody, and the
caller only ever sees :class:`StorageError`. Contributions are idempotent by ``event_key``:
a retried action gets the same reply, word for word, and nothing is stored twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.congratulations import CongratulationTable, Occasion
from bot.domain.wording import Reply, Variant, choose_variant, render
from bot.storage import repository as repo
from bot.storage.models import Consumer, ProfileField, utcnow
from bot.storage.unit_of_work import StorageError, transaction

__all__ = ["Context", "Identity", "StorageError"]

T = TypeVar("T")


@dataclass(frozen=True)
class Identity:
    """Who is talking: the channel name and the channel's sender id."""

    channel: str
    sender_id: str

    @classmethod
    def of(cls, consumer: Consumer) -> Identity:
        return cls(consumer.channel, consumer.sender_id)


@dataclass(frozen=True)
class Context:
    """The database, the congratulation table and the wording that every service uses."""

    engine: Engine
    table: CongratulationTable
    responses: dict[str, tuple[Variant, ...]]
    clock: Callable[[], datetime] = field(default=utcnow)

    def run(self, work: Callable[[Session], T]) -> T:
        """``work`` in one transaction; database errors come out as ``StorageError``."""
        return transaction(work, self.engine)

    def find_consumer(self, session: Session, who: Identity) -> Consumer | None:
        return repo.find_consumer(session, who.channel, who.sender_id)

    def consumer(self, session: Session, who: Identity) -> Consumer:
        """The consumer behind ``who``, created on their first contribution."""
        found = self.find_consumer(session, who)
        return found or repo.add_consumer(session, who.channel, who.sender_id, self.clock())

    def label(self, step: str) -> str:
        """How the congratulations name a profile step ("votre e-mail")."""
        return self.table.field_labels.get(step, step)

    def render(self, response: str, values: dict[str, Any]) -> Reply:
        """A plain (non-congratulation) response, personal when the first name is known."""
        return render(response, choose_variant(self.responses[response], values), values)

    def replay(self, session: Session, consumer: Consumer, event_key: str) -> Reply | None:
        """The reply already given for ``event_key``, word for word; None if it is new."""
        ack = repo.find_acknowledgement(session, consumer.id, event_key)
        if ack is None:
            return None
        variants = self.responses.get(ack.response, ())
        buttons = variants[ack.variant].buttons if ack.variant < len(variants) else ()
        return Reply(ack.response, ack.variant, ack.text, buttons)

    def thank(
        self,
        session: Session,
        consumer: Consumer,
        occasion: Occasion,
        event_key: str,
        values: dict[str, Any],
        now: datetime,
    ) -> Reply:
        """Choose the congratulation for ``occasion`` (never the sentence said just before
        to this consumer), and keep what was said under ``event_key``."""
        response = self.table.choose(occasion)
        last = repo.last_acknowledgement(session, consumer.id)
        avoid = last.variant if last is not None and last.response == response else None
        variant = choose_variant(self.responses[response], values, avoid)
        reply = render(response, variant, values)
        repo.add_acknowledgement(
            session,
            consumer_id=consumer.id,
            event_key=event_key,
            kind=occasion.event,
            response=response,
            variant=variant.index,
            text=reply.text,
            created_at=now,
        )
        return reply


def personal_values(fields: dict[str, ProfileField], **extra: Any) -> dict[str, Any]:
    """The values a congratulation may use: the first name when known, and ``extra``."""
    first_name = fields["first_name"].value if "first_name" in fields else None
    return {"first_name": first_name, **extra}
