"""The report's charts, as base64 PNG: Matplotlib's object API, no global pyplot state."""

from __future__ import annotations

import base64
import io
from typing import Any

from bot.domain.profile import PROFILE_FIELDS
from bot.tools.invisible_work.figures import Figures
from bot.tools.invisible_work.formatting import FIELD_LABELS, channel_label, number

COLOURS = ("#2f6f8f", "#e0a030", "#6a9f4b", "#b0506a", "#7d6bb0", "#8c8c8c")


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _french_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: number(value)))


def _entered(figures: Figures) -> str:
    fig, ax = _figure(8, 3.6)
    fields = list(reversed(PROFILE_FIELDS))
    channels = sorted({channel for _, channel in figures.entered})
    left = [0] * len(fields)
    for colour, channel in zip(COLOURS * 3, channels, strict=False):
        counts = [figures.entered.get((field, channel), 0) for field in fields]
        ax.barh([FIELD_LABELS[f] for f in fields], counts, left=left, color=colour,
                label=channel_label(channel))  # fmt: skip
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_xlabel("Informations saisies")
    _french_axis(ax.xaxis)
    if channels:
        ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _reviews(figures: Figures) -> str:
    fig, ax = _figure(6, 3)
    by_rating = figures.reviews_by_rating()
    colours = ["#b0506a", "#b0506a", "#e0a030", "#e0a030", "#6a9f4b"]
    bars = ax.bar([f"{r} ★" for r in by_rating], list(by_rating.values()), color=colours)
    ax.bar_label(bars, labels=[number(v) for v in by_rating.values()], padding=2)
    ax.set_ylabel("Avis")
    _french_axis(ax.yaxis)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _thanks(figures: Figures) -> str:
    thanks = list(figures.thanks_by_response().items())[:12]
    fig, ax = _figure(8, 0.8 + 0.32 * max(len(thanks), 1))
    ax.barh([name for name, _ in reversed(thanks)], [n for _, n in reversed(thanks)],
            color=COLOURS[0])  # fmt: skip
    ax.set_xlabel("Remerciements envoyés")
    _french_axis(ax.xaxis)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _freshness(figures: Figures) -> str:
    fig, ax = _figure(8, 3.4)
    fields = list(reversed(PROFILE_FIELDS))
    shares = [
        100 * fresh / stored if stored else 0
        for fresh, stored in (figures.fresh[f] for f in fields)
    ]
    ax.barh([FIELD_LABELS[f] for f in fields], shares, color=COLOURS[2])
    ax.set_xlim(0, 100)
    ax.set_xlabel("Part des informations à jour selon la politique de fraîcheur (%)")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def charts(figures: Figures) -> dict[str, str]:
    """The report's charts by name, as base64 PNG."""
    return {
        "entered": _entered(figures),
        "reviews": _reviews(figures),
        "thanks": _thanks(figures),
        "freshness": _freshness(figures),
    }
