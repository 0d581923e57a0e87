"""benchmarks/plan_overhead.py runs end to end (one resource, one round): the benchmark itself is
not part of the suite, but a script nobody runs rots."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from project_paths import REPO


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_plan_overhead_benchmark_runs_with_tiny_sizes():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "plan_overhead.py"), "--sizes", "1", "--repeat", "1", "--skip", "aws,envs,dev"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    row = re.search(r"^\s+1\s+1\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+-\s+([\d.]+)x\s+([\d.]+)x\s+-$", result.stdout, re.M)
    assert row, result.stdout
    assert all(float(value) > 0 for value in row.groups())  # floor, spawned, reattached and both ratios
    assert re.search(r"^\s+[\d.]+\s+warm launcher", result.stdout, re.M), result.stdout
