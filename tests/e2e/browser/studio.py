"""Merci Studio for the browser tests: a COPY of the project (a git repository of its own),
the real Rasa and action servers reading that copy, and the studio serving it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Cookie, Page, expect

from bot.config import PROJECT_ROOT
from bot.runtime.release import project_sources, release_link, write_release
from bot.runtime.runner import serving, stop, wait_until_up
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.studio.accounts import add_user
from tests.e2e.conftest import MODEL, free_port
from tests.project_copy import copy_project_files

API_TOKEN = "studio-e2e-api-token"
EDITOR, EDITOR_PASSWORD = "Camille", "mot-de-passe-editrice"
READER, READER_PASSWORD = "Dominique", "mot-de-passe-lecteur"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# What the content checks and the training read.
CONTENT = (".gitignore", "config.yml", "domain.yml", "data", "actions", "bot/channels", "tests/nlu")


@dataclass
class Studio:
    url: str
    rasa_url: str
    root: Path
    database_url: str


def copy_project(root: Path) -> None:
    copy_project_files(CONTENT, root)
    # The model the Rasa server starts with is the project's published one.
    (root / "models").mkdir()
    shutil.copy2(MODEL, root / "models" / MODEL.name)
    git = ["git", "-c", "user.name=Merci", "-c", "user.email=merci@example.invalid"]
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "--all"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "--quiet", "-m", "Initial"], check=True)


@contextmanager
def running_studio(workdir: Path) -> Iterator[Studio]:
    root = workdir / "project"
    copy_project(root)
    database_url = f"sqlite:///{workdir / 'merci.db'}"
    upgrade(database_url)
    engine = build_engine(database_url)
    add_user(engine, EDITOR, EDITOR_PASSWORD, "editeur")
    add_user(engine, READER, READER_PASSWORD, "lecteur")
    # As `make run` starts Merci: the copy's model, with the content it was published with.
    model = root / "models" / MODEL.name
    release = write_release(release_link(model), project_sources(root))
    with serving(
        model,
        database_url=database_url,
        rasa_port=free_port(),
        action_port=free_port(),
        log_dir=workdir,
        extra_env={"MERCI_CONTENT_RELEASE": str(release)},
        api_token=API_TOKEN,
    ) as servers:
        port = free_port()
        env = dict(
            os.environ,
            DATABASE_URL=database_url,
            RASA_API_TOKEN=API_TOKEN,
            MERCI_STUDIO_SECRET="studio-e2e-session-secret",
        )
        command = [sys.executable, "-m", "bot", "studio", "serve", "--root", str(root)]
        command += ["--port", str(port), "--rasa-url", servers.rasa_url]
        with open(workdir / "studio.log", "ab") as log:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/connexion", process, timeout=60)
            yield Studio(url, servers.rasa_url, root, database_url)
        finally:
            stop([process])


def log_in(page: Page, studio: Studio, name: str, password: str) -> None:
    page.goto(f"{studio.url}/connexion")
    page.get_by_label("Nom").fill(name)
    page.get_by_label("Mot de passe").fill(password)
    # The answer (the inbox, or the form again with its error) is loaded before the test
    # goes on: a page opened sooner would be opened without the session.
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def sign_in_once(browser: Browser, studio: Studio, name: str, password: str) -> list[Cookie]:
    """The session cookie of one real login through the form, for pages that start signed in.

    The studio allows five login attempts a minute from one address, and every test comes
    from 127.0.0.1: tests that are not about logging in reuse one login per user.
    """
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        log_in(page, studio, name, password)
        expect(page.get_by_role("heading", name="Boîte de réception")).to_be_visible()
        return context.cookies()
    finally:
        context.close()


def open_signed_in(page: Page, studio: Studio, cookies: list[Cookie], path: str = "/boite") -> None:
    page.context.add_cookies(cookies)
    page.goto(f"{studio.url}{path}")


def serious_violations(page: Page) -> list[str]:
    """axe-core (WCAG 2.1 AA) on the page as it is now: its serious and critical findings."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes']}"
        for v in results
        if v["impact"] in ("serious", "critical")
    ]
