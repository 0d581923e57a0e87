"""`avdgen rollout` on the simulated cloud: a surge rollout keeps capacity and leaves no ghost
registrations, and an interrupted one resumes (issue 13). The world: rollout_world.py."""

from __future__ import annotations

import datetime

import pytest

from generator.ops.rollout import plan_rollout
from generator.ops.terraform_cli import TerraformCli
from rollout_world import HOST_POOL, OLD, SECRETS, World

pytestmark = pytest.mark.plan


@pytest.fixture
def world(project, monkeypatch) -> World:
    return World(project, monkeypatch)


def test_a_surge_rollout_keeps_capacity_and_leaves_no_ghosts(project, monkeypatch):
    world = World(project, monkeypatch, copied=False)  # as the pipeline finds it: the promotion merged, not applied
    # Users on every old host, who sign out 20 minutes into the drain.
    for name in OLD:
        world.azure.users_sign_in(HOST_POOL, name, 2, stay_minutes=20)
    signed_out = world.azure.now() + datetime.timedelta(minutes=20)
    seen = []

    def check(step, pool):
        serving = world.serving()
        seen.append((step.kind, step.hosts, serving))
        assert len(serving) >= 4, (step, serving)  # capacity, at every step
        if step.kind == "drain":  # drained: no new sessions, before any removal
            assert all(world.hosts()[n]["allowNewSession"] is False for n in step.hosts)
        if step.kind == "remove":  # only once the users signed out; registration and VM both gone
            assert world.azure.now() >= signed_out
            assert not set(step.hosts) & set(world.hosts()) and not set(step.hosts) & set(world.vms())

    done = world.runner(batch="1", after_step=check).run()
    assert done == "prod: all 4 session host(s) run 1.2.0."
    assert "Copying the promoted version(s) first: 1.2.0" in world.log
    assert [(kind, hosts) for kind, hosts, _ in seen] == [
        ("add", ("avd-prd-sh-4",)), ("drain", ("avd-prd-sh-0",)), ("remove", ("avd-prd-sh-0",)),
        ("add", ("avd-prd-sh-0",)), ("drain", ("avd-prd-sh-1",)), ("remove", ("avd-prd-sh-1",)),
        ("add", ("avd-prd-sh-1",)), ("drain", ("avd-prd-sh-2",)), ("remove", ("avd-prd-sh-2",)),
        ("add", ("avd-prd-sh-2",)), ("drain", ("avd-prd-sh-3",)), ("remove", ("avd-prd-sh-3",)),
    ]
    # Four registrations, one per VM, all on 1.2.0 and taking sessions: no ghost of a removed host.
    hosts = ["avd-prd-sh-0", "avd-prd-sh-1", "avd-prd-sh-2", "avd-prd-sh-4"]
    assert sorted(world.hosts()) == hosts == world.serving() == world.vms()
    profile = (world.root / "catalog/envs/prod.yaml").read_text()
    assert "\n  session_hosts:\n" + "".join(f"    {n}: {{image_version: 1.2.0}}\n" for n in hosts) in profile
    # The same profile again: nothing left to do, and the env is as Terraform wants it.
    assert plan_rollout(world.root, "prod").steps == ()
    assert world.terraform.changes() == []


class Interrupted(Exception):
    pass


def test_an_interrupted_rollout_resumes_where_it_stopped(world):
    class StopsAtTheFifthApply(TerraformCli):
        applies = 0

        def apply(self):
            StopsAtTheFifthApply.applies += 1
            if StopsAtTheFifthApply.applies == 5:
                raise Interrupted  # after the profile is written, before terraform ran: Ctrl-C
            return super().apply()

    terraform = StopsAtTheFifthApply(world.env_dir, [SECRETS], world.log.append)
    with pytest.raises(Interrupted):
        world.runner(batch="2", terraform=terraform).run()
    # Steps 1-4 applied (batch 1 done, batch 2 added); step 5 (drain sh-2, sh-3) is in the profile, not in Azure.
    assert world.hosts()["avd-prd-sh-2"]["allowNewSession"] is not False
    steps = []
    world.runner(batch="2", after_step=lambda step, pool: steps.append(step.kind)).run()
    assert "Finishing the last step first: " in "\n".join(world.log)
    assert steps == ["remove"]  # step 6: the step that was interrupted was finished first
    assert sorted(world.hosts()) == world.serving() == ["avd-prd-sh-0", "avd-prd-sh-1", "avd-prd-sh-4", "avd-prd-sh-5"]
