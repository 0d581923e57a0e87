"""`avdgen rollout` on the simulated cloud when things go wrong or differ: users who stay
signed in, an unhealthy new host, replacement in place without surge through the command line
(issue 13). The world: rollout_world.py."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.ops.rollout import RolloutError, RolloutStopped, plan_rollout
from simulated_az import az_on_path
from rollout_world import HOST_POOL, OLD, SECRETS, World

pytestmark = pytest.mark.plan


@pytest.fixture
def world(project, monkeypatch) -> World:
    return World(project, monkeypatch)


def test_users_left_after_the_drain_stop_it_or_get_a_message_and_a_logoff(world):
    world.azure.users_sign_in(HOST_POOL, "avd-prd-sh-0", 3)  # they never sign out by themselves
    with pytest.raises(RolloutStopped, match=r"still signed in after 60 min of drain: avd-prd-sh-0 \(3 session\(s\)\)"):
        world.runner(batch="1").run()
    assert "avd-prd-sh-0" in world.vms() and len(world.serving()) == 4  # sh-4 added, sh-0 drained, nothing removed
    profile = world.root / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("  drain_timeout_minutes: 60\n", "  drain_timeout_minutes: 60\n  force_logoff: true\n  logoff_message: Updating now, sorry.\n"))
    # Resumes (drains on, then the message and the logoff), and stops after that batch, as asked.
    done = world.runner(batch="1", batches=1).run()
    assert done == "Stopped after 1 batch(es), as asked (--batches): run the same command again to go on."
    messages = world.azure.messages()
    assert [m["session"].rsplit("/", 3)[-3] for m in messages] == ["avd-prd-sh-0"] * 3
    assert {m["messageBody"] for m in messages} == {"Updating now, sorry."}
    assert sorted(world.hosts()) == world.serving() == ["avd-prd-sh-1", "avd-prd-sh-2", "avd-prd-sh-3", "avd-prd-sh-4"]
    assert plan_rollout(world.root, "prod").steps[0][0].kind == "add"  # batch 2 is next


def test_a_new_host_that_is_not_healthy_stops_the_rollout_naming_it(world):
    world.azure.host_comes_up("avd-prd-sh-4", "NeedsAssistance")
    with pytest.raises(RolloutStopped, match="avd-prd-sh-4 is NeedsAssistance in the host pool"):
        world.runner(batch="1").run()
    # No old host was drained or removed.
    assert all(world.hosts()[n]["allowNewSession"] is not False for n in OLD) and set(OLD) <= set(world.vms())


def test_changes_that_are_not_the_rollouts_are_refused(world):
    profile = world.root / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("session_host_vm_size: Standard_D8s_v5", "session_host_vm_size: Standard_D16s_v5"))
    assert CliRunner().invoke(cli, ["--root", str(world.root), "render"]).exit_code == 0
    with pytest.raises(RolloutError, match=r"would change, replace or remove the VMs of avd-prd-sh-0, avd-prd-sh-1, avd-prd-sh-2, avd-prd-sh-3, which still take sessions"):
        world.runner(batch="1").run()
    profile.write_text(profile.read_text().replace("session_host_vm_size: Standard_D16s_v5", "session_host_vm_size: Standard_D8s_v5").replace("CostCenter: avd-prod", "CostCenter: avd-prod-2"))
    assert CliRunner().invoke(cli, ["--root", str(world.root), "render"]).exit_code == 0
    with pytest.raises(RolloutError, match="has changes to apply that are not the rollout's") as error:
        world.runner(batch="1").run()
    assert "azurerm_resource_group.this" in str(error.value)
    assert world.hosts()["avd-prd-sh-0"]["allowNewSession"] is not False and "avd-prd-sh-4" not in world.hosts()


def test_the_pilot_goes_first_then_the_hosts_are_replaced_in_place(project, monkeypatch, tmp_path):
    """Through the command line, with a simulated `az` on PATH (the real runner), on an env with
    a pilot, without surge: each name's old registration is deleted and the new VM registers."""
    world = World(project, monkeypatch, pilots=1)
    az_on_path(tmp_path, monkeypatch)
    args = ["--root", str(world.root), "rollout", "prod", "--to", "1.2.0", "--batch", "50%", "--no-surge", "--run", "--var-file", str(SECRETS)]
    first = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "[1/5] pilot: replace avd-prd-shp-0 with hosts on 1.2.0" in first.stdout
    assert "Pilot ready: avd-prd-shp-0 run 1.2.0, drained (no users)." in first.stdout
    assert "+ az rest --method get" not in first.output  # polls are not echoed
    assert world.hosts()["avd-prd-shp-0"]["allowNewSession"] is False
    assert all(world.hosts()[n]["allowNewSession"] is not False for n in OLD)  # nothing else moved
    # Not validated yet: it stops again, naming the pilot.
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert again.exit_code == 1 and "the pilot (avd-prd-shp-0) runs 1.2.0 and waits for validation" in again.output
    done = CliRunner().invoke(cli, [*args, "--pilot-validated"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "[4/4] replace avd-prd-sh-2, avd-prd-sh-3 with hosts of the same name on 1.2.0" in done.stdout
    assert "prod: all 4 session host(s) run 1.2.0." in done.stdout
    assert sorted(world.hosts()) == ["avd-prd-sh-0", "avd-prd-sh-1", "avd-prd-sh-2", "avd-prd-sh-3", "avd-prd-shp-0"]
    assert world.serving() == OLD
    # Each name registered twice (the old VM, then the new one), the first record deleted in between.
    deletes = [r["id"].rsplit("/", 1)[-1] for r in world.azure.requests("DELETE", "/sessionHosts/")]
    assert sorted(deletes) == [*OLD, "avd-prd-shp-0"]
