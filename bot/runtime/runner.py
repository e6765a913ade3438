"""Start the action server and the Rasa server together, and stop both cleanly.

Used by ``make run`` and ``make shell``, by the end-to-end tests and by the benchmarks,
so that they all run Merci the same way. ``make run`` restarts a server that dies
(:mod:`bot.runtime.supervisor`) and stops only on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType
from typing import NoReturn

import yaml

from bot.config import PROJECT_ROOT, get_settings, messenger_configured
from bot.runtime.logs import server_log_environment
from bot.runtime.release import release_link, write_release
from bot.runtime.supervisor import Supervisor

HOST = "127.0.0.1"
ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
MESSENGER_CHANNEL = "bot.channels.messenger.MessengerInput"


def rasa_host() -> str:
    """Where Merci's own processes reach the Rasa server: loopback when it listens on every
    interface (or on loopback), else the one address ``MERCI_HOST`` names."""
    host = get_settings().host
    return HOST if host in ("0.0.0.0", "::", "", "localhost", HOST) else host


def server_environment(database_url: str | None = None) -> dict[str, str]:
    """Environment for Rasa and the action server: one database URL, loopback only, and
    ``MERCI_LOG_LEVEL`` as each server reads a log level."""
    settings = get_settings()
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url or settings.database_url
    env.update(server_log_environment(settings))
    env.setdefault("SANIC_HOST", HOST)
    # Rasa's telemetry and error reports would call the internet: never from Merci.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def rasa_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "rasa", *args]


def merci_rasa_command(*args: str) -> list[str]:
    """Rasa's command line with Merci's apology when an action fails or is too slow."""
    return [sys.executable, "-m", "bot.channels.rasa_server", *args]


def action_server_command(port: int) -> list[str]:
    return rasa_command("run", "actions", "--actions", "actions", "--port", str(port))


def rasa_server_command(
    port: int,
    model: Path,
    endpoints: Path = ENDPOINTS,
    api_token: str | None = None,
    credentials: Path = CREDENTIALS,
    interface: str | None = None,
) -> list[str]:
    """Rasa's ``run`` command line, listening on ``interface`` (default: ``MERCI_HOST``)."""
    command = merci_rasa_command(
        "run",
        "--model", str(model),
        "--endpoints", str(endpoints),
        "--credentials", str(credentials),
        # The consumers' side listens where the settings say; internal calls use loopback.
        "--interface", interface or get_settings().host,
        "--port", str(port),
    )  # fmt: skip
    if api_token:
        # Rasa's HTTP API (trigger_intent for the scheduler) is never enabled without a token;
        # the token itself travels in RASA_API_TOKEN, never on a command line `ps` shows.
        command.append("--enable-api")
    return command


def scheduler_command() -> list[str]:
    return [sys.executable, "-m", "bot", "scheduler"]


def studio_command(port: int, *rasa_urls: str) -> list[str]:
    """The studio, publishing to every one of ``rasa_urls``."""
    command = [sys.executable, "-m", "bot", "studio", "serve", "--port", str(port)]
    for url in rasa_urls:
        command += ["--rasa-url", url]
    return command


LOCK_STORE = "bot.channels.lock_store.AtomicRedisLockStore"


def render_endpoints(
    action_port: int, source: Path = ENDPOINTS, env: Mapping[str, str] | None = None
) -> str:
    """``endpoints.yml`` as the servers get it: the action endpoint on ``action_port`` (or
    at ``MERCI_ACTION_SERVER_URL``); with ``MERCI_REDIS_URL`` set, conversation locks on
    Redis, shared by every Rasa server. ``env`` is the servers' environment (default: the
    settings). Everything else as written (``${DATABASE_URL}`` and ``${MERCI_REDIS_URL}``
    are Rasa's to expand: no secret is written to the file)."""
    settings = get_settings()
    if env is None:
        action_url, redis_url = settings.action_server_url, settings.redis_url
    else:
        action_url, redis_url = env.get("MERCI_ACTION_SERVER_URL"), env.get("MERCI_REDIS_URL")
    endpoints = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    action_endpoint = endpoints.setdefault("action_endpoint", {})
    action_endpoint["url"] = action_url or f"http://{HOST}:{action_port}/webhook"
    if redis_url:
        endpoints["lock_store"] = {"type": LOCK_STORE, "url": "${MERCI_REDIS_URL}"}
    return str(yaml.safe_dump(endpoints, allow_unicode=True, sort_keys=False))


def endpoints_for(action_port: int, directory: Path, env: Mapping[str, str] | None = None) -> Path:
    """The rendered endpoints file, written in ``directory`` (the run's own)."""
    path = directory / "endpoints.yml"
    path.write_text(render_endpoints(action_port, env=env), encoding="utf-8")
    return path


