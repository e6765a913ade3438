"""Proactive messages (brand-event congratulations, nudges): kept as sent, or queued and
said at the consumer's next visit, each source once."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.services.base import Context, Identity
from bot.storage import repository as repo
from bot.storage.models import Consumer, OutboxMessage


def plain_message(message: dict[str, Any]) -> dict[str, Any]:
    """A bot message as kept and pushed: without Rasa's ``recipient_id`` and empty parts."""
    return {k: v for k, v in message.items() if k != "recipient_id" and v is not None}


def deliver_outbox(session: Session, consumer: Consumer, now: datetime) -> list[dict[str, Any]]:
    """Inside a transaction: the messages queued for ``consumer``, marked delivered."""
    messages: list[dict[str, Any]] = []
    for item in repo.pending_outbox(session, consumer.id):
        messages.extend(json.loads(item.messages))
        item.delivered_at = now
    return messages


class DeliveryService:
    def __init__(self, context: Context) -> None:
        self.context = context

    def was_delivered(self, source_key: str) -> bool:
        return self.context.run(lambda session: repo.find_outbox(session, source_key) is not None)

    def record_delivery(
        self, who: Identity, source_key: str, messages: list[dict[str, Any]], delivered: bool
    ) -> bool:
        """Keep proactive messages: as sent (``delivered``) or queued for the next visit.

        Returns False when ``source_key`` was already recorded (nothing stored twice).
        """

        def write(session: Session) -> bool:
            if repo.find_outbox(session, source_key) is not None:
                return False
            now = self.context.clock()
            session.add(
                OutboxMessage(
                    consumer_id=self.context.consumer(session, who).id,
                    source_key=source_key,
                    messages=json.dumps(messages, ensure_ascii=False),
                    created_at=now,
                    delivered_at=now if delivered else None,
                )
            )
            return True

        return self.context.run(write)
