"""PostgreSQL, Redis and nginx from Debian's packages, started by Merci itself on loopback.

Used by ``make run-scaled`` (data in ``var/``), by the tests of the scaled topology and by
its benchmark (data in a temporary directory). Nothing is assumed to be running: each
server gets its own directory and a port, and is stopped with the context that started it.
As root, PostgreSQL (which refuses to run as root) runs as Debian's ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.runtime.runner import HOST, Launch, start, stop

NGINX_TEMPLATE = "nginx.conf.j2"
TEMPLATES = Path(__file__).resolve().parent / "templates"


class MissingPackage(RuntimeError):
    """A Debian package Merci needs is not installed: the message says which."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for port {port} exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:.0f} s")


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL's programs refuse to run as root: as root, run them as ``postgres``."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PostgreSQL:
    """A PostgreSQL cluster of its own in ``directory`` (created once), on ``port``."""

    directory: Path
    port: int
    database: str = "merci"
    user: str = "merci"

    @property
    def bin(self) -> Path:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            raise MissingPackage(
                "PostgreSQL is not installed: run `make postgresql` as root, or "
                "`sudo apt-get install postgresql`."
            )
        return Path(found[-1]).parent

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{self.user}@{HOST}:{self.port}/{self.database}"

    def run(self, program: str, *args: str) -> None:
        command = as_server_user([str(self.bin / program), *args])
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL's {program} failed: {done.stderr.strip()[-500:]}")

    def init(self) -> None:
        """Create the cluster and the database unless they exist, then start the server."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # Its parents must let the postgres user through (0755, as var/ is).
            shutil.chown(self.directory, "postgres")
        created = not (self.data / "PG_VERSION").exists()
        if created:
            self.run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust")
        self.start()
        if created:
            self.run("createdb", "-h", HOST, "-p", str(self.port), "-U", self.user, self.database)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses={HOST}"
        self.run(
            "pg_ctl", "-D", str(self.data), "-o", options,
            "-l", str(self.directory / "postgresql.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextmanager
def postgresql(directory: Path, port: int | None = None) -> Iterator[PostgreSQL]:
    """A running PostgreSQL with its data in ``directory``, stopped on exit."""
    server = PostgreSQL(directory, port or free_port())
    server.init()
    try:
        yield server
    finally:
        # Already stopped, when a test stopped it on purpose.
        with suppress(RuntimeError):
            server.stop()


def redis_launch(directory: Path, port: int) -> Launch:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise MissingPackage(
            "Redis is not installed: run `make redis` as root, or `sudo apt-get install "
            "redis-server`."
        )
    command = [
        binary, "--port", str(port), "--bind", HOST, "--dir", str(directory),
        # Locks and socket.io messages only: nothing worth writing to disk.
        "--save", "", "--appendonly", "no", "--daemonize", "no",
    ]  # fmt: skip
    return Launch("redis", command, dict(os.environ))


@contextmanager
def redis(directory: Path, port: int | None = None) -> Iterator[str]:
    """A running Redis on loopback; yields its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = start(redis_launch(directory, port), directory)
    try:
        wait_for_port(port, process, timeout=30)
        yield f"redis://{HOST}:{port}/0"
    finally:
        stop([process])


def render_nginx(directory: Path, port: int, rasa_ports: Sequence[int], host: str = HOST) -> Path:
    """nginx's configuration for ``rasa_ports`` behind ``host:port``, written in
    ``directory`` (with nginx's own temporary directories)."""
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False
    )
    text = templates.get_template(NGINX_TEMPLATE).render(
        directory=str(directory),
        listen=f"{host}:{port}",
        servers=[f"{HOST}:{p}" for p in rasa_ports],
        # As root, nginx's workers would run as nobody, who cannot write in var/.
        user="root" if os.geteuid() == 0 else None,
    )
    path = directory / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def nginx(directory: Path, port: int, rasa_ports: Sequence[int], host: str = HOST) -> Iterator[str]:
    """nginx balancing the Rasa servers on ``rasa_ports``; yields its URL."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise MissingPackage(
            "nginx is not installed: run `make nginx` as root, or `sudo apt-get install nginx`."
        )
    directory.mkdir(parents=True, exist_ok=True)
    config = render_nginx(directory, port, rasa_ports, host)
    command = [binary, "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")]
    process = start(Launch("nginx", command, dict(os.environ)), directory)
    try:
        wait_for_port(port, process, timeout=30)
        yield f"http://{HOST if host in ('0.0.0.0', '::') else host}:{port}"
    finally:
        stop([process])
