"""The congratulation table and the freshness policy as forms: written round-trip, checked
with ``make check``'s own checks, and put back as they were when a check fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.studio.roundtrip import Document, load
from bot.tools.content.source import load_located
from bot.tools.content.tables import check_policy, check_table


class TableRefused(ValueError):
    """The edit fails a check; ``problems`` are its messages (nothing was changed)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def freshness(root: Path) -> Document:
    return load(root / "data" / "freshness.yml")


def congratulations(root: Path) -> Document:
    return load(root / "data" / "congratulations.yml")


def _checked(document: Document, check: Any) -> None:
    """Save ``document``; if ``check`` finds problems, restore the file and refuse."""
    before = document.path.read_text(encoding="utf-8")
    document.save()
    problems = check()
    if problems:
        document.path.write_text(before, encoding="utf-8")
        raise TableRefused([p.render(document.path.parent.parent) for p in problems])


def _months(value: str) -> Any:
    text = value.strip()
    return int(text) if text.lstrip("-").isdigit() else text


def save_freshness(root: Path, default: str, fields: dict[str, str], quiet_days: str) -> None:
    document = freshness(root)
    data = document.data
    data["default_months"] = _months(default)
    for name, months in fields.items():
        data["fields"][name] = _months(months)
    data["quiet_days"] = _months(quiet_days)

    def check() -> list[Any]:
        doc, problems = load_located(document.path)
        return problems or check_policy(document.path, doc)

    _checked(document, check)


def save_congratulations(root: Path, responses: dict[int, str]) -> None:
    """Give rule ``index`` the response ``responses[index]``."""
    document = congratulations(root)
    rules = document.data["thanks"]
    for index, response in responses.items():
        if 0 <= index < len(rules):
            rules[index]["response"] = response.strip()
    domain_path = root / "domain.yml"

    def check() -> list[Any]:
        doc, problems = load_located(document.path)
        domain, _ = load_located(domain_path)
        return problems or check_table(document.path, doc, domain_path, domain)

    _checked(document, check)


def describe(when: Any) -> str:
    """A rule's conditions in French words: ``{event: review, rating: 5}`` -> "avis, note 5"."""
    words = {
        "field_saved": "champ enregistré",
        "review": "avis",
        "data_confirmed": "donnée confirmée",
    }
    names = {
        "field": "champ",
        "milestone": "palier",
        "rating": "note",
        "review_count": "nombre d'avis",
        "min_review_count": "au moins",
        "same_product_before": "produit déjà noté",
    }
    parts = [words.get(str(when.get("event")), str(when.get("event")))]
    for key, value in when.items():
        if key == "event":
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown = "oui" if value is True else shown
        parts.append(f"{names.get(key, key)} {shown}")
    return " · ".join(parts)
