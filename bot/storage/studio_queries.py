"""Queries of Merci Studio: accounts, inbox decisions, the audit log, and the consumer
messages of Rasa's tracker store (read only). Functions take a session and never commit."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.domain.inbox import NOT_UNDERSTOOD, Said
from bot.domain.masking import mask_personal_data
from bot.domain.privacy import conversation_key
from bot.storage.models import (
    ErasedConversation,
    InboxDecision,
    StudioAudit,
    StudioLoginAttempt,
    StudioUser,
)
from bot.storage.privacy_queries import TRACKER_EVENTS, has_tracker_events

# Conversations the studio itself holds ("Essayer"): never a consumer's.
STUDIO_SENDER_PREFIX = "merci-studio-"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def find_user(session: Session, name: str) -> StudioUser | None:
    return session.scalars(select(StudioUser).where(StudioUser.name == name)).first()


def save_user(session: Session, name: str, password_hash: str, role: str) -> bool:
    """Create or update an account; True when it is new."""
    user = find_user(session, name)
    if user is None:
        session.add(
            StudioUser(name=name, password_hash=password_hash, role=role, created_at=utcnow())
        )
        return True
    user.password_hash, user.role = password_hash, role
    return False


def decided_keys(session: Session) -> set[str]:
    return set(session.scalars(select(InboxDecision.group_key)))


def decide(session: Session, key: str, decision: str, intent: str | None, user: str) -> None:
    existing = session.scalars(select(InboxDecision).where(InboxDecision.group_key == key)).first()
    if existing is None:
        session.add(
            InboxDecision(
                group_key=key,
                decision=decision,
                intent=intent,
                decided_by=user,
                decided_at=utcnow(),
            )
        )
    else:
        existing.decision, existing.intent, existing.decided_by = decision, intent, user
        existing.decided_at = utcnow()


# A content file an edit changed: its path and its git blob ids before and after (None
# when the file did not exist).
FileChange = tuple[str, str | None, str | None]


def audit(
    session: Session, user: str, action: str, detail: str, files: list[FileChange] | None = None
) -> None:
    session.add(
        StudioAudit(
            at=utcnow(),
            user_name=user,
            action=action,
            detail=detail,
            files=json.dumps(files) if files else None,
        )
    )


def file_changes(session: Session, since: datetime | None) -> list[FileChange]:
    """The content files the studio's edits changed since ``since``, oldest first."""
    query = select(StudioAudit.files).where(StudioAudit.files.is_not(None))
    if since is not None:
        query = query.where(StudioAudit.at >= since)
    changes: list[FileChange] = []
    for files in session.scalars(query.order_by(StudioAudit.id)):
        changes.extend((str(path), before, after) for path, before, after in json.loads(files))
    return changes


def audit_log(session: Session, limit: int = 200) -> list[StudioAudit]:
    return list(session.scalars(select(StudioAudit).order_by(StudioAudit.id.desc()).limit(limit)))


def failed_logins(session: Session, key_hashes: list[str], since: datetime) -> dict[str, int]:
    """How many failed logins each key had since ``since``."""
    rows = session.execute(
        select(StudioLoginAttempt.key_hash, func.count())
        .where(StudioLoginAttempt.key_hash.in_(key_hashes), StudioLoginAttempt.at > since)
        .group_by(StudioLoginAttempt.key_hash)
    )
    return {key_hash: count for key_hash, count in rows}


def add_failed_login(session: Session, key_hashes: list[str], at: datetime) -> None:
    session.add_all(StudioLoginAttempt(key_hash=key_hash, at=at) for key_hash in key_hashes)


def prune_failed_logins(session: Session, before: datetime) -> None:
    session.execute(delete(StudioLoginAttempt).where(StudioLoginAttempt.at <= before))


def _erased_since(session: Session) -> dict[str, datetime]:
    rows = session.execute(
        select(ErasedConversation.sender_hash, func.max(ErasedConversation.erased_at)).group_by(
            ErasedConversation.sender_hash
        )
    )
    return {sender_hash: erased_at for sender_hash, erased_at in rows}


def _said(row: Any, erased: dict[str, datetime]) -> Said | None:
    """A user event as the inbox shows it (masked), or None when it must not be shown."""
    if row.sender_id.startswith(STUDIO_SENDER_PREFIX):
        return None
    at = datetime.fromtimestamp(row.timestamp, timezone.utc).replace(tzinfo=None)
    erased_at = erased.get(conversation_key(row.sender_id))
    if erased_at is not None and at <= erased_at:
        return None
    data = json.loads(row.data)
    text = data.get("text") or ""
    if not text or text.startswith("/"):  # a button's payload, not typed text
        return None
    parse = data.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") not in NOT_UNDERSTOOD]
    best = ranking[0] if ranking else parse.get("intent") or {}
    return Said(
        text=mask_personal_data(text),
        intent=intent,
        guess=str(best.get("name") or intent),
        confidence=float(best.get("confidence") or 0.0),
        channel=str(data.get("input_channel") or "inconnu"),
        at=at,
    )


def consumer_messages(session: Session, limit: int = 5000) -> list[Said]:
    """The latest consumer messages of the tracker store, masked, erased ones left out."""
    if not has_tracker_events(session):
        return []
    erased = _erased_since(session)
    rows = session.execute(
        select(TRACKER_EVENTS.c.sender_id, TRACKER_EVENTS.c.timestamp, TRACKER_EVENTS.c.data)
        .where(TRACKER_EVENTS.c.type_name == "user")
        .order_by(TRACKER_EVENTS.c.timestamp.desc())
        .limit(limit)
    )
    return [said for row in rows if (said := _said(row, erased)) is not None]
