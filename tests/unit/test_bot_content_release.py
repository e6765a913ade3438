"""Releases: the servers in service read the wording of the model they serve, not drafts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, get_settings
from bot.runtime.release import KEEP, project_sources, release_link, write_release
from bot.services import get_services
from tests.wiring import reset_wiring

THANKS_5 = "utter_thank_review_5"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's content files, to edit as a marketer would."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    shutil.copy2(PROJECT_ROOT / "domain.yml", root / "domain.yml")
    for name in ("congratulations", "freshness", "privacy", "report", "products"):
        shutil.copy2(PROJECT_ROOT / "data" / f"{name}.yml", root / "data" / f"{name}.yml")
    return root


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, project: Path) -> Iterator[Path]:
    """A server's environment naming the project's release (as ``python -m bot run`` does)."""
    link = write_release(
        release_link(project / "models" / "merci.tar.gz"), project_sources(project)
    )
    monkeypatch.setenv("MERCI_CONTENT_RELEASE", str(link))
    # A per-file variable does not win over the release the server was started with.
    monkeypatch.setenv("MERCI_DOMAIN_PATH", str(project / "domain.yml"))
    reset_wiring()
    yield link
    reset_wiring()


def reword(domain: Path, old: str, new: str) -> None:
    text = domain.read_text(encoding="utf-8")
    assert old in text
    domain.write_text(text.replace(old, new), encoding="utf-8")


def first_variant(response: str) -> str:
    return get_services().context.responses[response][0].text


def test_a_release_sits_beside_its_model_and_holds_a_copy_of_each_content_file(project: Path):
    link = write_release(
        release_link(project / "models" / "merci.tar.gz"), project_sources(project)
    )
    assert link == project / "models" / "merci.content"
    assert sorted(p.name for p in link.iterdir()) == [
        "congratulations.yml",
        "domain.yml",
        "freshness.yml",
        "privacy.yml",
        "products.yml",
        "report.yml",
    ]
    assert (link / "domain.yml").read_bytes() == (project / "domain.yml").read_bytes()


def test_the_servers_settings_read_the_release_whatever_the_per_file_variables_say(
    served: Path,
):
    settings = get_settings()
    assert settings.domain_path == served / "domain.yml"
    assert settings.congratulations_path == served / "congratulations.yml"
    assert settings.catalogue_path == served / "products.yml"


def test_a_saved_but_unpublished_wording_does_not_reach_consumers_until_a_new_release(
    served: Path, project: Path
):
    published = first_variant(THANKS_5)
    reword(project / "domain.yml", published, "Brouillon pas encore publié.")
    assert first_variant(THANKS_5) == published

    write_release(served, project_sources(project))
    assert first_variant(THANKS_5) == "Brouillon pas encore publié."


def test_a_new_release_replaces_the_link_at_once_and_only_the_newest_few_are_kept(
    project: Path,
):
    link = release_link(project / "models" / "merci.tar.gz")
    targets = []
    for _ in range(KEEP + 3):
        write_release(link, project_sources(project))
        targets.append(os.path.realpath(link))
    assert len(set(targets)) == KEEP + 3
    kept = sorted(str(p) for p in (project / "models" / ".merci.contents").iterdir())
    assert kept == sorted(targets[-KEEP:])
    # Nothing half-written is left beside the link.
    assert sorted(p.name for p in (project / "models").iterdir()) == [
        ".merci.contents",
        "merci.content",
    ]
