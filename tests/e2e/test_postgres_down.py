"""PostgreSQL stopped mid-conversation: the consumer is told nothing was saved, and Merci
works again without a restart once the database is back."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.runner import serving
from bot.storage.migrate import upgrade
from tests.e2e.conftest import MODEL, Conversation, Merci, free_port

pytestmark = pytest.mark.e2e
NOT_SAVED = "Rien n'a été enregistré"


class PostgreSQL:
    """A throwaway server from Debian's packages, on loopback, in a temporary directory."""

    def __init__(self, directory: Path, port: int) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            pytest.fail(
                "PostgreSQL is not installed: run `make pytest` as root or "
                "`sudo apt-get install postgresql` (binaries in /usr/lib/postgresql/*/bin)."
            )
        self.bin = Path(found[-1]).parent
        self.data, self.port = directory / "data", port
        self.url = f"postgresql+psycopg2://merci@127.0.0.1:{port}/merci"
        self.directory = directory

    def run(self, *command: str) -> None:
        # initdb and postgres refuse to run as root: as root, run them as postgres.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "merci", "--auth=trust")
        self.start()
        self.run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "merci",
            "merci",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.directory / "postgresql.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def postgresql() -> Iterator[PostgreSQL]:
    directory = Path(tempfile.mkdtemp(prefix="merci-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    server = PostgreSQL(directory, free_port())
    try:
        server.init()
        yield server
    finally:
        with contextlib.suppress(subprocess.SubprocessError):  # stopped, or never started
            server.stop()
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
