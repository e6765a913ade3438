"""Nudges that survive restarts: stored in the database, fired by a small scheduler process.

Rasa's own reminders live in memory and are lost when the server restarts. A nudge here
is a row; the scheduler leases a due row with one conditional UPDATE (so two schedulers
started by mistake never both fire it), then triggers an EXTERNAL_ intent through Rasa's
``trigger_intent`` HTTP API (enabled only with a token). A nudge whose scheduler crashed
before firing it is fired by another once the lease has run out; what was said is recorded
under ``nudge_key`` first, so a nudge sent but not yet marked is never said twice.

A database that fails (``StorageError``) is logged and tried again at the next tick: the
loop never dies of it.
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
from datetime import datetime, timedelta
from typing import Any

from bot.config import get_settings
from bot.services import Services, StorageError
from bot.services.delivery import plain_message
from bot.services.nudges import DueNudge, nudge_key
from bot.services.privacy import PurgeResult
from bot.services.profile import PROFILE_REMINDER

logger = logging.getLogger(__name__)

INTENTS = {PROFILE_REMINDER: "EXTERNAL_profile_reminder"}
PURGE_EVERY = timedelta(days=1)


class Scheduler:
    def __init__(
        self,
        services: Services,
        rasa_url: str,
        token: str,
        name: str | None = None,
        lease: timedelta | None = None,
    ) -> None:
        self.services = services
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        # Longer than one firing (Rasa's answer is awaited at most 30 s).
        self.lease = lease or timedelta(seconds=get_settings().nudge_lease_seconds)
        self.purged_at: datetime | None = None

    def claim_due(self) -> list[DueNudge]:
        """Lease every due nudge to this process; a row claimed elsewhere is skipped."""
        return self.services.nudges.claim_due(self.name, self.lease)

    def still_wanted(self, nudge: DueNudge) -> bool:
        """Never after "ne me contactez plus"; and a profile reminder is pointless once the
        profile is complete."""
        if not self.services.privacy.contact_allowed(nudge.consumer):
            return False
        if nudge.kind != PROFILE_REMINDER:
            return True
        return bool(self.services.profile.profile_state(nudge.consumer).missing_steps())

    def fire(self, nudge: DueNudge) -> str:
        """Trigger the nudge's intent in the consumer's conversation; queue what Rasa says
        when the channel could not push it. Returns "delivered", "queued" or "cancelled"."""
        if not self.still_wanted(nudge):
            self.services.nudges.mark(nudge.id, cancelled=True)
            return "cancelled"
        if self.services.delivery.was_delivered(nudge_key(nudge.id)):
            # Its scheduler said it, then crashed before marking it: mark it, say nothing.
            self.services.nudges.mark(nudge.id)
            return "already fired"
        query = urllib.parse.urlencode({"output_channel": "latest", "token": self.token})
        sender = urllib.parse.quote(nudge.consumer.sender_id, safe="")
        request = urllib.request.Request(
            f"{self.rasa_url}/conversations/{sender}/trigger_intent?{query}",
            data=json.dumps({"name": INTENTS[nudge.kind], "entities": {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body: dict[str, Any] = json.loads(response.read())
        messages = [plain_message(m) for m in body.get("messages") or []]
        # Messages came back: the channel could not push them (REST); say them next visit.
        self.services.delivery.record_delivery(
            nudge.consumer, nudge_key(nudge.id), messages, not messages
        )
        self.services.nudges.mark(nudge.id)
        return "queued" if messages else "delivered"

    def attempt(self, nudge: DueNudge) -> str | None:
        """Lease ``nudge`` and fire it; None when another scheduler holds it. A failure is
        logged (the nudge's id only) and retried by whoever leases it once the lease ends."""
        try:
            if not self.services.nudges.claim(nudge.id, self.name, self.lease):
                return None
            return self.fire(nudge)
        except StorageError as error:
            logger.warning("nudge %s could not be fired: %s", nudge.id, error)
        except (urllib.error.URLError, OSError, ValueError) as error:
            logger.warning("nudge %s could not be fired: %s", nudge.id, type(error).__name__)
        return "failed"

    def run_once(self) -> dict[str, int]:
        """Fire every due nudge nobody holds, one lease at a time."""
        outcomes: dict[str, int] = {}
        for nudge in self.services.nudges.due():
            outcome = self.attempt(nudge)
            if outcome is not None:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return outcomes

    def purge_if_due(self) -> PurgeResult | None:
        """Apply the retention periods of ``data/privacy.yml``, once a day."""
        now = self.services.context.clock()
        if self.purged_at is not None and now - self.purged_at < PURGE_EVERY:
            return None
        result = self.services.privacy.purge()
        self.purged_at = now
        logger.info("retention applied: %s", result)  # counts only
        return result

    def tick(self) -> dict[str, int]:
        """One round of :meth:`run_once` (and the daily purge) that a failing database
        cannot end."""
        outcomes: dict[str, int] = {}
        try:
            outcomes = self.run_once()
            self.purge_if_due()
        except StorageError as error:
            # StorageError's message names no consumer; its cause might, so it stays out.
            logger.warning("nudges: %s; trying again at the next tick", error)
        return outcomes

    def run_forever(self, interval: float) -> None:
        while True:
            outcomes = self.tick()
            if outcomes:
                logger.info("nudges: %s", outcomes)
            time.sleep(interval)
