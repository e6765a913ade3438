"""Facebook Messenger without Rasa: webhook checks, reading events, shaping replies, sending.

``bot/channels/messenger.py`` wires these into Rasa; everything it decides is here, so it
can be tested without a Rasa server.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.storage.models import utcnow
from bot.storage.repository import (
    add_messenger_message,
    find_messenger_message,
    last_messenger_message_at,
)
from bot.storage.unit_of_work import transaction

logger = logging.getLogger(__name__)

# Checked with bot.integrations.signatures.verify; the legacy SHA-1 X-Hub-Signature is not.
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Meta's Send API limits.
TEXT_LIMIT = 2000
BUTTON_TEXT_LIMIT = 640
TITLE_LIMIT = 20
BUTTONS_LIMIT = 3
QUICK_REPLIES_LIMIT = 13
# Outside this window after the consumer's last message, only tagged messages may be sent.
WINDOW = timedelta(hours=24)
# Messenger's "like" sticker, in its three sizes: a thumbs-up is a thank-you.
THUMBS_UP_STICKERS = frozenset({369239263222822, 369239343222814, 369239383222810})
THANK_YOU = "/thank"


# -- webhook checks ------------------------------------------------------------


def subscription_challenge(args: Mapping[str, str], verify_token: str | None) -> str | None:
    """The ``hub.challenge`` to echo when Meta verifies the webhook; None means 403."""
    if not verify_token or args.get("hub.mode") != "subscribe":
        return None
    given = str(args.get("hub.verify_token") or "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    return args.get("hub.challenge") or None


# -- reading webhook events ---------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    """One consumer message: ``text`` goes to Rasa; an ``attachment`` gets a kind answer."""

    sender_id: str
    mid: str | None
    received_at: datetime
    text: str | None = None
    attachment: bool = False


def read_events(payload: Any, now: datetime | None = None) -> list[Inbound]:
    """Every consumer message of a webhook batch, in order; echoes, deliveries, reads
    and anything unknown are left out."""
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return []
    now = now or utcnow()
    found = []
    for entry in _dicts(payload.get("entry")):
        for event in _dicts(entry.get("messaging")):
            inbound = _read_event(event, now)
            if inbound is not None:
                found.append(inbound)
    return found


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _read_event(event: dict[str, Any], now: datetime) -> Inbound | None:
    sender = (event.get("sender") or {}).get("id")
    if not isinstance(sender, str) or not sender:
        return None
    at = _timestamp(event.get("timestamp"), now)
    message, postback = event.get("message"), event.get("postback")
    if isinstance(message, dict):
        if message.get("is_echo"):
            return None
        mid = message.get("mid") if isinstance(message.get("mid"), str) else None
        quick_reply = (message.get("quick_reply") or {}).get("payload")
        if isinstance(quick_reply, str) and quick_reply:
            return Inbound(sender, mid, at, text=quick_reply)
        attachments = _dicts(message.get("attachments"))
        stickers = {message.get("sticker_id")} | {
            (a.get("payload") or {}).get("sticker_id") for a in attachments
        }
        if stickers & THUMBS_UP_STICKERS:
            return Inbound(sender, mid, at, text=THANK_YOU)
        if attachments:
            return Inbound(sender, mid, at, attachment=True)
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            return Inbound(sender, mid, at, text=text)
        return None
    if isinstance(postback, dict):
        payload = postback.get("payload") or postback.get("title")
        mid = postback.get("mid") if isinstance(postback.get("mid"), str) else None
        if isinstance(payload, str) and payload:
            return Inbound(sender, mid, at, text=payload)
    return None


def _timestamp(milliseconds: Any, now: datetime) -> datetime:
    """When the consumer wrote (never later than now: a wrong clock must not widen the
    24-hour window)."""
    if not isinstance(milliseconds, int):
        return now
    sent = datetime.fromtimestamp(milliseconds / 1000, timezone.utc).replace(tzinfo=None)
    return min(sent, now)


# -- shaping replies ----------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…]+[»\"')\u00a0\u202f]*\s+|\n+")


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a long text into messages of at most ``limit`` characters, at sentence ends
    (else between words, else anywhere)."""
    parts = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        ends = [m.end() for m in _SENTENCE_END.finditer(window)]
        spaces = [m.end() for m in re.finditer(r"\s+", window)]
        cut = (ends or spaces or [limit])[-1]
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def cut_title(title: str, limit: int = TITLE_LIMIT) -> str:
    """A button title Messenger shows whole: cut after a word, with an ellipsis."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    kept = ""
    for word in title.split(" "):
        candidate = f"{kept} {word}".strip()
        if len(candidate) > limit - 1:
            break
        kept = candidate
    return (kept or title[: limit - 1]).rstrip(" ,;:") + "…"


def _button(button: Mapping[str, Any]) -> dict[str, Any]:
    title = cut_title(str(button.get("title", "")))
    if button.get("url"):
        return {"type": "web_url", "title": title, "url": str(button["url"])}
    return {"type": "postback", "title": title, "payload": str(button.get("payload", ""))}


def _quick_reply(button: Mapping[str, Any]) -> dict[str, Any]:
    if button.get("content_type") not in (None, "text"):
        return dict(button)  # user_email, user_phone_number: Messenger fills them in
    payload = str(button.get("payload") or button.get("title", ""))
    return {"content_type": "text", "title": cut_title(str(button["title"])), "payload": payload}


def to_graph_messages(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A Rasa bot message as Send API ``message`` objects, in order.

    Up to 3 buttons make a button template; more become quick replies (13 at most: the
    others are listed in the text rather than dropped). A ``custom`` payload with
    ``quick_replies`` (e.g. ``user_email``) is merged into the text's quick replies.
    """
    text = str(message.get("text") or "").strip()
    buttons = list(message.get("buttons") or message.get("quick_replies") or [])
    custom = message.get("custom")
    native: list[dict[str, Any]] = []
    if isinstance(custom, dict) and "quick_replies" in custom:
        native = [dict(q) for q in custom.get("quick_replies") or []]
        text = text or str(custom.get("text") or "").strip()
        custom = None
    graph: list[dict[str, Any]] = []
    if message.get("image"):
        graph.append(_attachment("image", str(message["image"])))
    if text:
        parts = split_text(text)
        graph += [{"text": part} for part in parts[:-1]]
        graph.append(_last_part(parts[-1], buttons, native))
    elif buttons or native:
        graph.append(_last_part("…", buttons, native))
    if isinstance(custom, dict) and custom:
        graph.append(custom)
    return graph


