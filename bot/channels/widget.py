"""The website chat widget: Rasa's socket.io channel, plus the widget's files and demo page.

``WidgetSocketIO`` is Rasa's own ``SocketIOInput`` (same events, same ``session_persistence``
rooms) with three additions, each made around Rasa's handler rather than by copying it:

- a logged-in visitor's signed identity token (``identity_token`` in the message metadata)
  links the chat to the brand's external id; a missing, unsigned or forged token is ignored;
  a session already linked to someone else is never re-linked: the socket is moved to a new
  session (``session_confirm`` with a new id, which the widget adopts);
- a message the widget sends again after a reconnection (same ``message_id``) is handled once;
- proactive messages are pushed to the session's open sockets: brand events through
  ``bot.channels.push``'s registry, nudges (Rasa's ``trigger_intent`` API with
  ``output_channel=latest``) through :class:`WidgetOutput`, which hands back what it could
  not push so that the caller queues it for the next conversation.

``WidgetFiles`` serves ``web/`` under ``/webhooks/widget/``: the demo page of a fictional
brand at ``/webhooks/widget/``, and the script a brand embeds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import socketio
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.push import register_pusher
from bot.channels.rest import RateLimits
from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.domain.client_address import client_address
from bot.domain.typed_intents import screen_typed
from bot.integrations.widget_identity import verify_identity
from bot.services import Identity, StorageError, get_services
from bot.services.conversation import Link
from bot.services.delivery import plain_message

logger = logging.getLogger(__name__)

WEB_ROOT = PROJECT_ROOT / "web"
DEMO_PAGE = "demo/index.html"
# Only these kinds of files leave web/: no directory listings, no dotfiles, no source maps.
SERVED_SUFFIXES = {".html", ".js", ".css", ".svg", ".png", ".txt"}
# How long a pushed message waits for the widget's receipt before it is queued instead.
PUSH_ACK_SECONDS = 2.0
# Message ids remembered per server to drop a message the widget resends after a reconnection.
REMEMBERED_MESSAGES = 10_000
# The Redis channel on which the Rasa servers' socket.io managers talk.
REDIS_CHANNEL = "merci-widget"


class RecentIds:
    """A bounded set: ``add`` is False when the id was already seen."""

    def __init__(self, size: int = REMEMBERED_MESSAGES) -> None:
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._size = size

    def add(self, key: tuple[str, str]) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class WidgetSocketIO(SocketIOInput):
    """Rasa's socket.io channel, with identity tokens, resend protection and pushing."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        seen = RecentIds()

        async def receive(message: UserMessage) -> None:
            metadata = message.metadata if isinstance(message.metadata, dict) else {}
            client_id = metadata.pop("message_id", None)
            if client_id is not None and not seen.add((message.sender_id, str(client_id))):
                logger.debug("dropped a message sent twice by the widget")
                return
            metadata.pop("identity_token", None)  # checked in _identify, never stored
            message.metadata = metadata
            await on_new_message(message)

        blueprint = super().blueprint(receive)
        self._share_across_servers(get_settings().redis_url, blueprint)
        self._check_identities()
        # Checked before anything else: the guard refuses what is too long, too fast or odd.
        self._guard_user_messages(get_settings())
        register_pusher(self.name(), self.push)
        return blueprint

    def _share_across_servers(self, redis_url: str | None, blueprint: Blueprint) -> None:
        """With Redis, every Rasa server's socket.io manager publishes there: a message for a
        session (a reply, a push) reaches its sockets on whichever server they are open."""
        if not redis_url:
            return
        manager = socketio.AsyncRedisManager(redis_url, channel=REDIS_CHANNEL)
        self.sio.manager = manager
        manager.set_server(self.sio)

        @blueprint.listener("after_server_start")
        async def listen(*_: Any) -> None:
            # python-socketio listens only from its first connection on: a server with no
            # socket of its own must still hear the acknowledgements of its pushes.
            if not self.sio.manager_initialized:
                self.sio.manager_initialized = True
                manager.initialize()

    def _check_identities(self) -> None:
        """Put the identity check in front of Rasa's message handler, where the socket is
        known: a session that belongs to someone else is left for a new one."""
        assert self.sio is not None
        namespace = self.namespace or "/"
        rasa_handler = self.sio.handlers[namespace][self.user_message_evt]
        linked: set[tuple[str, str]] = set()

        async def handle(sid: str, data: Any) -> Any:
            if isinstance(data, dict) and self.session_persistence:
                await self._identify(sid, data, linked)
            return await rasa_handler(sid, data)

        self.sio.on(self.user_message_evt, handle, namespace=self.namespace)

    async def _identify(self, sid: str, data: dict[str, Any], linked: set[tuple[str, str]]) -> None:
        # The token is checked here and never stored with the conversation.
        metadata = data.get(self.metadata_key)
        token = metadata.pop("identity_token", None) if isinstance(metadata, dict) else None
        external_id = verify_identity(token, get_settings().widget_identity_secret)
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or not session_id:
            return
        if external_id is None:
            # Without its owner's token, a session tied to someone is not continued: knowing
            # its id (read from a shared browser, say) must not be enough.
            if await self._linked_to(session_id) is not None:
                data["session_id"] = await self._move_to_new_session(sid, session_id)
            return
        if (session_id, external_id) in linked:
            return
        outcome = await self._link(session_id, external_id)
        if outcome is Link.REFUSED:
            session_id = await self._move_to_new_session(sid, session_id)
            data["session_id"] = session_id
            outcome = await self._link(session_id, external_id)
        if outcome is Link.LINKED:
            linked.add((session_id, external_id))

    async def _move_to_new_session(self, sid: str, session_id: str) -> str:
        """The socket leaves a session linked to someone else for a new one, which the
        widget adopts (``session_confirm``): the newcomer neither sees nor continues it."""
        assert self.sio is not None
        new_session_id = uuid.uuid4().hex
        self.sio.leave_room(sid, session_id, namespace=self.namespace)
        self.sio.enter_room(sid, new_session_id, namespace=self.namespace)
        await self.sio.emit("session_confirm", new_session_id, room=sid, namespace=self.namespace)
        logger.info("a widget session linked to another person was left for a new one")
        return new_session_id

    def _guard_user_messages(self, settings: Settings) -> None:
        """Put :class:`InputGuard` in front of Rasa's handler of the consumer's messages."""
        sio, namespace = self.sio, self.namespace or "/"
        handle_message = sio.handlers[namespace][self.user_message_evt]
        guard = InputGuard(settings, self.metadata_key or "metadata")

        async def guarded(sid: str, data: Any) -> None:
            session = data.get("session_id") if isinstance(data, dict) else None
            refusal = guard.refusal(
                data, self._address(sid), session if self.session_persistence else None
            )
            if refusal is None:
                await handle_message(sid, data)
            elif refusal != IGNORED:
                sender = session if self.session_persistence else sid
                reply = get_services().context.render(refusal, {})
                await SocketIOOutput(sio, self.bot_message_evt).send_text_message(
                    sender, reply.text
                )

        sio.on(self.user_message_evt, guarded, namespace=namespace)

    def _address(self, sid: str) -> str:
        """The client's address (engineio's Sanic driver sets REMOTE_ADDR to 127.0.0.1),
        or the one a trusted proxy forwarded."""
        environ = self.sio.get_environ(sid, self.namespace or "/") or {}
        request = environ.get("sanic.request")
        peer = str(getattr(request, "ip", None) or environ.get("REMOTE_ADDR"))
        headers = getattr(request, "headers", None) or {}
        forwarded = headers.get("x-forwarded-for") or environ.get("HTTP_X_FORWARDED_FOR")
        return client_address(peer, forwarded, get_settings().trusted_proxies)

    async def _linked_to(self, sender_id: str) -> str | None:
        try:
            return await asyncio.to_thread(
                get_services().conversation.linked_to, Identity(self.name(), sender_id)
            )
        except StorageError:
            return None  # the message itself will be told the database is unavailable

    async def _link(self, sender_id: str, external_id: str) -> Link | None:
        try:
            return await asyncio.to_thread(
                get_services().conversation.link_external_id,
                Identity(self.name(), sender_id),
                external_id,
            )
        except StorageError:
            logger.error("could not link a widget session to its consumer; it stays anonymous")
            return None

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WidgetOutput(self)

    async def push(self, sender_id: str, messages: list[dict[str, Any]]) -> bool:
        """Send to the session's open sockets and wait for the widget to confirm receipt.

        False (the caller queues the messages for the next conversation) when no socket is
        open, or when none confirms within ``PUSH_ACK_SECONDS``: a socket whose network
        vanished still looks open until the ping timeout, and must not swallow a message.
        """
        if self.sio is None or not self.session_persistence:
            return False
        namespace = self.namespace or "/"
        if isinstance(self.sio.manager, socketio.AsyncRedisManager):
            # Its sockets may be open on another server: ask the session's room, everywhere.
            targets = [sender_id]
        else:
            targets = self._local_sockets(namespace, sender_id)
        if not targets:
            return False
        output = AcknowledgedOutput(self.sio, self.bot_message_evt, targets, namespace)
        try:
            for message in messages:
                await output.send_response(sender_id, dict(message))
        except NotAcknowledged:
            return False
        return True

    def _local_sockets(self, namespace: str, sender_id: str) -> list[str]:
        try:
            sockets = list(self.sio.manager.get_participants(namespace, sender_id))
        except KeyError:  # no socket ever connected to this namespace
            return []
        # get_participants yields (sid, eio_sid) pairs in python-socketio 5.x.
        return [s[0] if isinstance(s, tuple) else s for s in sockets]


