"""A py-spy profile of a running server under load, summed up as the share of samples
spent in each part of a turn (a sample counts for every part on its stack)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (part of a turn, pattern matched against one frame "function (path)"), in turn order.
PARTS: tuple[tuple[str, str], ...] = (
    (
        "tracker store: load (query + deserialise events)",
        r"^(retrieve|_retrieve|get_tracker|fetch_\w*tracker\w*) \(.*(tracker_store|processor)",
    ),
    ("tracker store: save", r"^(save|_additional_events|stream_events) \(.*tracker_store"),
    ("NLU pipeline", r"rasa/nlu/"),
    ("policies (prediction)", r"rasa/core/policies/"),
    ("tracker replay and featurisation", r"rasa/shared/core/trackers\.py"),
    ("events (de)serialisation", r"rasa/shared/core/events\.py"),
    (
        "custom action call (HTTP to the action server)",
        r"^run \(.*rasa/core/actions/action\.py|aiohttp/",
    ),
    ("JSON-schema validation of action results", r"jsonschema/"),
    ("SQLAlchemy (all queries)", r"sqlalchemy/"),
    ("SQLite driver", r"sqlite3/|^(execute|commit|fetchall|cursor) \(<"),
    ("domain (states, slots)", r"rasa/shared/core/domain\.py"),
    ("Merci's erasure checks", r"^(_erased_at|carries_erasure|rewrites_history) \("),
    ("SQL commit (waiting for the disk)", r"^do_commit \("),
    ("SQL connection close", r"^do_close \("),
    ("Sanic / HTTP server", r"sanic/"),
    ("logging", r"logging/|structlog"),
)


IDLE = re.compile(
    r"^(_worker \(concurrent/|serve \(.*sanic/server/runners|select \(|poll \(|wait \()"
)


def py_spy() -> str:
    return str(Path(sys.executable).with_name("py-spy"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def profile_under_load(pid: int, load: Callable[[], Any], out: Path) -> dict[str, Any]:
    """Record ``pid`` with py-spy while ``load()`` runs; the summary (and the raw stacks
    in ``out``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        py_spy(), "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
        "--rate", "200", "--nonblocking", "--nolineno",
    ]  # fmt: skip
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # py-spy attaches
    cpu, wall = cpu_seconds(pid), time.perf_counter()
    load()
    cpu, wall = cpu_seconds(pid) - cpu, time.perf_counter() - wall
    recorder.send_signal(signal.SIGINT)
    try:
        _, errors = recorder.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        recorder.kill()
        raise
    if not out.exists():
        raise RuntimeError(f"py-spy wrote no profile: {errors.decode(errors='replace')[-500:]}")
    summary = summarise(out.read_text(encoding="utf-8", errors="replace"))
    summary["cpu_busy_share"] = cpu / wall
    summary["raw_stacks"] = str(out)
    return summary


def summarise(raw: str) -> dict[str, Any]:
    """Share of samples (in %) of each part of a turn, and the top functions by inclusive
    and by own time, from py-spy's raw (collapsed) stacks."""
    stacks: list[tuple[list[str], int]] = []
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        # With --nonblocking, py-spy cannot always tell a thread waiting in C (the event
        # loop's select, an idle worker thread) from a busy one: those samples are waits.
        if stack and count.isdigit() and not IDLE.search(frames[-1]):
            stacks.append((frames, int(count)))
    total = sum(count for _, count in stacks) or 1
    parts = Counter[str]()
    inclusive = Counter[str]()
    own = Counter[str]()
    patterns = [(name, re.compile(pattern)) for name, pattern in PARTS]
    for frames, count in stacks:
        for name, pattern in patterns:
            if any(pattern.search(frame) for frame in frames):
                parts[name] += count
        for frame in set(frames):
            inclusive[short(frame)] += count
        own[short(frames[-1])] += count
    return {
        "samples": total,
        "parts_percent": {name: 100 * parts[name] / total for name, _ in PARTS},
        "top_inclusive_percent": top(inclusive, total, interesting=True),
        "top_own_percent": top(own, total, interesting=False),
    }


def short(frame: str) -> str:
    """``f (…/site-packages/rasa/core/processor.py)`` -> ``f (rasa/core/processor.py)``."""
    return re.sub(r"\(.*?(site-packages/|lib/python3\.\d+/|wt-[\w-]+/)", "(", frame)


def top(counter: Counter[str], total: int, interesting: bool, n: int = 15) -> dict[str, float]:
    """The ``n`` biggest, skipping (for inclusive time) the frames every request passes."""
    generic = re.compile(
        r"^(process |thread |<module>|run |_run|run_forever|run_until|_run_once|__call__|main "
        r"|_bootstrap|wrapper|_?handle_request|request_handler|serve|inner)"
    )
    chosen = [
        (name, count)
        for name, count in counter.most_common()
        if not (interesting and generic.search(name))
    ]
    return {name: 100 * count / total for name, count in chosen[:n]}
