"""The refusals that break real applies, each through real `terraform` and the offline providers,
each with the error code Azure answers (generator/offline/services.py has the rules and sources)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.harness.plan import PlanError
from generator.offline.simulator import SimulatedAzure
from plan_plugin import workspace

ROOT = Path(__file__).parent / "rules_root"
RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rules-rg"
HOST_POOL = f"{RG}/providers/Microsoft.DesktopVirtualization/hostPools/rules-hp"

pytestmark = pytest.mark.plan


def _refused(ws, variables: dict) -> str:
    with pytest.raises(PlanError) as error:
        ws.apply([], variables)
    return " ".join(" ".join(error.value.details).split())


def test_a_put_update_of_an_existing_image_template_is_refused():
    ws = workspace(ROOT, "vendored")
    ws.apply([], {"template_build_timeout": 60})
    text = _refused(ws, {"template_build_timeout": 90})
    assert "Failed to create/update resource" in text
    assert "RESPONSE 409" in text and "ERROR CODE: Conflict" in text
    assert "Update/Upgrade of image templates is currently not supported" in text


def test_a_template_delete_during_a_build_is_refused():
    ws = workspace(ROOT, "vendored")
    ws.apply([], {"template_build_timeout": 60})
    SimulatedAzure(ws.cloud).image_builder_run("rules-rg", "rules-template")
    text = _refused(ws, {})  # the template leaves the configuration: a delete
    assert "Failed to delete resource" in text and "ERROR CODE: OperationNotAllowed" in text
    assert "runState: 'running'" in text


def test_a_second_identical_role_assignment_is_refused():
    ws = workspace(ROOT, "vendored")
    text = _refused(ws, {"duplicate_role_assignments": True})
    assert "409" in text and "RoleAssignmentExists" in text and "The role assignment already exists." in text


def test_azapi_update_resource_of_a_session_host_is_refused():
    ws = workspace(ROOT, "vendored")
    azure = SimulatedAzure(ws.cloud)
    # Before the agent registered: azapi's GET finds nothing.
    text = _refused(ws, {"update_session_host": True})
    assert "Failed to retrieve resource" in text and "ERROR CODE: ResourceNotFound" in text
    # After: the GET works, and the PUT that follows is what the service does not take.
    azure.register_session_host(HOST_POOL, "rules-host", f"{RG}/providers/Microsoft.Compute/virtualMachines/rules-host")
    text = _refused(ws, {"update_session_host": True})
    assert "Failed to update resource" in text and "RESPONSE 405" in text and "ERROR CODE: MethodNotAllowed" in text
    assert [r["method"] for r in azure.requests(containing="/sessionHosts/rules-host")][-2:] == ["GET", "PUT"]


def test_a_patch_of_a_missing_session_host_is_refused():
    ws = workspace(ROOT, "vendored")
    text = _refused(ws, {"patch_session_host": True})
    assert "Failed to perform action" in text and "RESPONSE 404" in text and "ERROR CODE: ResourceNotFound" in text


def test_an_action_when_destroy_runs_only_at_destroy():
    ws = workspace(ROOT, "vendored")
    azure = SimulatedAzure(ws.cloud)
    azure.register_session_host(HOST_POOL, "rules-host", f"{RG}/providers/Microsoft.Compute/virtualMachines/rules-host")
    ws.apply([], {"delete_session_host_on_destroy": True})
    assert azure.requests("DELETE") == [] and len(azure.session_hosts(HOST_POOL)) == 1
    ws.apply([], {"delete_session_host_on_destroy": False})  # leaves the configuration: destroyed
    assert [r["id"].rsplit("/", 1)[1] for r in azure.requests("DELETE")] == ["rules-host"]
    assert azure.session_hosts(HOST_POOL) == []


def test_a_version_copied_from_a_missing_version_is_refused():
    ws = workspace(ROOT, "vendored")
    missing = f"{RG}/providers/Microsoft.Compute/galleries/dev/images/win11/versions/1.0.0"
    text = _refused(ws, {"copy_version_from": missing})
    assert "ERROR CODE: NotFound" in text and f"Source was not found: {missing}" in text


def test_a_registration_token_beyond_30_days_is_refused(tmp_path):
    from datetime import timedelta

    from generator.offline.cloud import AzureError

    azure = SimulatedAzure(tmp_path / "cloud.json")
    with pytest.raises(AzureError, match="ExpirationTime value must be between one hour and 30 days from now"):
        azure.host_pool(HOST_POOL, "t", expires_in=timedelta(days=31))
    with pytest.raises(AzureError, match="between one hour"):
        azure.host_pool(HOST_POOL, "t", expires_in=timedelta(minutes=30))
    azure.host_pool(HOST_POOL, "t", expires_in=timedelta(days=30))



SUBNETS_ROOT = """
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
  }
}

provider "azurerm" {
  features {}
}

variable "second_prefix" {
  type = string
}

resource "azurerm_resource_group" "rg" {
  name     = "net-rg"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "net-vnet"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  address_space       = ["10.50.0.0/16"]
}

resource "azurerm_subnet" "first" {
  name                 = "first"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.50.1.0/24"]
}

resource "azurerm_subnet" "second" {
  name                 = "second"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = [var.second_prefix]
  depends_on           = [azurerm_subnet.first]
}
"""


@pytest.mark.parametrize("prefix,overlaps", [("10.50.1.128/26", True), ("10.50.0.0/23", True), ("10.50.2.0/24", False)])
def test_subnets_of_one_network_must_not_overlap(tmp_path, prefix, overlaps):
    root = tmp_path / "subnets"
    root.mkdir()
    (root / "main.tf").write_text(SUBNETS_ROOT)
    ws = workspace(root, "vendored")
    if overlaps:
        message = _refused(ws, {"second_prefix": prefix})
        assert "NetcfgSubnetRangesOverlap" in message and "overlaps with that of an existing subnet 'first' in virtual network 'net-vnet'" in message, message
    else:
        ws.apply([], {"second_prefix": prefix})
