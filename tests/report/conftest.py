"""Fixtures for the report tests: the hand-made database of ``report_db.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_db import build_database
from sqlalchemy.engine import Engine


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    engine = build_database(f"sqlite:///{tmp_path / 'report.db'}")
    yield engine
    engine.dispose()
