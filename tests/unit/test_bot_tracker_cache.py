"""MerciTrackerStore keeps recent conversations in memory between turns, and never serves
one that another server (or an erasure) changed in the database meanwhile."""

from __future__ import annotations

import asyncio
import time
import warnings

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, event, text

from bot.channels.tracker_store import MerciTrackerStore
from bot.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def server(domain: Domain, url: str) -> MerciTrackerStore:
    """One Rasa server's tracker store (each server process has its own)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MerciTrackerStore(domain=domain, host=url)


def turn(store: MerciTrackerStore, sender: str, text_: str, reply: str) -> None:
    """One turn as Rasa runs it: read the tracker, add the turn's events, save it."""
    tracker = asyncio.run(store.retrieve(sender))
    if tracker is None:
        tracker = DialogueStateTracker(sender, store.domain.slots)
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text_, {"name": "thank"}))
    tracker.update(BotUttered(reply))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))


def said(store: MerciTrackerStore, sender: str) -> list[str]:
    tracker = asyncio.run(store.retrieve(sender))
    return [] if tracker is None else [e.text for e in tracker.events if isinstance(e, UserUttered)]


def stored_messages(url: str, sender: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"
                     " ORDER BY id"),
                {"s": sender},
            )  # fmt: skip
            import json

            return [json.loads(row[0])["text"] for row in rows]
    finally:
        engine.dispose()


def test_a_turn_written_by_another_server_is_seen_and_kept(domain, tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    first, second = server(domain, url), server(domain, url)
    turn(first, "marie", "bonjour", "Bonjour !")
    turn(first, "marie", "merci", "Avec plaisir")  # first now holds Marie in memory
    turn(second, "marie", "au revoir", "À bientôt")  # the load balancer chose the other server

    assert said(first, "marie") == ["bonjour", "merci", "au revoir"]
    turn(first, "marie", "encore merci", "Avec plaisir")
    assert stored_messages(url, "marie") == ["bonjour", "merci", "au revoir", "encore merci"], (
        "every message stored exactly once, in order"
    )
    assert said(second, "marie") == said(first, "marie")


def test_a_conversation_erased_elsewhere_never_comes_back_from_memory(domain, tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    first, second = server(domain, url), server(domain, url)
    for message in ("je m'appelle Marie", "mon e-mail est marie.secret@exemple.fr", "merci"):
        turn(first, "marie", message, "Merci")
    assert "merci" in said(first, "marie")

    # The DPO's command deletes her rows; she comes back through the other server with as
    # many events as before, so that only the timestamps tell the two conversations apart.
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE sender_id = 'marie'"))
    engine.dispose()
    time.sleep(0.01)
    for message in ("bonjour", "merci", "au revoir"):
        turn(second, "marie", message, "Bonjour")

    assert said(first, "marie") == ["bonjour", "merci", "au revoir"]
    assert not any("secret" in message for message in stored_messages(url, "marie"))


def test_an_unchanged_conversation_is_read_with_one_query_not_event_by_event(domain, tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    store = server(domain, url)
    for index in range(30):
        turn(store, "lea", f"merci {index}", "Avec plaisir")
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    tracker = asyncio.run(store.retrieve("lea"))

    assert (
        tracker is not None and len([e for e in tracker.events if isinstance(e, UserUttered)]) == 30
    )
    assert len(statements) == 1 and "count" in statements[0].lower(), statements


def test_what_is_read_from_memory_is_what_the_database_holds(domain, tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    store = server(domain, url)
    for index in range(5):
        turn(store, "paul", f"message {index}", "Avec plaisir")
    from_memory = asyncio.run(store.retrieve("paul"))
    from_database = asyncio.run(server(domain, url).retrieve("paul"))
    assert from_memory is not None and from_database is not None
    assert [e.as_dict() for e in from_memory.events] == [e.as_dict() for e in from_database.events]
    assert from_memory.current_state() == from_database.current_state()


def test_changes_to_a_tracker_read_from_memory_do_not_leak_into_the_next_turn(domain, tmp_path):
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    store = server(domain, url)
    turn(store, "lou", "bonjour", "Bonjour")
    abandoned = asyncio.run(store.retrieve("lou"))
    assert abandoned is not None
    abandoned.update(UserUttered("jamais enregistré", {"name": "greet"}))  # a turn that failed

    assert said(store, "lou") == ["bonjour"]
