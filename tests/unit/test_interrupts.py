"""Ctrl-C and SIGTERM (issue 14): exit 130 / 143 with one line, never a traceback (even while the
CLI is being imported), and nothing left behind: no plan copy in envs/ (it holds placeholder
secrets), no temporary directory, no provider server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from project_paths import REPO
from terminal_signals import sigint_as_in_a_terminal


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found += [int(entry.name), *_children_of(int(entry.name))]
    return found


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_while_the_cli_is_imported_is_one_line(tmp_path, signum):
    """The signal arrives at a fixed point of start-up: when the render command's module is imported."""
    script = tmp_path / "interrupt_at_import.py"
    script.write_text(textwrap.dedent(f"""
        import importlib.abc, os, sys
        class Trap(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "generator.cli.render":
                    os.kill(os.getpid(), {int(signum)})
                return None
        sys.meta_path.insert(0, Trap())
        sys.argv = ["avdgen", "render", "--check"]
        from generator.__main__ import main
        main()
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=REPO, preexec_fn=sigint_as_in_a_terminal)
    assert done.returncode == 128 + signum, done.stderr
    assert done.stderr.strip() == f"avdgen: interrupted ({signal.Signals(signum).name})"


@pytest.mark.plan
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_plan_leaves_nothing_behind(project, tmp_path, signum):
    """Interrupted once Terraform runs in the plan copy with the provider servers up."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "AVDGEN_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen([sys.executable, "-m", "generator", "plan", str(project / "envs/dev")], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=sigint_as_in_a_terminal)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            children = _children_of(process.pid)
            commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children if Path(f"/proc/{pid}").exists()]
            if list((project / "envs").glob(".avdgen-plan-*")) and any(b"generator.offline.server" in c for c in commands) and any(b"terraform" in c and b"plan" in c for c in commands):
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the plan never reached terraform plan")
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signum, stderr
    assert f"avdgen: interrupted ({signal.Signals(signum).name})" in stderr and "Traceback" not in stderr
    assert not list((project / "envs").glob(".avdgen-*"))
    assert not list(scratch.iterdir())
    time.sleep(0.2)
    assert not _children_of(process.pid)


def test_json_into_a_directory_that_does_not_exist_is_refused_before_planning(project, avdgen, tmp_path):
    result = avdgen(project, "plan", str(project / "envs/dev"), "--json", str(tmp_path / "no/such/plan.json"))
    assert result.exit_code == 2
    assert f"Invalid value for '--json': directory '{tmp_path / 'no/such'}' does not exist." in result.stderr
    assert "planning" not in result.stderr


@pytest.mark.plan
def test_json_dash_writes_the_plan_alone_to_stdout(project, avdgen):
    import json

    result = avdgen(project, "plan", str(project / "envs/dev"), "--json", "-")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["format_version"] and plan["resource_changes"]


def test_a_var_file_that_is_not_utf8_is_a_file_line_error(project, avdgen, tmp_path):
    bad = tmp_path / "bad.tfvars"
    bad.write_bytes(b'location = "eastus"\nname = "caf\xe9"\n')
    result = avdgen(project, "plan", str(project / "envs/dev"), "--var-file", str(bad))
    assert result.exit_code == 2
    assert f"error: {bad}:2: not UTF-8 text (byte 0xe9 at column 12)" in result.stderr


def test_a_plan_of_a_tree_with_an_interrupted_render_finishes_it_first(project, avdgen):
    from generator.ops.tree import render_changes
    from generator.render.writer import JOURNAL

    shutil.rmtree(project / "envs/dev")
    drifted = [c for c in render_changes(project) if c.drifted]
    staging = project / ".avdgen-staging-test"
    for change in drifted:
        (staging / change.path).parent.mkdir(parents=True, exist_ok=True)
        (staging / change.path).write_text(change.new)
    import hashlib, json  # noqa: E401

    (project / JOURNAL).write_text(json.dumps({"staging": staging.name, "deletes": [], "writes": [{"path": str(c.path), "sha256": hashlib.sha256(c.new.encode()).hexdigest()} for c in drifted]}))
    result = avdgen(project, "plan", str(project / "envs"), "--json", str(project / "x.json"))  # envs/ has no *.tf: plan fails after recovering
    assert f"avdgen: finished an interrupted render ({len(drifted)} file(s))" in result.stderr
    assert (project / "envs/dev/main.tf").exists() and not (project / JOURNAL).exists()
