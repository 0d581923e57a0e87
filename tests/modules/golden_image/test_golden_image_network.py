"""golden_image's private builds, staging group, error handling, optimize, validate and AVM
interfaces (issue 11, items 1-3 and 8) through real `terraform plan`/`apply` and the offline
provider: the planned body, the least-privilege roles, each bad combination refused at plan with
both inputs named, and what the simulated Image Builder refuses at apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.harness.plan import PlanError, summarize
from generator.offline.cloud import AzureError
from generator.offline.simulator import SimulatedAzure
from plan_plugin import workspace
from project_paths import REPO

HERE = Path(__file__).parent
MODULE = REPO / "modules/golden_image"
DEFAULTS = HERE / "defaults.tfvars"
PRIVATE = HERE / "private_build.tfvars"
NETWORK_ROOT = HERE / "private_network"
TEMPLATE = "azapi_resource.this[0]"
PATCH = "azapi_resource_action.update[0]"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
VNET = f"{SUB}/resourceGroups/avd-network-rg/providers/Microsoft.Network/virtualNetworks/avd-vnet"
BUILD_SUBNET = f"{VNET}/subnets/image-build"
ACI_SUBNET = f"{VNET}/subnets/image-build-aci"
STAGING = f"{SUB}/resourceGroups/avd-image-staging-rg"

pytestmark = pytest.mark.plan


def _errors(error: PlanError) -> list[str]:
    text = " ".join(" ".join(error.details).split())
    return [block for block in text.split("Error: ")[1:]]


@pytest.fixture(scope="module")
def private_plan():
    return summarize(workspace(MODULE, "vendored").plan([PRIVATE]))


def test_every_feature_reaches_the_planned_body(private_plan):
    properties = private_plan.values[TEMPLATE]["body"]["properties"]
    assert properties["vmProfile"]["vnetConfig"] == {"subnetId": BUILD_SUBNET, "containerInstanceSubnetId": ACI_SUBNET}
    assert properties["stagingResourceGroup"] == STAGING
    assert properties["managedResourceTags"] == {"CostCenter": "avd-images"}
    assert properties["errorHandling"] == {"onCustomizerError": "abort", "onValidationError": "cleanup"}
    assert properties["optimize"] == {"vmBoot": {"state": "Enabled"}}
    validate = properties["validate"]
    assert (validate["sourceValidationOnly"], validate["continueDistributeOnFailure"]) == (False, False)
    inline, downloaded = validate["inVMValidations"]
    assert inline["type"] == "PowerShell" and inline["name"] == "fslogix-installed" and inline["runElevated"] and inline["runAsSystem"]
    assert inline["inline"][0] == "$ErrorActionPreference = 'Stop'" and "scriptUri" not in inline and "sha256Checksum" not in inline
    assert downloaded["scriptUri"].endswith("/Test-Baseline.ps1") and downloaded["sha256Checksum"] == "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
    assert "inline" not in downloaded


def test_what_cannot_be_patched_replaces_the_template_and_the_network_is_patched(private_plan):
    triggers = private_plan.values[TEMPLATE]["replace_triggers_external_values"]
    assert {"stagingResourceGroup", "managedResourceTags", "errorHandling", "optimize", "validate"} <= set(triggers)
    assert "vmProfile" not in triggers  # ImageTemplateUpdateParameters takes vmProfile: patched
    assert private_plan.values[PATCH]["body"]["properties"]["vmProfile"]["vnetConfig"]["subnetId"] == BUILD_SUBNET


def test_the_roles_hold_only_the_documented_actions(private_plan):
    values = private_plan.values
    network = values["azurerm_role_definition.build_network[0]"]
    assert network["permissions"] == [{
        "actions": ["Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/subnets/join/action"],
        "not_actions": [], "data_actions": None, "not_data_actions": None,
    }]
    # The gallery role keeps its four documented actions; no role grants anything else.
    definitions = [v for a, v in values.items() if a.startswith("azurerm_role_definition.")]
    assert sorted(a for d in definitions for p in d["permissions"] for a in p["actions"]) == sorted([
        "Microsoft.Compute/galleries/read", "Microsoft.Compute/galleries/images/read",
        "Microsoft.Compute/galleries/images/versions/read", "Microsoft.Compute/galleries/images/versions/write",
        "Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/subnets/join/action",
    ])
    assert network["scope"] == network["assignable_scopes"][0] == f"{SUB}/resourceGroups/avd-network-rg"
    assert values["azurerm_role_assignment.build_network[0]"]["scope"] == VNET  # the virtual network, not its group
    assert values["azurerm_role_assignment.build_network[0]"]["principal_type"] == "ServicePrincipal"
    assert values["azurerm_role_assignment.staging[0]"]["role_definition_name"] == "Contributor"
    # Image Builder's own principal gets Contributor on the staging group, as the docs require.
    assert {k: values["azurerm_role_assignment.image_builder_staging[0]"][k] for k in ("role_definition_name", "principal_id", "principal_type")} == {
        "role_definition_name": "Contributor", "principal_id": "00000000-0000-0000-0000-000000000005", "principal_type": "ServicePrincipal"}
    names = [v.get("role_definition_name") for a, v in values.items() if a.startswith("azurerm_role_assignment.")]
    assert "Network Contributor" not in names and "Owner" not in names
    # The staging group is created, in the template's region, with the module's tags.
    assert values["azurerm_resource_group.staging[0]"] == {**values["azurerm_resource_group.staging[0]"], "name": "avd-image-staging-rg", "location": "eastus", "tags": {"Owner": "platform"}}


def test_the_template_waits_for_every_new_assignment():
    plan = workspace(MODULE, "vendored").plan([PRIVATE])
    resources = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    every = {"azurerm_role_assignment.this", "azurerm_role_assignment.build_network", "azurerm_role_assignment.staging",
             "azurerm_role_assignment.image_builder_staging", "azurerm_role_assignment.source_reader",
             "azurerm_role_assignment.build_vm_identity_operator", "time_sleep.rbac_propagation", "time_sleep.source_rbac_propagation"}
    # The template and the PATCH (which adds a subnet or build VM identities later) wait for the
    # assignments themselves too: with rbac_propagation_seconds = 0 there are no waits.
    assert every <= set(resources["azapi_resource.this"]["depends_on"])
    assert every <= set(resources["azapi_resource_action.update"]["depends_on"])
    # The wait's triggers: one per assignment (IDs known after apply), so a new one waits again.
    (wait,) = [c for c in plan["resource_changes"] if c["address"] == "time_sleep.rbac_propagation[0]"]
    assert wait["change"]["after_unknown"]["triggers"] == {"role_assignment_id": True, "build_network_role_assignment_id": True, "staging_role_assignment_id": True, "image_builder_staging_role_assignment_id": True}


def test_the_avm_interfaces_are_on_the_template(private_plan):
    lock = private_plan.values["azurerm_management_lock.this[0]"]
    assert (lock["name"], lock["lock_level"]) == ("lock-CanNotDelete", "CanNotDelete")
    assignment = private_plan.values['azurerm_role_assignment.template["pipeline"]']
    assert assignment["role_definition_name"] == "Reader" and assignment["principal_id"] == "11111111-1111-1111-1111-111111111111"
    # A role given by ID goes to role_definition_id (the AVM rule: it contains /providers/Microsoft.Authorization/roleDefinitions).
    role_id = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS], {"role_assignments": {"ops": {"role_definition_id_or_name": role_id, "principal_id": "22222222-2222-2222-2222-222222222222"}}}))
    by_id = plan.values['azurerm_role_assignment.template["ops"]']
    assert by_id["role_definition_id"] == role_id and by_id.get("role_definition_name") is None


def test_defaults_send_none_of_it():
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS]))
    properties = plan.values[TEMPLATE]["body"]["properties"]
    assert set(properties) == {"source", "customize", "buildTimeoutInMinutes", "distribute", "vmProfile"}
    assert set(properties["vmProfile"]) == {"vmSize", "osDiskSizeGB"}
    assert set(plan.values[TEMPLATE]["replace_triggers_external_values"]) == {"source", "customize", "buildTimeoutInMinutes"}
    assert not any(t in plan.counts for t in ("azurerm_management_lock", "azurerm_resource_group"))
    assert plan.counts["azurerm_role_assignment"] == 1 and plan.counts["azurerm_role_definition"] == 1


def test_optimize_false_sends_disabled_and_a_proxy_size_goes_to_vnet_config():
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS], {"optimize_vm_boot": False, "build_subnet_id": BUILD_SUBNET, "build_proxy_vm_size": "Standard_A2_v2"}))
    properties = plan.values[TEMPLATE]["body"]["properties"]
    assert properties["optimize"] == {"vmBoot": {"state": "Disabled"}}
    assert properties["vmProfile"]["vnetConfig"] == {"subnetId": BUILD_SUBNET, "proxyVmSize": "Standard_A2_v2"}
    assert "stagingResourceGroup" not in properties and "azurerm_resource_group" not in plan.counts


def test_an_existing_staging_group_is_not_created_but_still_granted():
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS], {"staging_resource_group_id": STAGING}))
    assert "azurerm_resource_group" not in plan.counts
    assert plan.values["azurerm_role_assignment.staging[0]"]["scope"] == STAGING
    assert plan.values[TEMPLATE]["body"]["properties"]["stagingResourceGroup"] == STAGING


OTHER_VNET_SUBNET = f"{SUB}/resourceGroups/avd-network-rg/providers/Microsoft.Network/virtualNetworks/other-vnet/subnets/aci"


@pytest.mark.parametrize("variables,expected", [
    ({"build_container_instance_subnet_id": ACI_SUBNET}, ["build_container_instance_subnet_id is set but build_subnet_id is not"]),
    ({"build_subnet_id": BUILD_SUBNET, "build_container_instance_subnet_id": ACI_SUBNET, "build_proxy_vm_size": "Standard_A2_v2"}, ["build_proxy_vm_size cannot be used with build_container_instance_subnet_id"]),
    ({"build_proxy_vm_size": "Standard_A2_v2"}, ["build_proxy_vm_size is set but build_subnet_id is not"]),
    ({"build_subnet_id": BUILD_SUBNET, "build_container_instance_subnet_id": OTHER_VNET_SUBNET}, [f"build_container_instance_subnet_id and build_subnet_id must be two different subnets of one virtual network; they are {OTHER_VNET_SUBNET} and {BUILD_SUBNET}"]),
    ({"build_subnet_id": BUILD_SUBNET, "build_container_instance_subnet_id": BUILD_SUBNET.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")}, ["build_container_instance_subnet_id and build_subnet_id must be two different subnets of one virtual network"]),
    ({"staging_resource_group_create": True}, ["staging_resource_group_create = true needs staging_resource_group_id"]),
    ({"build_subnet_id": BUILD_SUBNET, "staging_resource_group_id": STAGING}, ["build_subnet_id with staging_resource_group_id needs image_builder_service_principal_object_id"]),
    ({"staging_resource_group_id": STAGING.replace("0001", "0002")}, ["staging_resource_group_id must be in the template's subscription (00000000-0000-0000-0000-000000000001), not 00000000-0000-0000-0000-000000000002"]),
    ({"staging_resource_group_id": f"{SUB}/resourceGroups/AVD-DEV-RG"}, ["staging_resource_group_id must not be the group of resource_group_name (avd-dev-rg)"]),
    ({"build_enabled": False, "lock": {"kind": "CanNotDelete"}, "build_subnet_id": BUILD_SUBNET}, ["build_subnet_id, lock configure the Image Builder template, which build_enabled = false does not create"]),
], ids=["aci-without-build-subnet", "proxy-with-aci", "proxy-without-build-subnet", "aci-in-another-vnet", "aci-is-the-build-subnet",
        "create-without-id", "private-build-in-your-staging-group-without-image-builder", "staging-other-subscription", "staging-is-the-template-group", "template-inputs-without-template"])
def test_each_bad_combination_fails_at_plan_naming_the_inputs(variables, expected):
    with pytest.raises(PlanError) as info:
        workspace(MODULE, "vendored").plan([DEFAULTS], variables)
    errors = _errors(info.value)
    assert len(errors) == len(expected), errors
    for message in expected:
        assert any(message in e for e in errors), (message, errors)


VALIDATION = "validation.in_vm_validations"


@pytest.mark.parametrize("variables,message", [
    ({"validation": {"in_vm_validations": [{"name": "both", "inline": ["exit 0"], "script_uri": "https://example.com/t.ps1", "sha256": "a" * 64}]}}, f"Each {VALIDATION} entry needs exactly one of inline"),
    ({"validation": {"in_vm_validations": [{"name": "neither"}]}}, f"Each {VALIDATION} entry needs exactly one of inline"),
    ({"validation": {"in_vm_validations": [{"name": "no-sum", "script_uri": "https://example.com/t.ps1"}]}}, f"A {VALIDATION} script_uri must be an https:// URI with its sha256"),
    ({"validation": {"in_vm_validations": [{"name": "upper", "script_uri": "https://example.com/t.ps1", "sha256": "A" * 64}]}}, f"A {VALIDATION} script_uri must be an https:// URI with its sha256"),
    ({"validation": {"in_vm_validations": [{"name": "http", "script_uri": "http://example.com/t.ps1", "sha256": "a" * 64}]}}, f"A {VALIDATION} script_uri must be an https:// URI with its sha256"),
    ({"validation": {"in_vm_validations": [{"name": "sum-inline", "inline": ["exit 0"], "sha256": "a" * 64}]}}, "an inline validation needs at least one line and no sha256"),
    ({"validation": {"in_vm_validations": [{"name": "twice", "inline": ["exit 0"]}, {"name": "TWICE", "inline": ["exit 0"]}]}}, f"{VALIDATION} names must be 1-64 characters"),
    ({"error_handling": {"on_validation_error": "keep"}}, "error_handling.on_customizer_error and error_handling.on_validation_error must be \"cleanup\" or \"abort\""),
    ({"lock": {"kind": "None"}}, "The lock level must be one of: 'CanNotDelete' or 'ReadOnly'."),
    ({"role_assignments": {"x": {"role_definition_id_or_name": "Reader", "principal_id": "1", "principal_type": "Robot"}}}, "role_assignments principal_type must be"),
    ({"role_assignments": {"x": {"role_definition_id_or_name": "Reader", "principal_id": "1", "condition": "@Resource[x] StringEquals 'y'"}}}, "role_assignments condition and condition_version go together"),
    ({"build_subnet_id": VNET}, "build_subnet_id must be a subnet resource ID"),
    ({"staging_resource_group_id": f"{SUB}/resourceGroups/bad."}, "staging_resource_group_id must be a resource group ID"),
    ({"managed_resource_tags": {"a/b": "c"}}, "managed_resource_tags must be at most 50 tags"),
    # The edges that are accepted.
    ({"validation": {"source_validation_only": True}}, None),
    ({"role_assignments": {"x": {"role_definition_id_or_name": "Reader", "principal_id": "1", "condition": "c", "condition_version": "2.0", "principal_type": "Group"}}}, None),
    ({"lock": {"kind": "ReadOnly", "name": "keep"}}, None),
], ids=lambda value: None if isinstance(value, dict) else "accepted" if value is None else "refused")
def test_each_new_input_is_validated_with_its_own_message(variables, message):
    ws = workspace(MODULE, "vendored")
    if message is None:
        ws.plan([DEFAULTS], variables)
        return
    with pytest.raises(PlanError) as info:
        ws.plan([DEFAULTS], variables)
    errors = _errors(info.value)
    assert len(errors) == 1, errors
    assert message in errors[0], errors


# --- what the simulated Image Builder and ARM refuse at apply ------------------------------------


def _apply_refused(ws, variables: dict) -> str:
    with pytest.raises(PlanError) as error:
        ws.apply([], variables)
    return " ".join(" ".join(error.value.details).split())


def test_an_isolated_private_build_applies_in_a_staging_group_of_its_own():
    ws = workspace(NETWORK_ROOT, "vendored")
    ws.apply([], {})
    azure = SimulatedAzure(ws.cloud)
    template = azure.resource(f"{SUB}/resourceGroups/avd-images-rg/providers/Microsoft.VirtualMachineImages/imageTemplates/avd-golden-image-private")
    assert template["properties"]["exactStagingResourceGroup"] == template["properties"]["stagingResourceGroup"] == STAGING.replace("avd-image-staging-rg", "avd-images-staging-rg")
    assert template["properties"]["vmProfile"]["vnetConfig"]["containerInstanceSubnetId"].endswith("/subnets/image-build-aci")


@pytest.mark.parametrize("object_id,succeeds", [("00000000-0000-0000-0000-000000000005", True), ("99999999-9999-9999-9999-999999999999", False)],
                         ids=["image-builder", "someone-else"])
def test_a_build_on_your_network_in_your_staging_group_needs_image_builders_own_principal_there(object_id, succeeds):
    """image-builder-json.md ("stagingResourceGroup", IMPORTANT) and image-builder-troubleshoot.md
    ("Authorization error creating disk"): the first-party service principal creates the disks."""
    ws = workspace(NETWORK_ROOT, "vendored")
    ws.apply([], {"image_builder_object_id": object_id})
    staging = f"{SUB}/resourceGroups/avd-images-staging-rg"
    assignment = next(r for r in ws.state()["values"]["root_module"]["child_modules"][0]["resources"]
                      if r["address"] == "module.golden_image.azurerm_role_assignment.image_builder_staging[0]")
    assert assignment["values"]["scope"] == staging and assignment["values"]["principal_id"] == object_id
    azure = SimulatedAzure(ws.cloud)
    azure.image_builder_run("avd-images-rg", "avd-golden-image-private")
    azure.advance(minutes=90)
    status = azure.image_builder_show("avd-images-rg", "avd-golden-image-private")["properties"]["lastRunStatus"]
    if succeeds:
        assert status["runState"] == "Succeeded", status
    else:
        assert status["runState"] == "Failed", status
        assert "does not have authorization to perform action 'Microsoft.Compute/disks/write'" in status["message"]
        assert f"over scope '{staging}/providers/Microsoft.Compute/disks/proxyVmDiskWin_" in status["message"]


def test_an_existing_empty_staging_group_is_taken_and_outlives_the_template():
    ws = workspace(NETWORK_ROOT, "vendored")
    ws.apply([], {"staging": "existing"})
    azure = SimulatedAzure(ws.cloud)
    group = f"{SUB}/resourceGroups/avd-images-staging-rg"
    template_id = f"{SUB}/resourceGroups/avd-images-rg/providers/Microsoft.VirtualMachineImages/imageTemplates/avd-golden-image-private"
    azure.delete(template_id)  # as `az image builder delete`: the group Image Builder did not create stays
    assert azure.resource(template_id) is None and azure.resource(group) is not None


def test_a_staging_group_that_does_not_exist_is_created_by_image_builder_and_deleted_with_the_template(tmp_path):
    """[aib-staging], straight through the service rules: Terraform cannot get here, since the
    module's Contributor assignment needs the group to exist first."""
    from generator.offline import services
    from generator.offline.cloud import Cloud
    from generator.offline.fixture import Fixture

    path = tmp_path / "cloud.json"
    template_id = f"{SUB}/resourceGroups/avd-images-rg/providers/Microsoft.VirtualMachineImages/imageTemplates/t"
    body = {"location": "eastus", "identity": {"type": "UserAssigned", "userAssignedIdentities": {}}, "properties": {
        "source": {"type": "PlatformImage"}, "distribute": [], "stagingResourceGroup": STAGING, "managedResourceTags": {"CostCenter": "x"}}}
    with Cloud.session(path, Fixture.from_env().clock()) as cloud:
        services.request(cloud, "PUT", template_id, body)
        assert cloud.find(STAGING).body["tags"] == {"CostCenter": "x"}
        services.request(cloud, "DELETE", template_id)
        assert cloud.find(STAGING) is None


