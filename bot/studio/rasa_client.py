"""The running Rasa server, over HTTP: load a model, say something (no Rasa import)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


class RasaUnreachable(RuntimeError):
    """The Rasa server did not do what was asked; the message says what happened."""


def _call(request: urllib.request.Request, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        raise RasaUnreachable(f"le serveur Rasa a répondu {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise RasaUnreachable("le serveur Rasa ne répond pas") from error


def load_model(rasa_url: str, token: str | None, model: Path, timeout: float = 300) -> None:
    """Replace the model of the running server (``PUT /model``): no restart, no lost turn."""
    query = f"?{urllib.parse.urlencode({'token': token})}" if token else ""
    request = urllib.request.Request(
        f"{rasa_url}/model{query}",
        data=json.dumps({"model_file": str(model)}).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    _call(request, timeout)


def say(
    rasa_url: str, sender: str, text: str, rest_token: str | None = None, timeout: float = 30
) -> list[dict[str, Any]]:
    """Send ``text`` over the REST channel as ``sender``; the bot's messages."""
    headers = {"Content-Type": "application/json"}
    if rest_token:
        headers["Authorization"] = f"Bearer {rest_token}"
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers=headers,
    )
    answer = json.loads(_call(request, timeout))
    return answer if isinstance(answer, list) else []
