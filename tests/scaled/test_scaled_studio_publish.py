"""A studio publish on the scaled topology: every Rasa server takes the new model, or none
keeps it (a server that refuses it makes the others take the published one back)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.scaled import Topology
from bot.studio import rasa_client
from bot.studio.nlu_files import add_example
from bot.studio.publish import MODEL_NAME, Progress, Publisher, Target, Trainer
from tests.e2e.browser.studio import copy_project
from tests.e2e.conftest import API_TOKEN, MODEL, free_port

pytestmark = pytest.mark.e2e

# Not understood by the model in service (the studio's browser test teaches it too).
NOT_UNDERSTOOD = "j'aimerais raconter mon ressenti"
ASKS_FOR_PRODUCT = "Quel produit souhaitez-vous évaluer"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, topology: Topology) -> Iterator[Path]:
    """A copy of the project the studio publishes from; the servers get the project's
    own model back afterwards, for the other scaled tests."""
    root = tmp_path_factory.mktemp("scaled-studio") / "project"
    copy_project(root)
    try:
        yield root
    finally:
        for url in topology.rasa_urls:
            rasa_client.load_model(url, API_TOKEN, MODEL)


def asks_for_the_product(url: str, sender: str) -> bool:
    answers = rasa_client.say(url, sender, NOT_UNDERSTOOD)
    return any(ASKS_FOR_PRODUCT in str(answer.get("text", "")) for answer in answers)


def published(publisher: Publisher, timeout: float = 600) -> Progress:
    assert publisher.start("Camille")
    deadline = time.monotonic() + timeout
    while publisher.progress.running and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not publisher.progress.running, "the publish did not end in time"
    return publisher.progress


def test_a_publish_loads_the_new_model_into_every_server(topology: Topology, project: Path):
    assert not any(
        asks_for_the_product(url, f"avant-{i}") for i, url in enumerate(topology.rasa_urls)
    )
    add_example(project, "leave_review", NOT_UNDERSTOOD)
    target = Target(project, topology.rasa_urls, API_TOKEN)

    progress = published(Publisher(target, Trainer(project)))

    assert progress.succeeded, (progress.error, progress.problems)
    for i, url in enumerate(topology.rasa_urls):
        assert asks_for_the_product(url, f"apres-{i}"), url
    assert asks_for_the_product(topology.url, "derriere-nginx")


def test_a_server_that_refuses_the_model_sends_the_others_back_to_the_published_one(
    topology: Topology, project: Path, tmp_path: Path
):
    """The published model understands the sentence; the one tried here does not."""
    in_service = project / "models" / MODEL_NAME
    assert asks_for_the_product(topology.rasa_urls[0], "en-service")
    published_bytes = in_service.read_bytes()
    older = tmp_path / MODEL_NAME
    shutil.copyfile(MODEL, older)
    gone = f"http://127.0.0.1:{free_port()}"
    target = Target(project, (topology.rasa_urls[0], gone), API_TOKEN)

    progress = published(Publisher(target, Trainer(project), ready=lambda: older))

    assert progress.succeeded is False
    assert gone in progress.error and "Rien n'a changé" in progress.error
    # The first server had loaded the refused model: it serves the published one again.
    assert asks_for_the_product(topology.rasa_urls[0], "apres-refus")
    assert in_service.read_bytes() == published_bytes
