"""`python -m bot run` refuses to listen beyond loopback without REST_CHANNEL_TOKEN."""

from __future__ import annotations

import pytest

from bot.config import get_settings
from bot.domain.exposure import exposure_problem
from bot.runtime.runner import preflight, run


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_needs_no_token(host):
    assert exposure_problem(host, None) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "merci.example.fr"])
def test_beyond_loopback_a_token_is_required(host):
    assert "REST_CHANNEL_TOKEN" in exposure_problem(host, None)
    assert exposure_problem(host, "a-long-random-token") is None


@pytest.fixture
def environment(monkeypatch):
    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.delenv("REST_CHANNEL_TOKEN", raising=False)
    yield set_env
    get_settings.cache_clear()


def test_run_refuses_to_start_on_all_interfaces_without_a_token(environment, capsys, tmp_path):
    environment(MERCI_HOST="0.0.0.0")
    assert run(tmp_path / "no-model.tar.gz") == 1
    assert "REST_CHANNEL_TOKEN" in capsys.readouterr().err


def test_the_preflight_passes_on_all_interfaces_with_a_token(environment):
    environment(MERCI_HOST="0.0.0.0", REST_CHANNEL_TOKEN="a-long-random-token")
    assert preflight() is None
