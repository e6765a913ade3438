"""The nudge scheduler survives a database that goes away, and a scheduler that crashed
holding a claim: the nudge is fired later, once."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.runtime.scheduler import Scheduler
from bot.services import Identity, Services, build_services
from bot.services.nudges import nudge_key
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.storage.models import BrandEvent, Consumer, Nudge, OutboxMessage, ProfileField
from tests.unit.conftest import Clock

SENDER = "conversation-ana-private"
LEASE = timedelta(minutes=5)


class FakeRasa:
    """Rasa's trigger_intent API on loopback: counts the calls, pushes every message."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                calls.append(self.path)
                body = json.dumps({"messages": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "merci.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def services(database: Path, table, responses, clock: Clock) -> Iterator[Services]:
    engine = build_engine(f"sqlite:///{database}")
    yield build_services(engine, table, responses, clock=clock)
    engine.dispose()


def add_due_nudge(services: Services, clock: Clock) -> int:
    """A consumer who accepts SMS, with an unfinished profile and a reminder due an hour ago."""
    now = clock()
    with Session(services.context.engine) as session, session.begin():
        consumer = Consumer(channel="rest", sender_id=SENDER, created_at=now)
        session.add(consumer)
        session.flush()
        session.add(
            ProfileField(
                consumer_id=consumer.id, field="contact_channel", value="sms",
                source="chat", updated_at=now,
            )
        )  # fmt: skip
        nudge = Nudge(
            consumer_id=consumer.id, kind="profile_reminder",
            due_at=now - timedelta(hours=1), created_at=now - timedelta(days=3),
        )  # fmt: skip
        session.add(nudge)
        session.flush()
        return int(nudge.id)


def fired_at(services: Services, nudge_id: int) -> object:
    with Session(services.context.engine) as session:
        return session.get(Nudge, nudge_id).fired_at


def move_away(database: Path) -> list[tuple[Path, Path]]:
    """Move the SQLite file (and its WAL files) away, as an operator did by mistake."""
    moved = []
    for path in database.parent.glob(database.name + "*"):
        target = path.with_name(path.name + ".away")
        path.rename(target)
        moved.append((target, path))
    return moved


def put_back(database: Path, moved: list[tuple[Path, Path]]) -> None:
    for path in database.parent.glob(database.name + "*"):
        if not path.name.endswith(".away"):
            path.unlink()  # the empty database SQLite created meanwhile
    for source, target in moved:
        source.rename(target)


def test_the_scheduler_outlives_a_missing_database_and_fires_once_it_is_back(
    services, database, rasa, clock, caplog
):
    nudge_id = add_due_nudge(services, clock)
    scheduler = Scheduler(services, rasa.url, "token", name="test", lease=LEASE)
    moved = move_away(database)

    with caplog.at_level(logging.WARNING, logger="bot.runtime.scheduler"):
        for _ in range(3):
            assert scheduler.tick() == {}, "a failed database call is retried, not fatal"
    assert "the database is unavailable" in caplog.text
    assert SENDER not in caplog.text

    put_back(database, moved)
    assert scheduler.tick() == {"delivered": 1}
    assert len(rasa.calls) == 1
    assert fired_at(services, nudge_id) is not None
    assert scheduler.tick() == {}


def test_a_nudge_abandoned_by_a_crashed_scheduler_is_fired_once_its_lease_expires(
    services, rasa, clock
):
    nudge_id = add_due_nudge(services, clock)
    crashed = Scheduler(services, rasa.url, "token", name="crashed", lease=LEASE)
    assert [n.id for n in crashed.claim_due()] == [nudge_id]  # then it dies: never fired

    other = Scheduler(services, rasa.url, "token", name="other", lease=LEASE)
    assert other.run_once() == {}, "a nudge is not fired while its lease runs"
    clock.advance(minutes=6)
    assert other.run_once() == {"delivered": 1}
    assert other.run_once() == {}
    clock.advance(minutes=6)
    assert other.run_once() == {}, "a fired nudge is never claimed again"
    assert len(rasa.calls) == 1
    assert fired_at(services, nudge_id) is not None


def test_a_nudge_sent_but_not_marked_before_a_crash_is_not_said_twice(services, rasa, clock):
    nudge_id = add_due_nudge(services, clock)
    crashed = Scheduler(services, rasa.url, "token", name="crashed", lease=LEASE)
    (nudge,) = crashed.claim_due()
    # It triggered the intent and recorded the delivery, then died before marking the nudge.
    services.delivery.record_delivery(nudge.consumer, nudge_key(nudge_id), [], True)
    clock.advance(minutes=6)

    other = Scheduler(services, rasa.url, "token", name="other", lease=LEASE)
    assert other.run_once() == {"already fired": 1}
    assert rasa.calls == []
    assert fired_at(services, nudge_id) is not None
    with Session(services.context.engine) as session:
        outbox = session.scalars(select(OutboxMessage)).all()
    assert len(outbox) == 1


def old_brand_event(services: Services, clock: Clock, event_id: str) -> None:
    """A brand event received long ago, its raw payload still there."""
    long_ago = clock() - timedelta(days=400)
    with Session(services.context.engine) as session, session.begin():
        consumer = Consumer(channel="brand", sender_id=f"crm-{event_id}", created_at=clock())
        session.add(consumer)
        session.flush()
        session.add(
            BrandEvent(
                event_id=event_id, type="review.published", consumer_id=consumer.id,
                payload='{"text": "ancien avis"}', occurred_at=long_ago, received_at=long_ago,
            )
        )  # fmt: skip


def payload_of(services: Services, event_id: str) -> str:
    with Session(services.context.engine) as session:
        return session.scalars(
            select(BrandEvent.payload).where(BrandEvent.event_id == event_id)
        ).one()


def test_the_scheduler_applies_the_retention_periods_once_a_day(services, rasa, clock):
    scheduler = Scheduler(services, rasa.url, "jeton", name="scheduler-a", lease=LEASE)
    old_brand_event(services, clock, "evt-1")

    scheduler.tick()
    assert "ancien avis" not in payload_of(services, "evt-1")

    old_brand_event(services, clock, "evt-2")
    clock.advance(hours=23)
    scheduler.tick()
    assert "ancien avis" in payload_of(services, "evt-2"), "not twice the same day"

    clock.advance(hours=2)
    scheduler.tick()
    assert "ancien avis" not in payload_of(services, "evt-2")


def test_ne_me_contactez_plus_cancels_even_a_reminder_held_by_a_crashed_scheduler(
    services, rasa, clock
):
    nudge_id = add_due_nudge(services, clock)
    crashed = Scheduler(services, rasa.url, "token", name="crashed", lease=LEASE)
    assert [n.id for n in crashed.claim_due()] == [nudge_id]

    assert services.privacy.withdraw_contact(Identity("rest", SENDER)) == 1
    clock.advance(minutes=6)
    other = Scheduler(services, rasa.url, "token", name="other", lease=LEASE)
    assert other.run_once() == {}
    assert rasa.calls == []


def test_a_reminder_is_not_fired_once_contact_was_refused(services, rasa, clock):
    add_due_nudge(services, clock)
    with Session(services.context.engine) as session, session.begin():
        consumer_id = session.scalars(select(Consumer.id).where(Consumer.sender_id == SENDER)).one()
        session.execute(
            text(
                "INSERT INTO consents (consumer_id, purpose, granted, given_at, channel, "
                "text_version) VALUES (:id, 'marketing_contact', 0, :now, 'rest', 'v')"
            ),
            {"id": consumer_id, "now": clock()},
        )

    scheduler = Scheduler(services, rasa.url, "token", name="a", lease=LEASE)
    assert scheduler.run_once() == {"cancelled": 1}
    assert rasa.calls == []
