"""Real `terraform init/plan/apply` through the mirror and the offline provider (slow: seconds);
the reference-schema round trip goes through reattached servers instead (see test_reattach.py).

Run only these with `pytest -m slow tests/unit/offline`, or skip them with `-m "not slow"`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import tftest
from offline_helpers import FIXTURE_SCHEMAS, REFERENCE_DIR

from generator.offline.mirror import offline_env
from generator.offline.reattach import serving

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH"),
]

PROVIDERS = """
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

provider "azurerm" {
  features {}
}
"""

TEMPLATE = (
    PROVIDERS
    + """
variable "image_version" {
  type    = string
  default = "latest"
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "this" {
  name     = "rg-e2e"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "this" {
  name                = "id-e2e"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
}

resource "azapi_resource" "template" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "it-e2e"
  parent_id = azurerm_resource_group.this.id
  location  = azurerm_resource_group.this.location

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }

  body = {
    properties = {
      buildTimeoutInMinutes = 90
      customize = [
        { type = "PowerShell", name = "install", inline = ["Write-Host hi"] },
        { type = "WindowsRestart", restartTimeout = "10m" },
      ]
      source = { type = "PlatformImage", publisher = "MicrosoftWindowsDesktop", version = var.image_version }
      distribute = [{
        type           = "SharedImage"
        runOutputName  = "it-e2e"
        galleryImageId = "${azurerm_resource_group.this.id}/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0"
      }]
    }
  }

  retry = {
    error_message_regex = ["Conflict"]
  }

  # output is the response's read-only part unless asked for more (azapi 2.x).
  response_export_values = ["properties.customize"]

  replace_triggers_refs = ["properties.source"]
}

output "template_id" {
  value = azapi_resource.template.id
}

output "customize" {
  value = azapi_resource.template.output.properties.customize[*].type
}

output "principal_id" {
  value = azurerm_user_assigned_identity.this.principal_id
}

output "subscription_id" {
  value = data.azurerm_client_config.current.subscription_id
}
"""
)

TYPOS = (
    PROVIDERS
    + """
resource "azurerm_resource_group" "typo" {
  name    = "rg"
  locaton = "westeurope"
}
"""
)

COUNT_ON_COMPUTED = (
    PROVIDERS
    + """
