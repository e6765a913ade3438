"""Marketers' accounts: argon2 password hashes in Merci's database, two roles."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from bot.storage import studio_queries
from bot.storage.unit_of_work import transaction

EDITOR = "editeur"
READER = "lecteur"
ROLES = (EDITOR, READER)
ROLE_LABELS = {EDITOR: "éditeur", READER: "lecteur"}
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# Verified when the name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("merci-studio-no-such-user")


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        return self.role == EDITOR


def add_user(engine: Engine | None, name: str, password: str, role: str) -> bool:
    """Create (True) or update (False) an account; ValueError when the input is not usable."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name.strip() or len(name) > 80:
        raise ValueError("the name must be 1 to 80 characters")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must be at least {MIN_PASSWORD} characters")
    hashed = _hasher.hash(password)
    return transaction(lambda s: studio_queries.save_user(s, name.strip(), hashed, role), engine)


def authenticate(engine: Engine | None, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else None."""
    found = transaction(lambda s: _row(s, name), engine)
    try:
        if found is None:
            _hasher.verify(_DUMMY_HASH, password)
            return None
        _hasher.verify(found[1], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(found[0], found[2])


def _row(session, name: str) -> tuple[str, str, str] | None:  # type: ignore[no-untyped-def]
    user = studio_queries.find_user(session, name)
    return None if user is None else (user.name, user.password_hash, user.role)
