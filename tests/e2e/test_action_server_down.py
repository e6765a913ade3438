"""The action server down mid-conversation: the consumer gets an apology within 3 s, and
the form goes on once it is back."""

from __future__ import annotations

import signal
import time

import pytest

from bot.runtime.runner import (
    Launch,
    action_server_command,
    server_environment,
    serving,
    start,
    wait_until_up,
)
from bot.storage.migrate import upgrade
from tests.e2e.conftest import MODEL, Conversation, Merci, free_port

pytestmark = pytest.mark.e2e
APOLOGY = "Désolé, je n'arrive pas à traiter votre demande pour le moment."


def test_an_apology_within_3_s_when_the_action_server_is_down_then_the_form_goes_on(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(database_url)
    action_port = free_port()
    with serving(
        MODEL, database_url=database_url, rasa_port=free_port(), action_port=action_port,
        log_dir=tmp_path,
    ) as servers:  # fmt: skip
        chat = Conversation(Merci(servers.rasa_url, None, database_url), "e2e-actions-down")
        assert chat.say("je veux compléter mon profil")[0].startswith("Acceptez-vous que nous")
        assert "prénom" in " ".join(chat.say("Oui"))
        actions = servers.processes[0]
        actions.send_signal(signal.SIGTERM)
        actions.wait(timeout=30)

        asked = time.monotonic()
        replies = chat.say("Marie")
        assert time.monotonic() - asked < 3
        assert any(APOLOGY in reply for reply in replies), replies

        env = server_environment(database_url)
        restarted = start(Launch("actions", action_server_command(action_port), env), tmp_path)
        try:
            wait_until_up(f"{servers.action_url}/health", restarted)
            thanks, question = chat.say("Marie")
            assert "Marie" in thanks and "e-mail" in question, "the form goes on"
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(timeout=30)
