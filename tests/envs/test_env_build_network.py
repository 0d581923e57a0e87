"""The envs' opt-in private golden image build (issue 11): the build subnet and its delegated
container instance sibling in the env's network, wired into modules/golden_image, and the new
golden_image settings reaching the module."""

from __future__ import annotations

import pytest

from generator.harness.plan import PlanError, summarize
from generator.offline.simulator import SimulatedAzure
from plan_plugin import workspace
from project_paths import REPO

SECRETS = REPO / "tests/offline-secrets.tfvars"
VNET = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Network/virtualNetworks/avd-dev-vnet"
TEMPLATE = "module.golden_image[0].azapi_resource.this[0]"
PRIVATE = {"golden_image_build_subnet_prefix": "10.10.2.0/26", "golden_image_build_container_instance_subnet_prefix": "10.10.2.64/27"}

pytestmark = pytest.mark.plan


def _errors(error: PlanError) -> list[str]:
    text = " ".join(" ".join(error.details).split())
    return [block for block in text.split("Error: ")[1:]]


def test_by_default_the_env_has_no_build_subnets():
    plan = summarize(workspace(REPO / "envs/dev", "vendored").plan([SECRETS]))
    assert not any(".image_build" in a for a in plan.values)
    assert "vnetConfig" not in plan.values[TEMPLATE]["body"]["properties"]["vmProfile"]


def test_a_private_build_gets_its_subnets_and_the_module_its_ids():
    plan = summarize(workspace(REPO / "envs/dev", "vendored").plan([SECRETS], PRIVATE))
    build, aci = plan.values["azurerm_subnet.image_build[0]"], plan.values["azurerm_subnet.image_build_aci[0]"]
    assert build["address_prefixes"] == ["10.10.2.0/26"] and build["private_link_service_network_policies_enabled"] is False
    assert aci["address_prefixes"] == ["10.10.2.64/27"]
    assert aci["delegation"][0]["service_delegation"][0]["name"] == "Microsoft.ContainerInstance/containerGroups"
    vnet = plan.values[TEMPLATE]["body"]["properties"]["vmProfile"]["vnetConfig"]
    assert vnet == {"subnetId": f"{VNET}/subnets/image-build", "containerInstanceSubnetId": f"{VNET}/subnets/image-build-aci"}
    assert plan.values["module.golden_image[0].azurerm_role_assignment.build_network[0]"]["scope"] == VNET


def test_the_golden_image_object_takes_the_new_settings():
    settings = {
        "gallery_name": "avd_dev_images", "image_definition_name": "avd-win11-m365-dev", "image_template_name": "avd-golden-image-dev",
        "image_version": "1.0.0", "image_versioning": "latest",
        "error_handling": {"on_customizer_error": "abort"}, "optimize_vm_boot": True, "managed_resource_tags": {"CostCenter": "avd"},
        "validation": {"in_vm_validations": [{"name": "smoke", "inline": ["exit 0"]}]},
        "lock": {"kind": "CanNotDelete"},
    }
    plan = summarize(workspace(REPO / "envs/dev", "vendored").plan([SECRETS], {"golden_image": settings}))
    properties = plan.values[TEMPLATE]["body"]["properties"]
    assert properties["errorHandling"]["onCustomizerError"] == "abort"
    assert properties["optimize"] == {"vmBoot": {"state": "Enabled"}}
    assert properties["managedResourceTags"] == {"CostCenter": "avd"}
    assert properties["validate"]["inVMValidations"][0]["name"] == "smoke"
    assert "module.golden_image[0].azurerm_management_lock.this[0]" in plan.values


def test_the_private_build_applies_in_the_env():
    """The simulated Image Builder checks the subnets exist, the ACI one delegated to container groups."""
    ws = workspace(REPO / "envs/dev", "vendored")
    ws.apply([SECRETS], {**PRIVATE, "session_host_image_strategy": "marketplace"})  # no image is built yet
    template = SimulatedAzure(ws.cloud).resource(
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.VirtualMachineImages/imageTemplates/avd-golden-image-dev")
    assert template["properties"]["vmProfile"]["vnetConfig"]["containerInstanceSubnetId"] == f"{VNET}/subnets/image-build-aci"
    # Both build subnets have the env's build NSG (checkov CKV2_AZURE_31); associating it kept
    # the container instance subnet's delegation, which Image Builder checked above.
    azure = SimulatedAzure(ws.cloud)
    nsg = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Network/networkSecurityGroups/avd-dev-image-build-nsg"
    for name in ("image-build", "image-build-aci"):
        assert azure.resource(f"{VNET}/subnets/{name}")["properties"]["network_security_group_id"] == nsg
    assert azure.resource(f"{VNET}/subnets/image-build-aci")["properties"]["delegation"]


@pytest.mark.parametrize("env,variables,message", [
    ("dev", {"golden_image_build_container_instance_subnet_prefix": "10.10.2.64/27"}, "golden_image_build_container_instance_subnet_prefix needs golden_image_build_subnet_prefix"),
    ("dev", {"golden_image_build_subnet_prefix": "10.30.2.0/26"}, "golden_image_build_subnet_prefix must lie inside one of address_space's blocks."),
    ("dev", {"golden_image_build_subnet_prefix": "10.10.1.0/24"}, "golden_image_build_subnet_prefix must be a subnet of its own, not overlapping session_host_subnet_prefix."),
    # Overlapping without the same first address (ARM's NetcfgSubnetRangesOverlap), both ways round.
    ("dev", {"golden_image_build_subnet_prefix": "10.10.1.128/26"}, "golden_image_build_subnet_prefix must be a subnet of its own, not overlapping session_host_subnet_prefix."),
    ("dev", {"golden_image_build_subnet_prefix": "10.10.0.0/23"}, "golden_image_build_subnet_prefix must be a subnet of its own, not overlapping session_host_subnet_prefix."),
    ("dev", {**PRIVATE, "golden_image_build_container_instance_subnet_prefix": "10.10.2.32/27"}, "must be a subnet of its own (not overlapping the build subnet or session_host_subnet_prefix)"),
    ("dev", {"golden_image_build_subnet_prefix": "10.10.2.0/30"}, "golden_image_build_subnet_prefix must be an IPv4 CIDR block from /2 to /29"),
    ("dev", {**PRIVATE, "golden_image_build_container_instance_subnet_prefix": "10.10.2.0/26"}, "must be a subnet of its own (not overlapping the build subnet or session_host_subnet_prefix)"),
    ("dev", {**PRIVATE, "enable_golden_image": False, "session_host_image_strategy": "marketplace"}, "they need enable_golden_image = true"),
    ("prod", {"golden_image_build_subnet_prefix": "10.20.2.0/26"}, "but prod builds no image (its versions are promoted from dev): remove them."),
], ids=["aci-without-build", "outside-vnet", "session-host-subnet", "inside-session-host-subnet", "around-session-host-subnet", "aci-inside-build", "too-small", "aci-is-build", "no-golden-image", "prod-promotes"])
def test_bad_build_subnets_fail_at_plan(env, variables, message):
    with pytest.raises(PlanError) as info:
        workspace(REPO / "envs" / env, "vendored").plan([SECRETS], variables)
    errors = _errors(info.value)
    assert len(errors) == 1, errors
    assert message in errors[0], errors
