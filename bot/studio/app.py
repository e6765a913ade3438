"""Merci Studio: the web app marketers use to improve Merci from real conversations.

Starlette (ASGI) with Jinja2 pages and htmx; served by uvicorn (``make studio``). The
project's files stay the source of truth: the studio reads and writes them, and talks to
the running Rasa server over HTTP only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.studio.draft import Draft
from bot.studio.login_limit import LoginLimit
from bot.studio.publish import Publisher, Target, Trainer
from bot.studio.routes import (
    auth,
    dashboard,
    history,
    inbox,
    publish,
    responses,
    tables,
    try_it,
)
from bot.studio.web import StudioConfig, page

STATIC = Path(__file__).parent / "static"
# The widget's own script and style sheet, for the response preview.
WIDGET = Path(__file__).resolve().parents[2] / "web"
SESSION_HOURS = 12


async def home(_: Request) -> Response:
    return RedirectResponse("/boite", status_code=303)


async def refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return page(request, "error.html", error.status_code, message=error.detail)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """The draft server lives as long as the studio; its conversations go with it."""
    try:
        yield
    finally:
        app.state.draft.close()


def create_app(config: StudioConfig) -> Starlette:
    routes = [
        Route("/", home),
        *auth.routes(),
        *inbox.routes(),
        *publish.routes(),
        *responses.routes(),
        *tables.routes(),
        *try_it.routes(),
        *history.routes(),
        *dashboard.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount("/widget", StaticFiles(directory=WIDGET), name="widget"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=config.secret,
                session_cookie="merci_studio",
                max_age=SESSION_HOURS * 3600,
                same_site="strict",
            )
        ],
        exception_handlers={HTTPException: refused},
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.login_attempts = LoginLimit(config.engine)
    trainer = Trainer(config.root)
    draft = Draft(config.root, trainer, config.rest_token)
    app.state.draft = draft
    app.state.publisher = Publisher(
        Target(
            config.root, config.rasa_urls or (config.rasa_url,), config.rasa_token, config.engine
        ),
        trainer,
        draft.up_to_date_model,
    )
    return app
