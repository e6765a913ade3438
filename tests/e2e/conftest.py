"""Start the real action server and Rasa server on loopback, on a fresh SQLite database."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT
from bot.db import build_engine
from bot.migrate import upgrade
from bot.runner import (
    action_server_command,
    rasa_server_command,
    server_environment,
    stop,
    wait_until_up,
)

MODEL = PROJECT_ROOT / "models" / "merci.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Merci:
    """The running bot: talk to it over REST, look at its database."""

    url: str
    engine: Engine

    def chat(self, sender: str) -> Conversation:
        return Conversation(self, sender)


@dataclass
class Conversation:
    merci: Merci
    sender: str

    def say(self, text: str) -> list[str]:
        """Send one message, return the bot's text replies."""
        return [m.get("text", "") for m in self.say_full(text)]

    def say_full(self, text: str) -> list[dict]:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{self.merci.url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="session")
def merci(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Merci]:
    if not MODEL.exists():
        pytest.fail("models/merci.tar.gz is missing: run the tests with `make test`")
    workdir = tmp_path_factory.mktemp("merci")
    database_url = f"sqlite:///{workdir / 'merci.db'}"
    upgrade(database_url)
    rasa_port, action_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        (PROJECT_ROOT / "endpoints.yml")
        .read_text()
        .replace("127.0.0.1:5055", f"127.0.0.1:{action_port}")
    )
    env = server_environment()
    env["DATABASE_URL"] = database_url
    logs = {name: open(workdir / f"{name}.log", "wb") for name in ("actions", "rasa")}
    actions = subprocess.Popen(
        action_server_command(action_port), cwd=PROJECT_ROOT, env=env,
        stdout=logs["actions"], stderr=subprocess.STDOUT,
    )  # fmt: skip
    rasa = subprocess.Popen(
        rasa_server_command(rasa_port, MODEL, endpoints), cwd=PROJECT_ROOT, env=env,
        stdout=logs["rasa"], stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", actions)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", rasa)
        yield Merci(f"http://127.0.0.1:{rasa_port}", build_engine(database_url))
    except RuntimeError as error:
        tail = "\n".join(
            (workdir / f"{name}.log").read_text(errors="replace")[-3000:] for name in logs
        )
        pytest.fail(f"{error}\n{tail}")
    finally:
        stop([rasa, actions])
        for handle in logs.values():
            handle.close()


