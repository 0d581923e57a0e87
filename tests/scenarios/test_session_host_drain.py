"""Session hosts against the simulated cloud: created drained or open, undrained, re-applied,
scaled in without leaving ghosts, destroyed (issues 10 and 13). A host's record in the host pool appears only once its AVD agent has
registered, a little after the DSC extension ran (generator/offline/services.py), and only the
service's PATCH can change it (sessionHosts has no PUT)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.harness.plan import PlanError, summarize
from generator.offline.simulator import SimulatedAzure
from plan_plugin import workspace
from project_paths import REPO

ROOT = Path(__file__).parent / "session_hosts"
SECRETS = REPO / "tests/offline-secrets.tfvars"
HOST_POOL = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-scenario-rg/providers/Microsoft.DesktopVirtualization/hostPools/avd-scenario-hostpool"
NAMES = ["avd-sc-0", "avd-sc-1"]

pytestmark = pytest.mark.plan


def _apply(ws, **variables) -> dict:
    try:
        return ws.apply([SECRETS], variables or None)
    except PlanError as error:
        pytest.fail("terraform apply failed:\n" + "\n".join(error.details))


def _hosts(azure: SimulatedAzure) -> dict[str, bool]:
    return {h["name"].split("/")[1]: h["properties"]["allowNewSession"] for h in azure.session_hosts(HOST_POOL)}


@pytest.mark.parametrize("allow", [True, False], ids=["open", "drained"])
def test_new_hosts_register_and_take_the_drain_setting(allow):
    ws = workspace(ROOT, "vendored")
    _apply(ws, allow_new_sessions=allow)
    azure = SimulatedAzure(ws.cloud)
    assert _hosts(azure) == {name: allow for name in NAMES}
    # Only PATCHes ever reach the session host records.
    assert {r["method"] for r in azure.requests(containing="/sessionHosts/")} <= {"GET", "PATCH"}
    actions = summarize(ws.plan([SECRETS], {"allow_new_sessions": allow})).actions
    assert all(a == ["no-op"] for a in actions.values()), {k: a for k, a in actions.items() if a != ["no-op"]}


def test_drained_hosts_can_be_undrained_scaled_in_and_destroyed():
    ws = workspace(ROOT, "vendored")
    _apply(ws, allow_new_sessions=False)
    azure = SimulatedAzure(ws.cloud)
    _apply(ws, allow_new_sessions=True)
    assert _hosts(azure) == {name: True for name in NAMES}
    _apply(ws, vm_count=1)
    # No ghost: the removed host's registration is deleted before its VM (Azure would keep it).
    hosts = {h["name"].split("/")[1]: h["properties"]["status"] for h in azure.session_hosts(HOST_POOL)}
    assert hosts == {"avd-sc-0": "Available"}
    deletes = [r["id"] for r in azure.requests("DELETE") if r["id"].endswith("/avd-sc-1")]
    assert [d.split("/providers/")[-1].split("/")[1] for d in deletes] == ["hostPools", "virtualMachines"], deletes
    # A new VM of the same name registers afresh.
    _apply(ws, vm_count=2)
    assert _hosts(azure) == {name: True for name in NAMES}
    ws.destroy([SECRETS])
    # The host pool goes with force=true, and its session hosts with it.
    assert azure.resources("Microsoft.Compute/virtualMachines") == [] and azure.session_hosts(HOST_POOL) == []


def test_a_host_added_after_the_token_rotated_registers_with_the_renewed_token():
    ws = workspace(ROOT, "vendored")
    _apply(ws)
    azure = SimulatedAzure(ws.cloud)
    azure.advance(days=10)  # past the 7-day rotation and the token's expiry
    # Refresh finds the rotation due, Terraform replaces time_rotating, the token's expiry moves
    # on, and the new host registers with the renewed token.
    _apply(ws, vm_count=3)
    assert sorted(_hosts(azure)) == ["avd-sc-0", "avd-sc-1", "avd-sc-2"]
