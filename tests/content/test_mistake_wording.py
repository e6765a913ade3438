"""The French wording of the table's and the policy's mistakes lives in one place
(``bot/domain/mistakes_fr.py``): every code has one, and rewording it there is all it takes
to change what ``make check`` and a refused start say."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.domain import mistakes_fr
from bot.domain.catalogue import CatalogueError, load_catalogue
from bot.domain.congratulations import TableError, load_table
from bot.domain.freshness import PolicyError, load_policy
from bot.domain.mistakes import Code, Mistake
from bot.domain.privacy import PrivacyPolicyError, load_privacy
from bot.domain.wording import load_responses
from bot.tools.content.source import load_located
from bot.tools.content.tables import located
from bot.tools.products import read_export

NBSP = "\u00a0"
TABLE = "data/congratulations.yml"
REAL_TABLE = yaml.safe_load((PROJECT_ROOT / TABLE).read_text(encoding="utf-8"))


def broken_tables() -> list[dict | str]:
    """Copies of the real table that, between them, make every table mistake."""
    unknown = {"event": "anniversaire", "stars": 5, "rating": 6, "milestone": 75, "field": "x"}
    many = dict(REAL_TABLE, milestones=[0, 50, 80, 90, 100], field_labels={"email": "e-mail"})
    many["thanks"] = [
        {"response": "utter_thank_review_5"},
        {"when": unknown, "response": "utter_inconnue"},
        {"when": {"event": "review", "rating": 1}, "response": "utter_thank_first_review_5"},
        {"when": {"event": "data_confirmed", "rating": 5}, "response": "utter_iamabot"},
    ] + [r for r in REAL_TABLE["thanks"] if r["when"] != {"event": "data_confirmed"}]
    return [many, "milestones: [50\n", "- when: {event: review}\n"]


BROKEN_POLICIES = [
    "default_months: 0\nquiet_days: -1\nquiet_day: 7\nfields:\n  pointure: 1\n  email: 0\n",
    "fields: 12\n",
    "- email: 24\n",
    "fields:\n  email: [24\n",
]

BROKEN_PRIVACY = [
    "- consent_version: 1\n",
    "consent_version: [1]\nkeep_anonymous_reviews: peut-être\nretention: 12\n",
    "retention:\n  conversations_days: 0\n  brand_events_days: 10\n  brand_events_months: 1\n",
]

BROKEN_CATALOGUES = [
    "- name: Crème de jour\n",
    "products: Crème de jour\n",
    "products:\n  - Crème de jour\n  - category: corps\n  - name: Baume\n    aliases: {a: b}\n"
    "  - name: Savon\n    id: s\n  - name: Savon doux\n    id: s\n",
]


def mistakes_of_broken_files(tmp_path: Path) -> list[tuple[Path, Mistake]]:
    found = []
    responses = load_responses(PROJECT_ROOT / "domain.yml")
    for number, table in enumerate(broken_tables()):
        path = tmp_path / f"table-{number}.yml"
        text = table if isinstance(table, str) else yaml.safe_dump(table, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        with pytest.raises(TableError) as caught:
            load_table(path, responses)
        found += [(path, mistake) for mistake in caught.value.problems]
    for number, text in enumerate(BROKEN_POLICIES):
        path = tmp_path / f"policy-{number}.yml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(PolicyError) as refused:
            load_policy(path)
        found += [(path, mistake) for mistake in refused.value.problems]
    for number, text in enumerate(BROKEN_PRIVACY):
        path = tmp_path / f"privacy-{number}.yml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(PrivacyPolicyError) as wrong:
            load_privacy(path)
        found += [(path, mistake) for mistake in wrong.value.problems]
    for number, text in enumerate(BROKEN_CATALOGUES):
        path = tmp_path / f"products-{number}.yml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CatalogueError) as bad:
            load_catalogue(path)
        found += [(path, mistake) for mistake in bad.value.problems]
    export = tmp_path / "export.csv"
    export.write_text("ref;prix\nA1;12\n", encoding="utf-8")
    found += [(export, mistake) for _, mistake in read_export(export.read_text())[2]]
    return found


def test_every_code_has_a_french_wording():
    assert set(mistakes_fr.WORDING) == set(Code)


def test_every_code_is_raised_by_a_broken_file_and_worded_with_its_own_values(tmp_path):
    found = mistakes_of_broken_files(tmp_path)
    assert {mistake.code for _, mistake in found} == set(Code)
    domain, _ = load_located(PROJECT_ROOT / "domain.yml")
    for path, mistake in found:
        doc, _ = load_located(path)
        # A template naming a value its code is not raised with would raise KeyError here.
        problem = located(mistake, path, doc, PROJECT_ROOT / "domain.yml", domain)
        assert problem.line >= 1 and problem.what and problem.fix
        # Braces are left only in `code samples`, never an unfilled placeholder in the text.
        prose = f"{problem.what} : {problem.fix}".split("`")[::2]
        assert not any("{" in part or "}" in part for part in prose), problem


def test_rewording_the_catalogue_changes_make_check_at_the_right_line(project, monkeypatch):
    monkeypatch.setitem(
        mistakes_fr.WORDING,
        Code.UNKNOWN_RESPONSE,
        ("la réponse {response} de la règle {rule} est introuvable", "vérifiez son nom"),
    )
    line = project.edit(TABLE, "response: utter_thank_review_5\n", "response: utter_merci\n")
    rule = sum(
        1 for text in project.text(TABLE).splitlines()[:line] if text.lstrip().startswith("- when:")
    )
    assert project.problems_at(TABLE, line) == [
        f"{TABLE}:{line}: la réponse utter_merci de la règle {rule} est introuvable{NBSP}: "
        "vérifiez son nom"
    ]


def test_rewording_the_catalogue_changes_what_a_refused_start_says(project, monkeypatch):
    monkeypatch.setitem(
        mistakes_fr.WORDING,
        Code.UNKNOWN_RESPONSE,
        ("la réponse {response} de la règle {rule} est introuvable", "vérifiez son nom"),
    )
    project.edit(TABLE, "response: utter_thank_review_5\n", "response: utter_merci\n")
    with pytest.raises(TableError) as caught:
        load_table(project.root / TABLE, load_responses(project.root / "domain.yml"))
    assert "la réponse utter_merci de la règle" in str(caught.value)
    assert f"est introuvable{NBSP}: vérifiez son nom" in str(caught.value)
