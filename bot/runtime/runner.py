"""Start the action server and the Rasa server together, and stop both cleanly.

Used by ``make run`` and ``make shell``, by the end-to-end tests and by the benchmarks,
so that they all run Merci the same way.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT, get_settings, messenger_configured

HOST = "127.0.0.1"
ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
MESSENGER_CHANNEL = "bot.channels.messenger.MessengerInput"


def server_environment(database_url: str | None = None) -> dict[str, str]:
    """Environment for Rasa and the action server: one database URL, loopback only."""
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url or get_settings().database_url
    env.setdefault("SANIC_HOST", HOST)
    # Rasa's telemetry and error reports would call the internet: never from Merci.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def rasa_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "rasa", *args]


def action_server_command(port: int) -> list[str]:
    return rasa_command("run", "actions", "--actions", "actions", "--port", str(port))


def rasa_server_command(
    port: int,
    model: Path,
    endpoints: Path = ENDPOINTS,
    api_token: str | None = None,
    credentials: Path = CREDENTIALS,
) -> list[str]:
    command = rasa_command(
        "run",
        "--model", str(model),
        "--endpoints", str(endpoints),
        "--credentials", str(credentials),
        "--interface", HOST,
        "--port", str(port),
    )  # fmt: skip
    if api_token:
        # Rasa's HTTP API (trigger_intent for the scheduler) is never enabled without a token.
        command += ["--enable-api", "--auth-token", api_token]
    return command


def scheduler_command() -> list[str]:
    return [sys.executable, "-m", "bot", "scheduler"]


def endpoints_for(action_port: int, directory: Path) -> Path:
    """``endpoints.yml`` pointing at an action server on another port."""
    if action_port == 5055:
        return ENDPOINTS
    path = directory / "endpoints.yml"
    path.write_text(ENDPOINTS.read_text().replace(f"{HOST}:5055", f"{HOST}:{action_port}"))
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

    def exited(self) -> subprocess.Popen[bytes] | None:
        return next((p for p in self.processes if p.poll() is not None), None)


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
) -> Iterator[Servers]:
    """Start the action server and the Rasa server (and the nudge scheduler, which needs
    ``api_token``), wait until they answer, stop them all."""
    env = {**server_environment(database_url), **(extra_env or {})}
    if api_token:
        env["RASA_API_TOKEN"] = api_token
        env["MERCI_RASA_URL"] = f"http://{HOST}:{rasa_port}"
    log_dir.mkdir(parents=True, exist_ok=True)
    endpoints = endpoints_for(action_port, log_dir)
    credentials, messenger = credentials_for(env, log_dir)
    processes: list[subprocess.Popen[bytes]] = []
    with ExitStack() as stack:
        stack.callback(stop, processes)
        for name, command in (
            ("actions", action_server_command(action_port)),
            ("rasa", rasa_server_command(rasa_port, model, endpoints, api_token, credentials)),
        ):
            log = stack.enter_context(open(log_dir / f"{name}.log", "ab"))
            processes.append(
                subprocess.Popen(
                    command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        actions, rasa = processes
        wait_until_up(f"http://{HOST}:{action_port}/health", actions)
        wait_until_up(f"http://{HOST}:{rasa_port}/", rasa)
        if scheduler:
            log = stack.enter_context(open(log_dir / "scheduler.log", "ab"))
            processes.append(
                subprocess.Popen(
                    scheduler_command(),
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            )
        yield Servers(
            f"http://{HOST}:{rasa_port}",
            f"http://{HOST}:{action_port}",
            tuple(processes),
            log_dir,
            messenger,
        )


def preflight() -> str | None:
    """Check the tables marketers edit before starting; the problem in words, or None."""
    from bot.domain.congratulations import TableError, load_table
    from bot.domain.freshness import PolicyError, load_policy
    from bot.domain.wording import load_responses

    settings = get_settings()
    # --- wt-guard: never listen beyond loopback with an open REST channel -------------
    from bot.domain.exposure import exposure_problem

    if exposed := exposure_problem(settings.host, settings.rest_channel_token):
        return exposed
    # --- end wt-guard ---------------------------------------------------------------------
    try:
        load_table(settings.congratulations_path, load_responses(settings.domain_path))
        load_policy(settings.freshness_path)
    except (TableError, PolicyError, ValueError) as error:
        return str(error)
    return None


def run(model: Path, rasa_port: int = 5005, action_port: int = 5055) -> int:
    """Serve until interrupted; return an exit code."""
    problem = preflight()
    if problem:
        print(f"Merci cannot start: {problem}", file=sys.stderr)
        return 1
    print("Starting the action server, the Rasa server and the scheduler (logs in var/log/)...")
    token = get_settings().rasa_api_token or secrets.token_urlsafe(24)
    try:
        with serving(
            model, rasa_port=rasa_port, action_port=action_port, api_token=token, scheduler=True
        ) as servers:
            print(messenger_status(servers), flush=True)
            print(
                f'Merci is ready: POST {{"sender": "moi", "message": "Bonjour"}} to '
                f"{servers.rasa_url}/webhooks/rest/webhook, or run `make shell` "
                "(Ctrl-C stops both servers).",
                flush=True,
            )
            print(f"Chat in a browser: {servers.rasa_url}/webhooks/widget/", flush=True)
            while (failed := servers.exited()) is None:
                time.sleep(0.5)
            print(f"A server stopped unexpectedly (exit code {failed.returncode}); see var/log/.")
            return 1
    except KeyboardInterrupt:
        print("\nStopping Merci...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"Merci could not start: {error}. See var/log/ for details.", file=sys.stderr)
        return 1


def messenger_status(servers: Servers) -> str:
    if servers.messenger:
        return f"Messenger webhook: {servers.rasa_url}/webhooks/facebook/webhook (see docs)."
    return (
        "Messenger is off: set MESSENGER_VERIFY_TOKEN, MESSENGER_APP_SECRET and "
        "MESSENGER_PAGE_ACCESS_TOKEN to enable it (docs/messenger.md)."
    )


def shell(model: Path, action_port: int = 5055) -> int:
    """Talk to Merci in the terminal: the action server in the background, Rasa's shell in front."""
    env = server_environment()
    log_dir = PROJECT_ROOT / "var" / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "actions.log", "ab") as action_log:
        actions = subprocess.Popen(
            action_server_command(action_port), cwd=PROJECT_ROOT, env=env,
            stdout=action_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_until_up(f"http://{HOST}:{action_port}/health", actions)
            command = rasa_command(
                "shell",
                "--model",
                str(model),
                "--endpoints",
                str(endpoints_for(action_port, log_dir)),
            )
            return subprocess.call(command, cwd=PROJECT_ROOT, env=env)
        except KeyboardInterrupt:
            return 0
        except RuntimeError as error:
            print(f"Merci could not start: {error}. See var/log/actions.log.", file=sys.stderr)
            return 1
        finally:
            stop([actions])
