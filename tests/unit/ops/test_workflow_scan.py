"""The rendered GitHub workflows pass what `make scan` runs on them: zizmor (0 findings, or an
inline ignore with a reason) and GitHub's workflow JSON Schema (check-jsonschema). The tools live
in .venv-scan (`make scan` installs them); without them those tests skip, saying so."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from generator.catalog.load import load_catalogs
from generator.ops.pipelines import render_github_workflows
from profiles import every_workflow_branch
from project_paths import REPO

SCAN_BIN = REPO / ".venv-scan" / "bin"
ZIZMOR = [str(SCAN_BIN / "zizmor"), "--offline", "--strict-collection", "--no-progress", "--color", "never"]
WORKFLOW_SCHEMA = [str(SCAN_BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]

IGNORE = re.compile(r"zizmor: ignore\[(?P<rules>[^\]]*)\](?P<reason>.*)$")


def _tool(command: list[str]) -> list[str]:
    if not Path(command[0]).is_file():
        pytest.skip(f"{Path(command[0]).name} is not installed in .venv-scan (`make scan` installs it)")
    return command


@pytest.fixture
def workflow_dirs(project: Path, tmp_path: Path) -> list[Path]:
    """The repository's .github/workflows/, and one holding the templates' other branches
    (monthly gate, pinned version, pilot, rollout after a build, hosts on the newest version)."""
    root = every_workflow_branch(project)
    for path, text in render_github_workflows(load_catalogs(root), root).items():
        target = tmp_path / "branches" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return [REPO / ".github/workflows", tmp_path / "branches/.github/workflows"]


def test_every_zizmor_ignore_names_a_rule_and_says_why():
    ignores = [(f"{path.relative_to(REPO)}:{number}", match) for path in sorted((REPO / "templates").rglob("*.j2"))
               for number, line in enumerate(path.read_text().splitlines(), 1) if (match := IGNORE.search(line))]
    assert ignores, "no zizmor ignore in templates/ (the README's Security scan section lists one)"
    for where, match in ignores:
        assert re.fullmatch(r"[a-z-]+(,\s*[a-z-]+)*", match["rules"]), f"{where}: name the rule, e.g. ignore[dangerous-triggers]"
        assert len(match["reason"].strip()) >= 20, f"{where}: say why after the ignore, in a few words"


def test_zizmor_finds_nothing(workflow_dirs):
    zizmor = _tool(ZIZMOR)
    for directory in workflow_dirs:
        run = subprocess.run([*zizmor, str(directory)], capture_output=True, text=True)
        assert run.returncode == 0, f"zizmor on {directory}:\n{run.stdout}{run.stderr}"
        assert "No findings to report" in run.stdout


def test_zizmor_audits_for_real(tmp_path):
    """The 0 above means something: an unpinned action and a persisted checkout token are found."""
    zizmor = _tool(ZIZMOR)
    workflow = tmp_path / ".github/workflows/unpinned.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("name: t\non: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
    run = subprocess.run([*zizmor, str(workflow.parent)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "unpinned-uses" in run.stdout and "artipacked" in run.stdout


def test_every_workflow_matches_githubs_workflow_schema(workflow_dirs):
    check = _tool(WORKFLOW_SCHEMA)
    files = [f for directory in workflow_dirs for f in sorted(directory.glob("*.yml"))]
    assert len(files) == 5  # golden-image-dev and rollout-prod; golden-image-dev, -prod and rollout-prod
    for path in files:
        run = subprocess.run([*check, str(path)], capture_output=True, text=True)
        assert run.returncode == 0, f"{path}:\n{run.stdout}{run.stderr}"


def test_the_workflow_schema_rejects_what_github_would(tmp_path):
    check = _tool(WORKFLOW_SCHEMA)
    workflow = tmp_path / "bad.yml"
    workflow.write_text("name: t\non: push\njobs:\n  t:\n    runs_on: ubuntu-latest\n    steps:\n      - run: true\n")  # runs_on
    run = subprocess.run([*check, str(workflow)], capture_output=True, text=True)
    assert run.returncode == 1 and "Schema validation errors" in run.stdout
