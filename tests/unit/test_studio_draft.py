"""The draft "Essayer" talks to: what it is trained from, and what its server may reach."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.studio.draft import Draft, training_fingerprint
from bot.studio.publish import Trainer


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copy2(PROJECT_ROOT / name, root / name)
    return root


def touch_later(path: Path) -> None:
    """Save ``path`` again, later than anything else."""
    later = time.time_ns() + 10_000_000_000
    os.utime(path, ns=(later, later))


def test_a_saved_example_or_response_puts_the_draft_behind_but_a_table_does_not(project: Path):
    trained = training_fingerprint(project)
    (project / "data" / "congratulations.yml").write_text("# réécrit\n", encoding="utf-8")
    touch_later(project / "data" / "freshness.yml")
    # The tables are read as saved by the draft server: no training needed.
    assert training_fingerprint(project) == trained
    # Saved again unchanged: still the same training data.
    touch_later(project / "domain.yml")
    assert training_fingerprint(project) == trained
    reviews = project / "data" / "nlu" / "reviews.yml"
    reviews.write_text(reviews.read_text(encoding="utf-8") + "    - un exemple de plus\n")
    assert training_fingerprint(project) != trained


def test_an_nlu_file_removed_since_the_draft_was_trained_puts_it_behind(project: Path):
    trained = training_fingerprint(project)
    next(iter(sorted((project / "data" / "nlu").glob("*.yml")))).unlink()
    assert training_fingerprint(project) != trained


def test_publishing_reuses_the_draft_model_only_while_it_matches_the_saved_content(
    project: Path,
):
    draft = Draft(project, Trainer(project), rest_token=None)
    assert draft.up_to_date_model() is None
    draft.directory.mkdir(parents=True)
    draft.model.write_bytes(b"a model")
    draft.fingerprint_file.write_text(training_fingerprint(project), encoding="utf-8")
    assert draft.up_to_date_model() == draft.model
    rules = next(iter(sorted((project / "data" / "rules").glob("*.yml"))))
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# une règle de plus\n")
    assert draft.up_to_date_model() is None


def test_the_draft_server_reads_the_saved_files_runs_its_actions_itself_and_stays_on_loopback(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MERCI_CONTENT_RELEASE", "/somewhere/models/merci.content")
    monkeypatch.setenv("MERCI_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("MESSENGER_PAGE_ACCESS_TOKEN", "page-token")
    monkeypatch.setenv("DATABASE_URL", "postgresql://merci@127.0.0.1/consumers")
    draft = Draft(project, Trainer(project), rest_token=None)
    env = draft._environment()
    assert env["MERCI_DOMAIN_PATH"] == str(project / "domain.yml")
    assert env["MERCI_CONGRATULATIONS_PATH"] == str(project / "data" / "congratulations.yml")
    assert "MERCI_CONTENT_RELEASE" not in env
    # Its conversations and whatever they save never reach the consumers' database.
    assert env["DATABASE_URL"] == draft.database_url
    assert draft.database_url.startswith(f"sqlite:///{project / 'var' / 'studio-draft'}")
    assert env["MERCI_ACTIONS"] == "in-process"
    assert env["MERCI_HOST"] == "127.0.0.1"
    assert "MERCI_REDIS_URL" not in env and "MESSENGER_PAGE_ACCESS_TOKEN" not in env


def test_once_the_studio_stops_a_preparation_still_running_starts_no_draft_server(
    project: Path,
):
    draft = Draft(project, Trainer(project), rest_token=None)
    draft.close()
    with pytest.raises(RuntimeError, match="s'arrête"):
        draft._serve()
    assert not draft.running()
