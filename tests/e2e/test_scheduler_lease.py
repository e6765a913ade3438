"""A nudge claimed by a scheduler that crashed before firing it is fired later, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.domain.congratulations import load_table
from bot.domain.wording import load_responses
from bot.runtime.scheduler import Scheduler
from bot.services import build_services
from bot.storage.models import Nudge, utcnow
from tests.e2e.conftest import API_TOKEN
from tests.e2e.test_scheduler import due_nudge, reminders_in_conversation, run_scheduler

pytestmark = pytest.mark.e2e


def crashed_scheduler(merci) -> Scheduler:
    """A scheduler in this process: it claims, then is abandoned as if it had crashed."""
    responses = load_responses(PROJECT_ROOT / "domain.yml")
    table = load_table(PROJECT_ROOT / "data" / "congratulations.yml", responses)
    services = build_services(merci.engine, table, responses)
    return Scheduler(services, merci.url, API_TOKEN, name="crashed", lease=timedelta(minutes=5))


def test_a_nudge_left_by_a_crashed_scheduler_is_fired_once_after_its_lease(merci):
    sender = "e2e-nudge-lease-zoe"
    nudge_id = due_nudge(merci, sender)
    assert [n.id for n in crashed_scheduler(merci).claim_due()] == [nudge_id]

    assert run_scheduler(merci) == {}, "another scheduler waits for the lease to run out"
    assert reminders_in_conversation(merci, sender) == 0

    # Five minutes later, as far as the lease is concerned.
    with Session(merci.engine) as session, session.begin():
        session.execute(
            update(Nudge)
            .where(Nudge.id == nudge_id)
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    assert run_scheduler(merci) == {"queued": 1}
    assert run_scheduler(merci) == {}, "fired once: never again"
    assert reminders_in_conversation(merci, sender) == 1
    with Session(merci.engine) as session:
        assert session.get(Nudge, nudge_id).fired_at is not None
