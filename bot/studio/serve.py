"""``python -m bot studio ...``: add a marketer's account, or serve the studio (uvicorn)."""

from __future__ import annotations

import getpass
import secrets
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT, get_settings
from bot.storage.engine import build_engine

HOST = "127.0.0.1"


def read_password(stream_is_tty: bool) -> str:
    """Asked twice without echo at a terminal; one line of stdin for scripts."""
    if not stream_is_tty:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (encore) : ") != first:
        raise ValueError("the two passwords differ")
    return first


def add_user(name: str, role: str, database_url: str | None = None) -> int:
    from bot.storage.unit_of_work import StorageError
    from bot.studio.accounts import add_user as save

    engine = build_engine(database_url or get_settings().database_url)
    try:
        created = save(engine, name, read_password(sys.stdin.isatty()), role)
    except ValueError as error:
        print(f"No account saved: {error}.", file=sys.stderr)
        return 1
    except StorageError:
        print(
            "No account saved: the database is unreachable or not migrated (make migrate).",
            file=sys.stderr,
        )
        return 1
    print(f"Account {name!r} {'created' if created else 'updated'} (role {role}).")
    return 0


def serve(
    root: Path = PROJECT_ROOT, port: int | None = None, rasa_urls: list[str] | None = None
) -> int:
    """Serve the studio; a publish loads its model into every Rasa server of ``rasa_urls``
    (default: ``MERCI_RASA_URL``)."""
    import uvicorn

    from bot.studio.app import create_app
    from bot.studio.web import StudioConfig

    settings = get_settings()
    urls = [url.rstrip("/") for url in rasa_urls or [settings.rasa_url]]
    secret = settings.studio_secret
    if not secret:
        print(
            "MERCI_STUDIO_SECRET is unset: sessions last until the studio stops.", file=sys.stderr
        )
        secret = secrets.token_urlsafe(32)
    config = StudioConfig(
        root=root.resolve(),
        engine=build_engine(settings.database_url),
        rasa_url=urls[0],
        rasa_urls=tuple(urls),
        rasa_token=settings.rasa_api_token,
        rest_token=settings.rest_channel_token,
        secret=secret,
    )
    port = port or settings.studio_port
    print(f"Merci Studio: http://{HOST}:{port}/", flush=True)
    uvicorn.run(create_app(config), host=HOST, port=port, log_level="warning")
    return 0
