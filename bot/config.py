"""Settings, read once from the environment and ``.env``.

This is the only module that loads ``.env``; everything else calls :func:`get_settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit, urlunsplit

from dotenv import load_dotenv

from bot.runtime.release import released_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A consumer who stops the profile form (and accepts contact) is reminded this much later.
DEFAULT_PROFILE_REMINDER_HOURS = 72.0
# Where the consent question points until the brand sets its own notice.
DEFAULT_PRIVACY_URL = "https://www.example.fr/confidentialite"
# Said in the greeting until the brand sets MERCI_BRAND_NAME.
DEFAULT_BRAND_NAME = "la marque"


@dataclass(frozen=True)
class Settings:
    database_url: str
    domain_path: Path
    congratulations_path: Path
    freshness_path: Path
    # data/privacy.yml: consent text version, anonymous reviews, retention.
    privacy_path: Path
    # The brand's privacy notice, linked from the consent question.
    privacy_url: str
    # Minutes per contribution and hourly rate of the invisible-work report.
    report_assumptions_path: Path
    # One of LOG_LEVELS, for Merci's own code in every process (bot/runtime/logs.py).
    log_level: str
    # Secrets are declared with repr=False: ``repr(settings)`` shows them as ***.
    # Shared with the brand's site to sign brand events; None disables the endpoint.
    brand_events_secret: str | None = field(repr=False)
    # Shared with the brand's site to sign logged-in visitors' widget tokens; None: all anonymous.
    widget_identity_secret: str | None = field(repr=False)
    # Rasa's HTTP API (used by the scheduler) is only ever enabled with this token.
    rasa_api_token: str | None = field(repr=False)
    rasa_url: str
    # A consumer who stops the profile form (and accepts contact) is reminded this much later.
    profile_reminder_hours: float
    scheduler_interval_seconds: float
    # Facebook Messenger (bot/channels/messenger.py): all three unset, the channel is off.
    messenger_verify_token: str | None = field(default=None, repr=False)
    messenger_app_secret: str | None = field(default=None, repr=False)
    messenger_page_access_token: str | None = field(default=None, repr=False)
    messenger_graph_api_url: str = "https://graph.facebook.com"
    messenger_graph_api_version: str = "v21.0"
    # A Messenger message tag allowed outside the 24-hour window; None: queue instead.
    messenger_message_tag: str | None = None
    # Consumer input bounds (bot/channels/rest.py, widget.py): longer text is refused unread.
    max_message_chars: int = 5000
    # Largest HTTP request body the Rasa server reads (Sanic's own default is 100 MB).
    max_request_bytes: int = 1_000_000
    # Bearer token the REST channel requires when set; required to listen beyond loopback.
    rest_channel_token: str | None = field(default=None, repr=False)
    # The address Merci listens on; anything but loopback needs REST_CHANNEL_TOKEN.
    host: str = "127.0.0.1"
    # At most this many messages per window, per sender and per client address.
    rate_limit_per_sender: int = 20
    rate_limit_per_address: int = 300
    rate_limit_window_seconds: float = 10.0
    # How long a scheduler holds a nudge it claimed: past it, unfired, another may fire it.
    nudge_lease_seconds: float = 300.0
    # Redis shared by several Rasa servers (conversation locks, the widget's socket.io
    # messages); None: one server, in-memory locks (``make run``).
    redis_url: str | None = field(default=None, repr=False)
    # Proxies (addresses or networks) whose X-Forwarded-For header names the client; from
    # any other peer the header is ignored. Empty: the direct peer is the client.
    trusted_proxies: tuple[str, ...] = ()
    # Where the Rasa servers find the action server; None: loopback on the port started.
    action_server_url: str | None = None
    # Where the Rasa server runs custom actions: "http" (the action server) or "in-process".
    actions: str = "http"
    # Where ``python -m bot run`` writes its servers' logs.
    log_dir: Path = PROJECT_ROOT / "var" / "log"
    # data/products.yml: the brand's products; missing or empty, product names stay free text.
    catalogue_path: Path = PROJECT_ROOT / "data" / "products.yml"
    # The brand's name, said in the greeting.
    brand_name: str = DEFAULT_BRAND_NAME
    # How a consumer reaches a person at the brand (said when they ask for one).
    contact_url: str | None = None
    contact_phone: str | None = None
    contact_hours: str | None = None
    # A live-agent inbox picks up conversations tagged for hand-off (MERCI_HANDOFF=1).
    handoff_enabled: bool = False
    # Merci Studio (bot/studio/): its port, and the key that signs its session cookies
    # (None: a new key at each start, so marketers log in again after a restart).
    studio_port: int = 5006
    studio_secret: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        """Every field, but a secret (or a password in the database URL) only as ***:
        settings end up in logs and tracebacks. An unset secret shows as None."""
        shown = []
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name == "database_url":
                value = hide_password(value)
            elif not spec.repr and value is not None:
                value = "***"
            shown.append(f"{spec.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def messenger_enabled(self) -> bool:
        return messenger_configured(
            {
                "MESSENGER_VERIFY_TOKEN": self.messenger_verify_token,
                "MESSENGER_APP_SECRET": self.messenger_app_secret,
                "MESSENGER_PAGE_ACCESS_TOKEN": self.messenger_page_access_token,
            }
        )


MESSENGER_REQUIRED = (
    "MESSENGER_VERIFY_TOKEN",
    "MESSENGER_APP_SECRET",
    "MESSENGER_PAGE_ACCESS_TOKEN",
)


def messenger_configured(environ: Mapping[str, str | None]) -> bool:
    """True when an environment (this process's or a server's) enables Messenger."""
    return all(environ.get(name) for name in MESSENGER_REQUIRED)


def hide_password(url: str) -> str:
    """``url`` with its password, if any, replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(value: str | None) -> str:
    """``MERCI_LOG_LEVEL`` as a level name every process accepts (INFO when unset)."""
    level = (value or "INFO").strip().upper()
    level = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
    if level not in LOG_LEVELS:
        raise ValueError(f"MERCI_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def trusted_proxies(value: str | None) -> tuple[str, ...]:
    """``MERCI_TRUSTED_PROXIES`` (comma-separated addresses or networks) as checked networks."""
    networks = []
    for item in (value or "").split(","):
        if item.strip():
            try:
                networks.append(str(ip_network(item.strip(), strict=False)))
            except ValueError:
                raise ValueError(
                    f"MERCI_TRUSTED_PROXIES: {item.strip()!r} is not an address or a network"
                ) from None
    return tuple(networks)


ACTIONS_MODES = ("http", "in-process")


def actions_mode(value: str | None) -> str:
    """``MERCI_ACTIONS``: where the Rasa server runs custom actions (``http`` when unset)."""
    mode = (value or "http").strip().lower()
    if mode not in ACTIONS_MODES:
        raise ValueError(f"MERCI_ACTIONS must be one of {', '.join(ACTIONS_MODES)}, not {value!r}")
    return mode


def flag(value: str | None) -> bool:
    """An on/off setting: 1, true, yes or on (any case) is on; anything else is off."""
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'merci.db'}"


