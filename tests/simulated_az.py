"""`az` on PATH, answered by the simulated cloud in $AVDGEN_OFFLINE_CLOUD (generator/offline/az.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


def az_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "simulated-az-bin"
    bin_dir.mkdir(exist_ok=True)
    az = bin_dir / "az"
    az.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator.offline.az "$@"\n')
    az.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return az