resource "azurerm_resource_group" "this" {
  name     = "rg"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "maybe" {
  count               = startswith(azurerm_resource_group.this.id, "/subscriptions/") ? 1 : 0
  name                = "id"
  location            = "westeurope"
  resource_group_name = "rg"
}
"""
)


@pytest.fixture(scope="module")
def tf_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return offline_env(tmp_path_factory.mktemp("cache"), FIXTURE_SCHEMAS)


def terraform(tmp_path: Path, hcl: str, env: dict[str, str]) -> tftest.TerraformTest:
    (tmp_path / "main.tf").write_text(hcl)
    tf = tftest.TerraformTest(tmp_path, env=env)
    tf.setup()
    return tf


@pytest.mark.parametrize("schemas", ["fixtures", "reference"])
def test_plan_apply_replan_and_replace(tmp_path, tf_env, schemas):
    if schemas == "fixtures":  # Terraform starts the plugins from the mirror, for every command
        _plan_apply_replan_and_replace(tmp_path, tf_env)
        return
    if not (REFERENCE_DIR / "azurerm.schema.json").is_file():
        pytest.skip(f"reference schema dumps not found in {REFERENCE_DIR}")
    # The same through reattached servers (generator/offline/reattach.py): seconds faster.
    with serving(REFERENCE_DIR, Path(tf_env["AVDGEN_CACHE_DIR"])) as env:
        _plan_apply_replan_and_replace(tmp_path, env)


def _plan_apply_replan_and_replace(tmp_path: Path, env: dict[str, str]) -> None:
    tf = terraform(tmp_path, TEMPLATE, env)

    plan = tf.plan(output=True)
    change = plan.resource_changes["azapi_resource.template"]["change"]
    assert change["actions"] == ["create"]
    assert [c["type"] for c in change["after"]["body"]["properties"]["customize"]] == ["PowerShell", "WindowsRestart"]
    assert change["after_unknown"]["id"] and change["after_unknown"]["output"]
    assert change["after"]["retry"]["error_message_regex"] == ["Conflict"]
    assert plan.outputs["subscription_id"] == "00000000-0000-0000-0000-000000000001"

    tf.apply()
    outputs = tf.output()
    assert outputs["template_id"] == (
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-e2e"
        "/providers/Microsoft.VirtualMachineImages/imageTemplates/it-e2e"
    )
    assert outputs["customize"] == ["PowerShell", "WindowsRestart"]
    assert re.fullmatch(r"[0-9a-f-]{36}", outputs["principal_id"])

    replan = tf.plan(output=True)
    assert {a: c["change"]["actions"] for a, c in replan.resource_changes.items()} == {
        "azapi_resource.template": ["no-op"],
        "azurerm_resource_group.this": ["no-op"],
        "azurerm_user_assigned_identity.this": ["no-op"],
    }

    (tmp_path / "new.tfvars").write_text('image_version = "1.0.0"\n')
    replace = tf.plan(output=True, tf_var_file=str(tmp_path / "new.tfvars"))
    assert replace.resource_changes["azapi_resource.template"]["change"]["actions"] == ["delete", "create"]


def _without_description_kind(node: Any) -> Any:
    # Terraform prints the default `"description_kind": "plain"` the reference files leave out.
    if isinstance(node, dict):
        return {k: _without_description_kind(v) for k, v in node.items() if k != "description_kind"}
    if isinstance(node, list):
        return [_without_description_kind(v) for v in node]
    return node


def test_terraform_reads_back_the_reference_schemas_exactly(tmp_path, tf_env, reference_dir):
    tf = terraform(tmp_path, PROVIDERS, dict(tf_env, AVDGEN_OFFLINE_SCHEMAS=str(reference_dir)))
    result = tf.execute_command("providers", "schema", "-json")
    served = _without_description_kind(json.loads(result.out)["provider_schemas"])
    for name in ("azurerm", "azapi"):
        reference = json.loads((reference_dir / f"{name}.schema.json").read_text())["provider_schemas"]
        assert served.keys() >= reference.keys()
        for address, entry in reference.items():
            for section in ("provider", "resource_schemas", "data_source_schemas"):  # no ephemeral ones
                assert served[address][section] == entry[section], (address, section)


def test_schema_errors_come_from_terraform(tmp_path, tf_env):
    tf = terraform(tmp_path, TYPOS, tf_env)
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.plan()
    assert "Unsupported argument" in failure.value.cmd_error
    assert 'An argument named "locaton" is not expected here.' in failure.value.cmd_error
    assert "Missing required argument" in failure.value.cmd_error
    assert 'The argument "location" is required' in failure.value.cmd_error


def test_count_on_a_computed_id_fails_as_with_the_real_provider(tmp_path, tf_env):
    tf = terraform(tmp_path, COUNT_ON_COMPUTED, tf_env)
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.plan()
    message = " ".join(failure.value.cmd_error.split())
    assert "Invalid count argument" in message
    assert 'The "count" value depends on resource attributes that cannot be determined until apply' in message


FUNCTIONS = (
    PROVIDERS
    + """
locals {
  vnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet"
}

output "vnet" {
  value = provider::azapi::parse_resource_id("Microsoft.Network/virtualNetworks", local.vnet_id)
}

output "subnet_id" {
  value = provider::azapi::resource_group_resource_id("0000", "rg1", "Microsoft.Network/virtualNetworks/subnets", ["vnet1", "snet1"])
}

output "normalised" {
  value = provider::azurerm::normalise_resource_id("/Subscriptions/12345678-1234-9876-4563-123456789012/resourcegroups/import-example")
}

output "host_pool_name" {
  value = provider::azurerm::parse_resource_id("/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp1").resource_name
}
"""
)

BAD_CALLS = """
output "wrong_type" {
  value = provider::azapi::parse_resource_id("Microsoft.Network/virtualNetworks", "/subscriptions/0000/resourceGroups/rg")
}

output "null_id" {
  value = provider::azurerm::normalise_resource_id(null)
}
"""


def test_provider_functions_through_terraform(tmp_path, tf_env):
    tf = terraform(tmp_path, FUNCTIONS, tf_env)
    outputs = tf.plan(output=True).outputs
    assert outputs["vnet"] == {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet",
        "name": "myVNet",
        "parent_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup",
        "parts": {
            "providers": "Microsoft.Network",
            "resourceGroups": "myResourceGroup",
            "subscriptions": "00000000-0000-0000-0000-000000000000",
            "virtualNetworks": "myVNet",
        },
        "provider_namespace": "Microsoft.Network",
        "resource_group_name": "myResourceGroup",
        "subscription_id": "00000000-0000-0000-0000-000000000000",
        "type": "Microsoft.Network/virtualNetworks",
    }
    assert outputs["subnet_id"] == (
        "/subscriptions/0000/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/snet1"
    )
    assert outputs["normalised"] == "/subscriptions/12345678-1234-9876-4563-123456789012/resourceGroups/import-example"
    assert outputs["host_pool_name"] == "hp1"

    # The provider's own error, and Terraform's check of the declared signature (no nulls).
    (tmp_path / "bad.tf").write_text(BAD_CALLS)
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.plan()
    message = " ".join(failure.value.cmd_error.split())
    assert "Error in function call" in message
    assert (
        'Call to function "provider::azapi::parse_resource_id" failed: failed to parse resource ID(resourceType: '
        "Microsoft.Network/virtualNetworks@latest, resourceId: /subscriptions/0000/resourceGroups/rg): `resource_id` "
        "and `type` are not matched, expect `type` to be Microsoft.Resources/resourceGroups, but got "
        "Microsoft.Network/virtualNetworks."
    ) in message
    assert "Invalid function argument" in message
    assert 'Invalid value for "id" parameter: argument must not be null.' in message
