"""fmt_files sends terraform fmt only the texts it has not formatted before in this process."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from generator.errors import TerraformError
from generator.render.format import fmt_files

MAIN = PurePosixPath("m/main.tf")
VARS = PurePosixPath("m/x.tfvars")


def test_a_text_formatted_once_is_not_sent_to_terraform_again(monkeypatch):
    unformatted = 'locals {\n  a = 1\n  bbb = 2\n}\n  # fmt-cache-test-1\n'
    first = fmt_files({MAIN: unformatted, PurePosixPath("README.md"): "x  y"})
    assert first[MAIN] == 'locals {\n  a   = 1\n  bbb = 2\n}\n# fmt-cache-test-1\n'
    assert first[PurePosixPath("README.md")] == "x  y"
    # No terraform at all now: the known text still formats, a new one reaches the missing binary.
    monkeypatch.setenv("TERRAFORM", "/nonexistent/terraform")
    assert fmt_files({MAIN: unformatted})[MAIN] == first[MAIN]
    with pytest.raises((TerraformError, OSError)):
        fmt_files({MAIN: unformatted + "# fmt-cache-test-2\n"})


def test_the_cache_tells_a_tfvars_text_from_a_tf_one():
    text = 'a = 1\nbbb = 2\n# fmt-cache-test-3\n'
    both = fmt_files({MAIN: text, VARS: text})
    assert both[MAIN] == both[VARS] == 'a   = 1\nbbb = 2\n# fmt-cache-test-3\n'
    assert fmt_files({VARS: text})[VARS] == both[VARS]


def test_a_syntax_error_is_reported_every_time():
    broken = 'locals {\n  a = \n}\n# fmt-cache-test-4\n'
    for _ in range(2):
        with pytest.raises(TerraformError):
            fmt_files({MAIN: broken})