@pytest.mark.parametrize("variables,message", [
    ({"staging": "occupied"}, "it must be empty, and it holds 1 resource(s), such as"),
    ({"staging": "elsewhere"}, "it is in westeurope, and the staging resource group must be in the image template's region, eastus"),
    ({"second_template": True}, "it is already the staging resource group of image template"),
    ({"aci_delegated": False}, "must be delegated to Microsoft.ContainerInstance/containerGroups"),
    ({"aci_subnet": False, "private_link_policies_enabled": True}, "has Private Link service network policies enabled"),
], ids=["staging-not-empty", "staging-other-region", "staging-shared", "aci-not-delegated", "proxy-subnet-with-private-link-policies"])
def test_image_builder_refuses_what_the_docs_say_it_refuses(variables, message):
    ws = workspace(NETWORK_ROOT, "vendored")
    text = _apply_refused(ws, variables)
    assert "Failed to create/update resource" in text, text
    assert message in text, text


def test_the_proxy_path_applies_with_private_link_policies_off():
    ws = workspace(NETWORK_ROOT, "vendored")
    ws.apply([], {"aci_subnet": False})


def test_a_locked_template_is_still_replaced_and_locked_again():
    """The lock is replaced with the template: a lock left in place would refuse the delete."""
    ws = workspace(NETWORK_ROOT, "vendored")
    ws.apply([], {"lock": {"kind": "CanNotDelete"}})
    plan = summarize(ws.plan([], {"lock": {"kind": "CanNotDelete"}, "error_handling": {"on_customizer_error": "abort"}}))
    assert plan.actions["module.golden_image.azapi_resource.this[0]"] == ["delete", "create"]
    assert plan.actions["module.golden_image.azurerm_management_lock.this[0]"] == ["delete", "create"]
    ws.apply([], {"lock": {"kind": "CanNotDelete"}, "error_handling": {"on_customizer_error": "abort"}})
    azure = SimulatedAzure(ws.cloud)
    template_id = f"{SUB}/resourceGroups/avd-images-rg/providers/Microsoft.VirtualMachineImages/imageTemplates/avd-golden-image-private"
    assert azure.resource(template_id)["properties"]["errorHandling"]["onCustomizerError"] == "abort"
    # ARM does refuse the template's delete while the lock is there.
    with pytest.raises(AzureError) as refused:
        azure.delete(template_id)
    assert refused.value.code == "ScopeLocked" and "because following scope(s) are locked" in refused.value.message
    assert azure.resource(template_id) is not None


