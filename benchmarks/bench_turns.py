"""Turn latency and throughput of Merci over REST, with both servers really started.

Every figure is quoted as a ratio to a baseline measured in the same run (a turn that
needs no custom action), because the machines are shared and noisy.

    make bench            # or: .venv/bin/python -m benchmarks.bench_turns --turns 200
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.runtime.runner import Servers, serving
from bot.storage.migrate import upgrade

MODEL = PROJECT_ROOT / "models" / "merci.tar.gz"
BASELINE = "merci beaucoup"  # thank -> utter_you_are_welcome: no custom action
ACTION_TURN = "mes infos sont toujours bonnes"  # confirm_data -> action_confirm_profile (DB)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def say(url: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        replies = json.loads(response.read())
    elapsed = time.perf_counter() - start
    if not replies:
        raise RuntimeError(f"no reply to {text!r}")
    return elapsed


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def sequential(url: str, sender: str, text: str, turns: int) -> list[float]:
    return [say(url, sender, text) for _ in range(turns)]


def throughput(url: str, text: str, senders: int, turns_each: int) -> float:
    def one(index: int) -> None:
        for _ in range(turns_each):
            say(url, f"bench-parallel-{index}", text)

    start = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(one, range(senders)))
    return senders * turns_each / (time.perf_counter() - start)


# Hundreds of turns from one sender and one address: no rate limit in a benchmark.
NO_RATE_LIMIT = {
    "MERCI_RATE_LIMIT_PER_SENDER": "1000000",
    "MERCI_RATE_LIMIT_PER_ADDRESS": "1000000",
}


@contextmanager
def fresh_servers(extra_env: dict[str, str] | None = None) -> Iterator[Servers]:
    """Both servers on free ports over a new SQLite database, without rate limits."""
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(database_url)
        with serving(
            MODEL,
            database_url=database_url,
            rasa_port=free_port(),
            action_port=free_port(),
            log_dir=Path(tmp),
            extra_env={**NO_RATE_LIMIT, **(extra_env or {})},
        ) as servers:
            yield servers


def measure(turns: int, workers: int, history: int) -> dict[str, float]:
    with fresh_servers({"ACTION_SERVER_SANIC_WORKERS": str(workers)}) as servers:
        url = servers.rasa_url
        say(url, "bench-profile", "je m'appelle Marie")  # a profile to confirm
        sequential(url, "bench-warmup", BASELINE, 20)
        sequential(url, "bench-profile", ACTION_TURN, 20)
        base = sequential(url, "bench-base", BASELINE, turns)
        action = sequential(url, "bench-profile", ACTION_TURN, turns)
        base_rate = throughput(url, BASELINE, 8, max(turns // 8, 5))
        action_rate = throughput(url, ACTION_TURN, 8, max(turns // 8, 5))
        # A long conversation: the whole tracker travels with every action call.
        sequential(url, "bench-long", "je m'appelle Paul", 1)
        short = sequential(url, "bench-long", ACTION_TURN, 30)
        sequential(url, "bench-long", ACTION_TURN, history)
        long = sequential(url, "bench-long", ACTION_TURN, 30)
    base_p50, base_p95 = percentiles(base)
    action_p50, action_p95 = percentiles(action)
    return {
        "baseline_p50_ms": base_p50 * 1000,
        "baseline_p95_ms": base_p95 * 1000,
        "action_p50_ms": action_p50 * 1000,
        "action_p95_ms": action_p95 * 1000,
        "action_over_baseline_p50": action_p50 / base_p50,
        "baseline_turns_per_s_8_senders": base_rate,
        "action_turns_per_s_8_senders": action_rate,
        "action_over_baseline_throughput": action_rate / base_rate,
        f"after_{history}_turns_over_fresh_conversation_p50": percentiles(long)[0]
        / percentiles(short)[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--history", type=int, default=200, help="turns before the long series")
    args = parser.parse_args()
    for workers in args.workers:
        results = measure(args.turns, workers, args.history)
        print(f"\n## Action server with {workers} Sanic worker(s), {args.turns} turns per series")
        print("| measure | value |\n|---|---|")
        for name, value in results.items():
            print(f"| {name} | {value:.2f} |", flush=True)


if __name__ == "__main__":
    main()
