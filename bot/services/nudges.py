"""Nudges (reminders) due now: leased by one scheduler each, then marked fired or cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.services.base import Context, Identity
from bot.storage import repository as repo

CLAIM_BATCH = 100


@dataclass(frozen=True)
class DueNudge:
    id: int
    kind: str
    consumer: Identity


def nudge_key(nudge_id: int) -> str:
    return f"nudge:{nudge_id}"


class NudgeService:
    def __init__(self, context: Context) -> None:
        self.context = context

    def due(self) -> list[DueNudge]:
        """Due nudges nobody holds: never claimed, or left unfired when their lease ran out."""
        now = self.context.clock()
        due = self.context.run(lambda session: repo.due_nudges(session, now, CLAIM_BATCH))
        return [
            DueNudge(nudge_id, kind, Identity(channel, sender_id))
            for nudge_id, kind, channel, sender_id in due
        ]

    def claim(self, nudge_id: int, claimer: str, lease: timedelta) -> bool:
        """Lease the nudge to ``claimer``; False when another scheduler holds it.

        One conditional UPDATE, so two schedulers never both hold a row.
        """
        now = self.context.clock()

        def claim(session: Session) -> bool:
            return repo.claim_nudge(session, nudge_id, claimer, now, now + lease)

        return self.context.run(claim)

    def claim_due(self, claimer: str, lease: timedelta) -> list[DueNudge]:
        """Lease every due nudge to ``claimer``; a row claimed elsewhere meanwhile is skipped."""
        return [nudge for nudge in self.due() if self.claim(nudge.id, claimer, lease)]

    def mark(self, nudge_id: int, cancelled: bool = False) -> None:
        """Record that the nudge was fired (or cancelled because it became pointless);
        marking it again changes nothing."""
        now = self.context.clock()
        self.context.run(lambda session: repo.finish_nudge(session, nudge_id, now, cancelled))
