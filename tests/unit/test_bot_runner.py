"""What the runner hands the servers: the endpoints file, command lines, environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from rasa.core.utils import AvailableEndpoints

from bot.config import get_settings
from bot.runtime.runner import ENDPOINTS, plan, render_endpoints

MODEL = Path("models/merci.tar.gz")


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set environment variables and read the settings afresh, as a new process would."""

    def set_environ(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_environ
    get_settings.cache_clear()


def test_the_action_endpoint_follows_the_action_port():
    rendered = yaml.safe_load(render_endpoints(6123))
    assert rendered["action_endpoint"]["url"] == "http://127.0.0.1:6123/webhook"


def test_nothing_but_the_action_url_changes():
    source = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    rendered = yaml.safe_load(render_endpoints(6123))
    source["action_endpoint"]["url"] = "http://127.0.0.1:6123/webhook"
    assert rendered == source
    assert yaml.safe_load(render_endpoints(5055))["action_endpoint"] == {
        "url": "http://127.0.0.1:5055/webhook",
        "enable_selective_domain": True,
        "timeout": 2,
    }


def test_the_tracker_store_keeps_database_url_for_rasa_to_expand(tmp_path, monkeypatch):
    assert "url: ${DATABASE_URL}\n" in render_endpoints(6123), "plain, so Rasa expands it"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/merci-test.db")
    path = tmp_path / "endpoints.yml"
    path.write_text(render_endpoints(6123), encoding="utf-8")
    endpoints = AvailableEndpoints.read_endpoints(str(path))
    assert endpoints.tracker_store.url == "sqlite:////tmp/merci-test.db"
    assert endpoints.action.url == "http://127.0.0.1:6123/webhook"


def test_both_servers_get_merci_log_level(environ, tmp_path):
    environ(MERCI_LOG_LEVEL="warning")
    launches = plan(MODEL, tmp_path, rasa_port=6100, action_port=6101, api_token="jeton")
    for launch in (launches.actions, launches.rasa):
        assert launch.env["LOG_LEVEL"] == "WARNING", f"rasa reads it ({launch.name})"
        assert launch.env["COLOREDLOGS_LOG_LEVEL"] == "WARNING", f"rasa_sdk ({launch.name})"
    assert launches.scheduler is None


def test_the_rasa_server_gets_the_rendered_endpoints_and_the_scheduler_its_token(environ, tmp_path):
    environ(MERCI_LOG_LEVEL="INFO")
    launches = plan(MODEL, tmp_path, action_port=6101, api_token="jeton", scheduler=True)
    command = launches.rasa.command
    endpoints = Path(command[command.index("--endpoints") + 1])
    assert endpoints.parent == tmp_path
    assert yaml.safe_load(endpoints.read_text())["action_endpoint"]["url"].endswith(":6101/webhook")
    assert launches.actions.command[-2:] == ["--port", "6101"]
    assert launches.scheduler is not None
    assert launches.scheduler.env["RASA_API_TOKEN"] == "jeton"
    assert launches.rasa.env["RASA_API_TOKEN"] == "jeton"
    assert "--enable-api" in command
    assert "jeton" not in " ".join(command), "ps would show it"
    assert launches.scheduler.env["LOG_LEVEL"] == "INFO"


def test_the_rasa_server_takes_its_api_token_from_the_settings_in_process_only():
    from bot.channels.rasa_server import with_api_token

    argv = ["rasa_server", "run", "--enable-api"]
    assert with_api_token(argv, "jeton") == [*argv, "--auth-token=jeton"]
    assert with_api_token(["rasa_server", "run"], "jeton") == ["rasa_server", "run"]
    with pytest.raises(SystemExit):
        with_api_token(argv, None)


def test_rasa_reads_a_random_api_token_even_when_it_starts_with_a_dash():
    """token_urlsafe gives one token in 64 a leading "-": Rasa must still start."""
    from rasa.__main__ import create_argument_parser

    from bot.channels.rasa_server import with_api_token

    argv = with_api_token(["rasa_server", "run", "--enable-api"], "-Zk3_jeton")
    assert create_argument_parser().parse_args(argv[1:]).auth_token == "-Zk3_jeton"


def test_the_rasa_server_listens_on_merci_host(environ, tmp_path):
    environ(MERCI_HOST="0.0.0.0", REST_CHANNEL_TOKEN="jeton-rest")
    command = plan(MODEL, tmp_path).rasa.command
    assert command[command.index("--interface") + 1] == "0.0.0.0"


def test_merci_reaches_a_rasa_server_on_one_address_there_and_on_every_interface_by_loopback(
    environ, tmp_path
):
    environ(MERCI_HOST="10.1.2.3", REST_CHANNEL_TOKEN="jeton-rest")
    launches = plan(MODEL, tmp_path, rasa_port=6200, api_token="jeton", scheduler=True)
    assert launches.scheduler is not None
    assert launches.scheduler.env["MERCI_RASA_URL"] == "http://10.1.2.3:6200"
    environ(MERCI_HOST="0.0.0.0")
    launches = plan(MODEL, tmp_path, rasa_port=6200, api_token="jeton", scheduler=True)
    assert launches.scheduler is not None
    assert launches.scheduler.env["MERCI_RASA_URL"] == "http://127.0.0.1:6200"


def test_merci_refuses_to_start_on_a_broken_privacy_file(environ, tmp_path):
    from bot.runtime.runner import preflight

    broken = tmp_path / "privacy.yml"
    broken.write_text("retention: 12\n", encoding="utf-8")
    environ(MERCI_PRIVACY_PATH=str(broken))
    problem = preflight()
    assert problem is not None and "privacy.yml" in problem


def test_the_studio_is_one_more_process_that_loads_models_into_this_rasa_server(environ, tmp_path):
    environ(MERCI_LOG_LEVEL="INFO")
    without = plan(MODEL, tmp_path, rasa_port=6100, api_token="jeton")
    assert without.studio is None
    launches = plan(MODEL, tmp_path, rasa_port=6100, api_token="jeton", studio_port=6106)
    assert launches.studio is not None
    command = launches.studio.command
    assert command[1:5] == ["-m", "bot", "studio", "serve"]
    assert command[command.index("--port") + 1] == "6106"
    assert command[command.index("--rasa-url") + 1] == "http://127.0.0.1:6100"
    assert launches.studio.env["RASA_API_TOKEN"] == "jeton"
    assert "jeton" not in " ".join(command), "ps would show it"
