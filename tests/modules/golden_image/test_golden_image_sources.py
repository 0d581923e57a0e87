"""golden_image's layered sources, download checksums, build VM identities, opt-in build and AVD's
built-in scripts (issue 11, items 4-7) through real `terraform plan` and the offline provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.harness.plan import PlanError, summarize
from plan_plugin import workspace
from project_paths import REPO

HERE = Path(__file__).parent
MODULE = REPO / "modules/golden_image"
TEMPLATE = "azapi_resource.this[0]"
GROUPS = {"Image Sources", "Build Integrity", "Build on Apply", "AVD Built-in Scripts"}
PIN = "https://raw.githubusercontent.com/Azure/RDS-Templates/483f195526309452a943cbc4ff2bbb5f12b4d37b/CustomImageTemplateScripts/CustomImageTemplateScripts_2024-03-27/"

pytestmark = pytest.mark.plan


def _errors(error: PlanError) -> list[str]:
    text = " ".join(" ".join(error.details).split())
    return [block for block in text.split("Error: ")[1:]]


def _plan_error(var_file: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        workspace(MODULE, "vendored").plan([HERE / var_file])
    return _errors(info.value)


@pytest.fixture(scope="module")
def layered():
    return summarize(workspace(MODULE, "vendored").plan([HERE / "layered_sources.tfvars"]))


def test_a_gallery_source_is_a_shared_image_version_read_with_the_gallery_reads(layered):
    properties = layered.values[TEMPLATE]["body"]["properties"]
    source_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/base-rg/providers/Microsoft.Compute/galleries/base_images"
    assert properties["source"] == {"type": "SharedImageVersion", "imageVersionId": f"{source_id}/images/win11-base/versions/latest"}
    role = layered.values["azurerm_role_definition.source_reader[0]"]
    assert role["permissions"][0]["actions"] == [
        "Microsoft.Compute/galleries/read",
        "Microsoft.Compute/galleries/images/read",
        "Microsoft.Compute/galleries/images/versions/read",
    ]
    assert role["assignable_scopes"] == ["/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/base-rg"]
    assert layered.values["azurerm_role_assignment.source_reader[0]"]["scope"] == source_id


def test_every_download_carries_a_checksum_and_files_come_first(layered):
    steps = layered.values[TEMPLATE]["body"]["properties"]["customize"]
    downloads = [s for s in steps if "scriptUri" in s or s["type"] == "File"]
    assert len(downloads) == 16  # a file, a script URI and the 14 built-in scripts
    assert all(len(s["sha256Checksum"]) == 64 for s in downloads), downloads
    names = [s["name"] for s in steps]
    assert names[0] == "app-config" and steps[0]["destination"] == "C:\\Temp\\app-config.json"
    assert names.index("10-disable-ie") < names.index("avdBuiltInScript_installLanguagePacks") < names.index("install-app")
    assert steps[names.index("install-app")]["sha256Checksum"] == "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"


def test_the_builtin_scripts_run_pinned_in_the_docs_order_with_quoted_arguments(layered):
    steps = [s for s in layered.values[TEMPLATE]["body"]["properties"]["customize"] if s["name"].startswith("avdBuiltInScript_")]
    assert [s["name"] for s in steps] == [
        "avdBuiltInScript_installLanguagePacks", "avdBuiltInScript_installLanguagePacks-parameter", "avdBuiltInScript_installLanguagePacks-windowsRestart",
        "avdBuiltInScript_setDefaultLanguage", "avdBuiltInScript_setDefaultLanguage-parameter",
        "avdBuiltInScript_timeZoneRedirection", "avdBuiltInScript_disableStorageSense",
        "avdBuiltInScript_enableFsLogix", "avdBuiltInScript_enableFsLogix-parameter", "avdBuiltInScript_fsLogixKerberos",
        "avdBuiltInScript_configureRdpShortpath",
        "avdBuiltInScript_screenCaptureProtection", "avdBuiltInScript_screenCaptureProtection-parameter",
        "avdBuiltInScript_teamsOptimization", "avdBuiltInScript_teamsOptimization-parameter",
        "avdBuiltInScript_multiMediaRedirection", "avdBuiltInScript_multiMediaRedirection-parameter",
        "avdBuiltInScript_configureSessionTimeouts", "avdBuiltInScript_configureSessionTimeouts-parameter",
        "avdBuiltInScript_configureOfficeApps", "avdBuiltInScript_configureOfficeApps-parameter",
        "avdBuiltInScript_windowsOptimization", "avdBuiltInScript_windowsOptimization-parameter", "avdBuiltInScript_windowsOptimization-windowsRestart",
        "avdBuiltInScript_removeAppxPackages", "avdBuiltInScript_removeAppxPackages-parameter",
    ]
    by_name = {s["name"]: s for s in steps}
    assert by_name["avdBuiltInScript_timeZoneRedirection"]["scriptUri"] == PIN + "TimezoneRedirection.ps1"
    assert by_name["avdBuiltInScript_timeZoneRedirection"]["sha256Checksum"] == "b8dbc50b02f64cc7a99f6eeb7ada676673c9e431255e69f3e7a97a027becd8d5"
    assert by_name["avdBuiltInScript_enableFsLogix"]["sourceUri"] == PIN + "FSLogix.ps1"
    assert by_name["avdBuiltInScript_enableFsLogix"]["destination"] == "C:\\AVDImage\\FSLogix.ps1"
    # Language codes become the scripts' names, single-quoted (the ',' inside a name stays inside).
    assert by_name["avdBuiltInScript_installLanguagePacks-parameter"]["inline"] == [
        "& 'C:\\AVDImage\\InstallLanguagePacks.ps1' -LanguageList 'German (Germany)','Norwegian, Bokmål (Norway)'"
    ]
    assert by_name["avdBuiltInScript_enableFsLogix-parameter"]["inline"] == [
        "& 'C:\\AVDImage\\FSLogix.ps1' -FSLogixInstaller 'https://aka.ms/fslogix_download' -VHDSize '30000' -ProfilePath '\\\\stavdprofiles.file.core.windows.net\\profiles'"
    ]
    # fResetBroken ends the script's parameter loop, so it comes last.
    assert by_name["avdBuiltInScript_configureSessionTimeouts-parameter"]["inline"] == [
        "& 'C:\\AVDImage\\ConfigureSessionTimeoutsV2.ps1' -MaxIdleTime '60' -fResetBroken '1'"
    ]
    assert by_name["avdBuiltInScript_configureOfficeApps-parameter"]["inline"] == [
        "& 'C:\\AVDImage\\ConfigureOfficeApps.ps1' -Applications 'Visio','Project' -Version '64' -Type 'Add'"
    ]


def test_build_vm_identities_reach_the_vm_profile_with_managed_identity_operator(layered):
    identity = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/avd-build-vm"
    assert layered.values[TEMPLATE]["body"]["properties"]["vmProfile"]["userAssignedIdentities"] == [identity]
    assert layered.values["azapi_resource_action.update[0]"]["body"]["properties"]["vmProfile"]["userAssignedIdentities"] == [identity]
    operator = layered.values[f'azurerm_role_assignment.build_vm_identity_operator["{identity}"]']
    assert (operator["scope"], operator["role_definition_name"]) == (identity, "Managed Identity Operator")


def test_build_on_apply_runs_the_template_after_the_roles(layered):
    build = layered.values["azapi_resource_action.build[0]"]
    assert (build["action"], build["method"]) == ("run", "POST")
    assert build["resource_id"].endswith("/providers/Microsoft.VirtualMachineImages/imageTemplates/avd-golden-image-template")
    assert build["timeouts"]["create"] == "300m"  # build_timeout_minutes 240 + 60
    assert layered.values["terraform_data.build_trigger[0]"]["triggers_replace"] == "2026-12-01"
    output = layered.values["azapi_resource_action.build_output[0]"]
    assert output["method"] == "GET" and output["resource_id"].endswith("/runOutputs/avd-golden-image-template")


def test_defaults_add_nothing():
    summary = summarize(workspace(MODULE, "vendored").plan([HERE / "defaults.tfvars"]))
    assert not [a for a in summary.values if "source_reader" in a or "build_vm_identity" in a or "build_trigger" in a or a.startswith("azapi_resource_action.build")]
    properties = summary.values[TEMPLATE]["body"]["properties"]
    assert "userAssignedIdentities" not in properties["vmProfile"]
    assert not any("sha256Checksum" in s or s["name"].startswith("avdBuiltInScript_") for s in properties["customize"])


def test_a_paid_marketplace_image_carries_its_plan():
    summary = summarize(workspace(MODULE, "vendored").plan([HERE / "marketplace_plan.tfvars"]))
    source = summary.values[TEMPLATE]["body"]["properties"]["source"]
    assert source["planInfo"] == {"planName": "cis-windows-11-l1-gen2", "planProduct": "cis-windows-11-l1", "planPublisher": "center-for-internet-security-inc"}
    assert source["type"] == "PlatformImage"


def test_two_sources_fail_naming_both_inputs():
    errors = _plan_error("two_sources.tfvars")
    assert len(errors) == 3, errors
    assert any("source_image_version_id and source_managed_image_id are both set" in e for e in errors)
    assert any("base_image_plan is set together with source_image_version_id" in e for e in errors)
    assert any("base_image_publisher, base_image_offer, base_image_sku or base_image_version is set together with source_image_version_id" in e for e in errors)


def test_an_unknown_checksum_key_and_a_foreign_managed_image_fail():
    errors = _plan_error("unknown_checksum_key.tfvars")
    assert len(errors) == 2, errors
    assert any("script_uri_sha256 has keys that are not in script_uris: install-ap;" in e for e in errors)
    assert any("source_managed_image_id is in subscription 11111111-1111-1111-1111-111111111111" in e for e in errors)


def test_an_unknown_builtin_script_option_fails():
    errors = _plan_error("unknown_builtin_option.tfvars")
    assert len(errors) == 1 and "another name is not a built-in script option" in errors[0], errors


def test_an_unknown_language_fails():
    errors = _plan_error("bad_language.tfvars")
    assert len(errors) == 1 and "must be language codes the built-in scripts support" in errors[0], errors


def test_each_new_validation_fires_with_its_own_message():
    catalog = load_catalog(REPO / "catalog/golden_image.yaml", REPO)
    errors = _plan_error("invalid_sources.tfvars")
    validated = [(v.name, check.error_message) for v in catalog.variables if v.group in GROUPS for check in v.validations]
    assert len(validated) == 18
    for name, message in validated:
        expected = " ".join(message.split())
        assert [e for e in errors if f"var.{name}" in e and expected in e], f"no error for var.{name} with {message!r}"
    assert len(errors) == len(validated)


def test_build_on_apply_needs_a_template():
    with pytest.raises(PlanError) as info:
        workspace(MODULE, "vendored").plan([HERE / "defaults.tfvars"], {"build_on_apply": True, "build_enabled": False})
    assert any("build_on_apply = true needs build_enabled = true" in e for e in _errors(info.value))


def _value(output):
    return output["value"] if isinstance(output, dict) and "value" in output else output


def test_build_on_apply_waits_for_the_build_and_rebuilds_only_when_the_trigger_changes():
    ws = workspace(MODULE, "vendored")
    variables = {"build_on_apply": True, "build_trigger": "2026-12-01", "image_versioning": "latest"}
    outputs = ws.apply([HERE / "defaults.tfvars"], variables)
    definition = _value(outputs["image_definition_id"])
    # The apply polled the run until the build ended (simulated time): the first version of MAJOR 1.
    assert _value(outputs["build_artifact_id"]) == f"{definition}/versions/1.0.0"
    # The same inputs, or a changed step (the template is replaced), start no build.
    for changed in ({}, {"inline_scripts": {"tz": ["Set-TimeZone -Id 'UTC'"]}}):
        actions = summarize(ws.plan([HERE / "defaults.tfvars"], {**variables, **changed})).actions
        assert actions["azapi_resource_action.build[0]"] == ["no-op"], (changed, actions)
    # A new trigger builds again, and the output follows the new run.
    outputs = ws.apply([HERE / "defaults.tfvars"], {**variables, "build_trigger": "2027-01-01"})
    assert _value(outputs["build_artifact_id"]) == f"{definition}/versions/1.0.1"


def test_a_failed_build_on_apply_fails_the_apply():
    ws = workspace(MODULE, "vendored")
    # A pinned version that a build published already: Image Builder's distribution fails.
    variables = {"build_on_apply": True, "build_trigger": "one"}
    ws.apply([HERE / "defaults.tfvars"], variables)
    with pytest.raises(PlanError) as info:
        ws.apply([HERE / "defaults.tfvars"], {**variables, "build_trigger": "two"})
    text = " ".join(" ".join(info.value.details).split())
    assert "Failed to perform action" in text and "already exists; an image version can be published only once" in text, text


def test_a_missing_source_version_fails_the_build():
    ws = workspace(MODULE, "vendored")
    definition = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_golden_images/images/avd-win11-m365"
    # The module's own definition exists once applied, with no version yet: /versions/latest has nothing.
    ws.apply([HERE / "defaults.tfvars"])
    with pytest.raises(PlanError) as info:
        ws.apply([HERE / "defaults.tfvars"], {"build_on_apply": True, "build_trigger": "x", "source_image_version_id": f"{definition}/versions/latest"})
    text = " ".join(" ".join(info.value.details).split())
    assert f"the source image version {definition}/versions/latest was not found" in text, text


def test_a_layered_build_reads_its_source_with_the_source_role():
    from generator.offline.simulator import SimulatedAzure

    ws = workspace(MODULE, "vendored")
    base = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/base-rg/providers/Microsoft.Compute/galleries/base_images/images/win11-base"
    azure = SimulatedAzure(ws.cloud)
    azure.image_version(f"{base}/versions/1.0.0", ["eastus"])
    variables = {"build_on_apply": True, "build_trigger": "x", "source_image_version_id": f"{base}/versions/latest"}
    outputs = ws.apply([HERE / "defaults.tfvars"], variables)
    assert _value(outputs["build_artifact_id"]).endswith("/images/avd-win11-m365/versions/1.0.0")
    # Without the role on the source gallery (removed outside Terraform), the next build fails
    # in Image Builder's validation.
    from generator.offline.cloud import Cloud

    with Cloud.session(Path(ws.cloud), azure.base_now) as cloud:
        gallery = base.lower().rsplit("/images/", 1)[0]
        for key in [k for k in cloud.data["resources"] if k.startswith(gallery + "/providers/microsoft.authorization/roleassignments/")]:
            del cloud.data["resources"][key]
    azure.image_builder_run("avd-dev-rg", "avd-golden-image-template")
    azure.advance(minutes=90)
    status = azure.image_builder_show("avd-dev-rg", "avd-golden-image-template")["properties"]["lastRunStatus"]
    assert status["runState"] == "Failed"
    assert "does not have authorization to perform action 'Microsoft.Compute/galleries/images/versions/read'" in status["message"], status


def test_a_managed_image_in_another_region_fails_the_build():
    from datetime import datetime, timezone

    from generator.offline import services
    from generator.offline.cloud import Cloud, Record

    cloud = Cloud({}, datetime(2026, 1, 1, tzinfo=timezone.utc))
    rg = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg"
    image_id = f"{rg}/providers/Microsoft.Compute/images/win11-base"
    template_id = f"{rg}/providers/Microsoft.VirtualMachineImages/imageTemplates/t"
    for location, verdict in (("westus", "Failed"), ("eastus", "Succeeded")):
        cloud.store(Record(image_id, "Microsoft.Compute/images", {"id": image_id, "location": location}, {}))
        services.request(cloud, "DELETE", template_id, None, "2024-02-01")
        services.request(cloud, "PUT", template_id, {"location": "eastus", "properties": {"source": {"type": "ManagedImage", "imageId": image_id}, "customize": [], "distribute": []}}, "2024-02-01")
        services.request(cloud, "POST", f"{template_id}/run", {}, "2024-02-01")
        cloud.advance(services.BUILD_MINUTES * 60 + 1)
        status = cloud.find(template_id).body["properties"]["lastRunStatus"]
        assert status["runState"] == verdict, status
    cloud.store(Record(image_id, "Microsoft.Compute/images", {"id": image_id, "location": "westus"}, {}))
    services.request(cloud, "POST", f"{template_id}/run", {}, "2024-02-01")
    cloud.advance(services.BUILD_MINUTES * 60 + 1)
    assert "is in westus, but the template is in eastus" in cloud.find(template_id).body["properties"]["lastRunStatus"]["message"]


def test_build_on_apply_waits_out_a_build_already_running():
    from generator.offline.simulator import SimulatedAzure

    ws = workspace(MODULE, "vendored")
    ws.apply([HERE / "defaults.tfvars"], {"image_versioning": "latest"})
    azure = SimulatedAzure(ws.cloud)
    azure.image_builder_run("avd-dev-rg", "avd-golden-image-template")  # a pipeline's build
    outputs = ws.apply([HERE / "defaults.tfvars"], {"image_versioning": "latest", "build_on_apply": True, "build_trigger": "x"})
    # The pipeline's build published 1.0.0; the apply's own build came after it.
    assert _value(outputs["build_artifact_id"]).endswith("/versions/1.0.1")


def test_an_env_sets_them_in_its_golden_image_object():
    golden_image = {
        "gallery_name": "avd_dev_images", "image_definition_name": "avd-win11-dev", "image_template_name": "avd-dev-template",
        "avd_builtin_scripts": {"time_zone_redirection": True},
        "script_uris": {"install-app": "https://example.blob.core.windows.net/s/Install-App.ps1"},
        "script_uri_sha256": {"install-app": "a" * 64},
        "build_vm_identity_ids": ["/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/build-vm"],
    }
    summary = summarize(workspace(REPO / "envs/dev", "vendored").plan([REPO / "tests/offline-secrets.tfvars"], {"golden_image": golden_image}))
    properties = summary.values["module.golden_image[0].azapi_resource.this[0]"]["body"]["properties"]
    by_name = {s["name"]: s for s in properties["customize"]}
    assert by_name["avdBuiltInScript_timeZoneRedirection"]["scriptUri"] == PIN + "TimezoneRedirection.ps1"
    assert by_name["install-app"]["sha256Checksum"] == "a" * 64
    assert properties["vmProfile"]["userAssignedIdentities"] == golden_image["build_vm_identity_ids"]
    # A misspelt built-in setting fails in the env as in the module.
    with pytest.raises(PlanError) as info:
        workspace(REPO / "envs/dev", "vendored").plan([REPO / "tests/offline-secrets.tfvars"], {"golden_image": {**golden_image, "avd_builtin_scripts": {"timezone_redirection": True}}})
    assert any("another name is not a built-in script option" in e for e in _errors(info.value))
