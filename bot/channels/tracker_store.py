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
Each server keeps the events of recent conversations between turns
(:mod:`bot.channels.tracker_cache`), checked against the stored rows on every turn.
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
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    SlotSet,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import sessionmaker

from bot.channels.tracker_cache import Stamp, TrackerCache
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
        database = sqlite_file(self.engine.url)
        if database:
            # Rasa's engine opens a connection per query on SQLite, in the default journal
            # mode: Merci's own engine settings instead (bot/storage/engine.py).
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlalchemy.create_engine(url, **sqlite_engine_options(url))
            install_sqlite_pragmas(self.engine, database)
            self.sessionmaker = sessionmaker(bind=self.engine)
        self.cache = TrackerCache()

    def _stamp(self, session: Any, sender_id: str) -> Stamp:
        """The stamp of ``sender_id``'s stored rows (every session), one indexed query."""
        event = self.SQLEvent
        rows, last_id, last_timestamp = session.execute(
            select(func.count(event.id), func.max(event.id), func.max(event.timestamp)).where(
                event.sender_id == sender_id
            )
        ).one()
        return Stamp(int(rows), last_id, last_timestamp)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current session, from this server's cache while the stored rows are those it
        was read from or written as; else from the database, as Rasa reads it."""
        with self.session_scope() as session:
            # The stamp first: events read after it are never older than it says.
            stamp = self._stamp(session, sender_id)
            events = self.cache.events(sender_id, stamp)
            if events is None:
                rows = self._event_query(session, sender_id, False).all()
                events = tuple(deserialise_events([json.loads(row.data) for row in rows]))
                if events:
                    self.cache.keep(sender_id, events, stamp)
        if not events or not self.domain:
            return None
        return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not carries_erasure(tracker):
            await self._save_new_events(tracker)
            return
        self.cache.forget(tracker.sender_id)
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

    async def _save_new_events(self, tracker: DialogueStateTracker) -> None:
        """``SQLTrackerStore.save`` (same rows), remembering what was written."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            stamp = self._stamp(session, sender_id)
            new = self._new_events(session, tracker, stamp)
            events = self._without_erased(session, tracker, new)
            rows = [self._row(sender_id, event) for event in events]
            session.add_all(rows)
            session.flush()
            written = stamp.after((row.id for row in rows), (row.timestamp for row in rows))
            session.commit()
        if len(events) < len(new) or any(isinstance(event, SessionStarted) for event in events):
            # Events left out after an erasure, or a new session (what Rasa reads next starts
            # there): the stored rows are not the tracker's, read them again next time.
            self.cache.forget(sender_id)
        else:
            self.cache.keep(sender_id, tracker.events, written)
        logger.debug("tracker stored")

    def _row(self, sender_id: str, event: Event) -> Any:
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _new_events(self, session: Any, tracker: DialogueStateTracker, stamp: Stamp) -> list[Event]:
        """The tracker's events not stored yet: those after the cached ones when the stored
        rows are still those cached (no counting query), else as Rasa counts them."""
        entry = self.cache.entry(tracker.sender_id)
        if entry is not None and entry.stamp == stamp and len(entry.events) <= len(tracker.events):
            return list(tracker.events)[len(entry.events) :]
        return list(super()._additional_events(session, tracker))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        events = list(super()._additional_events(session, tracker))
        return iter(self._without_erased(session, tracker, events))

    def _without_erased(
        self, session: Any, tracker: DialogueStateTracker, events: list[Event]
    ) -> list[Event]:
        if rewrites_history(events, tracker):
            erased_at = self._erased_at(session, tracker.sender_id)
            if erased_at is not None:
                logger.info("an erased conversation's events were not written back")
                events = [event for event in events if event.timestamp > erased_at]
        return events

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
