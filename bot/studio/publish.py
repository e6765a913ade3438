"""Publishing: check every content file (``make check``'s checks), train, load the new model
into the running Rasa server, and record the change in git. A failed step changes nothing
that is running: the model in service stays the one before."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.studio import history, rasa_client
from bot.tools.content import ContentPaths, check_content
from bot.tools.content.rasa_validate import rasa_validate

# Until a first training was timed, the progress bar assumes this long.
EXPECTED_TRAINING_SECONDS = 60.0
MODEL_NAME = "merci.tar.gz"


@dataclass
class Progress:
    """What the publish page shows, polled while a publish runs."""

    step: str = ""
    percent: int = 0
    running: bool = False
    succeeded: bool | None = None
    problems: list[str] = field(default_factory=list)
    error: str = ""
    started: float = 0.0
    seconds: float = 0.0
    commit: str = ""


@dataclass(frozen=True)
class Target:
    """Where a publish goes: the project, and the Rasa server that serves it."""

    root: Path
    rasa_url: str
    rasa_token: str | None


def content_problems(root: Path) -> list[str]:
    """Every problem ``make check`` would print (Merci's own checks, then Rasa's)."""
    problems = [p.render(root) for p in check_content(ContentPaths.under(root))]
    if problems:
        return problems
    verdict = rasa_validate(root)
    return [f"rasa data validate : {finding}" for finding in verdict.findings]


def train_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "rasa", "train", "--fixed-model-name", "merci", "--out", str(out)]


class Publisher:
    """One publish at a time, in a background thread; ``progress`` tells how it goes."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.progress = Progress()
        self.expected_training = EXPECTED_TRAINING_SECONDS
        self._lock = threading.Lock()

    def start(self, user: str) -> bool:
        """Start a publish for ``user``; False when one is already running."""
        with self._lock:
            if self.progress.running:
                return False
            self.progress = Progress(
                step="Vérification du contenu", running=True, started=time.monotonic()
            )
        threading.Thread(target=self._publish, args=(user,), daemon=True).start()
        return True

    def _publish(self, user: str) -> None:
        progress = self.progress
        try:
            progress.problems = content_problems(self.target.root)
            if progress.problems:
                progress.error = "Le contenu a des erreurs : rien n'a été publié."
                progress.succeeded = False
                return
            progress.step, progress.percent = "Entraînement du modèle", 5
            model = self._train(progress)
            progress.step, progress.percent = "Chargement dans Merci", 96
            rasa_client.load_model(self.target.rasa_url, self.target.rasa_token, model)
            progress.step, progress.percent = "Enregistrement de la version", 99
            progress.commit = history.commit(self.target.root, user)
            progress.succeeded = True
            progress.percent = 100
            progress.step = "Publié"
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            progress.error = (
                f"La publication a échoué : {error}. Rien n'a changé pour les consommateurs."
            )
            progress.succeeded = False
        finally:
            progress.seconds = time.monotonic() - progress.started
            progress.running = False

    def _train(self, progress: Progress) -> Path:
        """Train into a scratch folder; on success the model replaces models/merci.tar.gz."""
        models = self.target.root / "models"
        models.mkdir(exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".studio-train-", dir=models))
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
        started = time.monotonic()
        try:
            with open(scratch / "train.log", "wb") as log:
                process = subprocess.Popen(
                    train_command(scratch),
                    cwd=self.target.root,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                while process.poll() is None:
                    elapsed = time.monotonic() - started
                    progress.percent = min(95, 5 + int(90 * elapsed / self.expected_training))
                    time.sleep(0.5)
            trained = scratch / MODEL_NAME
            if process.returncode != 0 or not trained.exists():
                raise RuntimeError(f"l'entraînement s'est arrêté (code {process.returncode})")
            self.expected_training = time.monotonic() - started
            model = models / MODEL_NAME
            os.replace(trained, model)
            return model
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