IGNORED = "ignored"
TOO_LONG_RESPONSE = "utter_message_too_long"
TOO_FAST_RESPONSE = "utter_too_many_messages"
# Session ids and message ids are the widget's own uuids: anything longer is not the widget.
MAX_ID_CHARS = 128


class InputGuard:
    """What the widget may send: the response that refuses a message, or None to pass it."""

    def __init__(self, settings: Settings, metadata_key: str) -> None:
        self.max_chars = settings.max_message_chars
        self.metadata_key = metadata_key
        self.limits = RateLimits(settings)

    def refusal(self, data: Any, address: str, sender: str | None) -> str | None:
        """None (the message goes to Rasa), ``IGNORED`` (dropped unanswered: not the
        widget's format) or the response that tells the consumer why it was refused.
        ``sender`` is the session id (None: the socket's). The data is normalized for
        Rasa's handler: metadata as an object, the text as :func:`screen_typed` made it."""
        if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
            return IGNORED
        if sender is not None and not (isinstance(sender, str) and 0 < len(sender) <= MAX_ID_CHARS):
            return IGNORED
        metadata = self._metadata(data.get(self.metadata_key))
        if metadata is None or len(str(metadata.get("message_id", ""))) > MAX_ID_CHARS:
            return IGNORED
        text = data.get("message", "")
        if len(text) > self.max_chars:
            return TOO_LONG_RESPONSE
        if not self.limits.allow(str(sender), address):
            return TOO_FAST_RESPONSE
        data[self.metadata_key] = metadata
        data["message"] = screen_typed(text).text
        return None

    @staticmethod
    def _metadata(raw: Any) -> dict[str, Any] | None:
        """The message's metadata as an object ({} when absent), None when malformed."""
        if raw is None:
            return {}
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                return None
        return raw if isinstance(raw, dict) else None


