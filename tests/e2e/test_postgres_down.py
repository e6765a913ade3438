"""PostgreSQL stopped mid-conversation: the consumer is told nothing was saved, and Merci
works again without a restart once the database is back."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.runner import serving
from bot.runtime.services_local import MissingPackage, PostgreSQL
from bot.runtime.services_local import postgresql as local_postgresql
from bot.storage.migrate import upgrade
from tests.e2e.conftest import MODEL, Conversation, Merci, free_port

pytestmark = pytest.mark.e2e
NOT_SAVED = "Rien n'a été enregistré"


@pytest.fixture
def postgresql() -> Iterator[PostgreSQL]:
    """A throwaway server from Debian's packages, on loopback, in a temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="merci-pg-"))
    directory.chmod(0o755)  # as root, PostgreSQL runs as postgres: it must get through
    try:
        with local_postgresql(directory / "postgresql") as server:
            yield server
    except MissingPackage as missing:
        pytest.fail(str(missing))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_postgresql_down_then_back_mid_conversation(postgresql, tmp_path):
    upgrade(postgresql.url)
    with serving(
        MODEL, database_url=postgresql.url, rasa_port=free_port(), action_port=free_port(),
        log_dir=tmp_path,
    ) as servers:  # fmt: skip
        chat = Conversation(Merci(servers.rasa_url, None, postgresql.url), "e2e-pg-down")
        assert chat.say("je veux compléter mon profil")[0].startswith("Acceptez-vous que nous")
        assert "prénom" in " ".join(chat.say("Oui"))

        postgresql.stop()
        replies = chat.say("Marie")
        assert any(NOT_SAVED in reply for reply in replies), replies

        postgresql.start()
        thanks, question = chat.say("Marie")
        assert "Marie" in thanks and "e-mail" in question
