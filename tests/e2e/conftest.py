"""Start the real action server and Rasa server on loopback, on a fresh SQLite database."""

from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT
from bot.runtime.runner import serving
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from tests.fakes.graph_api import FakeGraphAPI

MODEL = PROJECT_ROOT / "models" / "merci.tar.gz"
BRAND_SECRET = "e2e-brand-secret"
API_TOKEN = "e2e-api-token"
WIDGET_SECRET = "e2e-widget-secret-at-least-32-bytes"
MESSENGER_SECRET = "e2e-messenger-app-secret"
MESSENGER_VERIFY_TOKEN = "e2e-messenger-verify-token"
MESSENGER_PAGE_TOKEN = "e2e-messenger-page-token"
# The brand's settings every e2e server runs with (the greeting, a request for a person).
BRAND_NAME = "Maison Lumière"
CONTACT = {
    "MERCI_BRAND_NAME": BRAND_NAME,
    "MERCI_CONTACT_URL": "https://www.maison-lumiere.example/contact",
    "MERCI_CONTACT_PHONE": "01 23 45 67 89",
    "MERCI_CONTACT_HOURS": "du lundi au vendredi, de 9 h à 18 h",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Merci:
    """The running bot: talk to it over REST, look at its database."""

    url: str
    engine: Engine
    database_url: str

    def chat(self, sender: str) -> Conversation:
        return Conversation(self, sender)

    def trigger_intent(self, sender: str, intent: str) -> dict:
        """What the nudge scheduler does: Rasa's token-protected trigger_intent API."""
        query = urllib.parse.urlencode({"output_channel": "latest", "token": API_TOKEN})
        request = urllib.request.Request(
            f"{self.url}/conversations/{urllib.parse.quote(sender, safe='')}/trigger_intent?{query}",
            data=json.dumps({"name": intent, "entities": {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def tracker(self, sender: str) -> dict:
        """The conversation as Rasa's token-protected HTTP API shows it to a brand's inbox."""
        query = urllib.parse.urlencode({"token": API_TOKEN})
        url = f"{self.url}/conversations/{urllib.parse.quote(sender, safe='')}/tracker?{query}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())


@contextmanager
def merci_running(workdir: Path, extra_env: dict[str, str]) -> Iterator[Merci]:
    """Both servers on loopback over a fresh SQLite database in ``workdir``."""
    database_url = f"sqlite:///{workdir / 'merci.db'}"
    upgrade(database_url)
    with serving(
        MODEL,
        database_url=database_url,
        rasa_port=free_port(),
        action_port=free_port(),
        log_dir=workdir,
        extra_env={**CONTACT, **extra_env},
        api_token=API_TOKEN,
    ) as servers:
        yield Merci(servers.rasa_url, build_engine(database_url), database_url)


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
def graph_api() -> Iterator[FakeGraphAPI]:
    """Meta's Graph API, faked on loopback: the Messenger channel sends its replies here."""
    with FakeGraphAPI.running() as fake:
        yield fake


@pytest.fixture(scope="session")
def merci(tmp_path_factory: pytest.TempPathFactory, graph_api: FakeGraphAPI) -> Iterator[Merci]:
    if not MODEL.exists():
        pytest.fail("models/merci.tar.gz is missing: run the tests with `make test`")
    workdir = tmp_path_factory.mktemp("merci")
    try:
        with merci_running(
            workdir,
            {
                "BRAND_EVENTS_SECRET": BRAND_SECRET,
                "WIDGET_IDENTITY_SECRET": WIDGET_SECRET,
                "MESSENGER_APP_SECRET": MESSENGER_SECRET,
                "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY_TOKEN,
                "MESSENGER_PAGE_ACCESS_TOKEN": MESSENGER_PAGE_TOKEN,
                "MESSENGER_GRAPH_API_URL": graph_api.url,
            },
        ) as running:
            yield running
    except RuntimeError as error:
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in workdir.glob("*.log"))
        pytest.fail(f"{error}\n{logs}")
