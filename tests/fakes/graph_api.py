"""A stand-in for Meta's Graph API: a real HTTP server on loopback that records every
Send API request it receives, and can be told to fail the next ones."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Sent:
    path: str
    access_token: str | None
    body: dict[str, Any]

    @property
    def recipient(self) -> str:
        return str(self.body["recipient"]["id"])

    @property
    def message(self) -> dict[str, Any]:
        return dict(self.body["message"])

    @property
    def text(self) -> str:
        """The text the consumer reads (also inside a button template)."""
        message = self.message
        if "text" in message:
            return str(message["text"])
        payload = (message.get("attachment") or {}).get("payload") or {}
        return str(payload.get("text", ""))


class FakeGraphAPI:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.failures: list[int] = []  # statuses to answer next, before succeeding again
        self.attempts = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[FakeGraphAPI]:
        fake = cls()
        thread = threading.Thread(target=fake._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield fake
        finally:
            fake._server.shutdown()
            fake._server.server_close()

    def to(self, recipient: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.recipient == recipient]

    def wait_for(
        self, recipient: str, until: Callable[[list[Sent]], bool], timeout: float = 30
    ) -> list[Sent]:
        """The messages sent to ``recipient`` once ``until`` holds (they arrive in the
        background, after the webhook has answered)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.to(recipient)
            if until(sent):
                return sent
            time.sleep(0.1)
        raise AssertionError(f"{recipient} got {[s.message for s in self.to(recipient)]}")

    def quiet(self, recipient: str, seconds: float = 1.5) -> list[Sent]:
        """What ``recipient`` got once nothing more arrives for ``seconds``."""
        count = -1
        while count != len(self.to(recipient)):
            count = len(self.to(recipient))
            time.sleep(seconds)
        return self.to(recipient)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                url = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake._lock:
                    fake.attempts += 1
                    status = fake.failures.pop(0) if fake.failures else 200
                    if status == 200:
                        token = urllib.parse.parse_qs(url.query).get("access_token", [None])[0]
                        fake.sent.append(Sent(url.path, token, json.loads(body)))
                answer = json.dumps(
                    {"recipient_id": "x", "message_id": "m"} if status == 200 else {"error": {}}
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
