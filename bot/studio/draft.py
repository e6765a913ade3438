"""The draft: the model being edited, served beside the one in service, for "Essayer".

"Préparer l'essai" trains a model from the project's files as they are saved (published or
not) and serves it on a Rasa server of the studio's own, on loopback. That server runs the
actions in-process and reads the wording and tables straight from the saved files, so a
saved thank-you is tried at once; its conversations, reviews and profiles go to a database
of its own, deleted when the studio stops: trying never touches a consumer's data, the
reports or the inbox. Consumers keep talking to the published model until "Publier".
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.runtime.release import project_sources
from bot.runtime.runner import (
    HOST,
    Launch,
    credentials_for,
    endpoints_for,
    rasa_server_command,
    server_environment,
    start,
    stop,
    wait_until_up,
)
from bot.runtime.services_local import free_port
from bot.storage.migrate import upgrade
from bot.studio import rasa_client
from bot.studio.publish import MODEL_NAME, Progress, Trainer
from bot.tools.content import ContentPaths, check_content

# What the model is trained from: a change here needs "Préparer l'essai" again. The tables
# (congratulations, freshness, products...) are read as saved, without training.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data/nlu", "data/rules", "data/stories")
# The environment variables that say where the content files are, by release key.
CONTENT_VARIABLES = {
    "domain": "MERCI_DOMAIN_PATH",
    "congratulations": "MERCI_CONGRATULATIONS_PATH",
    "freshness": "MERCI_FRESHNESS_PATH",
    "privacy": "MERCI_PRIVACY_PATH",
    "report": "MERCI_REPORT_PATH",
    "catalogue": "MERCI_CATALOGUE_PATH",
}
# Settings of the servers in service the draft server must not share.
NOT_SHARED = ("MERCI_CONTENT_RELEASE", "MERCI_REDIS_URL", "MERCI_ACTION_SERVER_URL")


def training_fingerprint(root: Path) -> str:
    """A digest of the files the model is trained from (names and bytes): equal digests,
    equal training data, whatever the files' times say."""
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                digest.update(f"{file.relative_to(root)}\0".encode())
                digest.update(file.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class DraftState:
    """What the "Essayer" page says about the draft."""

    ready: bool
    # The model was trained before the last saved change to what it is trained from.
    behind: bool
    trained_at: str


class Draft:
    """The draft model and its Rasa server; ``progress`` tells how its preparation goes.
    The server stops after ``idle_minutes`` without use (its conversations go with it);
    "Préparer l'essai" starts it again, retraining only if the training data changed."""

    def __init__(
        self, root: Path, trainer: Trainer, rest_token: str | None, idle_minutes: float = 30
    ) -> None:
        self.root = root
        self.trainer = trainer
        self.rest_token = rest_token
        self.idle_seconds = idle_minutes * 60
        self.directory = root / "var" / "studio-draft"
        self.progress = Progress()
        self.token = secrets.token_urlsafe(24)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.last_used = time.monotonic()
        self._lock = threading.Lock()
        # Set when the studio stops: a preparation still running starts no server.
        self.closed = False

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def model(self) -> Path:
        return self.directory / MODEL_NAME

    @property
    def fingerprint_file(self) -> Path:
        return self.directory / "merci.fingerprint"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.directory / 'essai.db'}"

    def model_fingerprint(self) -> str | None:
        """The fingerprint of the data the draft model was trained from (None: no model)."""
        if not self.model.exists() or not self.fingerprint_file.exists():
            return None
        return self.fingerprint_file.read_text(encoding="utf-8").strip()

    def up_to_date_model(self) -> Path | None:
        """The draft model, when it was trained from the training data as saved now."""
        fingerprint = self.model_fingerprint()
        return self.model if fingerprint == training_fingerprint(self.root) else None

    def state(self) -> DraftState:
        ready = self.running() and self.model_fingerprint() is not None
        return DraftState(
            ready=ready,
            behind=ready and self.up_to_date_model() is None,
            trained_at=datetime.fromtimestamp(self.model.stat().st_mtime).strftime("%H:%M")
            if ready
            else "",
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> bool:
        """Prepare the draft in the background; False when a preparation is running."""
        with self._lock:
            if self.progress.running:
                return False
            self.progress = Progress(
                step="Vérification du contenu", running=True, started=time.monotonic()
            )
        self.last_used = time.monotonic()
        threading.Thread(target=self._prepare, daemon=True).start()
        return True

    def _prepare(self) -> None:
        progress = self.progress
        try:
            paths = ContentPaths.under(self.root)
            progress.problems = [p.render(self.root) for p in check_content(paths)]
            if progress.problems:
                progress.error = "Le contenu a des erreurs : corrigez-les avant d'essayer."
                progress.succeeded = False
                return
            if self.up_to_date_model() is None:
                self._train(progress)
            progress.step, progress.percent = "Démarrage de l'essai", 92
            self._serve()
            progress.succeeded, progress.percent, progress.step = True, 100, "Essai prêt"
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            progress.error = f"L'essai n'a pas pu être préparé : {error}."
            progress.succeeded = False
        finally:
            progress.seconds = time.monotonic() - progress.started
            progress.running = False

    def _train(self, progress: Progress) -> None:
        fingerprint = training_fingerprint(self.root)
        progress.step, progress.percent = "Entraînement du modèle d'essai", 5
        with self.trainer.trained(progress, done_percent=90) as trained:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.fingerprint_file.unlink(missing_ok=True)
            os.replace(trained, self.model)
            self.fingerprint_file.write_text(fingerprint, encoding="utf-8")

    def _serve(self) -> None:
        """Load the draft model into its server, started first if it is not running."""
        if self.running():
            rasa_client.load_model(self.url, self.token, self.model)
            return
        self.stop()
        if self.closed:
            raise RuntimeError("le studio s'arrête")
        upgrade(self.database_url)
        self.port = free_port()
        env = self._environment()
        endpoints = endpoints_for(free_port(), self.directory, env)
        credentials, _ = credentials_for(env, self.directory)
        command = rasa_server_command(
            self.port, self.model, endpoints, self.token, credentials, interface=HOST
        )
        self.process = start(Launch("rasa-essai", command, env), self.directory)
        if self.closed:  # closed while it started: never left running alone
            self.stop()
            raise RuntimeError("le studio s'arrête")
        wait_until_up(f"{self.url}/", self.process)
        self.last_used = time.monotonic()
        threading.Thread(target=self._stop_when_idle, args=(self.process,), daemon=True).start()

    def _stop_when_idle(self, process: subprocess.Popen[bytes]) -> None:
        while self.process is process and process.poll() is None:
            time.sleep(min(30.0, self.idle_seconds / 4))
            if self.process is process and time.monotonic() - self.last_used > self.idle_seconds:
                self.stop()

    def _environment(self) -> dict[str, str]:
        env = server_environment(self.database_url)
        for name in [*NOT_SHARED, *(n for n in env if n.startswith("MESSENGER_"))]:
            env.pop(name, None)
        for key, path in project_sources(self.root).items():
            env[CONTENT_VARIABLES[key]] = str(path)
        env.update(
            MERCI_ACTIONS="in-process",
            RASA_API_TOKEN=self.token,
            MERCI_RASA_URL=self.url,
            MERCI_HOST=HOST,
            SANIC_HOST=HOST,
        )
        return env

    def say(self, sender: str, text: str) -> list[dict[str, object]]:
        self.last_used = time.monotonic()
        return rasa_client.say(self.url, sender, text, self.rest_token)

    def close(self) -> None:
        """The studio stops: the draft server with it, and none started after."""
        self.closed = True
        self.stop()

    def stop(self) -> None:
        """Stop the draft server and delete its conversations (the model stays)."""
        process, self.process = self.process, None
        if process is not None:
            stop([process])
        for name in ("essai.db", "essai.db-wal", "essai.db-shm"):
            (self.directory / name).unlink(missing_ok=True)
