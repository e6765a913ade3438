"""The privacy policy (``data/privacy.yml``): the consent text's version, whether reviews
outlive their author as anonymous text, and how long each kind of data is kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.freshness import DAYS_PER_MONTH
from bot.domain.mistakes import Code, Mistake, Place, unknown_keys
from bot.domain.mistakes_fr import PRIVACY_HEADING, report
from bot.domain.yamlfile import YamlFileError, read_mapping

PERSONAL_DATA = "personal_data"
MARKETING_CONTACT = "marketing_contact"
PURPOSES = (PERSONAL_DATA, MARKETING_CONTACT)

PRIVACY_KEYS = ("consent_version", "keep_anonymous_reviews", "retention")
# Each duration is a number of days or of months (one key or the other, not both).
RETENTION_KINDS = ("conversations", "brand_events", "inactive_profiles")
RETENTION_KEYS = tuple(f"{kind}_{unit}" for kind in RETENTION_KINDS for unit in ("days", "months"))


def conversation_key(sender_id: str) -> str:
    """How an erased conversation is remembered: a hash of its sender id, not the id."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()


# The slot an erasure from the chat sets: Merci's tracker store then forgets the conversation.
ERASURE_MARKER = "privacy_erased"


class PrivacyPolicyError(ValueError):
    """``data/privacy.yml`` is wrong; ``problems`` lists each mistake (worded in French)."""

    def __init__(self, path: Path, problems: list[Mistake]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(report(path, PRIVACY_HEADING, problems))


@dataclass(frozen=True)
class PrivacyPolicy:
    consent_version: str
    keep_anonymous_reviews: bool
    # How long each kind of data is kept, by RETENTION_KINDS.
    retention: dict[str, timedelta]

    @classmethod
    def default(cls) -> PrivacyPolicy:
        """What Merci keeps without a policy file: short, on the safe side."""
        days = {"conversations": 180, "brand_events": 90, "inactive_profiles": 3 * 365}
        return cls("1", False, {kind: timedelta(days=n) for kind, n in days.items()})

    def cutoff(self, kind: str, now: datetime) -> datetime:
        """Data of ``kind`` older than this is purged."""
        return now - self.retention[kind]


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _retention(
    raw: Any, defaults: dict[str, timedelta]
) -> tuple[dict[str, timedelta], list[Mistake]]:
    place = ("retention",)
    if raw is None:
        return dict(defaults), []
    if not isinstance(raw, dict):
        return dict(defaults), [Mistake(Code.RETENTION_NOT_A_MAPPING, Place(place))]
    problems = unknown_keys(raw, RETENTION_KEYS)
    problems = [Mistake(m.code, Place(place + m.place.keys), m.values) for m in problems]
    durations = dict(defaults)
    for key, value in raw.items():
        if key not in RETENTION_KEYS:
            continue
        kind, _, unit = key.rpartition("_")
        if not _positive(value):
            problems.append(Mistake(Code.BAD_DURATION, Place((*place, key)), {"key": key}))
            continue
        days = float(value) * (DAYS_PER_MONTH if unit == "months" else 1)
        if f"{kind}_days" in raw and f"{kind}_months" in raw:
            problems.append(Mistake(Code.TWO_DURATIONS, Place((*place, key)), {"kind": kind}))
        durations[kind] = timedelta(days=days)
    return durations, problems


def load_privacy(path: Path) -> PrivacyPolicy:
    """Read and check ``data/privacy.yml``; a missing file gives :meth:`PrivacyPolicy.default`."""
    if not path.exists():
        return PrivacyPolicy.default()
    not_a_mapping = Mistake(Code.PRIVACY_NOT_A_MAPPING, values={"keys": PRIVACY_KEYS})
    try:
        raw = read_mapping(path, not_a_mapping)
    except YamlFileError as exc:
        raise PrivacyPolicyError(path, [exc.mistake]) from exc
    default = PrivacyPolicy.default()
    problems = unknown_keys(raw, PRIVACY_KEYS)
    version = raw.get("consent_version", default.consent_version)
    if not isinstance(version, (str, int, float)) or isinstance(version, bool) or not str(version):
        problems.append(Mistake(Code.BAD_CONSENT_VERSION, Place(("consent_version",))))
    keep = raw.get("keep_anonymous_reviews", default.keep_anonymous_reviews)
    if not isinstance(keep, bool):
        problems.append(Mistake(Code.NOT_YES_OR_NO, Place(("keep_anonymous_reviews",))))
    retention, found = _retention(raw.get("retention"), default.retention)
    problems += found
    if problems:
        raise PrivacyPolicyError(path, problems)
    return PrivacyPolicy(str(version), bool(keep), retention)
