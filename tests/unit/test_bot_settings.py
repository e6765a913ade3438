"""Settings read once, shown without their secrets; MERCI_LOG_LEVEL applied in every process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from bot.config import Settings, actions_mode, get_settings, hide_password, log_level
from bot.runtime.logs import MERCI_LOGGERS, configure_logging
from bot.tools.cli import main

SECRETS = {
    "BRAND_EVENTS_SECRET": "brand-s3cret",
    "WIDGET_IDENTITY_SECRET": "widget-s3cret",
    "RASA_API_TOKEN": "rasa-t0ken",
    "MESSENGER_VERIFY_TOKEN": "verify-t0ken",
    "MESSENGER_APP_SECRET": "app-s3cret",
    "MESSENGER_PAGE_ACCESS_TOKEN": "page-t0ken",
}


@pytest.fixture
def settings_from(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Settings]]:
    """Settings read afresh from these environment variables, as a new process would."""

    def read(**values: str) -> Settings:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    yield read
    get_settings.cache_clear()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, levels = list(root.handlers), {n: logging.getLogger(n).level for n in MERCI_LOGGERS}
    yield
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_repr_shows_every_secret_as_stars(settings_from):
    settings = settings_from(
        **SECRETS, DATABASE_URL="postgresql+psycopg2://merci:db-s3cret@127.0.0.1:5432/merci"
    )
    shown = repr(settings)
    for name, value in SECRETS.items():
        assert value not in shown
        assert f"{name.lower()}='***'" in shown
    assert "db-s3cret" not in shown
    assert "database_url='postgresql+psycopg2://merci:***@127.0.0.1:5432/merci'" in shown
    assert "rasa_url='http://127.0.0.1:5005'" in shown, "what is not secret is shown"
    assert settings.rasa_api_token == "rasa-t0ken", "hidden from repr only"


def test_an_unset_secret_shows_as_none(settings_from):
    shown = repr(settings_from(**{name: "" for name in SECRETS}))
    assert "brand_events_secret=None" in shown and "messenger_app_secret=None" in shown


def test_a_url_without_a_password_is_shown_as_is():
    assert hide_password("sqlite:////srv/merci/var/merci.db") == "sqlite:////srv/merci/var/merci.db"
    assert hide_password("postgresql://merci@db/merci") == "postgresql://merci@db/merci"
    assert hide_password("postgresql://u:p%40ss@db:5432/m") == "postgresql://u:***@db:5432/m"


def test_merci_log_level_is_a_level_name_every_process_accepts():
    assert log_level(None) == log_level("") == "INFO"
    assert log_level(" warning ") == log_level("WARN") == "WARNING"
    with pytest.raises(ValueError, match="MERCI_LOG_LEVEL must be one of DEBUG, INFO"):
        log_level("VERBOSE")


def test_merci_actions_says_where_custom_actions_run_and_refuses_anything_else(settings_from):
    assert settings_from(MERCI_ACTIONS="").actions == "http", "the action server by default"
    assert settings_from(MERCI_ACTIONS=" In-Process ").actions == "in-process"
    with pytest.raises(ValueError, match="MERCI_ACTIONS must be one of http, in-process"):
        actions_mode("inline")


@pytest.mark.parametrize("level", ["DEBUG", "WARNING", "ERROR"])
def test_the_scheduler_logs_at_merci_log_level(settings_from, restore_logging, level):
    settings_from(MERCI_LOG_LEVEL=level, RASA_API_TOKEN="")
    # The command line configures logging before any command; without a token this one
    # stops at once.
    assert main(["scheduler", "--once"]) == 1
    assert logging.getLogger("bot.runtime.scheduler").getEffectiveLevel() == getattr(logging, level)
    assert logging.getLogger().handlers, "records reach stderr"


def test_merci_records_pass_at_info_and_libraries_stay_quiet(settings_from, restore_logging):
    configure_logging(settings_from(MERCI_LOG_LEVEL="INFO"))
    assert logging.getLogger("bot.runtime.scheduler").isEnabledFor(logging.INFO)
    assert logging.getLogger("actions.profile").isEnabledFor(logging.INFO)
    assert not logging.getLogger("urllib3.connectionpool").isEnabledFor(logging.INFO)


def test_the_brand_and_its_contact_are_settings(settings_from, monkeypatch):
    for name in ("MERCI_BRAND_NAME", "MERCI_CONTACT_URL", "MERCI_HANDOFF"):
        monkeypatch.delenv(name, raising=False)
    plain = settings_from()
    assert (plain.brand_name, plain.contact_url, plain.handoff_enabled) == (
        "la marque",
        None,
        False,
    )

    brand = settings_from(
        MERCI_BRAND_NAME="  Maison Lumière ",
        MERCI_CONTACT_URL="https://www.example.fr/contact",
        MERCI_HANDOFF="yes",
    )
    assert brand.brand_name == "Maison Lumière"
    assert brand.contact_url == "https://www.example.fr/contact"
    assert brand.handoff_enabled is True
    assert settings_from(MERCI_HANDOFF="0").handoff_enabled is False
