"""Nudges that survive restarts: stored in the database, fired by a small scheduler process.

Rasa's own reminders live in memory and are lost when the server restarts. A nudge here
is a row; the scheduler claims a due row with one conditional UPDATE (so two schedulers
started by mistake never both fire it), then triggers an EXTERNAL_ intent through Rasa's
``trigger_intent`` HTTP API (enabled only with a token). A claimed nudge is never fired
again: at most once, even across a crash or a restart.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.services.core import PROFILE_REMINDER, Identity, MerciService
from bot.storage.unit_of_work import unit_of_work
from bot.storage.models import Consumer, Nudge, utcnow

logger = logging.getLogger(__name__)

INTENTS = {PROFILE_REMINDER: "EXTERNAL_profile_reminder"}


def nudge_key(nudge_id: int) -> str:
    return f"nudge:{nudge_id}"


@dataclass(frozen=True)
class DueNudge:
    id: int
    kind: str
    consumer: Identity


class Scheduler:
    def __init__(
        self,
        engine: Engine,
        service: MerciService,
        rasa_url: str,
        token: str,
        clock: Callable[[], datetime] = utcnow,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.service = service
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"

    def claim_due(self) -> list[DueNudge]:
        """Claim every due nudge for this process; a row claimed elsewhere is skipped."""
        now = self.clock()
        claimed: list[DueNudge] = []
        with unit_of_work(self.engine) as session:
            due = session.execute(
                select(Nudge.id, Nudge.kind, Consumer.channel, Consumer.sender_id)
                .join(Consumer, Consumer.id == Nudge.consumer_id)
                .where(
                    Nudge.due_at <= now,
                    Nudge.claimed_by.is_(None),
                    Nudge.cancelled_at.is_(None),
                )
                .order_by(Nudge.due_at)
                .limit(100)
            ).all()
        for nudge_id, kind, channel, sender_id in due:
            with unit_of_work(self.engine) as session:
                result = session.execute(
                    update(Nudge)
                    .where(Nudge.id == nudge_id, Nudge.claimed_by.is_(None))
                    .values(claimed_by=self.name, claimed_at=now)
                )
                if result.rowcount == 1:
                    claimed.append(DueNudge(nudge_id, kind, Identity(channel, sender_id)))
        return claimed

    def still_wanted(self, nudge: DueNudge) -> bool:
        """A profile reminder is pointless once the profile is complete."""
        if nudge.kind != PROFILE_REMINDER:
            return True
        return bool(self.service.profile_state(nudge.consumer).missing_steps())

    def fire(self, nudge: DueNudge) -> str:
        """Trigger the nudge's intent in the consumer's conversation; queue what Rasa says
        when the channel could not push it. Returns "delivered", "queued" or "cancelled"."""
        if not self.still_wanted(nudge):
            self._mark(nudge.id, cancelled=True)
            return "cancelled"
        query = urllib.parse.urlencode({"output_channel": "latest", "token": self.token})
        sender = urllib.parse.quote(nudge.consumer.sender_id, safe="")
        request = urllib.request.Request(
            f"{self.rasa_url}/conversations/{sender}/trigger_intent?{query}",
            data=json.dumps({"name": INTENTS[nudge.kind], "entities": {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body: dict[str, Any] = json.loads(response.read())
        messages = [
            {k: v for k, v in m.items() if k != "recipient_id" and v is not None}
            for m in body.get("messages") or []
        ]
        # Messages came back: the channel could not push them (REST); say them next visit.
        self.service.record_delivery(nudge.consumer, nudge_key(nudge.id), messages, not messages)
        self._mark(nudge.id)
        return "queued" if messages else "delivered"

    def run_once(self) -> dict[str, int]:
        outcomes: dict[str, int] = {}
        for nudge in self.claim_due():
            try:
                outcome = self.fire(nudge)
            except (urllib.error.URLError, OSError, ValueError) as error:
                # Claimed, so never retried: a lost nudge beats a duplicated one.
                logger.warning("nudge %s could not be fired: %s", nudge.id, type(error).__name__)
                outcome = "failed"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return outcomes

    def run_forever(self, interval: float) -> None:
        while True:
            outcomes = self.run_once()
            if outcomes:
                logger.info("nudges: %s", outcomes)
            time.sleep(interval)

    def _mark(self, nudge_id: int, cancelled: bool = False) -> None:
        with unit_of_work(self.engine) as session:
            values = {"cancelled_at": self.clock()} if cancelled else {"fired_at": self.clock()}
            session.execute(update(Nudge).where(Nudge.id == nudge_id).values(**values))
