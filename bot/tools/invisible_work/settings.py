"""Former name of :mod:`bot.tools.invisible_work.assumptions`, kept for one importer.

``bot/tools/content/__init__.py`` still imports ``check_report_settings`` from here; once it
imports ``check_assumptions`` from ``assumptions``, this module can go.
"""

from __future__ import annotations

from bot.tools.invisible_work.assumptions import check_assumptions as check_report_settings

__all__ = ["check_report_settings"]
