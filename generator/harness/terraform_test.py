"""`avdgen test`: a module's own `terraform test` files (*.tftest.hcl), run on the offline providers.

The module is copied next to itself (relative module sources such as `../..` still resolve;
its lock file, state and .terraform stay behind, as the mirror's `h1:` hashes are not the
registry's), initialised without a backend, and `terraform test` runs there with the caller's
arguments, its output going straight to the terminal. The providers run once for the whole
invocation (reattach.py) and apply to a simulated cloud of their own, gone with the copy.

What the offline providers do under `terraform test` (Terraform 1.7+):
- without `mock_provider`, every run block plans (and with `command = apply`, applies) through
  the offline provider as `terraform plan`/`apply` would: its validations, its simulated Azure
  rules, its computed values; `terraform test` destroys what the file applied at its end;
- with `mock_provider "azurerm"` (or azapi, time), Terraform still starts the real provider and
  asks it for the schema, for ValidateResourceConfig/ValidateDataResourceConfig (so azapi body
  checks still run) and for provider functions, but never configures it, and makes every plan,
  apply and data source read up itself: computed values come from `mock_resource` /
  `mock_data` defaults, else Terraform's own made-up values, and no simulated Azure rule
  applies (Terraform's internal/providers/mock.go: the Mock type wraps the real provider for
  GetProviderSchema, Validate*Config, MoveResourceState and CallFunction only).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import GeneratorError
from ..offline.cloud import CLOUD_ENV
from ..offline.reattach import REATTACH_ENV, ReattachError, reattached
from ..terraform_binary import terraform_binary
from .terraform import COPY_IGNORE, PlanError

_TEST_DIRECTORY = re.compile(r"^--?test-directory=(.+)$")


def test_files(config_dir: Path, args: list[str]) -> list[Path]:
    """The test files `terraform test` would run: in the module directory and in its test
    directory (`tests`, or `-test-directory=DIR`)."""
    directory = "tests"
    for arg in args:
        match = _TEST_DIRECTORY.match(arg)
        if match:
            directory = match.group(1)
    found = []
    for where in (config_dir, config_dir / directory):
        found += sorted(where.glob("*.tftest.hcl")) + sorted(where.glob("*.tftest.json"))
    return found


def run_terraform_test(config_dir: Path, env: dict[str, str], args: list[str], reattach: bool = True) -> int:
    """Init a private copy of `config_dir` and run `terraform test *args` there; returns
    terraform test's exit code (0: all passed, 1: a test failed or errored). `env` is an
    offline_env. PlanError when init fails, GeneratorError when there is nothing to test."""
    config_dir = config_dir.resolve()
    if not any(config_dir.glob("*.tf")):
        raise GeneratorError(f"{config_dir}: no .tf files (expected a module with terraform test files)")
    if not test_files(config_dir, args):
        raise GeneratorError(
            f"{config_dir}: no *.tftest.hcl files in it or in its tests/ directory (name another with -test-directory=DIR)"
        )
    terraform = terraform_binary()
    try:
        with contextlib.ExitStack() as stack:
            if CLOUD_ENV not in env and REATTACH_ENV not in env:  # a cloud of its own, gone with the run
                cloud_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="avdgen-cloud-"))
                env = {**env, CLOUD_ENV: str(Path(cloud_dir) / "cloud.json")}
            if reattach and REATTACH_ENV not in env:
                env = stack.enter_context(reattached(env))
            env = {**os.environ, **env, "CHECKPOINT_DISABLE": "1"}
            copy = Path(tempfile.mkdtemp(prefix=".avdgen-test-", dir=config_dir.parent))
            stack.callback(shutil.rmtree, copy, ignore_errors=True)
            shutil.rmtree(copy)
            shutil.copytree(config_dir, copy, ignore=COPY_IGNORE)
            init = subprocess.run(
                [terraform, "init", "-input=false", "-backend=false", "-no-color"],
                cwd=copy, env=env, capture_output=True, text=True,
            )  # fmt: skip
            if init.returncode:
                lines = (init.stderr.strip() or init.stdout.strip()).splitlines()
                raise PlanError(f"terraform init failed in a copy of {config_dir}", lines)
            return subprocess.run([terraform, "test", *args], cwd=copy, env=env).returncode
    except ReattachError as error:
        raise PlanError(str(error)) from None