def test_a_read_only_lock_refuses_the_patch_as_the_readme_warns():
    ws = workspace(NETWORK_ROOT, "vendored")
    ws.apply([], {"lock": {"kind": "ReadOnly"}})
    text = _apply_refused(ws, {"lock": {"kind": "ReadOnly"}, "image_version": "1.0.1"})  # distribute: a PATCH
    assert "ScopeLocked" in text and "cannot perform write operation because following scope(s) are locked" in text, text


def test_a_build_subnet_added_later_is_patched_and_must_exist():
    """vmProfile is patchable: adding a build subnet to an applied template patches it (no
    replacement), and Image Builder refuses a subnet that does not exist."""
    ws = workspace(MODULE, "vendored")
    ws.apply([DEFAULTS])
    actions = {a: act for a, act in summarize(ws.plan([DEFAULTS], {"build_subnet_id": BUILD_SUBNET})).actions.items() if act != ["no-op"]}
    assert actions[PATCH] == ["update"] and TEMPLATE not in actions
    assert actions["azurerm_role_assignment.build_network[0]"] == ["create"]
    with pytest.raises(PlanError) as error:
        ws.apply([DEFAULTS], {"build_subnet_id": BUILD_SUBNET})
    text = " ".join(" ".join(error.value.details).split())
    assert "Failed to perform action" in text and f"the subnet {BUILD_SUBNET} was not found" in text, text