def _path(variable: str, default: Path) -> Path:
    return Path(os.environ.get(variable) or default)


class _ContentPaths(TypedDict):
    domain_path: Path
    congratulations_path: Path
    freshness_path: Path
    privacy_path: Path
    report_assumptions_path: Path
    catalogue_path: Path


class _MessengerSettings(TypedDict):
    messenger_verify_token: str | None
    messenger_app_secret: str | None
    messenger_page_access_token: str | None
    messenger_graph_api_url: str
    messenger_graph_api_version: str
    messenger_message_tag: str | None


def _content_paths() -> _ContentPaths:
    """Where the marketers' files are (each can be moved by its own variable); in the
    servers that answer consumers, the release of the model in service
    (``MERCI_CONTENT_RELEASE``, :mod:`bot.runtime.release`), whatever the other variables say."""
    release = os.environ.get("MERCI_CONTENT_RELEASE")
    if release:
        return {
            "domain_path": released_file(Path(release), "domain"),
            "congratulations_path": released_file(Path(release), "congratulations"),
            "freshness_path": released_file(Path(release), "freshness"),
            "privacy_path": released_file(Path(release), "privacy"),
            "report_assumptions_path": released_file(Path(release), "report"),
            "catalogue_path": released_file(Path(release), "catalogue"),
        }
    data = PROJECT_ROOT / "data"
    return {
        "domain_path": _path("MERCI_DOMAIN_PATH", PROJECT_ROOT / "domain.yml"),
        "congratulations_path": _path("MERCI_CONGRATULATIONS_PATH", data / "congratulations.yml"),
        "freshness_path": _path("MERCI_FRESHNESS_PATH", data / "freshness.yml"),
        "privacy_path": _path("MERCI_PRIVACY_PATH", data / "privacy.yml"),
        "report_assumptions_path": _path("MERCI_REPORT_PATH", data / "report.yml"),
        "catalogue_path": _path("MERCI_CATALOGUE_PATH", data / "products.yml"),
    }


