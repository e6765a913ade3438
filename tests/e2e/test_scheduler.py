"""Nudges survive restarts: stored rows, fired once through Rasa's token-protected API."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.storage.models import Consumer, Nudge, OutboxMessage, ProfileField, utcnow
from tests.e2e.conftest import API_TOKEN

pytestmark = pytest.mark.e2e


def scheduler(merci) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": merci.database_url,
        "RASA_API_TOKEN": API_TOKEN,
        "MERCI_RASA_URL": merci.url,
        "RASA_TELEMETRY_ENABLED": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler", "--once"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run_scheduler(merci) -> dict[str, int]:
    out, err = scheduler(merci).communicate(timeout=120)
    return ast.literal_eval(out.strip().splitlines()[-1]) if out.strip() else {"error": err}


def due_nudge(merci, sender: str) -> int:
    """A consumer who accepts SMS, with an unfinished profile and a reminder due an hour ago."""
    now = utcnow()
    with Session(merci.engine) as session, session.begin():
        consumer = Consumer(channel="rest", sender_id=sender, created_at=now)
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
        return nudge.id


def reminders_in_conversation(merci, sender: str) -> int:
    with merci.engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT COUNT(*) FROM events WHERE sender_id = :sender "
                "AND intent_name = 'EXTERNAL_profile_reminder'"
            ),
            {"sender": sender},
        ).scalar_one()


def test_a_due_nudge_is_sent_once_across_a_restart_of_the_scheduler(merci):
    nudge_id = due_nudge(merci, "e2e-nudge-ana")

    assert run_scheduler(merci) == {"queued": 1}
    assert run_scheduler(merci) == {}, "a restarted scheduler must not fire it again"

    with Session(merci.engine) as session:
        nudge = session.get(Nudge, nudge_id)
        queued = session.scalars(
            select(OutboxMessage).where(OutboxMessage.source_key == f"nudge:{nudge_id}")
        ).one()
    assert nudge.fired_at is not None and nudge.claimed_by
    assert "profil" in json.loads(queued.messages)[0]["text"]
    assert reminders_in_conversation(merci, "e2e-nudge-ana") == 1

    replies = merci.chat("e2e-nudge-ana").say("bonjour")
    assert "profil" in replies[0] and ("rappel" in replies[0] or "attend" in replies[0])


def test_two_schedulers_started_by_mistake_fire_each_nudge_once(merci):
    two_schedulers_fire_each_nudge_once(merci)


def two_schedulers_fire_each_nudge_once(merci) -> None:
    """Also run on PostgreSQL, on the scaled topology (tests/scaled/)."""
    senders = [f"e2e-nudge-twin-{i}" for i in range(4)]
    for sender in senders:
        due_nudge(merci, sender)

    first, second = scheduler(merci), scheduler(merci)
    outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    fired = sum(sum(ast.literal_eval(o.strip().splitlines()[-1]).values()) for o in outputs)

    assert fired == 4
    assert [reminders_in_conversation(merci, s) for s in senders] == [1, 1, 1, 1]


def test_stopping_the_form_with_contact_consent_plans_a_reminder(merci):
    sender = "e2e-nudge-leo"
    chat = merci.chat(sender)
    chat.say("bonjour")
    chat.say("je préfère être contacté par sms")
    chat.say("Oui")  # consent to keep personal data
    chat.say("compléter mon profil")
    chat.say("plus tard")
    with Session(merci.engine) as session:
        nudges = session.scalars(
            select(Nudge).join(Consumer).where(Consumer.sender_id == sender)
        ).all()
    assert len(nudges) == 1
    assert timedelta(hours=71) < nudges[0].due_at - utcnow() <= timedelta(hours=72)


def test_rasa_api_refuses_calls_without_the_token(merci):
    request = urllib.request.Request(
        f"{merci.url}/conversations/e2e-nudge-ana/trigger_intent",
        data=json.dumps({"name": "EXTERNAL_profile_reminder"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401
