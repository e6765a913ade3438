"""Rasa's SQL tracker store, made to forget: a conversation that asked for erasure is
stored again as a fresh start only.

Rasa appends a tracker's events "since the number stored" at the end of each turn
(``SQLTrackerStore._additional_events``), so rows deleted by the erase action itself would
be written back from the tracker still in memory. Here, when the tracker being saved
carries the erasure marker (the ``privacy_erased`` slot set by ``action_erase_my_data``),
every stored event of that sender is deleted and only a new session start is written.
An erasure made elsewhere (the DPO's command, a brand event, a chat turn that failed after
erasing) is remembered by the hash of the sender id (``erased_conversations``): a save that
would write older events back for that sender keeps only the ones after the erasure.
Configured in ``endpoints.yml`` (``type: bot.channels.tracker_store.MerciTrackerStore``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import sqlalchemy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import inspect, text
from sqlalchemy.orm import sessionmaker

from bot.domain.privacy import ERASURE_MARKER, conversation_key
from bot.storage.engine import install_sqlite_pragmas, sqlite_engine_options, sqlite_file

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


def rewrites_history(events: list[Event], tracker: DialogueStateTracker) -> bool:
    """Whether a save would write events from before this turn: Rasa does so only when the
    stored rows are gone (an erasure); a normal turn writes its own events."""
    latest = tracker.latest_message
    turn_started = getattr(latest, "timestamp", None)
    if not events or turn_started is None:
        return False
    return any(event.timestamp < turn_started - 1 for event in events)


class MerciTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (same table, same settings) that honours erasure requests."""

    engine: Any  # set by SQLTrackerStore.__init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sqlite_file(self.engine.url):
            # Rasa's engine opens a connection per query on SQLite, in the default journal
            # mode: Merci's own engine settings instead (bot/storage/engine.py).
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlalchemy.create_engine(url, **sqlite_engine_options(url))
            install_sqlite_pragmas(self.engine, file_backed=True)
            self.sessionmaker = sessionmaker(bind=self.engine)

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
        # Not even the sender id: the log must not keep what the erasure removed.
        logger.info("a conversation was erased from the tracker store")

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        events = list(super()._additional_events(session, tracker))
        if rewrites_history(events, tracker):
            erased_at = self._erased_at(session, tracker.sender_id)
            if erased_at is not None:
                logger.info("an erased conversation's events were not written back")
                events = [event for event in events if event.timestamp > erased_at]
        return iter(events)

    @staticmethod
    def _erased_at(session: Any, sender_id: str) -> float | None:
        """When this conversation was last erased (Unix time), if ever."""
        if not inspect(session.bind).has_table("erased_conversations"):
            return None  # a database Merci's migrations have not reached
        erased = session.execute(
            text("SELECT MAX(erased_at) FROM erased_conversations WHERE sender_hash = :key"),
            {"key": conversation_key(sender_id)},
        ).scalar()
        if erased is None:
            return None
        if isinstance(erased, str):  # SQLite returns the text it stored
            erased = datetime.fromisoformat(erased)
        return float(erased.replace(tzinfo=timezone.utc).timestamp())
