"""Profile fields, the order the form asks them in, and completeness."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers

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


CONTACT_CHANNEL_LABELS = {
    "email": "par e-mail",
    "sms": "par SMS",
    "phone": "par téléphone",
    "messenger": "sur Messenger",
    "post": "par courrier",
    "none": "aucun contact",
}


def step_of_field(field: str) -> str:
    """The form step that asks for ``field`` (the city step also holds the postal code)."""
    return next(step for step, fields in FORM_STEPS.items() if field in fields)


def display_value(step: str, values: dict[str, str]) -> str:
    """A stored value as a consumer would write it: "06 12 34 56 78", "12/03/1990"..."""
    if step == "phone":
        number = phonenumbers.parse(values["phone"], "FR")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if step == "birthday":
        year, month, day = values["birthday"].split("-")
        return f"{day}/{month}/{year}"
    if step == "city":
        code = values.get("postal_code")
        return f"{values.get('city', '')} ({code})" if code else values.get("city", "")
    if step == "contact_channel":
        return CONTACT_CHANNEL_LABELS.get(values["contact_channel"], values["contact_channel"])
    return values[step]
