"""Logging in and out; failed attempts are limited per address and per name (login_limit)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.storage.unit_of_work import StorageError
from bot.studio.accounts import authenticate
from bot.studio.login_limit import LoginLimit
from bot.studio.web import checked_form, config, page, record

TOO_MANY = "Trop de tentatives : patientez une minute avant de réessayer."
WRONG = "Nom ou mot de passe incorrect."
UNAVAILABLE = "La base de données du studio ne répond pas : réessayez dans un instant."


async def login_form(request: Request) -> Response:
    return page(request, "login.html")


async def login(request: Request) -> Response:
    form = await checked_form(request)
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    limit: LoginLimit = request.app.state.login_attempts
    address = request.client.host if request.client else "?"
    try:
        if limit.over(address, name):
            return page(request, "login.html", 429, error=TOO_MANY, name=name)
        user = authenticate(config(request).engine, name, password)
        if user is None:
            limit.record_failure(address, name)
            return page(request, "login.html", 401, error=WRONG, name=name)
    except StorageError:
        return page(request, "login.html", 503, error=UNAVAILABLE, name=name)
    request.session.clear()
    request.session.update({"user": user.name, "role": user.role})
    record(request, "login", "connexion")
    return RedirectResponse("/boite", status_code=303)


async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/connexion", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/connexion", login_form, methods=["GET"]),
        Route("/connexion", login, methods=["POST"]),
        Route("/deconnexion", logout, methods=["POST"]),
    ]
