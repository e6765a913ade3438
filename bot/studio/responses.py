"""The responses of domain.yml as the studio edits them: by topic, with the placeholders
each may use (the same rule as ``make check``), saved round-trip and never over someone
else's newer save."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.typography import frenchify
from bot.domain.wording import placeholders_of
from bot.integrations.messenger_api import to_graph_messages
from bot.studio.response_edits import ResponseEdit, VariantEdit, apply
from bot.studio.roundtrip import load
from bot.tools.content import ContentPaths
from bot.tools.content.responses import Variant, _placeholder_problems, merci_values
from bot.tools.content.source import LineDict, load_located
from bot.tools.content.usage import Usage, read_actions, read_dialogue, read_table


class SaveConflict(ValueError):
    """Someone saved this response since it was opened: ``theirs`` is what is saved now."""

    def __init__(self, theirs: list[str]) -> None:
        super().__init__("conflict")
        self.theirs = theirs


@dataclass(frozen=True)
class Response:
    name: str
    variants: list[dict[str, Any]]
    allowed: list[str]
    version: str
    # The line of each variant in domain.yml (1-based), where make check's messages point.
    lines: tuple[int, ...] = ()

    def problems_at(self, problems: list[str]) -> list[list[str]]:
        """``make check``'s messages about each variant (``domain.yml:LINE: ...``)."""
        found: list[list[str]] = [[] for _ in self.variants]
        for problem in problems:
            where, _, said = problem.partition(": ")
            path, _, line = where.rpartition(":")
            if path == "domain.yml" and line.isdigit() and int(line) in self.lines:
                found[self.lines.index(int(line))].append(said)
        return found


def topic_of(name: str) -> str:
    """``utter_congrats_review_first`` -> ``congrats``: responses of one topic sit together."""
    parts = name.split("_")
    return parts[1] if len(parts) > 2 else "divers"


def _responses(root: Path) -> Any:
    return load(root / "domain.yml").data.get("responses") or {}


def by_topic(root: Path) -> dict[str, list[str]]:
    topics: dict[str, list[str]] = {}
    for name in _responses(root):
        topics.setdefault(topic_of(name), []).append(name)
    return dict(sorted(topics.items()))


def version_of(variants: Any) -> str:
    plain = json.dumps([dict(v) for v in variants or []], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(plain.encode()).hexdigest()[:16]


def _usage(root: Path) -> tuple[Usage, set[str]]:
    paths = ContentPaths.under(root)
    usage = Usage()
    read_dialogue(list(paths.dialogue), usage)
    read_actions(list(paths.actions), usage)
    table, _ = load_located(paths.congratulations)
    read_table(table, usage)
    domain, _ = load_located(paths.domain)
    slots = set(domain.get("slots") or {}) if isinstance(domain, dict) else set()
    return usage, slots


def allowed_placeholders(root: Path, name: str) -> list[str]:
    usage, slots = _usage(root)
    values = merci_values(name, usage)
    return sorted(values.names if values is not None else slots)


def read(root: Path, name: str) -> Response | None:
    variants = _responses(root).get(name)
    if variants is None:
        return None
    shown = [dict(v) for v in variants]
    lines = tuple(v.lc.line + 1 for v in variants)
    return Response(name, shown, allowed_placeholders(root, name), version_of(variants), lines)


def typing_problems(root: Path, name: str, text: str, number: int = 1) -> list[str]:
    """What ``make check`` would say about this text's placeholders, as it is typed."""
    usage, slots = _usage(root)
    raw = LineDict()
    raw["text"] = text
    variant = Variant(name, number, raw)
    values = merci_values(name, usage)
    found = _placeholder_problems(root / "domain.yml", 1, [variant], values, slots)
    # Checked alone, a variant using {first_name} would also read "not fillable without the
    # first name": that is about the response as a whole, which the publish checks.
    allowed = values.names if values is not None else frozenset(slots)
    try:
        unknown = placeholders_of(text) - allowed
    except ValueError:
        unknown = frozenset({"{"})
    return [f"{p.what} : {p.fix}" for p in found if any(n in p.what + p.fix for n in unknown)]


def save(
    root: Path,
    name: str,
    texts: list[str],
    version: str,
    titles: dict[tuple[int, int], str] | None = None,
) -> None:
    """Replace the texts of ``name``'s variants (an empty text removes its variant; one
    more text adds a variant; French spacing is put in) and the titles of their buttons
    (``titles[(variant, button)]``), unless someone saved it since ``version``."""
    given = titles or {}
    variants = tuple(
        VariantEdit(text, {b: title for (v, b), title in given.items() if v == i})
        for i, text in enumerate(texts)
    )
    count = len(_responses(root)[name])
    save_edit(root, name, ResponseEdit(variants[:count], "".join(texts[count:])), version)


def save_edit(root: Path, name: str, edit: ResponseEdit, version: str) -> None:
    """Write ``edit`` of ``name`` to domain.yml, unless someone saved the response since
    ``version`` (:class:`SaveConflict`) or the edit is refused (:class:`EditRefused`)."""
    document = load(root / "domain.yml")
    variants = document.data["responses"][name]
    if version_of(variants) != version:
        raise SaveConflict([str(v.get("text", "")) for v in variants])
    apply(variants, edit)
    document.save()


def messenger_preview(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Send API messages Merci's Messenger channel would send (typography applied)."""
    return to_graph_messages({"text": frenchify(text), "buttons": buttons})


def widget_preview(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages as Rasa's socket.io channel hands them to the widget (one per paragraph,
    the buttons on the last), typography applied."""
    messages: list[dict[str, Any]] = [
        {"text": part} for part in frenchify(text).strip().split("\n\n") or [text]
    ]
    if buttons:
        messages[-1]["quick_replies"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
        ]
    return messages