def _last_part(
    text: str, buttons: Sequence[Mapping[str, Any]], native: list[dict[str, Any]]
) -> dict[str, Any]:
    if not buttons and not native:
        return {"text": text}
    if not native and len(buttons) <= BUTTONS_LIMIT and len(text) <= BUTTON_TEXT_LIMIT:
        template = {
            "template_type": "button",
            "text": text,
            "buttons": [_button(b) for b in buttons],
        }
        return {"attachment": {"type": "template", "payload": template}}
    replies = native + [_quick_reply(b) for b in buttons]
    if len(replies) > QUICK_REPLIES_LIMIT:
        shown, others = replies[:QUICK_REPLIES_LIMIT], replies[QUICK_REPLIES_LIMIT:]
        listed = ", ".join(str(r.get("title", "")) for r in others)
        text = split_text(f"{text}\n(Autres choix\u00a0: {listed})")[0]
        replies = shown
    return {"text": text, "quick_replies": replies}


def _attachment(kind: str, url: str) -> dict[str, Any]:
    return {"attachment": {"type": kind, "payload": {"url": url, "is_reusable": True}}}


# -- the 24-hour window and redelivered messages -------------------------------


def delivery_mode(
    last_message_at: datetime | None, now: datetime, tag: str | None
) -> dict[str, str] | None:
    """How a message that is not an answer may be sent now; None: it must wait (queue)."""
    if last_message_at is not None and now - last_message_at < WINDOW:
        return {"messaging_type": "RESPONSE"}
    if tag:
        return {"messaging_type": "MESSAGE_TAG", "tag": tag}
    return None


class MessengerLog:
    """Messenger messages received: each ``mid`` handled once; the last one per sender.

    Both methods raise :class:`~bot.storage.unit_of_work.StorageError` when the database
    fails.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, inbound: Inbound) -> bool:
        """Note a received message; False when its ``mid`` was already handled."""

        def work(session: Session) -> bool:
            # Read first: when a redelivery races this one, the retry sees its row.
            mid = inbound.mid
            if mid is not None and find_messenger_message(session, mid) is not None:
                return False
            add_messenger_message(session, inbound.mid, inbound.sender_id, inbound.received_at)
            return True

        return transaction(work, self.engine)

    def last_message_at(self, sender_id: str) -> datetime | None:
        return transaction(
            lambda session: last_messenger_message_at(session, sender_id), self.engine
        )


# -- sending ------------------------------------------------------------------


class GraphClient:
    """The Send API over HTTP: timeouts, retries on 429 and 5xx with backoff."""

    def __init__(
        self,
        page_access_token: str,
        base_url: str = "https://graph.facebook.com",
        version: str = "v21.0",
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.25,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/{version}/me/messages"
        self.token = page_access_token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.attempts = attempts
        self.backoff = backoff

    async def send_all(
        self, recipient_id: str, messages: Sequence[Mapping[str, Any]], **mode: str
    ) -> bool:
        """Send messages in order; stop at the first that cannot be sent (False)."""
        mode = mode or {"messaging_type": "RESPONSE"}
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            for message in messages:
                body = {"recipient": {"id": recipient_id}, **mode, "message": dict(message)}
                if not await self._post(session, body):
                    return False
        return True

    async def _post(self, session: aiohttp.ClientSession, body: dict[str, Any]) -> bool:
        status: int | str = "no answer"
        for attempt in range(self.attempts):
            try:
                async with session.post(
                    self.url, params={"access_token": self.token}, json=body
                ) as answer:
                    status = answer.status
                    if status < 300:
                        return True
                    if status != 429 and status < 500:
                        break  # a refusal (bad token, blocked consumer): retrying won't help
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                status = type(error).__name__
            if attempt + 1 < self.attempts:
                await asyncio.sleep(self.backoff * 2**attempt)
        # No recipient id and no text here: both are personal data.
        logger.warning(
            "Messenger send failed after %d attempt(s) (last status: %s)", attempt + 1, status
        )
        return False
