"""What the scaled topology changes in the servers' endpoints: nothing but the lock store
(and the action server's address when it is elsewhere), all from environment variables."""

from __future__ import annotations

import yaml
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.utils import AvailableEndpoints

from bot.channels.lock_store import AtomicRedisLockStore
from bot.runtime.runner import render_endpoints
from bot.runtime.services_local import render_nginx

REDIS = {"MERCI_REDIS_URL": "redis://127.0.0.1:6390/0"}


def lock_store_from(rendered: str, tmp_path, monkeypatch) -> LockStore:
    monkeypatch.setenv("MERCI_REDIS_URL", REDIS["MERCI_REDIS_URL"])
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/merci-test.db")
    path = tmp_path / "endpoints.yml"
    path.write_text(rendered, encoding="utf-8")
    return LockStore.create(AvailableEndpoints.read_endpoints(str(path)).lock_store)


def test_without_redis_one_server_keeps_rasa_s_in_memory_locks(tmp_path, monkeypatch):
    rendered = render_endpoints(6123, env={})
    assert "lock_store" not in yaml.safe_load(rendered)
    assert isinstance(lock_store_from(rendered, tmp_path, monkeypatch), InMemoryLockStore)


def test_with_redis_rasa_loads_merci_s_atomic_lock_store(tmp_path, monkeypatch):
    rendered = render_endpoints(6123, env=REDIS)
    assert "url: ${MERCI_REDIS_URL}" in rendered, "Rasa expands it: no secret in the file"
    store = lock_store_from(rendered, tmp_path, monkeypatch)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.connection_pool.connection_kwargs["port"] == 6390


def test_everything_else_is_the_same_file_as_make_run():
    single = yaml.safe_load(render_endpoints(6123, env={}))
    scaled = yaml.safe_load(render_endpoints(6123, env=REDIS))
    scaled.pop("lock_store")
    assert scaled == single


def test_an_action_server_elsewhere_is_reached_at_its_own_address():
    env = {"MERCI_ACTION_SERVER_URL": "http://actions-1:5055/webhook"}
    rendered = yaml.safe_load(render_endpoints(6123, env=env))
    assert rendered["action_endpoint"]["url"] == "http://actions-1:5055/webhook"


def test_nginx_balances_every_server_and_keeps_a_widget_page_on_one(tmp_path):
    config = render_nginx(tmp_path, 8080, [7001, 7002]).read_text(encoding="utf-8")
    assert "listen 127.0.0.1:8080;" in config
    for upstream in ("upstream merci_rasa", "upstream merci_socketio"):
        block = config.split(upstream, 1)[1].split("}", 1)[0]
        assert "server 127.0.0.1:7001" in block and "server 127.0.0.1:7002" in block
    assert "hash $arg_merci_client consistent;" in config
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config
