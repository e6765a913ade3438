"""Response wording from ``domain.yml``: pick a variant and fill its placeholders.

Congratulations are rendered here rather than by Rasa's NLG so that Merci controls
the variant: the first name is used when known, and a consumer never gets the same
sentence twice in a row.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Variant:
    index: int
    text: str
    buttons: tuple[dict[str, str], ...] = ()
    placeholders: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reply:
    """A rendered message, ready for a channel."""

    response: str
    variant: int
    text: str
    buttons: tuple[dict[str, str], ...] = field(default=())


def placeholders_of(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _variants(name: str, raw: Sequence[Mapping[str, Any]]) -> tuple[Variant, ...]:
    variants = []
    for index, item in enumerate(raw):
        text = str(item.get("text", ""))
        try:
            buttons = tuple(
                {"title": str(b["title"]), "payload": str(b["payload"])}
                for b in item.get("buttons", [])
            )
            placeholders = placeholders_of(text)
        except (KeyError, ValueError) as exc:
            raise ValueError(
                f"response {name}, variant {index + 1}: a button needs a title and a payload, "
                f"and braces must enclose a placeholder name ({exc})"
            ) from exc
        variants.append(Variant(index, text, buttons, placeholders))
    return tuple(variants)


def load_responses(domain_path: Path) -> dict[str, tuple[Variant, ...]]:
    """Responses of a domain file, by name (read again only once the file has changed:
    a publish from Merci Studio is seen without a restart)."""
    return _responses(domain_path, domain_path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _responses(domain_path: Path, _version: int) -> dict[str, tuple[Variant, ...]]:
    with open(domain_path, encoding="utf-8") as handle:
        domain = yaml.safe_load(handle) or {}
    return {
        name: _variants(name, raw or []) for name, raw in (domain.get("responses") or {}).items()
    }


def choose_variant(
    variants: Sequence[Variant], values: Mapping[str, Any], avoid: int | None = None
) -> Variant:
    """The variant to say: fillable, personal when a first name is known, not ``avoid``.

    Rotation instead of randomness: after variant i comes the next usable one, so two
    consecutive congratulations of the same response always differ when there are two
    usable variants.
    """
    known = {name for name, value in values.items() if value not in (None, "")}
    usable = [v for v in variants if v.placeholders <= known]
    if not usable:
        raise LookupError("no variant can be filled with the values at hand")
    personal = [v for v in usable if "first_name" in v.placeholders]
    if "first_name" in known and len(personal) >= 2:
        usable = personal
    if avoid is None:
        return usable[0]
    after = [v for v in usable if v.index > avoid]
    candidates = after or usable
    choice = candidates[0]
    if choice.index == avoid and len(usable) > 1:
        choice = next(v for v in usable if v.index != avoid)
    return choice


def render(response: str, variant: Variant, values: Mapping[str, Any]) -> Reply:
    text = variant.text.format_map({k: "" if v is None else v for k, v in values.items()})
    return Reply(response=response, variant=variant.index, text=text, buttons=variant.buttons)
