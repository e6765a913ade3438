"""Dashboard: the invisible-work report and the NLU report, one click away."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.storage.models import utcnow
from bot.studio.web import checked_form, config, login_required, page
from bot.tools.nlu_quality import MARKDOWN_NAME, run_nlu_report


def reports_dir(request: Request) -> Path:
    return config(request).root / "reports" / "studio"


@login_required()
async def dashboard(request: Request) -> Response:
    return dashboard_page(request)


def dashboard_page(request: Request, failed: bool = False) -> Response:
    nlu = reports_dir(request) / MARKDOWN_NAME
    text = nlu.read_text(encoding="utf-8") if nlu.exists() else ""
    return page(request, "dashboard.html", nlu_report=text, nlu_failed=failed)


def _invisible_work(root: Path, engine: Engine, out: Path) -> Path:
    from bot.domain.freshness import load_policy
    from bot.tools.invisible_work.assumptions import load_assumptions
    from bot.tools.invisible_work.figures import compute
    from bot.tools.invisible_work.render import write_report

    policy = load_policy(root / "data" / "freshness.yml")
    assumptions = load_assumptions(root / "data" / "report.yml")
    figures = compute(engine, policy, assumptions, None, utcnow())
    html, _ = write_report(figures, out, generated=utcnow())
    return html


@login_required()
async def invisible_work(request: Request) -> Response:
    """The report ``make report`` writes, computed now on Merci's database."""
    studio = config(request)
    html = await run_in_threadpool(
        _invisible_work, studio.root, studio.engine, reports_dir(request)
    )
    return HTMLResponse(html.read_text(encoding="utf-8"))


def _nlu(root: Path, out: Path) -> int:
    # The report's own summary goes to stdout: the page shows the written report instead.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(sys.stderr):
        return run_nlu_report(
            root, root / "models" / "merci.tar.gz", root / "tests" / "nlu" / "test_nlu.yml", out
        )


@login_required()
async def nlu_report(request: Request) -> Response:
    """``make nlu-report`` on the published model (about half a minute)."""
    await checked_form(request)
    status = await run_in_threadpool(_nlu, config(request).root, reports_dir(request))
    return dashboard_page(request, failed=status != 0)


def routes() -> list[Route]:
    return [
        Route("/tableau-de-bord", dashboard, methods=["GET"]),
        Route("/tableau-de-bord/travail-invisible", invisible_work, methods=["GET"]),
        Route("/tableau-de-bord/nlu", nlu_report, methods=["POST"]),
    ]
