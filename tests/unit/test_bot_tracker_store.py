"""MerciTrackerStore: a conversation that asked for erasure cannot be written back by Rasa."""

from __future__ import annotations

import asyncio
import warnings

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.channels.tracker_store import MerciTrackerStore
from bot.config import PROJECT_ROOT


def stored(url: str, sender: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            )
            return [(row[0], row[1]) for row in rows]
    finally:
        engine.dispose()


def test_an_erased_conversation_is_stored_again_as_a_fresh_start_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        store = MerciTrackerStore(domain=domain, host=url)
    tracker = DialogueStateTracker.from_events(
        "marie",
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("mon e-mail est marie.secret@exemple.fr", {"name": "give_email"}),
            SlotSet("email", "marie.secret@exemple.fr"),
        ],
        domain.slots,
    )
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(DialogueStateTracker.from_events("paul", [SessionStarted()])))
    assert any("marie.secret" in data for _, data in stored(url, "marie"))

    # The erase action's marker arrives; Rasa saves the whole tracker, still in memory.
    tracker.update(UserUttered("Supprimez mes données", {"name": "erase_my_data"}))
    tracker.update(SlotSet("privacy_erased", "erased"))
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # saved again: still nothing written back

    assert [kind for kind, _ in stored(url, "marie")] == ["action", "session_started", "action"]
    assert not any("marie" in data for _, data in stored(url, "marie"))
    assert len(stored(url, "paul")) == 1, "other conversations are untouched"
    restored = asyncio.run(store.retrieve("marie"))
    assert restored is not None and restored.get_slot("email") is None


def test_without_the_marker_it_stores_like_rasas_sql_tracker_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        store = MerciTrackerStore(domain=domain, host=url)
    tracker = DialogueStateTracker.from_events("lea", [SessionStarted()], domain.slots)
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("bonjour", {"name": "greet"}))
    asyncio.run(store.save(tracker))
    assert [kind for kind, _ in stored(url, "lea")] == ["session_started", "user"]
