"""The DPO's commands: ``python -m bot privacy export|erase|purge`` on a migrated database."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.domain.validation import PARSERS
from bot.services import Identity, get_services
from bot.storage.migrate import upgrade
from bot.tools.cli import main
from tests.wiring import reset_wiring


@pytest.fixture
def database(tmp_path, monkeypatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'merci.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    reset_wiring()
    upgrade(url)
    yield url
    reset_wiring()


def test_export_then_erase_a_consumer_by_external_id(database, tmp_path, capsys):
    services = get_services()
    marie = Identity("facebook", "psid-marie")
    services.privacy.record_consent(marie, "personal_data", True)
    services.profile.save_profile_step(marie, "email", PARSERS["email"]("m.dpo@exemple.fr"), "k")
    services.conversation.link_external_id(marie, "CRM-42")
    out = tmp_path / "marie.json"

    assert main(["privacy", "export", "CRM-42", "--out", str(out)]) == 0
    held = json.loads(out.read_text(encoding="utf-8"))
    assert held["identities"][0]["channel"] == "facebook"
    assert [(f["field"], f["value"]) for f in held["profile"]] == [("email", "m.dpo@exemple.fr")]
    assert [c["purpose"] for c in held["consents"]] == ["personal_data"]
    assert {"reviews", "acknowledgements", "outbox", "nudges", "brand_events",
            "messenger_messages", "conversations"} <= set(held)  # fmt: skip

    assert main(["privacy", "erase", "CRM-42"]) == 0
    assert "1 chat identities erased" in capsys.readouterr().out
    assert main(["privacy", "export", "CRM-42"]) == 1, "nothing left to export"


def test_purge_reports_what_it_removed(database, capsys):
    assert main(["privacy", "purge"]) == 0
    assert "0 inactive consumers" in capsys.readouterr().out
