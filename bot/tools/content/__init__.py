"""Content checks for marketers: everything they edit, checked before it is published.

``check_content(ContentPaths.under(root))`` returns every problem found in the wording
(``domain.yml``), the training examples, the rules, the congratulation table, the
freshness policy, the product catalogue and the report settings; each says, in French,
the file, the line, what is wrong and how to fix it. ``python -m bot check`` prints them
(``make check``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from bot.domain.mistakes import Code
from bot.tools.content.nlu import check_examples
from bot.tools.content.rasa_validate import rasa_validate
from bot.tools.content.responses import check_responses
from bot.tools.content.source import LineDict, LineList, Problem, load_located
from bot.tools.content.tables import check_catalogue, check_policy, check_privacy, check_table
from bot.tools.content.usage import Usage, read_actions, read_dialogue, read_table

__all__ = ["ContentPaths", "Problem", "check_and_print", "check_content"]


def _yaml_files(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(folder.rglob("*.yml"))) if folder.is_dir() else ()


@dataclass(frozen=True)
class ContentPaths:
    root: Path
    domain: Path
    congratulations: Path
    freshness: Path
    privacy: Path
    report: Path
    catalogue: Path
    nlu: tuple[Path, ...]
    held_out: Path | None
    dialogue: tuple[Path, ...]
    actions: tuple[Path, ...]

    @classmethod
    def under(
        cls, root: Path, domain: Path | None = None, congratulations: Path | None = None
    ) -> ContentPaths:
        """The project's content files below ``root`` (a copy of the project, in tests)."""
        held_out = root / "tests" / "nlu" / "test_nlu.yml"
        return cls(
            root=root,
            domain=domain or root / "domain.yml",
            congratulations=congratulations or root / "data" / "congratulations.yml",
            freshness=root / "data" / "freshness.yml",
            privacy=root / "data" / "privacy.yml",
            report=root / "data" / "report.yml",
            catalogue=root / "data" / "products.yml",
            nlu=_yaml_files(root / "data" / "nlu"),
            held_out=held_out if held_out.exists() else None,
            dialogue=_yaml_files(root / "data" / "rules") + _yaml_files(root / "data" / "stories"),
            # Channels say a few responses too (Messenger: the answer to an attachment).
            actions=tuple(sorted((root / "actions").glob("*.py")))
            + tuple(sorted((root / "bot" / "channels").glob("*.py"))),
        )


def _intent_lines(domain: LineDict) -> dict[str, int]:
    intents = domain.get("intents")
    if not isinstance(intents, LineList):
        return {}
    lines = {}
    for index, item in enumerate(intents):
        # An intent is a name, or a one-key mapping {name: {use_entities: ...}}.
        name = next(iter(item), None) if isinstance(item, dict) else item
        if isinstance(name, str):
            lines[name] = intents.line_of(index)
    return lines


def check_content(paths: ContentPaths) -> list[Problem]:
    """Every problem in the content, sorted by file and line (empty when all is well)."""
    # Imported here: bot.tools.invisible_work reads content too.
    from bot.tools.invisible_work.assumptions import check_assumptions

    domain, problems = load_located(paths.domain)
    table, found = load_located(paths.congratulations)
    problems += found
    usage = Usage()
    problems += read_dialogue(list(paths.dialogue), usage)
    problems += read_actions(list(paths.actions), usage)
    read_table(table, usage)
    intents = None
    if isinstance(domain, LineDict):
        intents = _intent_lines(domain)
        problems += check_responses(paths.domain, domain, usage)
        if not found:
            problems += check_table(paths.congratulations, table, paths.domain, domain)
    problems += check_examples(list(paths.nlu), paths.held_out, intents, paths.domain, paths.root)
    policy, found = load_located(paths.freshness)
    problems += found or check_policy(paths.freshness, policy)
    if paths.privacy.exists():
        privacy, found = load_located(paths.privacy)
        problems += found or check_privacy(paths.privacy, privacy)
    if paths.catalogue.exists():
        catalogue, found = load_located(paths.catalogue)
        problems += found or check_catalogue(paths.catalogue, catalogue)
    if paths.report.exists():
        problems += check_assumptions(paths.report)
    return sorted(set(problems))


def check_and_print(paths: ContentPaths, with_rasa: bool = True) -> int:
    """What ``make check`` does: print each problem, then Rasa's; 1 if any, else 0."""
    problems = check_content(paths)
    for problem in problems:
        print(problem.render(paths.root), file=sys.stderr)
    findings: tuple[str, ...] = ()
    # After a YAML syntax error Rasa would only print a stack trace.
    rasa_ran = with_rasa and not any(p.code is Code.INVALID_YAML for p in problems)
    if rasa_ran:
        verdict = rasa_validate(paths.root)
        findings = () if verdict.passed else verdict.findings
        if findings:
            print("rasa data validate refuse les données (en anglais) :", file=sys.stderr)
            for finding in findings:
                print(f"  - {finding}", file=sys.stderr)
    if problems or findings:
        count = len(problems) + len(findings)
        print(f"make check : {count} problème(s) à corriger avant de publier.", file=sys.stderr)
        return 1
    checked = "contenu Merci et rasa data validate" if rasa_ran else "contenu Merci"
    print(f"make check : OK ({checked}).")
    return 0
