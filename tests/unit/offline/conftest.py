"""Fixtures and markers for the offline provider tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from offline_helpers import REFERENCE_DIR


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs real terraform commands (seconds each)")


@pytest.fixture
def reference_dir() -> Path:
    if not (REFERENCE_DIR / "azurerm.schema.json").is_file():
        pytest.skip(f"reference schema dumps not found in {REFERENCE_DIR}")
    return REFERENCE_DIR