@pytest.mark.parametrize("continue_distribute,fails,run_state,published", [
    (False, False, "Succeeded", True),
    (False, True, "Failed", False),  # a failed validation stops the distribution
    (True, True, "Failed", True),  # ... unless continue_distribute_on_failure; the run still fails
], ids=["passes", "fails", "fails-but-distributes"])
def test_in_vm_validations_decide_the_distribution(continue_distribute, fails, run_state, published):
    ws = workspace(MODULE, "vendored")
    validation = {"continue_distribute_on_failure": continue_distribute, "in_vm_validations": [
        {"name": "fslogix-installed", "inline": ["if (-not (Test-Path 'C:\\\\Program Files\\\\FSLogix\\\\Apps\\\\frx.exe')) { throw 'FSLogix is missing' }"]},
    ]}
    ws.apply([DEFAULTS], {"validation": validation})
    azure = SimulatedAzure(ws.cloud)
    if fails:
        azure.fail_when("FSLogix is missing")
    azure.image_builder_run("avd-dev-rg", "avd-golden-image-template")
    azure.advance(minutes=90)
    status = azure.image_builder_show("avd-dev-rg", "avd-golden-image-template")["properties"]["lastRunStatus"]
    assert status["runState"] == run_state, status
    if fails:
        assert "Validator 'fslogix-installed' exited with code 1" in status["message"]
    versions = azure.sig_image_version_list("avd-dev-rg", "avd_golden_images", "avd-win11-m365")
    assert [v["name"] for v in versions] == (["1.0.0"] if published else [])


