"""Profile fields, the order the form asks them in, and completeness."""

from __future__ import annotations

from collections.abc import Iterable

# Stored fields; completeness is the share of these that hold a value.
PROFILE_FIELDS: tuple[str, ...] = (
    "first_name",
    "email",
    "phone",
    "birthday",
    "city",
    "postal_code",
    "interests",
    "contact_channel",
)

# What the form asks, in order. Asking "city" stores both city and postal_code.
FORM_STEPS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",),
    "email": ("email",),
    "phone": ("phone",),
    "birthday": ("birthday",),
    "city": ("city", "postal_code"),
    "interests": ("interests",),
    "contact_channel": ("contact_channel",),
}


def completeness(filled: Iterable[str]) -> int:
    """Percentage of profile fields filled, rounded down so 100 means truly complete."""
    present = set(filled) & set(PROFILE_FIELDS)
    return len(present) * 100 // len(PROFILE_FIELDS)


def missing_steps(filled: Iterable[str], skipped: Iterable[str] = ()) -> list[str]:
    """Form steps still to ask, in order, leaving out those skipped in this conversation."""
    present, skip = set(filled), set(skipped)
    return [
        step
        for step, fields in FORM_STEPS.items()
        if step not in skip and not set(fields) <= present
    ]


def crossed_milestone(before: int, after: int, milestones: Iterable[int]) -> int | None:
    """The highest milestone passed by going from ``before`` to ``after`` percent, if any."""
    passed = [m for m in milestones if before < m <= after]
    return max(passed) if passed else None
