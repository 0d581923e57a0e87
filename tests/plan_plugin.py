"""Plan tests, Fabric style: every tests/**/tftest.yaml is a set of plan fixtures.

    module: modules/golden_image     # root configuration to plan (from the repo root)
    tests:
      production:                    # production.tfvars (if present) + production.yaml
        tfvars: [more.tfvars]        # optional, after <name>.tfvars
        inventory: other.yaml        # optional, default <name>.yaml
        apply: true                  # outputs are compared after a simulated apply (of that plan)
        cloud:                       # what exists in the simulated cloud before the plan
          host_pools:                # a host pool made elsewhere, with a registration token
            - {id: /subscriptions/.../hostPools/hp, registration_token: t}
          image_versions:            # a gallery image version an earlier build published
            - {id: /subscriptions/.../versions/1.0.0, regions: [eastus]}

Each fixture is planned through the offline provider with the vendored schemas and, when
../shared/reference exists, again with the real provider schema dumps. A configuration is
initialised once per schema set and reused (state is reset between fixtures). The providers run
once per test session and schema set, and Terraform reattaches to them (generator/offline/
reattach.py) instead of starting each one for every command. On a mismatch the failure shows
every difference and the command that regenerates the inventory.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.harness import inventory
from generator.offline.cloud import CLOUD_ENV
from generator.offline.mirror import offline_env
from generator.offline.reattach import Providers
from generator.offline.simulator import SimulatedAzure
from generator.harness.plan import summarize
from generator.harness.terraform import Workspace

from project_paths import REFERENCE, REPO

SCHEMA_SETS = ("vendored", "reference")
# Set to rewrite each mismatching inventory from its plan (vendored schemas) instead of failing.
REGENERATE = "AVDGEN_REGENERATE_INVENTORIES"
_cache_dir = Path(tempfile.mkdtemp(prefix="avdgen-test-cache-"))
atexit.register(shutil.rmtree, _cache_dir, True)
_workspaces: dict[tuple[Path, str], Workspace] = {}
_providers: dict[str, Providers] = {}


def offline_environment(schema_set: str) -> dict[str, str]:
    """Terraform's environment for one schema set, with a cache private to this test run and
    the providers started on first use, to stay up until the session ends."""
    if schema_set not in _providers:
        env = offline_env(_cache_dir, REFERENCE if schema_set == "reference" else None)
        # One simulated cloud per schema set; every Workspace.reset() empties it.
        env[CLOUD_ENV] = str(_cache_dir / f"cloud-{schema_set}.json")
        _providers[schema_set] = Providers.start(env)
    return _providers[schema_set].env


def _stop_all_servers() -> None:
    for providers in _providers.values():
        providers.stop()
    _providers.clear()


atexit.register(_stop_all_servers)


def workspace(config: Path, schema_set: str) -> Workspace:
    key = (config, schema_set)
    if key not in _workspaces:
        ws = Workspace(config, offline_environment(schema_set))
        _workspaces[key] = ws.__enter__()
    ws = _workspaces[key]
    ws.reset()
    return ws


def pytest_sessionfinish(session: pytest.Session) -> None:
    for ws in _workspaces.values():
        ws.close()
    _workspaces.clear()
    _stop_all_servers()


def pytest_collect_file(parent: pytest.Collector, file_path: Path):
    if file_path.name == "tftest.yaml":
        return PlanFile.from_parent(parent, path=file_path)
    return None


class PlanFile(pytest.File):
    def collect(self):
        spec = yaml.safe_load(self.path.read_text())
        for name, test in (spec.get("tests") or {}).items():
            test = test or {}
            for schema_set in SCHEMA_SETS:
                yield PlanItem.from_parent(self, name=f"{name}[{schema_set}]", spec=spec, test_name=name, test=test, schema_set=schema_set)


class PlanMismatch(Exception):
    pass


class PlanItem(pytest.Item):
    def __init__(self, *, spec: dict[str, Any], test_name: str, test: dict[str, Any], schema_set: str, **kwargs):
        super().__init__(**kwargs)
        here = self.path.parent
        self.config_dir = (REPO / (test.get("module") or spec["module"])).resolve()
        default_tfvars = here / f"{test_name}.tfvars"
        self.tfvars = ([default_tfvars] if default_tfvars.exists() else []) + [here / f for f in test.get("tfvars", [])]
        self.inventory_path = here / test.get("inventory", f"{test_name}.yaml")
        self.apply = bool(test.get("apply", False))
        self.cloud = test.get("cloud") or {}
        self.schema_set = schema_set
        self.add_marker(pytest.mark.plan)

    def runtest(self) -> None:
        if self.schema_set == "reference" and not (REFERENCE / "azurerm.schema.json").is_file():
            pytest.skip(f"real provider schema dumps not found in {REFERENCE}")
        expected = yaml.safe_load(self.inventory_path.read_text()) or {}
        ws = workspace(self.config_dir, self.schema_set)
        azure = SimulatedAzure(ws.cloud)
        for pool in self.cloud.get("host_pools", []):
            azure.host_pool(pool["id"], pool["registration_token"])
        for version in self.cloud.get("image_versions", []):
            azure.image_version(version["id"], version["regions"])
        if self.apply:  # the apply applies the very plan checked here: one plan fewer
            plan, outputs = ws.plan_and_apply(self.tfvars)
        else:
            plan, outputs = ws.plan(self.tfvars), None
        self.summary = summarize(plan, outputs)
        problems = inventory.check(expected, self.summary)
        if problems and os.environ.get(REGENERATE) and self.schema_set == "vendored":
            self.inventory_path.write_text(inventory.dump(inventory.inventory_of(self.summary)))
            pytest.skip(f"{REGENERATE}: rewrote {self.inventory_path.relative_to(REPO)}; review the diff")
        if problems:
            raise PlanMismatch("\n".join(problems))

    def regenerate_command(self) -> str:
        if self.cloud:  # the seeded cloud exists only here
            return f"{REGENERATE}=1 .venv/bin/python -m pytest -n0 '{self.path.relative_to(REPO)}::{self.name}'"
        args = [f"--var-file {f.relative_to(REPO)}" for f in self.tfvars]
        return (f".venv/bin/avdgen plan {self.config_dir.relative_to(REPO)} {' '.join(args)}"
                f"{' --apply' if self.apply else ''} --inventory {self.inventory_path.relative_to(REPO)}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PlanMismatch):
            actual = inventory.dump(inventory.inventory_of(self.summary))
            return (f"plan does not match {self.inventory_path.relative_to(REPO)}:\n{excinfo.value}\n\n"
                    f"planned (as an inventory):\n{actual}\nTo regenerate the inventory run: {self.regenerate_command()}")
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"plan {self.name}"
