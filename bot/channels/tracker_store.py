"""Rasa's SQL tracker store, made to forget: a conversation that asked for erasure is
stored again as a fresh start only.

Rasa appends a tracker's events "since the number stored" at the end of each turn
(``SQLTrackerStore._additional_events``), so rows deleted by the erase action itself would
be written back from the tracker still in memory. Here, when the tracker being saved
carries the erasure marker (the ``privacy_erased`` slot set by ``action_erase_my_data``),
every stored event of that sender is deleted and only a new session start is written.
Configured in ``endpoints.yml`` (``type: bot.channels.tracker_store.MerciTrackerStore``).
"""

from __future__ import annotations

import json
import logging
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.domain.privacy import ERASURE_MARKER

logger = logging.getLogger(__name__)


def carries_erasure(tracker: DialogueStateTracker) -> bool:
    return any(
        isinstance(event, SlotSet) and event.key == ERASURE_MARKER and event.value
        for event in tracker.events
    )


def fresh_start() -> list[Event]:
    """What is left of an erased conversation: a new session, waiting for the consumer."""
    now = time.time()
    return [
        ActionExecuted("action_session_start", timestamp=now),
        SessionStarted(timestamp=now),
        ActionExecuted("action_listen", timestamp=now),
    ]


class MerciTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (same table, same settings) that honours erasure requests."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not carries_erasure(tracker):
            await super().save(tracker)
            return
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == tracker.sender_id
            ).delete(synchronize_session=False)
            for event in fresh_start():
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=event.timestamp,
                        intent_name=None,
                        action_name=getattr(event, "action_name", None),
                        data=json.dumps(event.as_dict()),
                    )
                )
            session.commit()
        # The sender id only: never a message or a slot value.
        logger.info("conversation %s erased from the tracker store", tracker.sender_id)
