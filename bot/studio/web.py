"""What every page of the studio shares: the logged-in user, CSRF tokens, templates, audit."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.domain.typography import frenchify
from bot.storage import studio_queries
from bot.storage.unit_of_work import transaction
from bot.studio import history
from bot.studio.accounts import ROLE_LABELS, User

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["fr"] = frenchify

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class StudioConfig:
    """Where the studio works: the project's files, its database, the running Rasa server."""

    root: Path
    engine: Engine
    rasa_url: str
    rasa_token: str | None
    rest_token: str | None
    secret: str
    # Every Rasa server a publish loads (several behind a load balancer); () is rasa_url alone.
    rasa_urls: tuple[str, ...] = ()


def config(request: Request) -> StudioConfig:
    return request.app.state.config  # type: ignore[no-any-return]


def current_user(request: Request) -> User | None:
    name, role = request.session.get("user"), request.session.get("role")
    return User(name, role) if name and role else None


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token (field or htmx header) matches the session's."""
    form = await request.form()
    given = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
    expected = str(request.session.get("csrf") or "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, "Jeton de sécurité manquant ou périmé : rechargez la page.")
    user = current_user(request)
    if user is not None and user.can_edit:
        # The content as it was before this edit, so that :func:`record` logs exactly
        # what the studio changed (the history tells it from hand edits).
        request.state.content_before = history.content_state(config(request).root)
    return form


def login_required(editor: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Send a visitor to the login page; refuse an edit to a "lecteur"."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user = current_user(request)
            if user is None:
                return RedirectResponse("/connexion", status_code=303)
            if editor and not user.can_edit:
                raise HTTPException(
                    403, "Votre rôle « lecteur » permet de consulter, pas de modifier ni publier."
                )
            return await endpoint(request)

        return guarded

    return decorate


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    user = current_user(request)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "role_label": ROLE_LABELS.get(user.role, "") if user else "",
            "csrf": csrf_token(request),
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )


def record(request: Request, action: str, detail: str) -> None:
    """Log an edit in the audit table: who, what (never a consumer's words) and which
    content files it changed."""
    user = current_user(request)
    name = user.name if user else "?"
    before = getattr(request.state, "content_before", None)
    files = (
        history.changes_between(before, history.content_state(config(request).root))
        if before is not None
        else []
    )
    transaction(
        lambda s: studio_queries.audit(s, name, action, detail, files), config(request).engine
    )