def credentials_for(env: dict[str, str], directory: Path) -> tuple[Path, bool]:
    """``credentials.yml``, without the Messenger channel unless ``env`` configures it;
    and whether Messenger is on."""
    if messenger_configured(env):
        return CREDENTIALS, True
    channels = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8")) or {}
    channels.pop(MESSENGER_CHANNEL, None)
    path = directory / "credentials.yml"
    path.write_text(yaml.safe_dump(channels, allow_unicode=True), encoding="utf-8")
    return path, False


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server behind {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Servers:
    rasa_url: str
    action_url: str
    processes: tuple[subprocess.Popen[bytes], ...]
    log_dir: Path
    messenger: bool = False
    # Restarts a server that exited, when asked to (``run`` does, the tests do not).
    supervisor: Supervisor | None = None

    def exited(self) -> subprocess.Popen[bytes] | None:
        return next((p for p in self.processes if p.poll() is not None), None)


@dataclass(frozen=True)
class Launch:
    """One process to start: its name (that of its log file), command line and environment."""

    name: str
    command: list[str]
    env: dict[str, str]


@dataclass(frozen=True)
class Plan:
    """What :func:`serving` starts, built from the settings and its arguments."""

    actions: Launch
    rasa: Launch
    scheduler: Launch | None
    messenger: bool
    studio: Launch | None = None


def plan(
    model: Path,
    directory: Path,
    *,
    database_url: str | None = None,
    rasa_port: int = 5005,
    action_port: int = 5055,
    extra_env: dict[str, str] | None = None,
    api_token: str | None = None,
    scheduler: bool = False,
    studio_port: int | None = None,
) -> Plan:
    """The servers' command lines and environment; their endpoints and credentials files
    are rendered in ``directory``."""
    env = {**server_environment(database_url), **(extra_env or {})}
    if api_token:
        env["RASA_API_TOKEN"] = api_token
        env["MERCI_RASA_URL"] = f"http://{rasa_host()}:{rasa_port}"
    endpoints = endpoints_for(action_port, directory, env)
    credentials, messenger = credentials_for(env, directory)
    rasa = rasa_server_command(rasa_port, model, endpoints, api_token, credentials)
    return Plan(
        actions=Launch("actions", action_server_command(action_port), env),
        rasa=Launch("rasa", rasa, env),
        scheduler=Launch("scheduler", scheduler_command(), env) if scheduler else None,
        messenger=messenger,
        studio=None
        if studio_port is None
        else Launch(
            "studio", studio_command(studio_port, f"http://{rasa_host()}:{rasa_port}"), env
        ),
    )


def start(launch: Launch, log_dir: Path) -> subprocess.Popen[bytes]:
    """Start ``launch`` with its output appended to ``log_dir/<name>.log``."""
    # The child keeps its own copy of the file descriptor: ours can be closed at once.
    with open(log_dir / f"{launch.name}.log", "ab") as log:
        return subprocess.Popen(
            launch.command, cwd=PROJECT_ROOT, env=launch.env, stdout=log, stderr=subprocess.STDOUT
        )


def start_servers(
    supervisor: Supervisor, launches: Plan, log_dir: Path, label: str = ""
) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    """Start the action server and the Rasa server of ``launches``, supervised."""
    actions = supervisor.add(f"action server{label}", partial(start, launches.actions, log_dir))
    rasa = supervisor.add(f"Rasa server{label}", partial(start, launches.rasa, log_dir))
    return actions, rasa


@contextmanager
def serving(
    model: Path,
    *,
    database_url: str | None = None,
    rasa_port: int = 5005,
    action_port: int = 5055,
    log_dir: Path = PROJECT_ROOT / "var" / "log",
    extra_env: dict[str, str] | None = None,
    api_token: str | None = None,
    scheduler: bool = False,
    studio_port: int | None = None,
) -> Iterator[Servers]:
    """Start the action server and the Rasa server (and the nudge scheduler, which needs
    ``api_token``), wait until they answer, stop them all."""
    log_dir.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(say=lambda line: print(line, flush=True))
    with ExitStack() as stack:
        # Removed only once the servers have stopped (an ExitStack unwinds in reverse).
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="merci-")))
        # The processes running at the end, restarted ones included.
        stack.callback(lambda: stop(supervisor.processes))
        launches = plan(
            model,
            directory,
            database_url=database_url,
            rasa_port=rasa_port,
            action_port=action_port,
            extra_env=extra_env,
            api_token=api_token,
            scheduler=scheduler,
            studio_port=studio_port,
        )
        actions, rasa = start_servers(supervisor, launches, log_dir)
        wait_until_up(f"http://{HOST}:{action_port}/health", actions)
        wait_until_up(f"http://{rasa_host()}:{rasa_port}/", rasa)
        if launches.scheduler is not None:
            supervisor.add("scheduler", partial(start, launches.scheduler, log_dir))
        if launches.studio is not None:
            supervisor.add("studio", partial(start, launches.studio, log_dir))
        yield Servers(
            f"http://{rasa_host()}:{rasa_port}",
            f"http://{HOST}:{action_port}",
            tuple(supervisor.processes),
            log_dir,
            launches.messenger,
            supervisor,
        )


