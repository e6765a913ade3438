"""``POST /webhooks/rest/webhook``: Rasa's REST channel, guarded.

Same URL, same JSON (``{"sender": "...", "message": "..."}``), same replies and the same
channel name (``rest``) as Rasa's ``RestInput``, but whatever a client sends:

- a malformed request gets 400 with a JSON ``error``, never a 500 or a stack trace;
- a message longer than ``MERCI_MAX_MESSAGE_CHARS`` gets 413 before NLU reads it;
- a typed intent Merci keeps for itself (``/EXTERNAL_...``, an ``event_id``) gets 400;
- too many messages per sender or per address get 429;
- with ``REST_CHANNEL_TOKEN`` set, a request without ``Authorization: Bearer <token>`` 401.

The client's ``input_channel`` is ignored: a REST client cannot speak for another channel's
consumer. The Rasa server reads no body larger than ``MERCI_MAX_REQUEST_BYTES``.
"""

from __future__ import annotations

import hmac
import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.config import Settings, get_settings
from bot.domain.client_address import client_address
from bot.domain.rate_limit import SlidingWindow
from bot.domain.typed_intents import screen_typed

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
# curl -d sends form-urlencoded, and Rasa's channel always read the body as JSON anyway.
ACCEPTED_TYPES = {"", "application/json", "application/x-www-form-urlencoded", "text/plain"}


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: str
    metadata: dict[str, Any] | None


class Refused(Exception):
    """A request answered with ``status`` and a JSON ``error`` saying why."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def read_message(content_type: str, body: bytes, max_chars: int) -> RestMessage:
    """The message a request carries; :class:`Refused` says what is wrong with it."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in ACCEPTED_TYPES and not mime.endswith("+json"):
        raise Refused(400, "Send a JSON object with Content-Type: application/json.")
    try:
        payload = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "The body is not valid JSON (UTF-8).") from None
    if not isinstance(payload, dict):
        raise Refused(400, 'Send a JSON object: {"sender": "...", "message": "..."}.')
    sender, text = payload.get("sender"), payload.get("message")
    if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
        raise Refused(400, f'"sender" must be a string of 1 to {MAX_SENDER_CHARS} characters.')
    if not isinstance(text, str):
        raise Refused(400, '"message" must be a string.')
    if len(text) > max_chars:
        raise Refused(413, f'"message" is too long: at most {max_chars} characters.')
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise Refused(400, '"metadata" must be a JSON object when given.')
    screened = screen_typed(text)
    if screened.refused is not None:
        raise Refused(400, "This intent cannot be sent by a client: Merci triggers it itself.")
    return RestMessage(sender, screened.text, metadata)


class RateLimits:
    """Per-sender and per-address sliding windows for one channel."""

    def __init__(self, settings: Settings) -> None:
        window = settings.rate_limit_window_seconds
        self.senders = SlidingWindow(settings.rate_limit_per_sender, window)
        self.addresses = SlidingWindow(settings.rate_limit_per_address, window)

    def allow(self, sender: str, address: str) -> bool:
        return self.addresses.allow(address) and self.senders.allow(sender)


def authorized(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


class MerciRestInput(RestInput):
    """Rasa's REST channel (still named ``rest``) that refuses what it must not handle."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = get_settings()
        limits = RateLimits(settings)
        rest = Blueprint("merci_rest_webhook", __name__)

        @rest.listener("before_server_start")
        async def bound_request_size(app: Sanic, _: Any) -> None:
            app.config.REQUEST_MAX_SIZE = min(
                app.config.REQUEST_MAX_SIZE, settings.max_request_bytes
            )

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse | ResponseStream:
            try:
                if not authorized(request, settings.rest_channel_token):
                    raise Refused(401, "Missing or wrong bearer token (Authorization header).")
                message = read_message(
                    request.headers.get("content-type", ""),
                    request.body or b"",
                    settings.max_message_chars,
                )
                address = client_address(
                    str(request.ip),
                    request.headers.get("x-forwarded-for"),
                    settings.trusted_proxies,
                )
                if not limits.allow(message.sender, address):
                    raise Refused(429, "Too many messages: wait a few seconds, then retry.")
            except Refused as refused:
                return response.json({"error": refused.error}, status=refused.status)
            return await self._answer(request, message, on_new_message)

        return rest

    async def _answer(
        self,
        request: Request,
        message: RestMessage,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse | ResponseStream:
        channel = self.name()
        if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
            stream = self.stream_response(
                on_new_message, message.text, message.sender, channel, message.metadata
            )
            return response.stream(stream, content_type="text/event-stream")
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    message.text,
                    collector,
                    message.sender,
                    input_channel=channel,
                    metadata=message.metadata,
                )
            )
        except CancelledError:
            logger.error("a REST message timed out")
        except Exception as error:  # as Rasa's channel: answer what was said so far
            logger.error("a REST message could not be handled (%s)", type(error).__name__)
        return response.json(collector.messages)