class NotAcknowledged(Exception):
    """No open socket of the session confirmed a pushed message in time."""


class AcknowledgedOutput(SocketIOOutput):
    """Rasa's socket.io output (same message format), but each message is sent to every open
    socket of the session with an acknowledgement request instead of a fire-and-forget emit."""

    def __init__(self, sio: Any, bot_message_evt: str, targets: list[str], namespace: str) -> None:
        super().__init__(sio, bot_message_evt)
        # Socket ids, or the session's room (every socket of it, on every server).
        self.sids = targets
        self.namespace = namespace

    async def _send_message(self, socket_id: str, response: Any) -> None:
        acknowledged = False
        for sid in self.sids:
            try:
                await self.sio.call(
                    self.bot_message_evt, response, to=sid, namespace=self.namespace,
                    timeout=PUSH_ACK_SECONDS,
                )  # fmt: skip
                acknowledged = True
            except socketio.exceptions.TimeoutError:
                continue
        if not acknowledged:
            raise NotAcknowledged(socket_id)


class WidgetOutput(CollectingOutputChannel):
    """Sends to the session's open sockets; collects what no socket could take, so that
    Rasa's HTTP API returns it and the caller (the nudge scheduler) queues it."""

    def __init__(self, channel: WidgetSocketIO) -> None:
        super().__init__()
        self.channel = channel

    @classmethod
    def name(cls) -> str:
        return "socketio"

    async def _persist_message(self, message: dict[str, Any]) -> None:
        if not await self.channel.push(message["recipient_id"], [plain_message(message)]):
            self.messages.append(message)


class WidgetFiles(InputChannel):
    """Serves the widget (``merci-widget.js``) and the demo page; handles no messages."""

    @classmethod
    def name(cls) -> str:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        files = Blueprint("widget_files", __name__)

        @files.route("/", methods=["GET"])
        async def demo(_: Request) -> HTTPResponse:
            return await _file(WEB_ROOT / DEMO_PAGE)

        @files.route("/<path:path>", methods=["GET"])
        async def asset(_: Request, path: str) -> HTTPResponse:
            target = served_path(path or DEMO_PAGE)
            if target is None:
                return response.text("Not found", status=404)
            return await _file(target)

        return files


def served_path(path: str, root: Path = WEB_ROOT) -> Path | None:
    """The file under ``root`` that ``path`` names, if it may be served; None otherwise."""
    if any(part.startswith(".") for part in Path(path).parts):
        return None
    target = (root / path).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        return None
    return target if target.suffix in SERVED_SUFFIXES else None


async def _file(path: Path) -> HTTPResponse:
    # Pages and scripts change with the code: always revalidated, never stale in a browser.
    return await response.file(path, headers={"Cache-Control": "no-cache"})
