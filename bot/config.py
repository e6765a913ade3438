"""Settings, read once from the environment and ``.env``.

This is the only module that loads ``.env``; everything else calls :func:`get_settings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    domain_path: Path
    congratulations_path: Path
    freshness_path: Path
    log_level: str
    # Shared with the brand's site to sign brand events; None disables the endpoint.
    brand_events_secret: str | None
    # Rasa's HTTP API (used by the scheduler) is only ever enabled with this token.
    rasa_api_token: str | None
    rasa_url: str
    # A consumer who stops the profile form (and accepts contact) is reminded this much later.
    profile_reminder_hours: float
    scheduler_interval_seconds: float


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'merci.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load settings once; tests call ``get_settings.cache_clear()`` after changing env."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_database_url(),
        domain_path=Path(os.environ.get("MERCI_DOMAIN_PATH") or PROJECT_ROOT / "domain.yml"),
        congratulations_path=Path(
            os.environ.get("MERCI_CONGRATULATIONS_PATH")
            or PROJECT_ROOT / "data" / "congratulations.yml"
        ),
        freshness_path=Path(
            os.environ.get("MERCI_FRESHNESS_PATH") or PROJECT_ROOT / "data" / "freshness.yml"
        ),
        log_level=os.environ.get("MERCI_LOG_LEVEL", "INFO").upper(),
        brand_events_secret=os.environ.get("BRAND_EVENTS_SECRET") or None,
        rasa_api_token=os.environ.get("RASA_API_TOKEN") or None,
        rasa_url=os.environ.get("MERCI_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        profile_reminder_hours=float(os.environ.get("MERCI_PROFILE_REMINDER_HOURS", "72")),
        scheduler_interval_seconds=float(os.environ.get("MERCI_SCHEDULER_INTERVAL", "30")),
    )
