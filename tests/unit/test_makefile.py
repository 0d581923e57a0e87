"""The Makefile a newcomer types into (issue 14): `make help`, `make setup` twice at once,
`make plan` with an unknown env or a stale tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from project_paths import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(cwd), *args], capture_output=True, text=True, timeout=300, env={**os.environ, **env})


def test_help_lists_the_targets():
    done = _make(REPO, "help")
    assert done.returncode == 0
    targets = [line.split()[1] for line in done.stdout.splitlines()]
    assert {"setup", "render", "check", "lint", "plan", "test", "scan", "az-check"} <= set(targets)


def test_two_setups_at_once_install_once(tmp_path):
    """A stand-in python whose `-m venv` makes a venv slowly, and whose pip records each install:
    two makes started together must not both install into the same half-made venv."""
    shutil.copy2(REPO / "Makefile", tmp_path / "Makefile")
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    log = tmp_path / "installs.log"
    fake = tmp_path / "python3"
    fake.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        # stand-in for `python3 -m venv DIR` and DIR/bin/python -m pip install ...
        if [ "$1 $2" = "-m venv" ]; then
          [ -e "$3/bin/python" ] && {{ echo "venv made twice" >> {log}; exit 1; }}
          mkdir -p "$3/bin"; sleep 1; cp "$0" "$3/bin/python"; exit 0
        fi
        case "$*" in *"-e .[test]"*) echo install >> {log}; sleep 1 ;; esac
    """))
    fake.chmod(0o755)
    first = subprocess.Popen(["make", "-C", str(tmp_path), "setup", f"PYTHON={fake}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    second = _make(tmp_path, "setup", f"PYTHON={fake}")
    out, _ = first.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, (out, second.stdout + second.stderr)
    assert log.read_text() == "install\n"
    assert (tmp_path / ".venv/.installed").exists()


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in ("catalog", "templates", "modules", "envs", "pipelines", ".github"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".terraform*", "terraform.tfstate*", ".avdgen-*"))
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, root / name)
    # These makes use the project's own .venv (_venv). A pyproject.toml newer than its stamp
    # would make `setup` run `pip install -e .` here, in a copy without generator/, and leave
    # that venv's editable install pointing at nothing (`avdgen` then fails to import).
    os.utime(root / "pyproject.toml", (0, 0))
    return root


def _venv() -> dict[str, str]:
    venv = REPO / ".venv"
    if not (venv / ".installed").exists():
        pytest.skip("the project's .venv is not set up (make setup)")
    return {"VENV": str(venv)}


def test_plan_of_an_unknown_env_lists_the_envs(tmp_path):
    done = _make(_project(tmp_path), "plan", "ENV=staging", **_venv())
    assert done.returncode == 2
    assert "no env staging: the envs are dev prod" in done.stderr


def test_plan_refuses_a_tree_older_than_the_profile(tmp_path):
    root = _project(tmp_path)
    profile = root / "catalog/envs/dev.yaml"
    profile.write_text(profile.read_text().replace("session_host_count: 1", "session_host_count: 2", 1))
    assert "session_host_count: 2" in profile.read_text()
    done = _make(root, "plan", "ENV=dev", **_venv())
    assert done.returncode == 2
    assert "catalog/ or templates/ changed since the last render" in done.stderr and "run make render first" in done.stderr
    assert "planning" not in done.stderr