def preflight() -> str | None:
    """Check what must hold before starting: never listen beyond loopback with an open
    REST channel, and the files marketers edit. The problem in words, or None."""
    from bot.domain.congratulations import TableError, load_table
    from bot.domain.exposure import exposure_problem
    from bot.domain.freshness import PolicyError, load_policy
    from bot.domain.privacy import load_privacy
    from bot.domain.wording import load_responses

    settings = get_settings()
    if exposed := exposure_problem(settings.host, settings.rest_channel_token):
        return exposed
    try:
        load_table(settings.congratulations_path, load_responses(settings.domain_path))
        load_policy(settings.freshness_path)
        load_privacy(settings.privacy_path)
    except (TableError, PolicyError, ValueError) as error:
        return str(error)
    return None


def release_for(model: Path) -> dict[str, str]:
    """Write ``model``'s release from the content files as they are now (``preflight`` has
    checked them); the servers' environment that makes them read it."""
    settings = get_settings()
    sources = {
        "domain": settings.domain_path,
        "congratulations": settings.congratulations_path,
        "freshness": settings.freshness_path,
        "privacy": settings.privacy_path,
        "report": settings.report_assumptions_path,
        "catalogue": settings.catalogue_path,
    }
    return {"MERCI_CONTENT_RELEASE": str(write_release(release_link(model), sources))}


def run(model: Path, rasa_port: int = 5005, action_port: int = 5055) -> int:
    """Serve until interrupted; return an exit code."""
    problem = preflight()
    if problem:
        print(f"Merci cannot start: {problem}", file=sys.stderr)
        return 1
    print("Starting the action server, the Rasa server and the scheduler (logs in var/log/)...")
    settings = get_settings()
    token = settings.rasa_api_token or secrets.token_urlsafe(24)
    # SIGTERM (a service manager, a container stop) stops Merci as Ctrl-C does.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        with serving(
            model,
            rasa_port=rasa_port,
            action_port=action_port,
            log_dir=settings.log_dir,
            extra_env=release_for(model),
            api_token=token,
            scheduler=True,
            studio_port=settings.studio_port,
        ) as servers:
            print(messenger_status(servers), flush=True)
            print(
                f'Merci is ready: POST {{"sender": "moi", "message": "Bonjour"}} to '
                f"{servers.rasa_url}/webhooks/rest/webhook, or run `make shell` "
                "(Ctrl-C stops both servers).",
                flush=True,
            )
            print(f"Chat in a browser: {servers.rasa_url}/webhooks/widget/", flush=True)
            print(f"Merci Studio, for marketers: http://{HOST}:{settings.studio_port}/", flush=True)
            supervise(servers)
    except KeyboardInterrupt:
        print("\nStopping Merci...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"Merci could not start: {error}. See var/log/ for details.", file=sys.stderr)
        return 1


def interrupt(_signal: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def supervise(servers: Servers) -> NoReturn:
    """Restart any server that exits, until interrupted."""
    assert servers.supervisor is not None
    while True:
        servers.supervisor.check()
        time.sleep(0.5)


def messenger_status(servers: Servers) -> str:
    if servers.messenger:
        return f"Messenger webhook: {servers.rasa_url}/webhooks/facebook/webhook (see docs)."
    return (
        "Messenger is off: set MESSENGER_VERIFY_TOKEN, MESSENGER_APP_SECRET and "
        "MESSENGER_PAGE_ACCESS_TOKEN to enable it (docs/messenger.md)."
    )


def shell(model: Path, action_port: int = 5055) -> int:
    """Talk to Merci in the terminal: the action server in the background, Rasa's shell in front."""
    env = {**server_environment(), **release_for(model)}
    log_dir = PROJECT_ROOT / "var" / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="merci-")))
        actions = start(Launch("actions", action_server_command(action_port), env), log_dir)
        stack.callback(stop, [actions])
        try:
            wait_until_up(f"http://{HOST}:{action_port}/health", actions)
            endpoints = endpoints_for(action_port, directory)
            command = merci_rasa_command(
                "shell", "--model", str(model), "--endpoints", str(endpoints)
            )
            return subprocess.call(command, cwd=PROJECT_ROOT, env=env)
        except KeyboardInterrupt:
            return 0
        except RuntimeError as error:
            print(f"Merci could not start: {error}. See var/log/actions.log.", file=sys.stderr)
            return 1
