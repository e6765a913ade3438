"""Reaching a person: the brand's contact settings as response values, and the hand-off tag.

With ``MERCI_HANDOFF=1`` a request for a person sets the slot ``handoff_requested`` and
puts a ``handoff`` tag in the metadata of Merci's reply (a ``bot`` event of the tracker):
the brand's inbox (reading the tracker store or Rasa's event broker) picks the
conversation up from either. See the README's "Reaching a person".
"""

from __future__ import annotations

from typing import Any

HANDOFF_SLOT = "handoff_requested"
HANDOFF_REASON = "consumer_asked_for_a_person"


def contact_values(url: str | None, phone: str | None, hours: str | None) -> dict[str, Any]:
    """The placeholders of utter_human_contact and utter_handoff; unset ones are left out
    (a variant that needs them is then not chosen)."""
    values = {"contact_url": url, "contact_phone": phone, "contact_hours": hours}
    return {name: value.strip() for name, value in values.items() if value and value.strip()}


def handoff_tag(sender_id: str) -> dict[str, Any]:
    """What the brand's inbox needs to take the conversation over."""
    return {"requested": True, "reason": HANDOFF_REASON, "conversation": sender_id}
