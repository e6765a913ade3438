"""Figures, ratios and targets of :mod:`benchmarks.bench_vs_stock`, as Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SERIES_NAMES = {
    "sequential": "REST, one sender",
    "concurrent_8": "REST, 8 senders (one conversation each)",
    "concurrent_32": "REST, 32 senders (one conversation each)",
    "realistic_8": "realistic: 8 senders, conversations of 10 turns",
    "realistic_32": "realistic: 32 senders, conversations of 10 turns",
}
KIND_NAMES = {
    "small_talk": "small talk",
    "profile_saved": "action: profile value saved",
    "review_form": "action: review form (saved every 4th turn)",
}
SCALED_REPORT = "bench-scaled.json"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def bot_figures(bot: Any) -> dict[str, float]:
    """Flat figures of one bot: latencies in ms, turns per second, MB, seconds."""
    figures: dict[str, float] = {}
    for key, samples in bot.samples.items():
        if ".long_" in key:
            figures[f"{key}.p50_ms"] = percentile(samples, 0.5)
            continue
        for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            figures[f"{key}.{name}_ms"] = percentile(samples, q)
        figures[f"{key}.turns_per_s"] = bot.turns[key] / bot.wall[key]
    for kind in bot.scripts:
        rates = [v for k, v in figures.items() if k.startswith(f"{kind}.") and "turns_per_s" in k]
        figures[f"{kind}.saturation.turns_per_s"] = max(rates, default=float("nan"))
        first = figures.get(f"{kind}.long_first_20.p50_ms")
        if first:
            figures[f"{kind}.long_last_over_first"] = figures[f"{kind}.long_last_20.p50_ms"] / first
    for part, memory in bot.figures.get("memory", {}).items():
        figures[f"memory.{part}_server.rss_mb"] = memory["rss_mb"]
        figures[f"memory.{part}_server.peak_rss_mb"] = memory["peak_rss_mb"]
    figures["start_to_first_answer_s"] = bot.figures["start_to_first_answer_s"]
    return figures


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def baseline_key(key: str) -> str:
    """The stock figure a Merci figure is compared with: the stock bot has small talk only,
    so an action turn of Merci is compared with the stock bot's (only) kind of turn."""
    for kind in ("profile_saved", "review_form"):
        if key.startswith(f"{kind}."):
            return "small_talk." + key[len(kind) + 1 :]
    return key


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or a != a or b != b:
        return None
    return a / b


def targets(
    merci: dict[str, float],
    stock: dict[str, float],
    trained: dict[str, float],
    scaled: dict[str, Any],
) -> list[dict[str, Any]]:
    """The issue's targets, each with its measured value and whether it is reached."""

    def merci_over(key: str, other: dict[str, float], other_key: str | None = None) -> float | None:
        return ratio(merci.get(key), other.get(other_key or key))

    small_talk_8 = "small_talk.realistic_8.turns_per_s"
    rows: list[tuple[str, float | None, str, float]] = [
        (
            "small-talk throughput, 8 senders, conversations of 10 turns: Merci / stock",
            merci_over(small_talk_8, stock),
            ">=",
            4.0,
        ),
        (
            "small-talk throughput at saturation: Merci / stock",
            merci_over("small_talk.saturation.turns_per_s", stock),
            ">=",
            4.0,
        ),
    ]
    for kind in ("profile_saved", "review_form"):
        name = KIND_NAMES[kind]
        rows += [
            (
                f"{name}: p50 / small-talk p50 (one sender)",
                merci_over(f"{kind}.sequential.p50_ms", merci, "small_talk.sequential.p50_ms"),
                "<=",
                1.3,
            ),
            (
                f"{name}: throughput / small talk's (8 senders, conversations of 10 turns)",
                merci_over(f"{kind}.realistic_8.turns_per_s", merci, small_talk_8),
                ">=",
                0.8,
            ),
        ]
    for kind in ("small_talk", "profile_saved", "review_form"):
        rows.append(
            (
                f"{KIND_NAMES[kind]}: p50 of turns 131-150 / turns 1-20 of one conversation",
                merci.get(f"{kind}.long_last_over_first"),
                "<=",
                1.3,
            )
        )
    rows += [
        (
            "Rasa server memory (RSS): Merci / stock",
            merci_over("memory.rasa_server.rss_mb", stock),
            "<=",
            0.5,
        ),
        (
            "time to train from scratch: Merci / stock",
            ratio(trained.get("merci"), trained.get("stock")),
            "<=",
            0.3,
        ),
    ]
    two_over_one = next(
        (v for k, v in flatten(scaled).items() if "over_one" in k and isinstance(v, (int, float))),
        None,
    )
    rows.append(("scaled topology: throughput with two servers / one", two_over_one, ">=", 1.6))
    return [
        {
            "target": name,
            "measured": value,
            "wanted": f"{sign} {limit}",
            "reached": None
            if value is None
            else (value >= limit if sign == ">=" else value <= limit),
        }
        for name, value, sign, limit in rows
    ]


MERCI_VARIANTS = {"merci": "Merci (actions over HTTP)", "merci_in_process": "Merci (in-process)"}


