"""Shared fixtures. Paths: REPO is the checkout; REFERENCE the shared reference data, when present."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

REPO = Path(__file__).resolve().parents[1]
REFERENCE = (REPO / ".." / "shared" / "reference").resolve()
SEED = (REPO / ".." / "shared" / "seed" / "000_cc67aa65666e1db2.txt").resolve()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the project's sources and rendered tree, safe to break."""
    root = tmp_path / "project"
    for name in ("catalog", "templates", "modules"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".terraform*", "terraform.tfstate*"))
    return root


@pytest.fixture
def avdgen():
    """Run the CLI in-process: avdgen(root, "render", "--check") -> click Result."""
    runner = CliRunner()

    def run(root: Path, *args: str):
        return runner.invoke(cli, ["--root", str(root), *args], catch_exceptions=False)

    return run
