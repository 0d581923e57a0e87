"""Plan (and simulate apply of) a root configuration through the offline provider.

A `Workspace` is a private copy of the configuration next to the original (so relative module
sources such as `../..` still resolve), initialised once and planned many times through tftest.
A configuration that declares a non-local backend gets a `*_override.tf` that swaps in the local
backend, in the copy only: the rendered files are never edited. A module planned on its own (no
`provider "azurerm"` block, as reusable modules are written) gets the one provider block azurerm
insists on, `features {}`, also in the copy only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import tftest

from .errors import GeneratorError
from .terraform import terraform_binary

COPY_IGNORE = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "terraform.tfstate*", ".avdgen-*", "*.tfplan")
BACKEND_OVERRIDE = "avdgen_backend_override.tf"
PROVIDERS_FILE = "avdgen_providers.tf"
_BACKEND = re.compile(r'^\s*backend\s+"([^"]+)"', re.M)
_AZURERM_BLOCK = re.compile(r'^\s*provider\s+"azurerm"', re.M)
AIB_TYPE = "Microsoft.VirtualMachineImages/imageTemplates"

# tftest also logs every failed command at CRITICAL; with no handler configured, Python's
# last-resort handler would print Terraform's whole output a second time. PlanError carries it.
logging.getLogger("tftest").addHandler(logging.NullHandler())


class PlanError(GeneratorError):
    """terraform init/plan/apply failed; the message is Terraform's own diagnostics."""


@dataclass(frozen=True)
class BuildStep:
    number: int
    type: str
    name: str


@dataclass
class PlanSummary:
    """What a person reads at a glance, and what inventories assert on."""

    counts: Counter = field(default_factory=Counter)  # by resource type
    modules: Counter = field(default_factory=Counter)  # resources by module address ("" = root)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # known values by address
    build_steps: dict[str, list[BuildStep]] = field(default_factory=dict)  # by template address
    outputs: dict[str, Any] = field(default_factory=dict)
    actions: dict[str, list[str]] = field(default_factory=dict)  # resource_changes actions by address


def _walk_modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _walk_modules(child)


def build_steps(values: dict[str, Any]) -> list[BuildStep]:
    body = values.get("body") or {}
    steps = ((body.get("properties") or {}).get("customize")) or []
    return [BuildStep(i, s.get("type", "?"), s.get("name", "")) for i, s in enumerate(steps, 1)]


def summarize(plan: dict[str, Any], outputs: dict[str, Any] | None = None) -> PlanSummary:
    """Summarise `terraform show -json` of a plan (or the outputs of an apply)."""
    summary = PlanSummary()
    root = (plan.get("planned_values") or {}).get("root_module") or {}
    for module in _walk_modules(root):
        for resource in module.get("resources", []):
            if resource.get("mode") != "managed":
                continue
            summary.counts[resource["type"]] += 1
            summary.modules[module.get("address", "")] += 1
            # Sensitive values (passwords, tokens) stay out of summaries and inventories.
            sensitive = resource.get("sensitive_values") or {}
            summary.values[resource["address"]] = {k: v for k, v in (resource.get("values") or {}).items() if sensitive.get(k) is not True}
            if resource["type"] == "azapi_resource" and str(resource.get("values", {}).get("type", "")).startswith(AIB_TYPE):
                summary.build_steps[resource["address"]] = build_steps(resource["values"])
    for change in plan.get("resource_changes", []):
        summary.actions[change["address"]] = change["change"]["actions"]
    if outputs is not None:
        summary.outputs = outputs
    else:
        summary.outputs = {k: v.get("value", "__unknown__") for k, v in ((plan.get("planned_values") or {}).get("outputs") or {}).items()}
    return summary


def render_summary(summary: PlanSummary, title: str) -> str:
    """Plain-text report: counts by type and module, AIB build steps, outputs."""
    lines = [title, ""]
    width = max((len(t) for t in summary.counts), default=8)
    lines.append(f"{'resource type':<{width}}  count")
    lines += [f"{t:<{width}}  {n:>5}" for t, n in sorted(summary.counts.items())]
    lines.append(f"{'total':<{width}}  {sum(summary.counts.values()):>5}")
    if len(summary.modules) > 1 or "" not in summary.modules:
        lines += ["", "by module:"]
        lines += [f"  {m or '(root)'}: {n}" for m, n in sorted(summary.modules.items())]
    changed = Counter("/".join(a) for a in summary.actions.values())
    if changed:
        lines += ["", "actions: " + ", ".join(f"{a} {n}" for a, n in sorted(changed.items()))]
    for address, steps in summary.build_steps.items():
        lines += ["", f"AIB build steps ({address}):", f"  {'step':>4}  {'type':<15} name"]
        lines += [f"  {s.number:>4}  {s.type:<15} {s.name}" for s in steps]
    if summary.outputs:
        lines += ["", "outputs:"]
        for name, value in sorted(summary.outputs.items()):
            shown = "(known after apply)" if value == "__unknown__" else json.dumps(value) if not isinstance(value, str) else value
            lines.append(f"  {name} = {shown}")
    return "\n".join(lines) + "\n"


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

    def reset(self) -> None:
        """Forget applied state, so the next plan starts from nothing."""
        for state in self.dir.glob("terraform.tfstate*"):
            state.unlink()

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


def unset_secrets(config_dir: Path, var_files: list[Path], environ: dict[str, str]) -> list[str]:
    """Required sensitive variables of a root configuration that have no value: neither a
    TF_VAR_<name> in `environ` nor an assignment in a tfvars file Terraform will read."""
    import hcl2

    plain = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    required = []
    for tf in sorted(config_dir.glob("*.tf")):
        try:
            variables = hcl2.loads(tf.read_text(encoding="utf-8"), serialization_options=plain).get("variable", [])
        except Exception:  # python-hcl2's parse errors; terraform itself reports the file properly
            continue
        for entry in variables:
            for name, body in entry.items():
                if body.get("sensitive") is True and "default" not in body:
                    required.append(name)
    tfvars = [*config_dir.glob("terraform.tfvars"), *config_dir.glob("*.auto.tfvars"), *var_files]
    assigned = "\n".join(Path(f).read_text(encoding="utf-8") for f in tfvars)
    return [n for n in required if f"TF_VAR_{n}" not in environ and not re.search(rf"^\s*{re.escape(n)}\s*=", assigned, re.M)]


def plan_config(config_dir: Path, env: dict[str, str], var_files: list[Path] = (), apply: bool = False, reattach: bool = True, placeholders: dict[str, Any] | None = None) -> tuple[PlanSummary, dict[str, Any]]:
    """Plan (and optionally apply) once; returns the summary and the raw plan JSON.

    `env` is an offline_env. With `reattach` (unless `env` already names running servers),
    the offline providers run once for the whole invocation and Terraform reattaches to them,
    instead of every terraform command starting each of them again. `placeholders` gives values
    to variables (e.g. unset secrets) before the var files, which override them.
    """
    from .offline.reattach import REATTACH_ENV, ReattachError, reattached

    try:
        with reattached(env) if reattach and REATTACH_ENV not in env else contextlib.nullcontext(env) as env:
            with Workspace(config_dir, env) as workspace:
                # Placeholders go first, so the caller's var files override them.
                files = [workspace.var_file(placeholders), *var_files] if placeholders else list(var_files)
                plan, outputs = workspace.plan_and_apply(files) if apply else (workspace.plan(files), None)
    except ReattachError as error:
        raise PlanError(str(error)) from None
    return summarize(plan, outputs), plan

