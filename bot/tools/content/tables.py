"""The congratulation table and the freshness policy, checked by the very functions Merci
uses when it starts (``load_table``, ``load_policy``), so that ``make check`` passes
exactly when Merci would start. Each mistake they raise is put at its line and worded by
``bot.domain.mistakes_fr``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.domain.catalogue import CATALOGUE_KEYS, CatalogueError, load_catalogue
from bot.domain.congratulations import TABLE_KEYS, TableError, load_table
from bot.domain.freshness import POLICY_KEYS, PolicyError, load_policy
from bot.domain.mistakes import Code, Key, Mistake, unknown_keys
from bot.domain.mistakes_fr import describe
from bot.domain.privacy import PRIVACY_KEYS, PrivacyPolicyError, load_privacy
from bot.domain.wording import load_responses
from bot.tools.content.source import LineDict, LineList, Problem


def line_at(doc: Any, keys: tuple[Key, ...]) -> int:
    """The line of the deepest of ``keys`` that ``doc`` holds (its parent's line when the
    last is missing; 1 when ``keys`` is empty)."""
    line, node = 1, doc
    for key in keys:
        if isinstance(node, LineDict):
            line, node = node.line_of(key), node.get(key)
        elif isinstance(node, LineList) and isinstance(key, int):
            line = node.line_of(key)
            node = node[key] if 0 <= key < len(node) else None
        else:
            break
    return line


def located(
    mistake: Mistake, path: Path, doc: Any, domain_path: Path | None = None, domain: Any = None
) -> Problem:
    """The mistake as a problem at its line, in ``path`` or in ``domain_path``."""
    place = mistake.place
    if place.in_domain and domain_path is not None:
        path, doc = domain_path, domain
    line = place.line or line_at(doc, place.keys)
    see_line = line_at(domain, mistake.see.keys) if mistake.see is not None else None
    what, fix = describe(mistake, see_line)
    return Problem(path, line, what, fix, code=mistake.code)


def check_table(path: Path, doc: Any, domain_path: Path, domain: LineDict) -> list[Problem]:
    if not isinstance(doc, LineDict):
        not_a_mapping = Mistake(Code.TABLE_NOT_A_MAPPING, values={"keys": TABLE_KEYS})
        return [located(not_a_mapping, path, doc)]
    # Merci ignores them when it starts, but a typo would lose the setting.
    problems = [located(mistake, path, doc) for mistake in unknown_keys(doc, TABLE_KEYS)]
    try:
        # Read again whenever the file changed: a check sees the file as it is now.
        responses = load_responses(domain_path)
    except (ValueError, AttributeError, TypeError, KeyError):
        # A response Merci cannot read (an unclosed brace...): check_responses names it.
        return problems
    try:
        load_table(path, responses)
    except TableError as error:
        problems += [located(m, path, doc, domain_path, domain) for m in error.problems]
    return problems


def check_policy(path: Path, doc: Any) -> list[Problem]:
    if not isinstance(doc, LineDict):
        not_a_mapping = Mistake(Code.POLICY_NOT_A_MAPPING, values={"keys": POLICY_KEYS})
        return [located(not_a_mapping, path, doc)]
    try:
        load_policy(path)
    except PolicyError as error:
        return [located(mistake, path, doc) for mistake in error.problems]
    return []


def check_privacy(path: Path, doc: Any) -> list[Problem]:
    """data/privacy.yml, read by the loader Merci uses (consent version, retention)."""
    if not isinstance(doc, LineDict):
        not_a_mapping = Mistake(Code.PRIVACY_NOT_A_MAPPING, values={"keys": PRIVACY_KEYS})
        return [located(not_a_mapping, path, doc)]
    try:
        load_privacy(path)
    except PrivacyPolicyError as error:
        return [located(mistake, path, doc) for mistake in error.problems]
    return []


def check_catalogue(path: Path, doc: Any) -> list[Problem]:
    """data/products.yml, read by the loader Merci uses when it starts."""
    if doc is None:
        return []  # an empty file: no catalogue, product names stay free text
    if not isinstance(doc, LineDict):
        not_a_mapping = Mistake(Code.CATALOGUE_NOT_A_MAPPING, values={"keys": CATALOGUE_KEYS})
        return [located(not_a_mapping, path, doc)]
    try:
        load_catalogue(path)
    except CatalogueError as error:
        return [located(mistake, path, doc) for mistake in error.problems]
    return []
