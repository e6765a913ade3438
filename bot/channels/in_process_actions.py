"""Custom actions run inside the Rasa server (``MERCI_ACTIONS=in-process``), behind Rasa's
own action interface.

Rasa runs every custom action through ``RemoteAction``, which posts the tracker to the
action server's endpoint (``EndpointConfig.request``), checks the answer against its schema
and applies the events. Here the endpoint's ``request`` hands the very same body to rasa_sdk's
``ActionExecutor`` (what the action server's webhook calls) in this process and returns its
answer, so everything else stays Rasa's: the body, the checks, the events, form validation
refusals (HTTP 400 from the action server, the same error here), the timeout and apology of
:mod:`bot.channels.action_guard`. With ``MERCI_ACTIONS=http`` (the default) the action server
is called over HTTP as before.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "actions"
IN_PROCESS = "in-process"


class InProcessActionEndpoint(EndpointConfig):
    """The action endpoint of ``endpoints.yml`` (same settings), answered in this process."""

    def __init__(self, configured: EndpointConfig | None, executor: ActionExecutor) -> None:
        kwargs = dict(configured.kwargs) if configured is not None else {}
        super().__init__(url=configured.url if configured else IN_PROCESS, **kwargs)
        self.executor = executor

    async def request(self, method: str = "post", subpath: str | None = None, **kwargs: Any) -> Any:
        """What the action server's webhook would answer to ``kwargs["json"]``."""
        action_call = kwargs["json"]
        try:
            return await self.executor.run(action_call)
        except ActionExecutionRejection as error:
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(400, "Bad Request", json.dumps(body)) from error
        except ActionNotFoundException as error:
            logger.error("no custom action named %s", error.action_name)
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(404, "Not Found", json.dumps(body)) from error


def executor(package: str = ACTIONS_PACKAGE) -> ActionExecutor:
    actions = ActionExecutor()
    actions.register_package(package)
    return actions


def install(package: str = ACTIONS_PACKAGE) -> None:
    """Make every ``RemoteAction`` created from now on in this process run in-process."""
    if getattr(RemoteAction.__init__, "merci_in_process", False):
        return
    shared = executor(package)
    original = RemoteAction.__init__

    def init(action: RemoteAction, name: str, action_endpoint: EndpointConfig | None) -> None:
        original(action, name, InProcessActionEndpoint(action_endpoint, shared))

    init.merci_in_process = True  # type: ignore[attr-defined]
    RemoteAction.__init__ = init
    logger.info("custom actions run in the Rasa server (MERCI_ACTIONS=in-process)")
