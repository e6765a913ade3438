"""Rasa's own data validation (``rasa data validate --fail-on-warnings``), quietly.

Rasa runs in a subprocess, as everywhere in ``bot/`` (no Rasa import here). Its output
is hundreds of lines of library warnings; only its findings about the data are kept.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FINDING = re.compile(r"(?:UserWarning|ERROR)[^:]*:\s*(.+)")
# Warnings that are not problems for Merci, and that Merci's own checks replace:
# - Rasa 3.6 warns about responses "not used in any story or rule" (but never fails on
#   it, a known Rasa bug) without looking at the congratulation table or the actions;
# - intents named EXTERNAL_* are triggered by the brand's systems through Rasa's API,
#   never typed by a consumer, so they have no training examples by design.
IGNORED = re.compile(
    r"is not used in any story or rule"
    r"|^The intent 'EXTERNAL_\w+' is listed in the domain file, but is not found in the NLU"
)


@dataclass(frozen=True)
class RasaVerdict:
    passed: bool
    findings: tuple[str, ...]


def findings_of(output: str) -> list[str]:
    """Rasa's messages about the data, each once, without colours or library noise."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    found: list[str] = []
    for match in FINDING.finditer(plain):
        message = match.group(1).strip()
        if message not in found:
            found.append(message)
    return found


def rasa_validate(root: Path, timeout: float = 600) -> RasaVerdict:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings", "--quiet"]
    completed = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    findings = findings_of(completed.stderr + "\n" + completed.stdout)
    kept = [f for f in findings if not IGNORED.search(f)]
    if completed.returncode == 0 or (findings and not kept):
        # --fail-on-warnings fails on the ignored warnings too: they alone do not count.
        return RasaVerdict(True, ())
    if not kept:
        tail = [line for line in completed.stderr.splitlines() if line.strip()][-3:]
        kept = tail or [f"rasa data validate s'est arrêté (code {completed.returncode})"]
    return RasaVerdict(False, tuple(kept))
