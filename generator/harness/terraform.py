"""Running Terraform: a private, initialised copy of a root configuration, planned and applied through tftest.

A `Workspace` is a copy of the configuration next to the original (so relative module sources
such as `../..` still resolve), initialised once and planned many times. A configuration that
declares a non-local backend gets a `*_override.tf` that swaps in the local backend, in the copy
only: the rendered files are never edited. A module planned on its own (no `provider "azurerm"`
block, as reusable modules are written) gets the one provider block azurerm insists on,
`features {}`, also in the copy only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import tftest

from ..errors import GeneratorError
from ..offline.cloud import CLOUD_ENV, DEFAULT_CLOUD
from ..terraform_binary import terraform_binary

COPY_IGNORE = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "terraform.tfstate*", ".avdgen-*", "*.tfplan")
BACKEND_OVERRIDE = "avdgen_backend_override.tf"
PROVIDERS_FILE = "avdgen_providers.tf"
_BACKEND = re.compile(r'^\s*backend\s+"([^"]+)"', re.M)
_AZURERM_BLOCK = re.compile(r'^\s*provider\s+"azurerm"', re.M)

# tftest also logs every failed command at CRITICAL; with no handler configured, Python's
# last-resort handler would print Terraform's whole output a second time. PlanError carries it.
logging.getLogger("tftest").addHandler(logging.NullHandler())


class PlanError(GeneratorError):
    """terraform init/plan/apply failed; the message is Terraform's own diagnostics."""


@contextlib.contextmanager
def _tempfiles_in(directory: Path) -> Iterator[None]:
    """tftest names its plan file with NamedTemporaryFile and never deletes it; keep it in the copy."""
    saved = tempfile.tempdir
    tempfile.tempdir = str(directory)
    try:
        yield
    finally:
        tempfile.tempdir = saved


def _terraform_message(error: tftest.TerraformTestError) -> str:
    return (error.cmd_error or str(error)).strip()


