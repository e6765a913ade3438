"""Facebook Messenger: ``/webhooks/facebook/webhook`` (replaces Rasa's stock ``facebook``).

Unlike the stock channel, it checks ``X-Hub-Signature-256`` in constant time (403
otherwise), answers 200 at once and handles every event of a batch in the background,
handles a redelivered message once, never sends attachments to NLU, keeps buttons beyond
three as quick replies, and respects the 24-hour window for proactive messages.
Everything it decides is in ``bot/integrations/messenger_api.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.push import register_pusher
from bot.channels.widget import TOO_LONG_RESPONSE
from bot.config import Settings, get_settings
from bot.domain.typed_intents import screen_typed
from bot.integrations import signatures
from bot.integrations.messenger_api import (
    SIGNATURE_HEADER,
    GraphClient,
    Inbound,
    MessengerLog,
    delivery_mode,
    read_events,
    subscription_challenge,
    to_graph_messages,
)
from bot.services import get_services
from bot.storage.engine import get_engine
from bot.storage.models import utcnow
from bot.storage.unit_of_work import StorageError

logger = logging.getLogger(__name__)

CHANNEL = "facebook"
# Said (without Rasa) when a consumer sends a photo, a voice note, a file...
ATTACHMENT_RESPONSE = "utter_text_only"


class MessengerOutput(CollectingOutputChannel):
    """Replies through the Send API. A proactive one (Rasa's ``trigger_intent``) first
    checks the 24-hour window: what it may not send is collected instead, and the caller
    (the nudge scheduler) queues it for the consumer's next message."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, client: GraphClient, proactive: bool = False, tag: str | None = None):
        super().__init__()
        self.client, self.proactive, self.tag = client, proactive, tag

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        graph = to_graph_messages(message)
        if not graph:
            return
        mode: dict[str, str] | None = {"messaging_type": "RESPONSE"}
        if self.proactive:
            mode = await window_mode(recipient_id, self.tag)
        sent = mode is not None and await self.client.send_all(recipient_id, graph, **mode)
        if not sent and self.proactive:
            await super().send_response(recipient_id, message)


async def window_mode(sender_id: str, tag: str | None) -> dict[str, str] | None:
    last = await asyncio.to_thread(MessengerLog(get_engine()).last_message_at, sender_id)
    return delivery_mode(last, utcnow(), tag)


class MessengerInput(InputChannel):
    """Receives Messenger webhooks; refuses everything when Messenger is not configured."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Secrets come from the environment (bot/config.py), never from credentials.yml.
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = GraphClient(
            settings.messenger_page_access_token or "",
            settings.messenger_graph_api_url,
            settings.messenger_graph_api_version,
        )
        # Background batches: referenced until done, so they are not garbage-collected.
        self.tasks: set[asyncio.Task[None]] = set()

    def get_output_channel(self) -> OutputChannel | None:
        if not self.settings.messenger_enabled:
            return None
        return MessengerOutput(self.client, proactive=True, tag=self.settings.messenger_message_tag)

    async def push(self, sender_id: str, messages: list[dict[str, Any]]) -> bool:
        """Proactive delivery (bot/channels/push.py): only within the window or tagged."""
        mode = await window_mode(sender_id, self.settings.messenger_message_tag)
        graph = [g for message in messages for g in to_graph_messages(message)]
        return mode is not None and await self.client.send_all(sender_id, graph, **mode)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        messenger = Blueprint("messenger_webhook", __name__)
        settings = self.settings
        if settings.messenger_enabled:
            register_pusher(CHANNEL, self.push)

        @messenger.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if settings.messenger_enabled else "off"})

        @messenger.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            args = {key: request.args.get(key) for key in request.args}
            challenge = subscription_challenge(args, settings.messenger_verify_token)
            if challenge is None:
                return response.text("forbidden", status=403)
            return response.text(challenge)

        @messenger.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            secret = settings.messenger_app_secret if settings.messenger_enabled else None
            signature = request.headers.get(SIGNATURE_HEADER)
            if not signatures.verify(request.body, signature, secret):
                return response.text("forbidden", status=403)
            try:
                payload = json.loads(request.body)
            except ValueError:
                return response.text("invalid JSON", status=400)
            task = asyncio.create_task(self.handle(read_events(payload), on_new_message))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            # Answer now: Messenger retries (and duplicates) webhooks that answer slowly.
            return response.text("EVENT_RECEIVED")

        return messenger

    async def handle(
        self, events: list[Inbound], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Handle a batch in order; each message under Rasa's per-conversation lock."""
        log = MessengerLog(get_engine())
        for inbound in events:
            try:
                if not await asyncio.to_thread(log.record, inbound):
                    continue  # redelivered: already handled
            except StorageError as error:
                # Unrecorded, it would be answered again if Meta redelivers it: skip it.
                # Only the cause's type is logged: its message may quote personal data.
                cause = type(error.__cause__).__name__
                logger.error("a Messenger message could not be recorded, skipped (%s)", cause)
                continue
            try:
                await self.answer(inbound, on_new_message)
            except Exception as error:  # one bad event must not lose the rest of the batch
                logger.error("a Messenger event could not be handled (%s)", type(error).__name__)

    async def answer(
        self, inbound: Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Pass a text to Rasa. An attachment is not for NLU, nor an answer to a form: it
        gets a kind word, and the form waits; so does a text too long to read."""
        output = MessengerOutput(self.client)
        too_long = len(inbound.text or "") > get_settings().max_message_chars
        if inbound.attachment or too_long:
            response = TOO_LONG_RESPONSE if too_long else ATTACHMENT_RESPONSE
            reply = get_services().context.render(response, {})
            await output.send_response(inbound.sender_id, {"text": reply.text})
            return
        await on_new_message(
            UserMessage(
                screen_typed(inbound.text).text if inbound.text else inbound.text,
                output,
                inbound.sender_id,
                input_channel=CHANNEL,
                message_id=inbound.mid,
            )
        )
