"""`avdgen build ENV start|status|cancel|output [--run]`: the az command for an env's template."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from project_paths import REPO

DEV = "--resource-group avd-dev-rg --name avd-golden-image-dev"
PROD = "--resource-group avd-prod-rg --name avd-golden-image-prod"
STATUS_QUERY = "{state: lastRunStatus.runState, subState: lastRunStatus.runSubState, message: lastRunStatus.message}"


@pytest.mark.parametrize("env,action,expected", [
    ("dev", "start", f"az image builder run {DEV} --no-wait"),
    ("dev", "status", f"az image builder show {DEV} --query '{STATUS_QUERY}' --output table"),
    ("dev", "cancel", f"az image builder cancel {DEV}"),
    ("dev", "output", f"az image builder show-runs {DEV} --output-name avd-golden-image-dev --query artifactId -o tsv"),
    ("prod", "output", f"az image builder show-runs {PROD} --output-name avd-golden-image-prod --query artifactId -o tsv"),
])
def test_prints_the_command(avdgen, env, action, expected):
    result = avdgen(REPO, "build", env, action)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected + "\n"


def test_status_is_the_command_the_pipelines_and_the_module_use(avdgen):
    status = avdgen(REPO, "build", "dev", "status").stdout.strip()
    argv = shlex.split(status)  # a working shell command: the query survives as one argument
    assert argv[argv.index("--query") + 1] == STATUS_QUERY
    assert status in (REPO / "pipelines/azure-pipelines-golden-image-dev.yml").read_text()
    assert status in (REPO / ".github/workflows/golden-image-dev.yml").read_text()
    start = avdgen(REPO, "build", "dev", "start").stdout.strip()
    assert start in (REPO / ".github/workflows/golden-image-dev.yml").read_text()


def test_help_documents_actions_and_states(avdgen):
    result = avdgen(REPO, "build", "--help")
    assert result.exit_code == 0
    for word in ("start", "status", "cancel", "output", "--run", "Running", "Validating", "Building",
                 "Distributing", "Succeeded", "PartiallySucceeded", "Failed", "Canceling", "Canceled"):
        assert word in result.output, word


def test_unknown_env_and_action(avdgen):
    result = avdgen(REPO, "build", "qa", "status")
    assert result.exit_code == 2
    assert "unknown env 'qa': no catalog/envs/qa.yaml (known: dev, prod)" in result.stderr
    assert avdgen(REPO, "build", "dev", "restart").exit_code == 2


def test_env_without_golden_image(project, avdgen):
    dev = project / "catalog/envs/dev.yaml"
    # A consistent profile: without a golden image the hosts need another image strategy.
    dev.write_text(dev.read_text().replace("enable_golden_image: true", "enable_golden_image: false").replace("session_host_image_strategy: aib_gallery", "session_host_image_strategy: marketplace"))
    result = avdgen(project, "build", "dev", "start")
    assert result.exit_code == 2
    assert "env 'dev' has no golden image: enable_golden_image is false in catalog/envs/dev.yaml" in result.stderr


def _fake_az(tmp_path: Path, exit_code: int) -> tuple[Path, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv.log"
    az = bin_dir / "az"
    az.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'a').write(repr(sys.argv[1:]) + '\\n')\nprint('Running  Building')\nsys.exit({exit_code})\n")
    az.chmod(0o755)
    return bin_dir, log


@pytest.mark.parametrize("exit_code", [0, 3])
def test_run_executes_az_and_returns_its_exit_code(avdgen, tmp_path, monkeypatch, exit_code):
    bin_dir, log = _fake_az(tmp_path, exit_code)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = avdgen(REPO, "build", "dev", "status", "--run")
    assert result.exit_code == exit_code
    assert log.read_text() == repr(["image", "builder", "show", *DEV.split(), "--query", STATUS_QUERY, "--output", "table"]) + "\n"
    assert f"+ az image builder show {DEV}" in result.stderr


def test_run_without_az_on_path(avdgen, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = avdgen(REPO, "build", "dev", "start", "--run")
    assert result.exit_code == 2
    assert "az (the Azure CLI) is not on PATH" in result.stderr
    assert f"az image builder run {DEV} --no-wait" in result.stderr
