"""``make run-scaled``: on one machine, the topology a brand deploys across several.

PostgreSQL (conversations and Merci's tables), Redis (conversation locks, the widget's
socket.io messages), two Rasa servers each with its action server, the nudge scheduler,
and nginx in front. Every server is started as ``make run`` starts it
(:func:`bot.runtime.runner.plan`); only environment variables differ: ``DATABASE_URL``,
``MERCI_REDIS_URL`` and ``MERCI_TRUSTED_PROXIES``. Data lives in ``var/scaled/``.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bot.config import PROJECT_ROOT, get_settings
from bot.runtime.runner import (
    HOST,
    Launch,
    Plan,
    interrupt,
    plan,
    preflight,
    release_for,
    start,
    start_servers,
    stop,
    studio_command,
    wait_until_up,
)
from bot.runtime.services_local import MissingPackage, free_port, nginx, postgresql, redis
from bot.runtime.supervisor import Supervisor
from bot.storage.migrate import upgrade

SCALED_DIRECTORY = PROJECT_ROOT / "var" / "scaled"


@dataclass(frozen=True)
class Topology:
    """The running topology: ``url`` is nginx's (what consumers and the brand's site use)."""

    url: str
    rasa_urls: tuple[str, ...]
    action_urls: tuple[str, ...]
    database_url: str
    redis_url: str
    directory: Path
    # Its launches carry the servers' environment, secrets included: never in a repr.
    supervisor: Supervisor = field(repr=False)


@dataclass(frozen=True)
class Server:
    launches: Plan
    rasa_url: str
    action_url: str


@contextmanager
def scaled(
    model: Path,
    directory: Path,
    *,
    servers: int = 2,
    port: int | None = None,
    host: str = HOST,
    extra_env: dict[str, str] | None = None,
    api_token: str | None = None,
    scheduler: bool = False,
    studio_port: int | None = None,
) -> Iterator[Topology]:
    """Start PostgreSQL, Redis, ``servers`` Rasa servers with their action servers, the
    scheduler (with ``api_token``), the studio (on ``studio_port``, publishing to every
    server) and nginx on ``host:port``; stop them all on exit."""
    supervisor = Supervisor(say=lambda line: print(line, flush=True))
    with ExitStack() as stack:
        database = stack.enter_context(postgresql(directory / "postgresql"))
        upgrade(database.url)
        redis_url = stack.enter_context(redis(directory / "redis"))
        env = {"MERCI_REDIS_URL": redis_url, "MERCI_TRUSTED_PROXIES": HOST, **(extra_env or {})}
        stack.callback(lambda: stop(supervisor.processes))
        started = [
            start_server(
                supervisor, model, directory / f"server-{index}", database.url, env, api_token
            )
            for index in range(1, servers + 1)
        ]
        for server, (actions, rasa) in started:
            wait_until_up(f"{server.action_url}/health", actions)
            wait_until_up(f"{server.rasa_url}/", rasa)
        first = started[0][0]
        if scheduler and first.launches.scheduler is not None:
            log_dir = directory / "server-1"
            supervisor.add("scheduler", partial(start, first.launches.scheduler, log_dir))
        if studio_port is not None:
            urls = [server.rasa_url for server, _ in started]
            studio = Launch("studio", studio_command(studio_port, *urls), first.launches.rasa.env)
            supervisor.add("studio", partial(start, studio, directory / "server-1"))
        rasa_ports = [int(server.rasa_url.rsplit(":", 1)[1]) for server, _ in started]
        front = stack.enter_context(
            nginx(directory / "nginx", port or free_port(), rasa_ports, host)
        )
        yield Topology(
            front,
            tuple(server.rasa_url for server, _ in started),
            tuple(server.action_url for server, _ in started),
            database.url,
            redis_url,
            directory,
            supervisor,
        )


def start_server(
    supervisor: Supervisor,
    model: Path,
    directory: Path,
    database_url: str,
    env: dict[str, str],
    api_token: str | None,
) -> tuple[Server, tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]]:
    """Start one Rasa server and its action server (not waiting for them); their files
    and logs in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    launches = plan(
        model, directory, database_url=database_url, rasa_port=rasa_port,
        action_port=action_port, extra_env=env, api_token=api_token, scheduler=True,
    )  # fmt: skip
    processes = start_servers(supervisor, launches, directory, f" ({directory.name})")
    server = Server(launches, f"http://{HOST}:{rasa_port}", f"http://{HOST}:{action_port}")
    return server, processes


def run_scaled(model: Path, port: int = 5005) -> int:
    """``make run-scaled``: serve until interrupted; return an exit code."""
    problem = preflight()
    if problem:
        print(f"Merci cannot start: {problem}", file=sys.stderr)
        return 1
    settings = get_settings()
    token = settings.rasa_api_token or secrets.token_urlsafe(24)
    signal.signal(signal.SIGTERM, interrupt)
    print(f"Starting PostgreSQL, Redis, two Rasa servers and nginx (data in {SCALED_DIRECTORY})...")
    try:
        with scaled(
            model,
            SCALED_DIRECTORY,
            port=port,
            host=settings.host,
            extra_env=release_for(model),
            api_token=token,
            scheduler=True,
            studio_port=settings.studio_port,
        ) as topology:
            print(
                f"Merci is ready behind nginx: {topology.url}/webhooks/rest/webhook, "
                f"the widget at {topology.url}/webhooks/widget/ (Rasa servers: "
                f"{', '.join(topology.rasa_urls)}; Ctrl-C stops everything).",
                flush=True,
            )
            print(
                f"Merci Studio, for marketers: http://{HOST}:{settings.studio_port}/ "
                "(a publish loads every Rasa server).",
                flush=True,
            )
            while True:
                topology.supervisor.check()
                time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping Merci...", flush=True)
        return 0
    except (RuntimeError, MissingPackage, subprocess.SubprocessError) as error:
        print(f"Merci could not start: {error}. See {SCALED_DIRECTORY}/.", file=sys.stderr)
        return 1
