"""The world `avdgen rollout` scenarios start from (issue 13): prod is applied with its hosts on
1.0.0, dev's 1.2.0 is promoted and copied, and the rollout moves the hosts with real
`terraform apply`s in envs/prod (offline providers) and the AVD REST API through `az rest`
(answered by generator/offline/az.py). Time is the simulated cloud's: waiting advances it.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.offline import az
from generator.offline.cloud import CLOUD_ENV
from generator.offline.simulator import SimulatedAzure
from generator.ops.promotion import record_build
from generator.ops.rollout import AzRestHostPool, Clock, Runner, plan_rollout
from generator.ops.terraform_cli import TerraformCli
from plan_plugin import offline_environment
from project_paths import REPO

SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
DEV_IMAGE = f"{SUBSCRIPTION}/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_dev_images/images/avd-win11-m365-dev"
HOST_POOL = f"{SUBSCRIPTION}/resourceGroups/avd-prod-rg/providers/Microsoft.DesktopVirtualization/hostPools/avd-prod-hostpool"
SECRETS = REPO / "tests/offline-secrets.tfvars"
OLD = [f"avd-prd-sh-{i}" for i in range(4)]


def simulated_az(argv: list[str]) -> tuple[int, str, str]:
    """Run an `az ...` argv against the simulated cloud, in this process."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = az.main(argv[1:])
    return code, out.getvalue(), err.getvalue()


class World:
    """prod applied on 1.0.0, then dev's 1.2.0 promoted and copied: ready to roll out."""

    def __init__(self, project: Path, monkeypatch: pytest.MonkeyPatch, pilots: int = 0, copied: bool = True):
        if pilots:  # the seed's blue/green pilot, on the newest version
            profile = project / "catalog/envs/prod.yaml"
            profile.write_text(profile.read_text().replace("pilot_session_host_count: 0", f"pilot_session_host_count: {pilots}"))
            rendered = CliRunner().invoke(cli, ["--root", str(project), "render"], catch_exceptions=False)
            assert rendered.exit_code == 0, rendered.output
        env = offline_environment("vendored")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        # The offline providers keep running for the whole session, on this cloud: start it afresh.
        self.cloud = Path(env[CLOUD_ENV])
        self.cloud.unlink(missing_ok=True)
        self.root = project
        self.env_dir = project / "envs/prod"
        (self.env_dir / "avdgen_backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
        self.azure = SimulatedAzure(self.cloud)
        for version in ("1.0.0", "1.2.0"):
            self.azure.image_version(f"{DEV_IMAGE}/versions/{version}", ["eastus"])
        self.log: list[str] = []
        self.terraform = TerraformCli(self.env_dir, [SECRETS], self.log.append)
        self.terraform.init()
        self.terraform.apply()
        record_build(project, "dev", f"{DEV_IMAGE}/versions/1.2.0", today="2026-11-30")
        result = CliRunner().invoke(cli, ["--root", str(project), "promote", "--from", "dev", "--to", "prod", "1.2.0"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        if copied:
            self.terraform.apply()  # the copy; the hosts stay on 1.0.0 (else the rollout makes it)

    def hosts(self) -> dict[str, dict]:
        """The host pool's registrations by VM name: status, sessions, allowNewSession."""
        return {h["name"].split("/")[-1].split(".")[0]: h["properties"] for h in self.azure.session_hosts(HOST_POOL)}

    def serving(self) -> list[str]:
        return sorted(n for n, p in self.hosts().items() if p["status"] == "Available" and p["allowNewSession"] is not False)

    def runner(self, **kwargs) -> Runner:
        plan = plan_rollout(self.root, "prod", "1.2.0", kwargs.pop("batch", None), kwargs.pop("surge", None))
        clock = Clock(now=lambda: self.azure.now().timestamp(), sleep=lambda seconds: self.azure.advance(seconds=seconds))
        return Runner(
            plan=plan, terraform=kwargs.pop("terraform", self.terraform), echo=self.log.append, clock=clock,
            pool_for=lambda host_pool_id: AzRestHostPool(host_pool_id, simulated_az, simulated_az), **kwargs,
        )

    def vms(self) -> list[str]:
        return sorted(v["id"].rsplit("/", 1)[-1] for v in self.azure.resources("Microsoft.Compute/virtualMachines"))
