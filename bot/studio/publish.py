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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from sqlalchemy.engine import Engine

from bot.runtime.release import project_sources, release_link, write_release
from bot.storage.studio_queries import FileChange
from bot.storage.unit_of_work import StorageError
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
    """Where a publish goes: the project, and the Rasa servers that serve it."""

    root: Path
    rasa_urls: tuple[str, ...]
    rasa_token: str | None
    # The studio's database: its audit log tells the studio's edits from hand edits.
    engine: Engine | None = None


def content_problems(root: Path) -> list[str]:
    """Every problem ``make check`` would print (Merci's own checks, then Rasa's)."""
    problems = [p.render(root) for p in check_content(ContentPaths.under(root))]
    if problems:
        return problems
    verdict = rasa_validate(root)
    return [f"rasa data validate : {finding}" for finding in verdict.findings]


def train_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "rasa", "train", "--fixed-model-name", "merci", "--out", str(out)]


class HalfPublished(RuntimeError):
    """A server refused the new model and another could not take the old one back."""


class Trainer:
    """Trains a model from the project's files as they are saved, one training at a time:
    publishing and preparing "Essayer" share the machine and Rasa's training cache."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.expected_seconds = EXPECTED_TRAINING_SECONDS
        self._lock = threading.Lock()

    @contextmanager
    def trained(
        self,
        progress: Progress,
        done_percent: int = 95,
        ready: Callable[[], Path | None] | None = None,
    ) -> Iterator[Path]:
        """Train into a scratch folder, moving ``progress`` from its percent to
        ``done_percent``; the model, removed with its folder on exit. When ``ready`` gives a
        model already trained from the same data, a copy of it, without training."""
        if not self._lock.acquire(blocking=False):
            step = progress.step
            progress.step = "En attente de l'autre entraînement en cours"
            self._lock.acquire()
            progress.step = step
        models = self.root / "models"
        models.mkdir(exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".studio-train-", dir=models))
        try:
            already = ready() if ready else None
            if already is None:
                yield self._train(progress, scratch, done_percent)
            else:
                progress.step = "Modèle d'essai repris : il est entraîné sur ce même contenu"
                shutil.copyfile(already, scratch / MODEL_NAME)
                progress.percent = done_percent
                yield scratch / MODEL_NAME
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            self._lock.release()

    def _train(self, progress: Progress, scratch: Path, done_percent: int) -> Path:
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
        started, first = time.monotonic(), progress.percent
        with open(scratch / "train.log", "wb") as log:
            process = subprocess.Popen(
                train_command(scratch), cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            while process.poll() is None:
                share = (time.monotonic() - started) / self.expected_seconds
                progress.percent = min(done_percent, first + int((done_percent - first) * share))
                time.sleep(0.5)
        trained = scratch / MODEL_NAME
        if process.returncode != 0 or not trained.exists():
            raise RuntimeError(f"l'entraînement s'est arrêté (code {process.returncode})")
        self.expected_seconds = time.monotonic() - started
        return trained


class Publisher:
    """One publish at a time, in a background thread; ``progress`` tells how it goes."""

    def __init__(
        self, target: Target, trainer: Trainer, ready: Callable[[], Path | None] | None = None
    ) -> None:
        self.target = target
        self.trainer = trainer
        # A model already trained from the content as saved (the draft's), used as it is.
        self.ready = ready
        self.progress = Progress()
        self._lock = threading.Lock()

    def start(self, user: str, summary: str = "") -> bool:
        """Start a publish for ``user``; False when one is already running."""
        with self._lock:
            if self.progress.running:
                return False
            self.progress = Progress(
                step="Vérification du contenu", running=True, started=time.monotonic()
            )
        threading.Thread(target=self._publish, args=(user, summary), daemon=True).start()
        return True

    def _publish(self, user: str, summary: str) -> None:
        progress = self.progress
        try:
            progress.problems = content_problems(self.target.root)
            if progress.problems:
                progress.error = "Le contenu a des erreurs : rien n'a été publié."
                progress.succeeded = False
                return
            changes = self._studio_changes()
            progress.step, progress.percent = "Entraînement du modèle", 5
            with self.trainer.trained(progress, ready=self.ready) as trained:
                progress.step, progress.percent = "Chargement dans Merci", 96
                self._put_in_service(trained)
            progress.step, progress.percent = "Enregistrement de la version", 99
            progress.commit = history.commit(self.target.root, user, changes, summary)
            progress.succeeded = True
            progress.percent = 100
            progress.step = "Publié"
        except HalfPublished as error:
            progress.error = (
                f"La publication a échoué : {error}. Les serveurs ne répondent plus tous avec "
                "la même version : publiez à nouveau."
            )
            progress.succeeded = False
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            progress.error = (
                f"La publication a échoué : {error}. Rien n'a changé pour les consommateurs."
            )
            progress.succeeded = False
        finally:
            progress.seconds = time.monotonic() - progress.started
            progress.running = False

    def _studio_changes(self) -> list[FileChange] | None:
        """The studio's own edits since the last publish (None: no audit log to read)."""
        if self.target.engine is None:
            return None
        try:
            return history.studio_changes(self.target.root, self.target.engine)
        except StorageError as error:
            raise RuntimeError("la base de données du studio ne répond pas") from error

    def _put_in_service(self, trained: Path) -> None:
        """``trained`` becomes models/merci.tar.gz, loaded by every Rasa server, and the
        files it was trained from become its release (the wording and tables the servers
        read). If one server refuses it, the model in service stays, file included, and the
        servers that had loaded the new one load it again."""
        model = self.target.root / "models" / MODEL_NAME
        previous = model.with_name(f"previous-{MODEL_NAME}")
        had_model = model.exists()
        if had_model:
            os.replace(model, previous)
        os.replace(trained, model)
        loaded: list[str] = []
        try:
            for url in self.target.rasa_urls:
                rasa_client.load_model(url, self.target.rasa_token, model)
                loaded.append(url)
        except rasa_client.RasaUnreachable as error:
            self._roll_back(model, previous, had_model, loaded, error)
        write_release(release_link(model), project_sources(self.target.root))

    def _roll_back(
        self,
        model: Path,
        previous: Path,
        had_model: bool,
        loaded: list[str],
        error: rasa_client.RasaUnreachable,
    ) -> NoReturn:
        """Put the model in service back everywhere, and say what happened."""
        failed = self.target.rasa_urls[len(loaded)]
        said = f"le serveur {failed} n'a pas chargé le nouveau modèle ({error})"
        if had_model:
            os.replace(previous, model)
        for url in loaded:
            try:
                if not had_model:
                    raise rasa_client.RasaUnreachable("aucun modèle précédent")
                rasa_client.load_model(url, self.target.rasa_token, model)
            except rasa_client.RasaUnreachable as stuck:
                raise HalfPublished(f"{said} ; {url} garde le nouveau ({stuck})") from error
        raise RuntimeError(said) from error
