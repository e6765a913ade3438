"""MERCI_ACTIONS=in-process: the Rasa server runs the custom actions itself, over the same
REST conversations, so they go on even with the action server stopped."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.runtime.runner import serving
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Consumer, ProfileField, Review
from tests.e2e.conftest import MODEL, Conversation, Merci, free_port

pytestmark = pytest.mark.e2e
NNBSP = "\u202f"


def test_forms_and_saved_answers_work_without_the_action_server(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(database_url)
    engine = build_engine(database_url)
    with serving(
        MODEL, database_url=database_url, rasa_port=free_port(), action_port=free_port(),
        log_dir=tmp_path, extra_env={"MERCI_ACTIONS": "in-process"},
    ) as servers:  # fmt: skip
        actions = servers.processes[0]
        actions.send_signal(signal.SIGTERM)
        actions.wait(timeout=30)
        chat = Conversation(Merci(servers.rasa_url, engine, database_url), "e2e-in-process")

        assert chat.say("je veux compléter mon profil")[0].startswith("Acceptez-vous que nous")
        assert "Comment souhaitez-vous que je vous appelle" in chat.say("Oui")[0]
        thanks, question = chat.say("Marie")
        assert thanks.startswith("Merci Marie") and question.startswith("Quelle est votre adresse")
        error, _ = chat.say("marie@")  # the form's validation refuses it, as over HTTP
        assert "ne semble pas valide" in error
        chat.say("plus tard")

        assert "Quel produit" in chat.say("je veux laisser un avis")[0]
        chat.say("Crème hydratante")
        assert "Qu'en avez-vous pensé" in chat.say("5")[0]
        (thanks,) = chat.say("Excellente crème, très douce")
        assert "premier avis" in thanks and "5 étoiles" in thanks

    with Session(engine) as session:
        consumer = session.scalars(
            select(Consumer).where(Consumer.sender_id == "e2e-in-process")
        ).one()
        fields = dict(
            session.execute(
                select(ProfileField.field, ProfileField.value).where(
                    ProfileField.consumer_id == consumer.id
                )
            ).all()
        )
        reviews = session.scalars(select(Review).where(Review.consumer_id == consumer.id)).all()
    engine.dispose()
    assert fields.get("first_name") == "Marie" and "email" not in fields
    assert [(r.rating, r.product, r.text) for r in reviews] == [
        (5, "Crème de jour", "Excellente crème, très douce")
    ]