def write_reports(
    out: Path,
    bots: list[Any],
    trained: dict[str, float],
    profiles: dict[str, Any],
    meta: dict[str, Any],
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict[str, float]] = {"stock": {}, "stock_sql": {}}
    figures.update({bot.name: bot_figures(bot) for bot in bots})
    for name, seconds in trained.items():
        for bot in figures:
            if bot.startswith(name):
                figures[bot]["train_from_scratch_s"] = seconds
    scaled_path = out / SCALED_REPORT
    scaled = json.loads(scaled_path.read_text()) if scaled_path.exists() else {}
    stock, stock_sql = figures["stock"], figures["stock_sql"]
    variants = [name for name in MERCI_VARIANTS if name in figures]
    ratios = {
        name: {
            key: {
                "over_stock": ratio(value, stock.get(baseline_key(key))),
                "over_stock_sql": ratio(value, stock_sql.get(baseline_key(key))),
            }
            for key, value in figures[name].items()
        }
        for name in variants
    }
    result = {
        "meta": meta,
        "figures": figures,
        "ratios": ratios,
        "targets": {name: targets(figures[name], stock, trained, scaled) for name in variants},
        "profiles": profiles,
        "scaled": scaled or None,
    }
    json_path = out / "bench-vs-stock.json"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    md_path = out / "bench-vs-stock.md"
    md_path.write_text(markdown(result), encoding="utf-8")
    return [md_path, json_path]


def cell(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}"
    return str(value)


def label(key: str) -> str:
    parts = key.split(".")
    if parts[0] in KIND_NAMES and len(parts) >= 3:
        series = SERIES_NAMES.get(parts[1], parts[1].replace("_", " "))
        return f"{KIND_NAMES[parts[0]]} — {series} — {parts[2].replace('_', ' ')}"
    if parts[0] in KIND_NAMES:
        return f"{KIND_NAMES[parts[0]]} — {parts[1].replace('_', ' ')}"
    return key.replace("_", " ").replace(".", " — ")


def markdown(result: dict[str, Any]) -> str:
    figures, ratios = result["figures"], result["ratios"]
    variants = list(ratios)
    scaled = flatten(result["scaled"] or {})
    meta = result["meta"]
    lines = [
        "# Merci against the stock Rasa bot",
        "",
        f"One interleaved run on {meta['date']} ({meta['machine']}), "
        f"{meta['sizes']['rounds']} round(s), {meta['bench_seconds']} s in all. "
        "Stock: the bot `rasa init --no-prompt` creates "
        "(Rasa 3.6.21, same virtual environment), with Rasa's in-memory tracker store and with "
        "its SQL tracker store on SQLite. Merci: as `make run` serves it (SQLite), with its "
        "custom actions called over HTTP (`MERCI_ACTIONS=http`, the default) and run inside "
        "the Rasa server (`MERCI_ACTIONS=in-process`). All over REST with their action servers. "
        "The stock bot has no custom action: Merci's action turns are compared with its (only) "
        "kind of turn. Latencies in ms, throughput in turns/s, memory in MB, times in s.",
        "",
        "| figure | stock (memory) | stock (SQL) | "
        + " | ".join(f"{MERCI_VARIANTS[v]} | / stock | / stock SQL" for v in variants)
        + " | Merci scaled (2 servers) |",
        "|---|---:|---:|" + "---:|---:|---:|" * len(variants) + "---:|",
    ]
    keys = list(dict.fromkeys(k for v in variants for k in figures[v]))
    for key in keys:
        base = baseline_key(key)
        scaled_value = scaled.get(key, "–" if scaled else "not measured in this run")
        row = [label(key), cell(figures["stock"].get(base)), cell(figures["stock_sql"].get(base))]
        for variant in variants:
            row += [
                cell(figures[variant].get(key)),
                cell(ratios[variant].get(key, {}).get("over_stock"), 2),
                cell(ratios[variant].get(key, {}).get("over_stock_sql"), 2),
            ]
        lines.append("| " + " | ".join([*row, cell(scaled_value)]) + " |")
    lines += ["", "## Targets", ""]
    lines += ["| target | " + " | ".join(MERCI_VARIANTS[v] for v in variants) + " | wanted |"]
    lines += ["|---|" + "---:|" * len(variants) + "---:|"]
    rows = result["targets"]
    for index, target in enumerate(rows[variants[0]] if variants else []):
        measured = []
        for variant in variants:
            mine = rows[variant][index]
            if mine["reached"] is None:
                measured.append("not measured in this run")
            else:
                verdict = "reached" if mine["reached"] else "not reached"
                measured.append(f"{cell(mine['measured'], 2)} ({verdict})")
        lines.append(f"| {target['target']} | " + " | ".join(measured) + f" | {target['wanted']} |")
    lines += ["", "## Scaled topology (reports/bench-scaled.json)", ""]
    if scaled:
        lines += ["| figure | value |", "|---|---:|"]
        lines += [f"| {k} | {cell(v, 2)} |" for k, v in flatten(scaled).items()]
    else:
        lines.append("Not measured in this run (`benchmarks/bench_scaled.py` writes it).")
    for name, profile in result["profiles"].items():
        lines += profile_markdown(MERCI_VARIANTS[name], profile)
    if not result["profiles"]:
        lines += ["", "## Profile", "", "Not profiled in this run."]
    return "\n".join(lines) + "\n"


def profile_markdown(name: str, profile: dict[str, Any]) -> list[str]:
    lines = ["", f"## Profile of {name}: its Rasa server under small-talk load (py-spy)", ""]
    lines += [
        f"{profile['samples']} samples of the busy threads; the server used "
        f"{100 * profile['cpu_busy_share']:.0f} % of one core during the load. Raw stacks: "
        f"`{profile['raw_stacks']}`. A sample counts for every part on its stack.",
        "",
        "| part of a turn | share of samples |",
        "|---|---:|",
    ]
    for name, share in sorted(profile["parts_percent"].items(), key=lambda item: -item[1]):
        lines.append(f"| {name} | {share:.1f} % |")
    lines += ["", "| function (inclusive) | share |", "|---|---:|"]
    lines += [f"| `{k}` | {v:.1f} % |" for k, v in profile["top_inclusive_percent"].items()]
    lines += ["", "| function (own time) | share |", "|---|---:|"]
    lines += [f"| `{k}` | {v:.1f} % |" for k, v in profile["top_own_percent"].items()]
    return lines
