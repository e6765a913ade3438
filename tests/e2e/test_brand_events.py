"""Brand events over real HTTP: signed, stored once, congratulated once (queued for REST)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.integrations.brand_event_payload import sign
from bot.storage.models import BrandEvent, Consumer, OutboxMessage, ProfileField, Review, utcnow
from tests.e2e.conftest import BRAND_SECRET

pytestmark = pytest.mark.e2e


def post(merci, body: bytes, signature: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Merci-Signature"] = signature
    request = urllib.request.Request(
        f"{merci.url}/webhooks/brand/events", data=body, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def review_event(event_id: str, external_id: str, rating: int = 5) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "type": "review.published",
            "occurred_at": "2026-11-25T10:00:00Z",
            "consumer": {"external_id": external_id},
            "data": {"rating": rating, "text": "Très bonne crème", "product": "Crème de jour"},
        }
    ).encode()


def link(merci, sender: str, external_id: str) -> None:
    """A REST consumer the brand knows as ``external_id`` (as a logged-in visitor would be)."""
    merci.chat(sender).say("bonjour")
    with Session(merci.engine) as session, session.begin():
        session.add(
            Consumer(channel="rest", sender_id=sender, external_id=external_id, created_at=utcnow())
        )


def count(merci, model) -> int:
    with Session(merci.engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_signed_review_is_stored_once_and_congratulated_at_the_next_visit(merci):
    link(merci, "e2e-brand-claire", "crm-claire")
    body = review_event("evt-review-1", "crm-claire")

    status, answer = post(merci, body, sign(body, BRAND_SECRET))
    assert (status, answer) == (200, {"status": "accepted", "congratulation": "queued"})

    status, answer = post(merci, body, sign(body, BRAND_SECRET))
    assert (status, answer) == (200, {"status": "duplicate", "congratulation": "already"})

    with Session(merci.engine) as session:
        reviews = session.scalars(
            select(Review).join(Consumer).where(Consumer.external_id == "crm-claire")
        ).all()
        queued = session.scalars(
            select(OutboxMessage).where(OutboxMessage.source_key == "brand:evt-review-1")
        ).all()
    assert [(r.rating, r.product, r.channel) for r in reviews] == [(5, "Crème de jour", "brand")]
    assert len(queued) == 1 and queued[0].delivered_at is None

    replies = merci.chat("e2e-brand-claire").say("bonjour")
    assert "5 étoiles" in replies[0] and "premier avis" in replies[0], replies
    assert len(replies) == 2, "the congratulation, then the greeting"

    again = merci.chat("e2e-brand-claire").say("bonjour")
    assert not any("5 étoiles" in r for r in again), "congratulated twice"


def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(merci):
    before = count(merci, BrandEvent)
    body = review_event("evt-forged", "crm-nobody")
    assert post(merci, body, sign(body, "not-the-secret"))[0] == 401
    assert post(merci, body, None)[0] == 401
    assert post(merci, body, "sha256=" + "0" * 64)[0] == 401
    assert count(merci, BrandEvent) == before


def test_invalid_json_and_invalid_payloads_get_400_naming_the_field(merci):
    before = count(merci, BrandEvent)
    broken = b'{"event_id": "evt-broken", '
    status, answer = post(merci, broken, sign(broken, BRAND_SECRET))
    assert status == 400 and "invalid JSON" in answer["error"]

    body = review_event("evt-rating-9", "crm-x", rating=9)
    status, answer = post(merci, body, sign(body, BRAND_SECRET))
    assert status == 400 and answer["error"].startswith("data.rating")

    wrong_email = json.dumps({
        "event_id": "evt-email", "type": "profile.field_updated",
        "occurred_at": "2026-11-25T10:00:00Z", "consumer": {"external_id": "crm-x"},
        "data": {"field": "email", "value": "pas-une-adresse"},
    }).encode()  # fmt: skip
    status, answer = post(merci, wrong_email, sign(wrong_email, BRAND_SECRET))
    assert status == 400 and answer["error"].startswith("data.value")
    assert count(merci, BrandEvent) == before


def test_the_cli_signs_and_sends_a_profile_update(merci, tmp_path):
    link(merci, "e2e-brand-hugo", "crm-hugo")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({
        "event_id": "evt-email-hugo", "type": "profile.field_updated",
        "occurred_at": "2026-11-25T11:00:00+01:00", "consumer": {"external_id": "crm-hugo"},
        "data": {"field": "email", "value": "Hugo@Exemple.fr"},
    }))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "bot", "event", "send", str(event),
         "--url", f"{merci.url}/webhooks/brand/events"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env={**__import__("os").environ, "BRAND_EVENTS_SECRET": BRAND_SECRET},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("200")
    with Session(merci.engine) as session:
        email = session.scalars(
            select(ProfileField.value)
            .join(Consumer, Consumer.id == ProfileField.consumer_id)
            .where(Consumer.external_id == "crm-hugo", ProfileField.field == "email")
        ).one()
    assert email == "hugo@exemple.fr"
    (thanks, greeting) = merci.chat("e2e-brand-hugo").say("bonjour")
    assert "adresse e-mail" in thanks or "enregistré" in thanks


def erasure_event(event_id: str, external_id: str) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "type": "consumer_erasure_requested",
            "occurred_at": "2026-11-27T10:00:00Z",
            "consumer": {"external_id": external_id},
            "data": {},
        }
    ).encode()


def test_a_signed_erasure_request_erases_every_identity_of_the_consumer(merci):
    link(merci, "e2e-brand-erased", "crm-erased")
    body = review_event("evt-before-erasure", "crm-erased")
    assert post(merci, body, sign(body, BRAND_SECRET))[0] == 200

    unsigned = erasure_event("evt-erase-1", "crm-erased")
    assert post(merci, unsigned, None)[0] == 401, "never erased on an unsigned request"
    with Session(merci.engine) as session:
        assert (
            session.scalars(select(Consumer).where(Consumer.external_id == "crm-erased")).all()
            != []
        )

    assert post(merci, unsigned, sign(unsigned, BRAND_SECRET)) == (
        200,
        {"status": "erased", "identities": 1},
    )
    with Session(merci.engine) as session:
        assert (
            session.scalars(select(Consumer).where(Consumer.external_id == "crm-erased")).all()
            == []
        )
        assert (
            session.scalars(
                select(BrandEvent).where(BrandEvent.event_id == "evt-before-erasure")
            ).all()
            == []
        )
    with merci.engine.connect() as connection:
        events = connection.execute(
            text("SELECT COUNT(*) FROM events WHERE sender_id = 'e2e-brand-erased'")
        ).scalar_one()
    assert events == 0, "the conversation went too"
