"""`python -m bot run` restarts a server that died, and stops every child on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.storage.migrate import upgrade
from tests.e2e.conftest import MODEL, Conversation, Merci, free_port

pytestmark = pytest.mark.e2e


def children(runner: subprocess.Popen, pattern: str) -> list[int]:
    """The runner's own children whose command line matches ``pattern``."""
    found = subprocess.run(
        ["pgrep", "-P", str(runner.pid), "-f", pattern], capture_output=True, text=True
    )
    return [int(pid) for pid in found.stdout.split()]


def answers(url: str, sender: str) -> bool:
    try:
        return bool(Conversation(Merci(url, None, ""), sender).say("bonjour"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def studio_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout:.0f} s")


def start_runner(
    tmp_path: Path, rasa_port: int, action_port: int, studio_port: int | None = None
) -> subprocess.Popen:
    database_url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(database_url)
    env = {
        **os.environ,
        "MERCI_STUDIO_PORT": str(studio_port or free_port()),
        "DATABASE_URL": database_url,
        "MERCI_LOG_DIR": str(tmp_path),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    command = [sys.executable, "-m", "bot", "run", "--model", str(MODEL)]
    command += ["--port", str(rasa_port), "--action-port", str(action_port)]
    with open(tmp_path / "runner.out", "wb") as out:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def test_a_killed_action_server_is_restarted_and_merci_answers_again(tmp_path):
    rasa_port, action_port, studio_port = free_port(), free_port(), free_port()
    url = f"http://127.0.0.1:{rasa_port}"
    runner = start_runner(tmp_path, rasa_port, action_port, studio_port)
    try:
        wait_for(lambda: answers(url, "e2e-supervised-1"), 240, "Merci did not answer")
        studio = f"http://127.0.0.1:{studio_port}/"
        wait_for(lambda: studio_answers(f"{studio}connexion"), 60, "the studio did not answer")
        assert f"Merci Studio, for marketers: {studio}" in (tmp_path / "runner.out").read_text()
        (action_server,) = children(runner, "run actions")

        os.kill(action_server, signal.SIGKILL)
        wait_for(
            lambda: children(runner, "run actions") not in ([], [action_server]),
            30,
            "the action server was not restarted",
        )
        wait_for(lambda: answers(url, "e2e-supervised-2"), 120, "Merci did not answer again")
        assert runner.poll() is None, "the runner must outlive its children"
        output = (tmp_path / "runner.out").read_text(errors="replace")
        assert output.count("The action server exited") == 1, output
        servers = children(runner, "")
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.wait(timeout=60)
    assert runner.returncode == 0
    assert len(servers) == 4, "the action server, the Rasa server, the scheduler, the studio"
    assert not [pid for pid in servers if Path(f"/proc/{pid}").exists()], "SIGTERM stops them all"
