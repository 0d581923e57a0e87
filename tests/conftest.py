"""Shared fixtures for every test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

from project_paths import REPO
from plan_plugin import pytest_collect_file, pytest_sessionfinish  # noqa: F401  (hooks)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "plan: plans a configuration through real Terraform and the offline provider")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the project's sources and rendered tree, safe to break."""
    root = tmp_path / "project"
    # Sources and everything rendered from them (directories that do not exist yet are skipped).
    for name in ("catalog", "templates", "modules", "envs", "pipelines", ".github"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".terraform*", "terraform.tfstate*", ".avdgen-*"))
    return root


@pytest.fixture
def avdgen():
    """Run the CLI in-process: avdgen(root, "render", "--check") -> click Result."""
    runner = CliRunner()

    def run(root: Path, *args: str):
        return runner.invoke(cli, ["--root", str(root), *args], catch_exceptions=False)

    return run
