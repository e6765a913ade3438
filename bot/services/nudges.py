"""Nudges (reminders) due now: claimed by one scheduler each, then marked fired or cancelled."""

from __future__ import annotations

from dataclasses import dataclass

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

    def claim_due(self, claimer: str) -> list[DueNudge]:
        """Claim every due nudge for ``claimer``; a row claimed elsewhere meanwhile is skipped.

        Each claim is its own conditional UPDATE, so two schedulers never both get a row.
        """
        now = self.context.clock()
        due = self.context.run(lambda session: repo.due_nudges(session, now, CLAIM_BATCH))
        claimed: list[DueNudge] = []
        for nudge_id, kind, channel, sender_id in due:

            def claim(session: Session, nudge_id: int = nudge_id) -> bool:
                return repo.claim_nudge(session, nudge_id, claimer, now)

            if self.context.run(claim):
                claimed.append(DueNudge(nudge_id, kind, Identity(channel, sender_id)))
        return claimed

    def mark(self, nudge_id: int, cancelled: bool = False) -> None:
        """Record that the nudge was fired (or cancelled because it became pointless)."""
        now = self.context.clock()
        self.context.run(lambda session: repo.finish_nudge(session, nudge_id, now, cancelled))