@pytest.mark.parametrize("error_handling,kept", [(None, False), ({"on_customizer_error": "abort"}, True), ({"on_validation_error": "abort"}, False)],
                         ids=["cleanup", "abort", "abort-on-validation-only"])
def test_abort_keeps_the_failed_build_vm_until_the_template_goes(error_handling, kept):
    """The README's "When a build fails": abort leaves the build VM (and its disk and NIC) in the
    staging group; deleting the template deletes what Image Builder created there."""
    ws = workspace(MODULE, "vendored")
    variables = {"inline_scripts": {"install": ["Install-Thing -Name app"]}, "error_handling": error_handling}
    ws.apply([DEFAULTS], variables)
    azure = SimulatedAzure(ws.cloud)
    azure.fail_when("Install-Thing")
    azure.image_builder_run("avd-dev-rg", "avd-golden-image-template")
    azure.advance(minutes=90)
    template = azure.image_builder_show("avd-dev-rg", "avd-golden-image-template")["properties"]
    assert template["lastRunStatus"]["runState"] == "Failed" and "Customizer 'install' exited with code 1" in template["lastRunStatus"]["message"]
    staging = template["exactStagingResourceGroup"].lower()
    left = [r["id"] for t in ("Microsoft.Compute/virtualMachines", "Microsoft.Compute/disks", "Microsoft.Network/networkInterfaces")
            for r in azure.resources(t) if r["id"].lower().startswith(staging + "/")]
    assert len(left) == (3 if kept else 0), left
    ws.destroy([DEFAULTS], variables)
    assert not [r for r in azure.resources("Microsoft.Compute/virtualMachines") if r["id"].lower().startswith(staging + "/")]
