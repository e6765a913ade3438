"""The baseline a brand would otherwise deploy: the unmodified bot ``rasa init --no-prompt``
creates, with the same Rasa (3.6.21) from the same virtual environment, trained and served
over REST the way Merci is (Rasa server plus action server, in-memory or SQL tracker store).

``rasa init`` copies the project from Rasa's own package and trains it: nothing is
downloaded (:func:`create_project` runs it without network access when it can).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.runtime.runner import HOST, stop, wait_until_up

STOCK_DIR = PROJECT_ROOT / "var" / "bench" / "stock"
# The stock bot's small talk: "are you a bot?" -> utter_iamabot, by one of its rules.
STOCK_SMALL_TALK = "are you a bot?"


def stock_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def rasa(*args: str) -> list[str]:
    return [sys.executable, "-m", "rasa", *args]


def offline(command: list[str]) -> list[str]:
    """``command`` in a network namespace of its own (no network at all) when this process
    may create one (root on Linux): proof that nothing is downloaded."""
    unshare = shutil.which("unshare")
    if unshare and os.geteuid() == 0:
        probe = subprocess.run([unshare, "-n", "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [unshare, "-n", *command]
    return command


def create_project(directory: Path = STOCK_DIR) -> Path:
    """``rasa init --no-prompt`` in ``directory``, once (it also trains a first model)."""
    if (directory / "domain.yml").exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    command = offline(rasa("init", "--no-prompt", "--init-dir", str(directory)))
    subprocess.run(command, env=stock_environment(), check=True, capture_output=True)
    return directory


def train(project: Path, out: Path, name: str) -> tuple[Path, float]:
    """Train from scratch in ``project`` as ``make train`` does (default config, domain and
    data), with an empty cache so that no trained component is reused; timed."""
    command = rasa("train", "--force", "--fixed-model-name", name, "--out", str(out), "--quiet")
    env = stock_environment()
    # A cache of its own, so that neither bot reuses what the other (or an earlier run) built.
    with tempfile.TemporaryDirectory(prefix="rasa-cache-") as cache:
        env["RASA_CACHE_DIRECTORY"] = cache
        start = time.perf_counter()
        subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
    return out / f"{name}.tar.gz", elapsed


@dataclass(frozen=True)
class StockServers:
    rasa_url: str
    processes: tuple[subprocess.Popen[bytes], ...]  # action server, Rasa server


def stock_endpoints(action_port: int, tracker_store: str, directory: Path) -> Path:
    endpoints: dict[str, object] = {
        "action_endpoint": {"url": f"http://{HOST}:{action_port}/webhook"}
    }
    if tracker_store == "sql":
        endpoints["tracker_store"] = {
            "type": "SQL",
            "dialect": "sqlite",
            "db": str(directory / "stock-trackers.db"),
        }
    path = directory / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


@contextmanager
def serving_stock(
    model: Path, rasa_port: int, action_port: int, tracker_store: str = "memory"
) -> Iterator[StockServers]:
    """The stock bot's action server and Rasa server (REST channel, as ``credentials.yml``
    of ``rasa init`` declares), ``tracker_store`` "memory" (Rasa's default) or "sql" (SQLite)."""
    project = create_project()
    env = stock_environment()
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stock-")))
        endpoints = stock_endpoints(action_port, tracker_store, directory)
        log = stack.enter_context(open(directory / "servers.log", "ab"))
        processes: list[subprocess.Popen[bytes]] = []
        stack.callback(stop, processes)
        actions = rasa("run", "actions", "--actions", "actions", "--port", str(action_port))
        server = rasa(
            "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(project / "credentials.yml"),
            "--interface", HOST, "--port", str(rasa_port),
        )  # fmt: skip
        for command in (actions, server):
            processes.append(
                subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=log)
            )
        wait_until_up(f"http://{HOST}:{action_port}/health", processes[0])
        wait_until_up(f"http://{HOST}:{rasa_port}/", processes[1])
        yield StockServers(f"http://{HOST}:{rasa_port}", tuple(processes))
