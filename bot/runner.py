"""Start the action server and the Rasa server together, and stop both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from bot.config import PROJECT_ROOT, get_settings

HOST = "127.0.0.1"


def server_environment() -> dict[str, str]:
    """Environment for Rasa and the action server: one database URL, loopback only."""
    env = dict(os.environ)
    env["DATABASE_URL"] = get_settings().database_url
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
    port: int, model: Path, endpoints: Path = PROJECT_ROOT / "endpoints.yml"
) -> list[str]:
    return rasa_command(
        "run",
        "--model", str(model),
        "--endpoints", str(endpoints),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--interface", HOST,
        "--port", str(port),
    )  # fmt: skip


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server behind {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
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


def run(model: Path, rasa_port: int = 5005, action_port: int = 5055) -> int:
    """Serve until interrupted; return an exit code."""
    env = server_environment()
    log_dir = PROJECT_ROOT / "var" / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with open(log_dir / "actions.log", "ab") as action_log, open(
            log_dir / "rasa.log", "ab"
        ) as rasa_log:
            actions = subprocess.Popen(
                action_server_command(action_port), cwd=PROJECT_ROOT, env=env,
                stdout=action_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(actions)
            rasa = subprocess.Popen(
                rasa_server_command(rasa_port, model), cwd=PROJECT_ROOT, env=env,
                stdout=rasa_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(rasa)
            print("Starting the action server and the Rasa server (logs in var/log/)...", flush=True)
            wait_until_up(f"http://{HOST}:{action_port}/health", actions)
            wait_until_up(f"http://{HOST}:{rasa_port}/", rasa)
            print(
                f"Merci is ready: POST {{\"sender\": \"moi\", \"message\": \"Bonjour\"}} to "
                f"http://{HOST}:{rasa_port}/webhooks/rest/webhook, or run `make shell` "
                "(Ctrl-C stops both servers).",
                flush=True,
            )
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            failed = next(p for p in processes if p.poll() is not None)
            print(f"A server stopped unexpectedly (exit code {failed.returncode}); see var/log/.")
            return 1
    except KeyboardInterrupt:
        print("\nStopping Merci...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"Merci could not start: {error}. See var/log/ for details.", file=sys.stderr)
        return 1
    finally:
        stop(processes)


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
                "shell", "--model", str(model), "--endpoints", str(PROJECT_ROOT / "endpoints.yml")
            )
            return subprocess.call(command, cwd=PROJECT_ROOT, env=env)
        except KeyboardInterrupt:
            return 0
        except RuntimeError as error:
            print(f"Merci could not start: {error}. See var/log/actions.log.", file=sys.stderr)
            return 1
        finally:
            stop([actions])
