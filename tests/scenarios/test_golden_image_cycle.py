"""The golden image cycle against the simulated cloud, as an operator runs it: apply, build,
apply again, change the image while a build runs, destroy (issue 10).

Each test drives real `terraform` through the offline providers; `azure` does what `az` would
between applies (generator/offline/simulator.py).
"""

from __future__ import annotations


import pytest

from generator.harness.plan import PlanError, summarize
from generator.offline.simulator import SimulatedAzure
from plan_plugin import workspace
from project_paths import REPO

MODULE = REPO / "modules/golden_image"
DEFAULTS = REPO / "tests/modules/golden_image/defaults.tfvars"
RG, TEMPLATE = "avd-dev-rg", "avd-golden-image-template"

pytestmark = pytest.mark.plan


@pytest.fixture
def ws():
    return workspace(MODULE, "vendored")


def _build(azure: SimulatedAzure) -> dict:
    azure.image_builder_run(RG, TEMPLATE)
    azure.advance(minutes=90)
    return azure.image_builder_show(RG, TEMPLATE)["properties"]["lastRunStatus"]


def test_apply_build_and_apply_again_changes_nothing(ws):
    ws.apply([DEFAULTS])
    azure = SimulatedAzure(ws.cloud)
    status = _build(azure)
    assert status["runState"] == "Succeeded", status
    (version,) = azure.sig_image_version_list(RG, "avd_golden_images", "avd-win11-m365")
    assert version["name"] == "1.0.0"
    plan = summarize(ws.plan([DEFAULTS]))
    changed = {address: actions for address, actions in plan.actions.items() if actions != ["no-op"]}
    assert changed == {}


def test_a_pinned_version_is_built_once(ws):
    ws.apply([DEFAULTS])
    azure = SimulatedAzure(ws.cloud)
    assert _build(azure)["runState"] == "Succeeded"
    second = _build(azure)
    assert second["runState"] == "Failed" and "already exists" in second["message"]


@pytest.mark.parametrize("variables,failing,step", [
    # A failed `choco install` followed by a good one: only the last exit code counted.
    ({"chocolatey_packages": ["googlechrome", "7zip"]}, "install googlechrome", "install-chocolatey-packages"),
    # Install-Module writes a non-terminating error: the step went on and exited 0.
    ({"powershell_modules": ["Az.Accounts", "Az.Storage"]}, "Install-Module -Name 'Az.Accounts'", "install-powershell-modules"),
    # The Chocolatey bootstrap (Invoke-Expression of install.ps1) failing did not fail the step.
    ({"chocolatey_packages": ["7zip"]}, "community.chocolatey.org/install.ps1", "install-chocolatey"),
], ids=["choco-package", "install-module", "choco-bootstrap"])
def test_a_failed_install_fails_the_build(ws, variables, failing, step):
    ws.apply([DEFAULTS], variables)
    azure = SimulatedAzure(ws.cloud)
    azure.fail_when(failing)
    status = _build(azure)
    assert status["runState"] == "Failed", f"a build whose {failing!r} failed was {status['runState']}"
    assert f"Customizer '{step}'" in status["message"]
    assert azure.sig_image_version_list(RG, "avd_golden_images", "avd-win11-m365") == []


def test_a_customizer_change_during_a_build_applies(ws):
    ws.apply([DEFAULTS])
    azure = SimulatedAzure(ws.cloud)
    azure.image_builder_run(RG, TEMPLATE)
    azure.advance(minutes=10)
    assert azure.image_builder_show(RG, TEMPLATE)["properties"]["lastRunStatus"]["runState"] == "Running"
    changed = {"inline_scripts": {"set-timezone": ["Set-TimeZone -Id 'UTC'"]}}
    try:
        ws.apply([DEFAULTS], changed)
    except PlanError as error:
        pytest.fail("an apply during a build failed:\n" + "\n".join(error.details))
    # The running build was left to finish (it published its version), then the template was
    # replaced: the new one carries the new step and is idle.
    (template,) = azure.image_builder_list(RG)
    assert [s["name"] for s in template["properties"]["customize"]].count("set-timezone") == 1
    assert "lastRunStatus" not in template["properties"]
    assert [v["name"] for v in azure.sig_image_version_list(RG, "avd_golden_images", "avd-win11-m365")] == ["1.0.0"]
    refused = azure.requests("DELETE", containing=TEMPLATE)
    assert [r["code"] for r in refused][:1] == ["OperationNotAllowed"] and refused[-1]["status"] == 200


def test_a_new_image_version_during_a_build_is_patched_once_the_build_ends(ws):
    ws.apply([DEFAULTS])
    azure = SimulatedAzure(ws.cloud)
    azure.image_builder_run(RG, TEMPLATE)
    azure.advance(minutes=5)
    before = len(azure.requests("PATCH", containing=TEMPLATE))  # the no-op PATCH at creation
    # A promotion's apply in the build window: the PATCH is refused while the build runs (and
    # would be for 55 more minutes, past azapi's default 30-minute timeout), then goes through.
    ws.apply([DEFAULTS], {"image_version": "1.1.0"})
    target = azure.image_builder_show(RG, TEMPLATE)["properties"]["distribute"][0]["galleryImageId"]
    assert target.endswith("/versions/1.1.0")
    codes = [r["code"] for r in azure.requests("PATCH", containing=TEMPLATE)][before:]
    assert codes[0] == "OperationNotAllowed" and codes[-1] is None and len(codes) > 10
    assert [v["name"] for v in azure.sig_image_version_list(RG, "avd_golden_images", "avd-win11-m365")] == ["1.0.0"]


def test_destroy_waits_for_a_running_build_and_needs_the_versions_gone(ws):
    ws.apply([DEFAULTS])
    azure = SimulatedAzure(ws.cloud)
    azure.image_builder_run(RG, TEMPLATE)
    # The template's delete waits for the build; the build publishes 1.0.0, which Terraform does
    # not manage, and Azure keeps a definition that has versions: destroy stops there.
    with pytest.raises(PlanError) as refused:
        ws.destroy([DEFAULTS])
    assert "CannotDeleteResource: Can not delete resource before nested resources are deleted." in " ".join(refused.value.details)
    assert azure.image_builder_list(RG) == []
    azure.sig_image_version_delete(RG, "avd_golden_images", "avd-win11-m365", "1.0.0")
    ws.destroy([DEFAULTS])
    assert azure.resources("Microsoft.Compute/galleries") == []
