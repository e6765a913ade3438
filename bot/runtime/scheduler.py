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
from typing import Any

from bot.services import Services
from bot.services.delivery import plain_message
from bot.services.nudges import DueNudge, nudge_key
from bot.services.profile import PROFILE_REMINDER

logger = logging.getLogger(__name__)

INTENTS = {PROFILE_REMINDER: "EXTERNAL_profile_reminder"}


class Scheduler:
    def __init__(
        self, services: Services, rasa_url: str, token: str, name: str | None = None
    ) -> None:
        self.services = services
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"

    def claim_due(self) -> list[DueNudge]:
        """Claim every due nudge for this process; a row claimed elsewhere is skipped."""
        return self.services.nudges.claim_due(self.name)

    def still_wanted(self, nudge: DueNudge) -> bool:
        """A profile reminder is pointless once the profile is complete."""
        if nudge.kind != PROFILE_REMINDER:
            return True
        return bool(self.services.profile.profile_state(nudge.consumer).missing_steps())

    def fire(self, nudge: DueNudge) -> str:
        """Trigger the nudge's intent in the consumer's conversation; queue what Rasa says
        when the channel could not push it. Returns "delivered", "queued" or "cancelled"."""
        if not self.still_wanted(nudge):
            self.services.nudges.mark(nudge.id, cancelled=True)
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
        messages = [plain_message(m) for m in body.get("messages") or []]
        # Messages came back: the channel could not push them (REST); say them next visit.
        self.services.delivery.record_delivery(
            nudge.consumer, nudge_key(nudge.id), messages, not messages
        )
        self.services.nudges.mark(nudge.id)
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
