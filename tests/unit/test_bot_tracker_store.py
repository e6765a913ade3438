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


def test_a_conversation_erased_out_of_band_is_not_written_back_by_a_turn_in_flight(tmp_path):
    """The DPO erases Marie while a turn of hers is running: at the end of that turn Rasa
    saves the tracker it holds, which still has her whole conversation."""
    import time

    from bot.storage.engine import build_engine
    from bot.storage.migrate import upgrade
    from bot.storage.models import utcnow
    from bot.storage.privacy_queries import (
        delete_tracker_events,
        remember_erased_conversations,
    )
    from bot.storage.unit_of_work import unit_of_work

    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        store = MerciTrackerStore(domain=domain, host=url)
    earlier = time.time() - 60
    tracker = DialogueStateTracker.from_events(
        "marie",
        [
            ActionExecuted("action_session_start", timestamp=earlier),
            SessionStarted(timestamp=earlier),
            ActionExecuted("action_listen", timestamp=earlier),
            UserUttered(
                "mon e-mail est marie.secret@exemple.fr", {"name": "give_email"},
                timestamp=earlier,
            ),
            SlotSet("email", "marie.secret@exemple.fr", timestamp=earlier),
        ],
        domain.slots,
    )  # fmt: skip
    asyncio.run(store.save(tracker))
    assert any("marie.secret" in data for _, data in stored(url, "marie"))

    # Her next turn starts; meanwhile `python -m bot privacy erase` runs.
    tracker.update(UserUttered("bonjour", {"name": "greet"}, timestamp=time.time() + 1))
    engine = build_engine(url)
    with unit_of_work(engine) as session:
        delete_tracker_events(session, ["marie"])
        remember_erased_conversations(session, ["marie"], utcnow())
    engine.dispose()
    tracker.update(ActionExecuted("utter_greet_new", timestamp=time.time() + 2))
    asyncio.run(store.save(tracker))

    kept = stored(url, "marie")
    assert kept and not any("marie.secret" in data for _, data in kept)
    assert [kind for kind, _ in kept] == ["user", "action"], "only the turn after the erasure"
