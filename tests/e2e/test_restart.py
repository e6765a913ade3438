"""Conversations live in the database: a restart of both servers loses nothing."""

from __future__ import annotations

import pytest

from bot.runtime.runner import serving
from bot.storage.migrate import upgrade
from tests.e2e.conftest import MODEL, Conversation, Merci, free_port

pytestmark = pytest.mark.e2e
NBSP = "\u00a0"


def test_a_form_in_progress_goes_on_after_a_restart(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(database_url)

    def start():
        return serving(
            MODEL, database_url=database_url, rasa_port=free_port(), action_port=free_port(),
            log_dir=tmp_path,
        )  # fmt: skip

    with start() as servers:
        chat = Conversation(Merci(servers.rasa_url, None, database_url), "e2e-restart")
        chat.say("je veux compléter mon profil")
        chat.say("Oui")
        thanks, question = chat.say("Marie")
        assert "e-mail" in question

    with start() as servers:
        chat = Conversation(Merci(servers.rasa_url, None, database_url), "e2e-restart")
        thanks, question = chat.say("marie@exemple.fr")
        assert "Marie" in thanks and f"25{NBSP}%" in thanks, "the form and its answers survived"
        assert "téléphone" in question
