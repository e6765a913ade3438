"""``POST /webhooks/brand/events``: the brand's site reports what a consumer did there.

Signed with HMAC-SHA256 (``X-Merci-Signature: sha256=<hex>``, key ``BRAND_EVENTS_SECRET``).
401 for a missing or wrong signature, 400 for invalid JSON or schema (naming the field),
200 for a new event and for a replayed one (stored and congratulated once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.push import trigger_proactive
from bot.config import get_settings
from bot.integrations.brand_event_payload import (
    SIGNATURE_HEADER,
    RejectedEvent,
    parse_event,
    verify_signature,
)
from bot.services import Identity, Services, StorageError, get_services
from bot.services.brand_events import brand_event_key

logger = logging.getLogger(__name__)


async def erase(services: Services, event_id: str, external_id: str) -> HTTPResponse:
    """``consumer_erasure_requested``: erase everything about the consumer, as the DPO's
    ``python -m bot privacy erase`` does. The event itself is not stored (it names them)."""
    try:
        erased = await asyncio.to_thread(
            services.privacy.erase_external_id, external_id, "brand_event"
        )
    except StorageError as error:
        logger.error("erasure %s failed (%s)", event_id, type(error.__cause__).__name__)
        return response.json(
            {"error": "the consumer could not be erased; nothing was changed, retry later"},
            status=503,
        )
    logger.info("erasure %s: %d identities erased", event_id, erased.identities)
    return response.json({"status": "erased", "identities": erased.identities})


def thanks_messages(services: Services, consumer: Identity, event_id: str) -> list[dict[str, Any]]:
    """The event's congratulation as a message, said apart from the conversation (as
    ``action_congratulate_brand_event`` says it in the conversation)."""
    reply = services.brand_events.brand_event_thanks(consumer, event_id)
    if reply is None:
        return []
    message: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        message["buttons"] = [dict(button) for button in reply.buttons]
    return [message]


class BrandEventsInput(InputChannel):
    """Receives brand events; it never handles consumer messages itself."""

    @classmethod
    def name(cls) -> str:
        return "brand"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        brand = Blueprint("brand_events", __name__)

        @brand.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @brand.route("/events", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                verify_signature(
                    request.body,
                    request.headers.get(SIGNATURE_HEADER),
                    get_settings().brand_events_secret,
                )
                event = parse_event(request.body)
            except RejectedEvent as refused:
                return response.json({"error": str(refused)}, status=refused.status)
            services = get_services()
            if event.is_erasure:
                return await erase(services, event.event_id, event.external_id)
            try:
                received = await asyncio.to_thread(services.brand_events.receive_brand_event, event)
                outcome = await trigger_proactive(
                    request.app.ctx.agent,
                    services.delivery,
                    received.consumer,
                    received.intent,
                    [{"entity": "event_id", "value": received.event_id}],
                    brand_event_key(received.event_id),
                    aside=partial(thanks_messages, services, received.consumer, received.event_id),
                )
            except StorageError as error:
                # The cause's message may quote personal data: log its type only.
                cause = type(error.__cause__).__name__
                logger.error("brand event %s could not be stored (%s)", event.event_id, cause)
                return response.json(
                    {"error": "the event could not be stored; nothing was saved, retry later"},
                    status=503,
                )
            status = "duplicate" if received.duplicate else "accepted"
            return response.json({"status": status, "congratulation": outcome})

        return brand