def _messenger_settings() -> _MessengerSettings:
    return {
        "messenger_verify_token": os.environ.get("MESSENGER_VERIFY_TOKEN") or None,
        "messenger_app_secret": os.environ.get("MESSENGER_APP_SECRET") or None,
        "messenger_page_access_token": os.environ.get("MESSENGER_PAGE_ACCESS_TOKEN") or None,
        "messenger_graph_api_url": (
            os.environ.get("MESSENGER_GRAPH_API_URL") or "https://graph.facebook.com"
        ).rstrip("/"),
        "messenger_graph_api_version": os.environ.get("MESSENGER_GRAPH_API_VERSION") or "v21.0",
        "messenger_message_tag": os.environ.get("MESSENGER_MESSAGE_TAG") or None,
    }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load settings once; tests call ``get_settings.cache_clear()`` after changing env."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return Settings(
        **_content_paths(),
        **_messenger_settings(),
        database_url=os.environ.get("DATABASE_URL") or default_database_url(),
        privacy_url=os.environ.get("MERCI_PRIVACY_URL") or DEFAULT_PRIVACY_URL,
        log_level=log_level(os.environ.get("MERCI_LOG_LEVEL")),
        brand_events_secret=os.environ.get("BRAND_EVENTS_SECRET") or None,
        widget_identity_secret=os.environ.get("WIDGET_IDENTITY_SECRET") or None,
        rasa_api_token=os.environ.get("RASA_API_TOKEN") or None,
        rasa_url=os.environ.get("MERCI_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        profile_reminder_hours=float(
            os.environ.get("MERCI_PROFILE_REMINDER_HOURS") or DEFAULT_PROFILE_REMINDER_HOURS
        ),
        scheduler_interval_seconds=float(os.environ.get("MERCI_SCHEDULER_INTERVAL", "30")),
        nudge_lease_seconds=float(os.environ.get("MERCI_NUDGE_LEASE_SECONDS") or 300),
        log_dir=Path(os.environ.get("MERCI_LOG_DIR") or PROJECT_ROOT / "var" / "log"),
        max_message_chars=int(os.environ.get("MERCI_MAX_MESSAGE_CHARS") or 5000),
        max_request_bytes=int(os.environ.get("MERCI_MAX_REQUEST_BYTES") or 1_000_000),
        rest_channel_token=os.environ.get("REST_CHANNEL_TOKEN") or None,
        host=os.environ.get("MERCI_HOST") or "127.0.0.1",
        rate_limit_per_sender=int(os.environ.get("MERCI_RATE_LIMIT_PER_SENDER") or 20),
        rate_limit_per_address=int(os.environ.get("MERCI_RATE_LIMIT_PER_ADDRESS") or 300),
        rate_limit_window_seconds=float(os.environ.get("MERCI_RATE_LIMIT_WINDOW") or 10),
        redis_url=os.environ.get("MERCI_REDIS_URL") or None,
        trusted_proxies=trusted_proxies(os.environ.get("MERCI_TRUSTED_PROXIES")),
        action_server_url=os.environ.get("MERCI_ACTION_SERVER_URL") or None,
        actions=actions_mode(os.environ.get("MERCI_ACTIONS")),
        brand_name=(os.environ.get("MERCI_BRAND_NAME") or "").strip() or DEFAULT_BRAND_NAME,
        contact_url=os.environ.get("MERCI_CONTACT_URL") or None,
        contact_phone=os.environ.get("MERCI_CONTACT_PHONE") or None,
        contact_hours=os.environ.get("MERCI_CONTACT_HOURS") or None,
        handoff_enabled=flag(os.environ.get("MERCI_HANDOFF")),
        studio_port=int(os.environ.get("MERCI_STUDIO_PORT") or 5006),
        studio_secret=os.environ.get("MERCI_STUDIO_SECRET") or None,
    )
