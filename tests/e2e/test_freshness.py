"""Keeping data current: a consumer with an old e-mail is asked once, at the greeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Consumer, ProfileField, utcnow

pytestmark = pytest.mark.e2e
NNBSP = "\u202f"


def seed(merci, sender: str, **values: tuple[str, int]) -> None:
    """A REST consumer whose fields were entered the given number of months ago."""
    now = utcnow()
    with Session(merci.engine) as session, session.begin():
        consumer = Consumer(channel="rest", sender_id=sender, created_at=now)
        session.add(consumer)
        session.flush()
        for field, (value, months) in values.items():
            session.add(
                ProfileField(
                    consumer_id=consumer.id,
                    field=field,
                    value=value,
                    source="chat",
                    updated_at=now - timedelta(days=31 * months),
                )
            )


def field_row(merci, sender: str, field: str) -> ProfileField:
    with Session(merci.engine) as session:
        return session.scalars(
            select(ProfileField)
            .join(Consumer, Consumer.id == ProfileField.consumer_id)
            .where(Consumer.sender_id == sender, ProfileField.field == field)
        ).one()


def test_an_email_25_months_old_is_checked_once_and_confirmed(merci):
    seed(merci, "e2e-fresh-marie", first_name=("Marie", 3), email=("marie@exemple.fr", 25))
    chat = merci.chat("e2e-fresh-marie")

    (question,) = chat.say("bonjour")
    # A REST sender id proves nothing: the value is masked (see the test at the end).
    assert "m•••@exemple.fr" in question and question.endswith(f"{NNBSP}?")
    assert "adresse e-mail" in question

    (thanks,) = chat.say("oui")
    assert "Merci" in thanks and "vérifi" in thanks
    assert field_row(merci, "e2e-fresh-marie", "email").confirmed_at is not None

    again = chat.say("bonjour")
    assert not any("@exemple.fr" in reply for reply in again), "asked twice in a conversation"

    chat.say("/session_start")
    next_conversation = chat.say("bonjour")
    assert not any("@exemple.fr" in r for r in next_conversation), "asked again next time"


def test_a_changed_value_is_asked_validated_and_saved(merci):
    seed(merci, "e2e-fresh-paul", first_name=("Paul", 2), phone=("+33612345678", 30))
    chat = merci.chat("e2e-fresh-paul")

    (question,) = chat.say("salut")
    assert "06 •• •• •• 78" in question

    (ask,) = chat.say("non")
    assert "nouveau numéro" in ask

    error, ask_again = chat.say("07 12")
    assert "ne semble pas valide" in error and "nouveau numéro" in ask_again
    assert field_row(merci, "e2e-fresh-paul", "phone").value == "+33612345678"

    (thanks,) = chat.say("07 61 23 45 67")
    assert "Paul" in thanks or "Merci" in thanks
    assert field_row(merci, "e2e-fresh-paul", "phone").value == "+33761234567"


def test_later_is_respected(merci):
    seed(merci, "e2e-fresh-lea", interests=("cuisine", 8))
    chat = merci.chat("e2e-fresh-lea")
    (question,) = chat.say("bonjour")
    assert "C•••" in question
    (answer,) = chat.say("plus tard")
    assert "souci" in answer or "Entendu" in answer
    assert field_row(merci, "e2e-fresh-lea", "interests").confirmed_at is None
    assert not any("C•••" in r for r in chat.say("bonjour"))


def test_a_sender_id_is_not_a_password_the_stored_email_is_only_hinted_at(merci):
    """Whoever posts to REST with Marie's sender id is asked about her e-mail, masked."""
    seed(merci, "e2e-fresh-guessed", email=("marie.durand@exemple.fr", 25))
    chat = merci.chat("e2e-fresh-guessed")

    replies = chat.say("bonjour")
    assert replies == [f"Votre adresse e-mail est-elle toujours m•••@exemple.fr{NNBSP}?"]

    replies += chat.say("non")
    replies += chat.say("bonjour")
    assert not any("marie.durand" in reply for reply in replies)
