"""Plan (and simulate apply of) a root configuration through the offline provider, and summarise it.

`plan_config` plans once in a private Workspace (terraform.py) with the offline providers
running for the whole call; `summarize` turns `terraform show -json` into what a person reads
and what inventories assert on (counts, values, AIB build steps, outputs).
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any, Iterator

from ..offline.cloud import CLOUD_ENV
from ..textfile import read_text
from ..offline.mirror import install_for_config
from ..offline.reattach import REATTACH_ENV, ReattachError, reattached
from .terraform import PlanError, Workspace

AIB_TYPE = "Microsoft.VirtualMachineImages/imageTemplates"


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
    assigned = "\n".join(read_text(Path(f)) for f in tfvars)
    return [n for n in required if f"TF_VAR_{n}" not in environ and not re.search(rf"^\s*{re.escape(n)}\s*=", assigned, re.M)]


def plan_config(config_dir: Path, env: dict[str, str], var_files: list[Path] = (), apply: bool = False, reattach: bool = True, placeholders: dict[str, Any] | None = None) -> tuple[PlanSummary, dict[str, Any]]:
    """Plan (and optionally apply) once; returns the summary and the raw plan JSON.

    `env` is an offline_env. With `reattach` (unless `env` already names running servers),
    the offline providers run once for the whole invocation and Terraform reattaches to them,
    instead of every terraform command starting each of them again. `placeholders` gives values
    to variables (e.g. unset secrets) before the var files, which override them.
    """
    # The providers the configuration requires, at versions its constraints allow, in the mirror
    # (a GeneratorError naming any provider without a schema, before terraform init).
    needed = install_for_config(env, config_dir)
    try:
        with contextlib.ExitStack() as stack:
            if CLOUD_ENV not in env and REATTACH_ENV not in env:  # a cloud of its own, gone with the plan
                cloud_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="avdgen-cloud-"))
                env = {**env, CLOUD_ENV: str(Path(cloud_dir) / "cloud.json")}
            if reattach and REATTACH_ENV not in env:
                env = stack.enter_context(reattached(env, [(p.namespace, p.name) for p in needed]))
            with Workspace(config_dir, env) as workspace:
                # Placeholders go first, so the caller's var files override them.
                files = [workspace.var_file(placeholders), *var_files] if placeholders else list(var_files)
                plan, outputs = workspace.plan_and_apply(files) if apply else (workspace.plan(files), None)
    except ReattachError as error:
        raise PlanError(str(error)) from None
    return summarize(plan, outputs), plan


# Secrets nobody set get obvious placeholders: an offline plan never reaches Azure.
PLACEHOLDER = "offline-placeholder-{name}-Aa1!"


def plan_offline(
    config_dir: Path, env: dict[str, str], var_files: list[Path], apply: bool, environ: dict[str, str], note: Callable[[str], None]
) -> tuple[PlanSummary, dict[str, Any]]:
    """`avdgen plan`: plan_config with a placeholder for every required secret that has no value
    (each named through `note` first)."""
    unset = unset_secrets(config_dir, var_files, environ)
    for name in unset:
        note(f"note: {name} is not set (TF_VAR_{name}); planning with a placeholder value")
    placeholders = {name: PLACEHOLDER.format(name=name) for name in unset}
    return plan_config(config_dir, env, var_files, apply=apply, placeholders=placeholders)
