"""Brand events: what a consumer did on the brand's site, as the brand reports it.

This module checks a request (signature, JSON, schema, values) and turns it into a
:class:`BrandEventInput`, which ``BrandEventService.receive_brand_event``
(``bot/services/brand_events.py``) stores and applies. The HTTP endpoint lives in
``bot/channels/brand_events.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from jsonschema import Draft202012Validator

from bot.domain.profile import FORM_STEPS
from bot.domain.validation import PARSERS, InvalidValue, Parsed
from bot.integrations.signatures import sign as sign  # re-exported: the brand's side signs
from bot.integrations.signatures import verify

SIGNATURE_HEADER = "X-Merci-Signature"
# The brand asks Merci to erase everything about a consumer (their right to erasure).
ERASURE_TYPE = "consumer_erasure_requested"

# The documented schema (see docs/brand-events.md).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["event_id", "type", "occurred_at", "consumer", "data"],
    "additionalProperties": False,
    "properties": {
        "event_id": {"type": "string", "minLength": 1, "maxLength": 128},
        "type": {
            "enum": [
                "profile.completed", "profile.field_updated", "review.published", ERASURE_TYPE,
            ]
        },
        "occurred_at": {"type": "string", "format": "date-time", "minLength": 10},
        "consumer": {
            "type": "object",
            "required": ["external_id"],
            "additionalProperties": False,
            "properties": {"external_id": {"type": "string", "minLength": 1, "maxLength": 255}},
        },
        "data": {"type": "object"},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "profile.field_updated"}}},
            "then": {
                "properties": {
                    "data": {
                        "type": "object",
                        "required": ["field", "value"],
                        "additionalProperties": False,
                        "properties": {
                            "field": {"enum": list(FORM_STEPS)},
                            "value": {"type": "string", "minLength": 1, "maxLength": 255},
                        },
                    }
                }
            },
        },
        {
            "if": {"properties": {"type": {"const": "profile.completed"}}},
            "then": {
                "properties": {
                    "data": {
                        "type": "object",
                        "required": ["fields"],
                        "additionalProperties": False,
                        "properties": {
                            "fields": {
                                "type": "object",
                                "minProperties": 1,
                                "propertyNames": {"enum": list(FORM_STEPS)},
                                "additionalProperties": {
                                    "type": "string", "minLength": 1, "maxLength": 255,
                                },
                            }
                        },
                    }
                }
            },
        },
        {
            "if": {"properties": {"type": {"const": ERASURE_TYPE}}},
            "then": {
                "properties": {
                    "data": {"type": "object", "maxProperties": 0, "additionalProperties": False}
                }
            },
        },
        {
            "if": {"properties": {"type": {"const": "review.published"}}},
            "then": {
                "properties": {
                    "data": {
                        "type": "object",
                        "required": ["rating", "text"],
                        "additionalProperties": False,
                        "properties": {
                            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                            "text": {"type": "string", "minLength": 1, "maxLength": 2000},
                            "product": {"type": "string", "minLength": 1, "maxLength": 255},
                        },
                    }
                }
            },
        },
    ],
}  # fmt: skip
_VALIDATOR = Draft202012Validator(SCHEMA)

# The Rasa intent that congratulates each kind of event (see data/rules/brand_events.yml).
INTENTS = {
    "profile.completed": "EXTERNAL_profile_completed",
    "profile.field_updated": "EXTERNAL_profile_field_updated",
    "review.published": "EXTERNAL_review_published",
}


class RejectedEvent(ValueError):
    """The request is refused; ``status`` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class BrandEventInput:
    event_id: str
    type: str
    occurred_at: datetime
    external_id: str
    profile_steps: dict[str, Parsed]
    review: dict[str, Any] | None
    payload: str

    @property
    def intent(self) -> str:
        return INTENTS[self.type]

    @property
    def is_erasure(self) -> bool:
        return self.type == ERASURE_TYPE


def verify_signature(body: bytes, header: str | None, secret: str | None) -> None:
    """Refuse (401, saying why) a request not signed with ``secret``."""
    if not secret:
        raise RejectedEvent(401, "brand events are disabled: BRAND_EVENTS_SECRET is not set")
    if not header:
        raise RejectedEvent(401, f"missing {SIGNATURE_HEADER} header")
    if not verify(body, header, secret):
        raise RejectedEvent(401, f"invalid {SIGNATURE_HEADER} signature")


def _where(error: Any) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        path = f"{path}.{missing}" if path else missing
    elif error.validator == "additionalProperties" and "'" in error.message:
        extra = error.message.split("'")[1]
        path = f"{path}.{extra}" if path else extra
    return path or "(body)"


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RejectedEvent(400, "occurred_at: not an ISO 8601 date-time") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def parse_event(body: bytes) -> BrandEventInput:
    """Check the JSON body against the schema and the values against Merci's parsers."""
    try:
        raw = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RejectedEvent(400, f"invalid JSON: {exc}") from exc
    errors = sorted(_VALIDATOR.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise RejectedEvent(400, f"{_where(first)}: {first.message}")
    data = raw["data"]
    steps: dict[str, Parsed] = {}
    if raw["type"] == "profile.field_updated":
        given = {data["field"]: (data["value"], "data.value")}
    elif raw["type"] == "profile.completed":
        given = {step: (value, f"data.fields.{step}") for step, value in data["fields"].items()}
    else:
        given = {}
    for step, (value, where) in given.items():
        try:
            steps[step] = PARSERS[step](value)
        except InvalidValue as exc:
            raise RejectedEvent(400, f"{where}: not a valid {step} ({exc.reason})") from exc
    review = dict(data) if raw["type"] == "review.published" else None
    if review is not None:
        review["rating"] = int(review["rating"])  # JSON Schema counts 4.0 as an integer
    return BrandEventInput(
        event_id=raw["event_id"],
        type=raw["type"],
        occurred_at=_parse_time(raw["occurred_at"]),
        external_id=raw["consumer"]["external_id"],
        profile_steps=steps,
        review=review,
        payload=json.dumps(raw, ensure_ascii=False, sort_keys=True),
    )
