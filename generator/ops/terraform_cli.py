"""Running Terraform in a rendered env (envs/<env>) for a day-2 operation, as the operator would:
with the env's own backend and credentials, the environment's TF_VAR_ secrets, and each
command shown as it runs. Not the offline harness (generator/harness/): that plans copies."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import GeneratorError
from ..terraform_binary import terraform_binary

_APPLIED = re.compile(r"Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed")


class TerraformFailed(GeneratorError):
    """A terraform command failed; the details are the end of its output."""


class TerraformCli:
    def __init__(self, directory: Path, var_files: list[Path], echo: Callable[[str], None]):
        self.directory = directory
        self.var_files = [str(Path(f).resolve()) for f in var_files]
        self.echo = echo

    def _run(self, *args: str, shown: bool = True) -> str:
        argv = [terraform_binary(), f"-chdir={self.directory}", *args]
        if shown:
            self.echo(f"+ terraform -chdir={self.directory.name} {shlex.join(args)}")
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-40:]
            raise TerraformFailed(f"terraform {args[0]} failed in {self.directory}", tail)
        return done.stdout

    def init(self) -> None:
        self._run("init", "-input=false", "-no-color")

    def _vars(self) -> list[str]:
        return [f"-var-file={f}" for f in self.var_files]

    def changes(self) -> list[tuple[str, list[str]]]:
        """What an apply would change now: (address, actions) for each resource that is not a
        no-op. Plans to a file in the env directory and removes it."""
        plan = self.directory / ".avdgen-rollout.tfplan"
        try:
            self._run("plan", "-input=false", "-no-color", "-lock-timeout=5m", *self._vars(), f"-out={plan.name}")
            shown = json.loads(self._run("show", "-json", "-no-color", plan.name, shown=False))
        finally:
            plan.unlink(missing_ok=True)
        return [
            (c["address"], c["change"]["actions"]) for c in shown.get("resource_changes", [])
            if c["change"]["actions"] not in (["no-op"], ["read"])
        ]

    def apply(self) -> str:
        """`terraform apply -auto-approve`; returns Terraform's summary line."""
        out = self._run("apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=5m", *self._vars())
        found = _APPLIED.search(out)
        return found.group(0) if found else "Apply complete."

    def output(self, name: str) -> Any:
        return json.loads(self._run("output", "-json", "-no-color", name, shown=False))
