"""A publish records who really changed what: files edited by hand are committed apart, in
the name of the repository's git user; the studio's edits in the marketer's name; a file
edited both ways says so. Real git repositories in tmp_path, a real SQLite audit log."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from bot.config import PROJECT_ROOT
from bot.storage import studio_queries
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.storage.unit_of_work import transaction
from bot.studio import history
from bot.studio.accounts import add_user
from bot.studio.app import create_app
from bot.studio.web import StudioConfig

PASSWORD = "un-mot-de-passe-solide"
FRESHNESS = "data/freshness.yml"
NLU = "data/nlu/reviews.yml"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Only the repository's own git configuration counts, not this machine's.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    shutil.copy2(PROJECT_ROOT / "domain.yml", root / "domain.yml")
    git(root, "init", "--quiet")
    git(root, "config", "user.name", "Alex Dev")
    git(root, "config", "user.email", "alex@marque.example")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Content as shipped")
    return root


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    upgrade(url)
    return build_engine(url)


def studio_edit(root: Path, engine: Engine, path: str, old: str, new: str) -> None:
    """An edit as the studio logs it: the file's content before and after, in the audit."""
    before = history.content_state(root)
    edit_by_hand(root, path, old, new)
    changes = history.changes_between(before, history.content_state(root))
    transaction(lambda s: studio_queries.audit(s, "Camille", "edit", "test", changes), engine)


def edit_by_hand(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def publish(root: Path, engine: Engine) -> str:
    return history.commit(root, "Camille", history.studio_changes(root, engine))


def log(root: Path, count: int) -> list[tuple[str, str, str, list[str]]]:
    """The last commits, oldest first: author, committer, message, files."""
    entries = []
    for sha in reversed(git(root, "log", f"-{count}", "--format=%H").split()):
        author = git(root, "show", "-s", "--format=%an <%ae>", sha).strip()
        committer = git(root, "show", "-s", "--format=%cn", sha).strip()
        message = git(root, "show", "-s", "--format=%B", sha).strip()
        files = git(root, "show", "--format=", "--name-only", sha).split()
        entries.append((author, committer, message, files))
    return entries


def test_the_studios_own_edit_is_committed_in_the_marketers_name(project: Path, engine: Engine):
    studio_edit(project, engine, FRESHNESS, "interests: 6", "interests: 9")
    short = publish(project, engine)
    assert short and git(project, "rev-parse", "--short", "HEAD").strip() == short
    [(author, committer, message, files)] = log(project, 1)
    assert author == "Camille <camille@studio.merci>" and committer == "Camille"
    assert message == f"Studio: Camille publishes {FRESHNESS}" and files == [FRESHNESS]


def test_a_hand_edit_is_committed_first_in_the_repository_users_name(project: Path, engine: Engine):
    studio_edit(project, engine, FRESHNESS, "interests: 6", "interests: 9")
    edit_by_hand(project, NLU, "- ", "- c'est vraiment top\n- ")
    publish(project, engine)
    hand, studio = log(project, 2)
    assert hand[0] == "Alex Dev <alex@marque.example>" and hand[1] == "Camille"
    assert hand[2] == (
        f"Changes made outside the studio, published with Merci Studio by Camille: {NLU}"
    )
    assert hand[3] == [NLU]
    assert studio[0] == "Camille <camille@studio.merci>" and studio[3] == [FRESHNESS]
    assert git(project, "status", "--porcelain").strip() == ""


def test_without_a_git_user_the_hand_edit_is_signed_merci_studio(project: Path, engine: Engine):
    git(project, "config", "--unset", "user.name")
    git(project, "config", "--unset", "user.email")
    edit_by_hand(project, "domain.yml", "responses:", "# retouché à la main\nresponses:")
    publish(project, engine)
    [(author, _, message, files)] = log(project, 1)
    assert author == "Merci Studio <studio@studio.merci>"
    assert message.startswith("Changes made outside the studio") and files == ["domain.yml"]


@pytest.mark.parametrize("hand_edit_first", [True, False])
def test_a_file_edited_by_hand_and_in_the_studio_says_so(
    project: Path, engine: Engine, hand_edit_first: bool
):
    if hand_edit_first:
        edit_by_hand(project, FRESHNESS, "city: 12", "city: 18")
    studio_edit(project, engine, FRESHNESS, "interests: 6", "interests: 9")
    if not hand_edit_first:
        edit_by_hand(project, FRESHNESS, "city: 12", "city: 18")
    publish(project, engine)
    [(author, _, message, files)] = log(project, 1)
    assert author == "Camille <camille@studio.merci>" and files == [FRESHNESS]
    assert f"Also edited outside the studio since the last publish: {FRESHNESS}" in message


def test_edits_published_before_do_not_count_at_the_next_publish(project: Path, engine: Engine):
    studio_edit(project, engine, FRESHNESS, "interests: 6", "interests: 9")
    publish(project, engine)
    edit_by_hand(project, FRESHNESS, "interests: 9", "interests: 12")
    publish(project, engine)
    [(author, _, message, files)] = log(project, 1)
    assert author == "Alex Dev <alex@marque.example>" and files == [FRESHNESS]
    assert message.startswith("Changes made outside the studio")


def test_a_new_file_and_a_removed_one_are_committed_with_their_author(
    project: Path, engine: Engine
):
    before = history.content_state(project)
    (project / "data" / "nlu" / "nouveau.yml").write_text('version: "3.1"\nnlu: []\n')
    changes = history.changes_between(before, history.content_state(project))
    transaction(lambda s: studio_queries.audit(s, "Camille", "edit", "test", changes), engine)
    (project / "data" / "freshness.yml").unlink()
    publish(project, engine)
    hand, studio = log(project, 2)
    assert hand[0].startswith("Alex Dev") and hand[3] == [FRESHNESS]
    assert studio[0].startswith("Camille") and studio[3] == ["data/nlu/nouveau.yml"]


def test_an_edit_made_through_the_studio_is_logged_with_its_files_and_published_as_its_own(
    project: Path, engine: Engine
):
    add_user(engine, "Camille", PASSWORD, "editeur")
    config = StudioConfig(project, engine, "http://127.0.0.1:9", None, None, "unit-test-secret")
    client = TestClient(create_app(config))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/connexion").text)
    assert token
    client.post(
        "/connexion", data={"name": "Camille", "password": PASSWORD, "csrf_token": token[1]}
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/tables").text)
    assert token
    form = {"csrf_token": token[1], "default_months": "24", "quiet_days": "7"}
    saved = client.post("/tables/fraicheur", data={**form, "field_interests": "9"})
    assert saved.status_code == 200 and "interests: 9" in (project / FRESHNESS).read_text()
    edit_by_hand(project, "domain.yml", "responses:", "# retouché à la main\nresponses:")
    publish(project, engine)
    hand, studio = log(project, 2)
    assert hand[0].startswith("Alex Dev") and hand[3] == ["domain.yml"]
    assert studio[0].startswith("Camille") and studio[3] == [FRESHNESS]
    assert "outside" not in studio[2]


def test_a_file_whose_name_has_an_accent_or_a_space_is_attributed_too(
    project: Path, engine: Engine
):
    before = history.content_state(project)
    (project / "data" / "nlu" / "réponses du studio.yml").write_text('version: "3.1"\nnlu: []\n')
    changes = history.changes_between(before, history.content_state(project))
    transaction(lambda s: studio_queries.audit(s, "Camille", "edit", "test", changes), engine)
    publish(project, engine)
    [(author, _, message, _)] = log(project, 1)
    assert author.startswith("Camille")
    assert message == "Studio: Camille publishes data/nlu/réponses du studio.yml"
