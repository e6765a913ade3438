"""Debian's Chromium driven by Playwright (headless), against the servers of ``merci``.

Playwright's own browser download cannot work here: ``make test`` installs Debian's
``chromium`` package and the tests launch ``/usr/bin/chromium`` through ``executable_path``.
Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Cookie, Page, sync_playwright

from bot.config import PROJECT_ROOT
from tests.e2e.browser.studio import EDITOR, EDITOR_PASSWORD, Studio, running_studio, sign_in_once

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# Without the networking flags Chromium keeps calling Google's hosts, which this closed
# network refuses; loopback is all the tests need.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Module scope: a running Playwright holds an event loop that pytest-asyncio's tests,
# collected later in the session, would find busy.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (empty localStorage) at a desktop size, failing on any dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert dialogs == [], f"the page opened a dialog (script injection?): {dialogs}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture(scope="module")
def studio(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Studio]:
    """Merci Studio on its own copy of the project, with the real servers, for one test file."""
    with running_studio(
        tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    ) as running:
        yield running


@pytest.fixture(scope="module")
def editor(browser: Browser, studio: Studio) -> list[Cookie]:
    """An "éditeur"'s session cookie, from one real login."""
    return sign_in_once(browser, studio, EDITOR, EDITOR_PASSWORD)
