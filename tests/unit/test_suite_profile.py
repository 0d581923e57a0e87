"""benchmarks/suite_profile.py runs pytest with terraform wrapped and counts Terraform's CPU."""

from __future__ import annotations

import re
import subprocess
import sys

from project_paths import REPO


def test_the_profile_counts_each_terraform_command_and_keeps_pytests_verdict():
    done = subprocess.run(
        [sys.executable, "benchmarks/suite_profile.py", "-n", "0", "tests/unit/render/test_fmt_cache.py"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s+[0-9.]+\s+[0-9.]+\s+\d+%$", done.stdout, re.M)}
    # The test file formats at least three new texts, one terraform fmt each (a syntax error twice).
    assert rows.get("fmt", 0) >= 3, done.stdout
    assert "the rest" in done.stdout and "tests/unit/render/test_fmt_cache.py" in done.stdout
    failing = subprocess.run(
        [sys.executable, "benchmarks/suite_profile.py", "-n", "0", "tests/unit/render/test_fmt_cache.py", "-k", "no_such_test"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert failing.returncode == 5, failing.stderr[-3000:]  # pytest's "no tests ran", passed through
