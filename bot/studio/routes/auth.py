"""Logging in and out; attempts are rate-limited per address and per name."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.rate_limit import SlidingWindow
from bot.studio.accounts import authenticate
from bot.studio.web import checked_form, config, page, record

# Five attempts a minute per address and per name: enough for typos, not for guessing.
ATTEMPTS, WINDOW_SECONDS = 5, 60.0


async def login_form(request: Request) -> Response:
    return page(request, "login.html")


async def login(request: Request) -> Response:
    form = await checked_form(request)
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    limiter: SlidingWindow = request.app.state.login_attempts
    address = request.client.host if request.client else "?"
    # Only failed attempts count: enough for typos, not for guessing; marketers behind one
    # office address never lock each other out by logging in.
    keys = (f"address:{address}", f"name:{name}")
    if any(limiter.over(key) for key in keys):
        message = "Trop de tentatives : patientez une minute avant de réessayer."
        return page(request, "login.html", 429, error=message, name=name)
    user = authenticate(config(request).engine, name, password)
    if user is None:
        for key in keys:
            limiter.record(key)
        message = "Nom ou mot de passe incorrect."
        return page(request, "login.html", 401, error=message, name=name)
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
