"""The events of recent conversations, kept by each Rasa server between turns.

Rasa's SQL tracker store reads every event of the current session and deserialises it on
each turn (most of a turn's time once a conversation is long). Here the deserialised events
stay in memory with the *stamp* of the rows they came from: the number of rows of that
sender, the highest row id and the latest timestamp. A turn first reads the stamp (one
indexed query) and reuses the events only when it is unchanged, so a conversation written
meanwhile by another server sharing the database, or erased (rows deleted, a fresh start
written with new timestamps), is read again from the database, never served from here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Conversations kept per server; older ones are read from the database again.
DEFAULT_SIZE = 2000


@dataclass(frozen=True)
class Stamp:
    """What identifies the stored rows of one sender: any insert or delete changes it."""

    rows: int
    last_id: int | None
    last_timestamp: float | None

    def after(self, ids: Iterable[int], timestamps: Iterable[float | None]) -> Stamp:
        """The stamp once the rows ``ids`` (written with ``timestamps``) are added."""
        ids, stamps = list(ids), [t for t in timestamps if t is not None]
        last_ids = [i for i in (self.last_id, *ids) if i is not None]
        last_times = [t for t in (self.last_timestamp, *stamps) if t is not None]
        return Stamp(
            self.rows + len(ids),
            max(last_ids) if last_ids else None,
            max(last_times) if last_times else None,
        )


@dataclass(frozen=True)
class Entry:
    stamp: Stamp
    events: tuple[Any, ...]  # the current session's events, deserialised


class TrackerCache:
    """Least recently used conversations, by sender id."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[str, Entry] = OrderedDict()

    def events(self, sender_id: str, stamp: Stamp) -> tuple[Any, ...] | None:
        """The cached events of ``sender_id`` if the stored rows still have ``stamp``."""
        entry = self._entries.get(sender_id)
        if entry is None:
            return None
        if entry.stamp != stamp:
            del self._entries[sender_id]
            return None
        self._entries.move_to_end(sender_id)
        return entry.events

    def entry(self, sender_id: str) -> Entry | None:
        return self._entries.get(sender_id)

    def keep(self, sender_id: str, events: Sequence[Any], stamp: Stamp) -> None:
        self._entries[sender_id] = Entry(stamp, tuple(events))
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._entries)
