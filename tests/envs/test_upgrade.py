"""Upgrading an applied env from numbered session hosts (count) to hosts keyed by name replaces
no host: envs/<env>/moved.tf moves each one (issue 13). The old tree comes from git history."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile

import pytest

from built_images import given_built_images
from generator.harness.plan import summarize
from plan_plugin import workspace
from project_paths import REPO

# The last commit whose rendered session hosts were numbered.
NUMBERED = "96353ae"
SECRETS = REPO / "tests/offline-secrets.tfvars"
# At NUMBERED prod built its own versions: the one its hosts ran.
PROD_BUILT = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-prod-rg/providers/Microsoft.Compute/galleries/avd_prod_images/images/avd-win11-m365-prod/versions/1.0.0"

pytestmark = pytest.mark.plan


def _old_tree(destination):
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", NUMBERED, "modules", "envs/prod"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"commit {NUMBERED} is not in this clone's history (a shallow clone?)")
    tarfile.open(fileobj=io.BytesIO(archive)).extractall(destination, filter="data")


def test_numbered_hosts_move_to_their_names_without_a_replacement(tmp_path):
    tree = tmp_path / "tree"
    _old_tree(tree)
    ws = workspace(tree / "envs/prod", "vendored")
    azure = given_built_images(ws)
    azure.image_version(PROD_BUILT, ["eastus"])
    ws.apply([SECRETS])
    # The new module, and the new root files, in place of the old ones.
    shutil.rmtree(tree / "modules")
    shutil.copytree(REPO / "modules", tree / "modules")
    for path in (REPO / "envs/prod").iterdir():
        if path.suffix in (".tf", ".tfvars"):
            shutil.copy(path, ws.dir / path.name)
    plan = ws.plan([SECRETS])
    changes = {c["address"]: c for c in plan["resource_changes"]}
    vms = {a: c for a, c in changes.items() if c["type"] == "azurerm_windows_virtual_machine"}
    assert sorted(vms) == [f'module.session_hosts.azurerm_windows_virtual_machine.this["avd-prd-sh-{i}"]' for i in range(4)]
    for address, change in vms.items():
        assert change["change"]["actions"] == ["no-op"], address
        assert change["previous_address"] == address.replace('["avd-prd-sh-', "[").replace('"]', "]"), address
    # (prod now promotes from dev, so its Image Builder resources go: not the hosts' business.)
    replaced = [a for a, c in changes.items() if "delete" in c["change"]["actions"] and a.startswith("module.session_hosts.")]
    assert replaced == [], replaced
    # What does change: the unregister actions appear (no request until a host is destroyed).
    actions = summarize(plan).actions
    assert {a for a, act in actions.items() if act == ["create"] and a.startswith("module.session_hosts.")} == {
        f'module.session_hosts.azapi_resource_action.unregister["avd-prd-sh-{i}"]' for i in range(4)
    }
