"""Shared fixtures for every test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.offline.cloud import CLOUD_ENV

from profiles import prod_builds_itself
from project_paths import REPO
from plan_plugin import pytest_collect_file, pytest_sessionfinish  # noqa: F401  (hooks)

# Terraform is a Go program, and the commands the tests run are short and allocation-heavy (each
# decodes the provider schemas, ~2 MB with the reference dumps): with Go's default GOGC=100 a
# quarter of their CPU goes to garbage collection. GOGC=400 collects a quarter as often (~25%
# less CPU per command, for a few dozen MB more heap; "off" saves no more, the page faults of a
# never-collected heap cost as much in system time). Set before any test builds a Terraform
# environment (tftest copies os.environ); an explicit GOGC in the environment wins.
os.environ.setdefault("GOGC", "400")
# Plain terraform in tests starts warm provider servers (generator/offline/warm.py), many keyed on
# a test's own cache directory: let them go soon after their last plugin, not after 5 minutes.
os.environ.setdefault("AVDGEN_PLUGIN_IDLE_TIMEOUT", "15")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "plan: plans a configuration through real Terraform and the offline provider")


@pytest.fixture(autouse=True)
def _private_simulated_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-process provider (and any spawned plugin) applies to a cloud of this test's own,
    never to .terraform/ of whatever directory the test runs in."""
    monkeypatch.setenv(CLOUD_ENV, str(tmp_path / "simulated-cloud.json"))


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
def building_prod(project: Path) -> Path:
    """The project with prod building its own golden image (no promote_from in its profile):
    the setting that keeps "build in prod" possible."""
    return prod_builds_itself(project)


@pytest.fixture
def avdgen():
    """Run the CLI in-process: avdgen(root, "render", "--check") -> click Result."""
    runner = CliRunner()

    def run(root: Path, *args: str):
        return runner.invoke(cli, ["--root", str(root), *args], catch_exceptions=False)

    return run