class Workspace:
    """A private, initialised copy of a root configuration. Use as a context manager."""

    def __init__(self, config_dir: Path, env: dict[str, str]):
        self.config_dir = config_dir.resolve()
        if not any(self.config_dir.glob("*.tf")):
            raise GeneratorError(f"{config_dir}: no .tf files (expected a root configuration)")
        self.env = env
        self.dir: Path | None = None
        self._tf: tftest.TerraformTest | None = None

    def __enter__(self) -> "Workspace":
        self.dir = Path(tempfile.mkdtemp(prefix=".avdgen-plan-", dir=self.config_dir.parent))
        shutil.rmtree(self.dir)
        shutil.copytree(self.config_dir, self.dir, ignore=COPY_IGNORE)
        sources = "\n".join(f.read_text() for f in self.dir.glob("*.tf"))
        if {m.group(1) for m in _BACKEND.finditer(sources)} - {"local"}:
            (self.dir / BACKEND_OVERRIDE).write_text('terraform {\n  backend "local" {}\n}\n')
        if "hashicorp/azurerm" in sources and not _AZURERM_BLOCK.search(sources):
            (self.dir / PROVIDERS_FILE).write_text('provider "azurerm" {\n  features {}\n}\n')
        self._tf = tftest.TerraformTest(self.dir, binary=terraform_binary(), env=self.env)
        try:
            self._tf.init(input=False, color=False)
        except tftest.TerraformTestError as error:
            self.close()
            raise PlanError(f"terraform init failed in a copy of {self.config_dir}", _terraform_message(error).splitlines()) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.dir and self.dir.exists():
            shutil.rmtree(self.dir, ignore_errors=True)
        self._tf = None

    @property
    def cloud(self) -> Path:
        """The simulated cloud the offline providers apply to (offline/cloud.py)."""
        given = self.env.get(CLOUD_ENV)
        return Path(given) if given else self.dir / DEFAULT_CLOUD

    def reset(self) -> None:
        """Forget applied state and empty the simulated cloud, so the next plan starts from
        nothing (state alone would not do: the cloud keeps what Terraform forgets)."""
        for state in self.dir.glob("terraform.tfstate*"):
            state.unlink()
        self.cloud.unlink(missing_ok=True)

    def var_file(self, variables: dict[str, Any]) -> Path:
        """Write `variables` to a tfvars.json in the copy: tftest's tf_vars would stringify bools
        and null, a tfvars.json keeps their types."""
        path = self.dir / f"avdgen-{len(list(self.dir.glob('avdgen-*.tfvars.json')))}.tfvars.json"
        path.write_text(json.dumps(variables))
        return path

    def _var_args(self, var_files: list[Path], variables: dict[str, Any] | None) -> list[str]:
        """-var-file arguments: the var files, then `variables` (which override them)."""
        files = [*var_files, self.var_file(variables)] if variables else list(var_files)
        return [str(Path(f).resolve()) for f in files]

    def plan(self, var_files: list[Path] = (), variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """`terraform plan` + `show -json` against the workspace's current state."""
        assert self._tf is not None, "use Workspace as a context manager"
        try:
            with _tempfiles_in(self.dir):
                result = self._tf.plan(output=True, input=False, color=False, tf_var_file=self._var_args(list(var_files), variables))
        except tftest.TerraformTestError as error:
            raise PlanError(f"terraform plan failed for {self.config_dir}", _terraform_message(error).splitlines()) from None
        return dict(result)  # a Mapping over the raw `show -json` document

    def state(self) -> dict[str, Any]:
        """`terraform show -json` of the applied state."""
        assert self._tf is not None, "use Workspace as a context manager"
        try:
            return json.loads(self._tf.execute_command("show", "-json", "-no-color").out)
        except tftest.TerraformTestError as error:
            raise PlanError(f"terraform show failed for {self.config_dir}", _terraform_message(error).splitlines()) from None

    def state_rm(self, *addresses: str) -> None:
        """`terraform state rm`: Terraform forgets the resources; the (simulated) cloud keeps them."""
        assert self._tf is not None, "use Workspace as a context manager"
        try:
            self._tf.execute_command("state", "rm", "-no-color", *addresses)
        except tftest.TerraformTestError as error:
            raise PlanError(f"terraform state rm failed for {self.config_dir}", _terraform_message(error).splitlines()) from None

    def apply(self, var_files: list[Path] = (), variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Simulated apply (the offline provider fills computed values); returns output values."""
        assert self._tf is not None, "use Workspace as a context manager"
        try:
            self._tf.apply(input=False, color=False, tf_var_file=self._var_args(list(var_files), variables))
            outputs = self._tf.output(json_format=True)
        except tftest.TerraformTestError as error:
            raise PlanError(f"terraform apply failed for {self.config_dir}", _terraform_message(error).splitlines()) from None
        return {name: outputs[name] for name in outputs}

    def destroy(self, var_files: list[Path] = (), variables: dict[str, Any] | None = None) -> None:
        """`terraform destroy` (simulated)."""
        assert self._tf is not None, "use Workspace as a context manager"
        try:
            self._tf.destroy(input=False, color=False, tf_var_file=self._var_args(list(var_files), variables))
        except tftest.TerraformTestError as error:
            raise PlanError(f"terraform destroy failed for {self.config_dir}", _terraform_message(error).splitlines()) from None

    def plan_and_apply(self, var_files: list[Path] = (), variables: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """`plan` then `apply` with the same inputs, but the apply applies the saved plan
        (`terraform apply PLANFILE`) instead of planning the same change a second time.
        Returns (the plan's `show -json`, the output values)."""
        assert self._tf is not None, "use Workspace as a context manager"
        var_args = [f"-var-file={f}" for f in self._var_args(list(var_files), variables)]
        plan_file = self.dir / "avdgen-plan.tfplan"
        try:
            self._tf.execute_command("plan", "-input=false", "-no-color", *var_args, f"-out={plan_file}")
            plan = json.loads(self._tf.execute_command("show", "-no-color", "-json", str(plan_file)).out)
        except tftest.TerraformTestError as error:
            raise PlanError(f"terraform plan failed for {self.config_dir}", _terraform_message(error).splitlines()) from None
        try:
            self._tf.execute_command("apply", "-input=false", "-no-color", "-auto-approve", str(plan_file))
            outputs = self._tf.output(json_format=True)
        except tftest.TerraformTestError as error:
            raise PlanError(f"terraform apply failed for {self.config_dir}", _terraform_message(error).splitlines()) from None
        finally:
            plan_file.unlink(missing_ok=True)
        return plan, {name: outputs[name] for name in outputs}
