"""golden_image through real `terraform plan`/`apply` and the offline provider: validations,
preconditions, immutability of the Image Builder template, and the seed's production example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.harness.plan import PlanError, summarize
from plan_plugin import workspace
from project_paths import REPO

HERE = Path(__file__).parent
MODULE = REPO / "modules/golden_image"
DEFAULTS = HERE / "defaults.tfvars"
TEMPLATE = "azapi_resource.this[0]"
PATCH = "azapi_resource_action.update[0]"

pytestmark = pytest.mark.plan


def _errors(error: PlanError) -> list[str]:
    """Terraform's diagnostics, one whitespace-normalised string per `Error:` block."""
    text = " ".join(" ".join(error.details).split())
    return [block for block in text.split("Error: ")[1:]]


def _plan_error(var_file: Path) -> list[str]:
    with pytest.raises(PlanError) as info:
        workspace(MODULE, "vendored").plan([var_file])
    return _errors(info.value)


def test_each_validation_fires_with_its_own_message():
    catalog = load_catalog(REPO / "catalog/golden_image.yaml", REPO)
    errors = _plan_error(HERE / "invalid_values.tfvars")
    # Issue 11's sources, integrity and built-in script inputs: test_golden_image_sources.py.
    issue_11 = {"Image Sources", "Build Integrity", "Build on Apply", "AVD Built-in Scripts"}
    validated = [(v.name, check.error_message) for v in catalog.variables if v.group not in issue_11 for check in v.validations]
    assert len(validated) == 46  # 33, plus 13 for issue 11's network, staging, error handling and AVM inputs
    for name, message in validated:
        expected = " ".join(message.split())
        matching = [e for e in errors if f"var.{name} is" in e and expected in e]
        assert matching, f"no error for var.{name} with {message!r}"
    assert len(errors) == len(validated)


@pytest.mark.parametrize("image_version,accepted", [
    ("2026.01.0", True),
    ("0.0.2147483647", True),
    ("1.1.0-beta", False),
    ("1.0", False),
    ("2147483648.0.0", False),
    ("v1.0.0", False),
])
def test_image_version_rule(tmp_path, image_version, accepted):
    ws = workspace(MODULE, "vendored")
    if accepted:
        values = summarize(ws.plan([DEFAULTS], {"image_version": image_version})).values
        assert values[TEMPLATE]["body"]["properties"]["distribute"][0]["galleryImageId"].endswith(f"/versions/{image_version}")
    else:
        with pytest.raises(PlanError) as info:
            ws.plan([DEFAULTS], {"image_version": image_version})
        assert any("image_version must be three dot-separated whole numbers" in e for e in _errors(info.value))


def test_contradicting_image_settings_fail_with_their_own_messages():
    errors = _plan_error(HERE / "conflicting_image.tfvars")
    assert len(errors) == 2
    assert any('trusted_launch_supported = true needs hyper_v_generation = "V2"' in e for e in errors)
    assert any("gallery_name must be the name of the gallery in existing_gallery_id" in e for e in errors)


def test_two_spellings_with_different_values_fail_naming_both():
    errors = _plan_error(HERE / "conflicting_spellings.tfvars")
    assert len(errors) == 2
    assert any("vm_size = 'Standard_D4s_v5' and build_vm_size = 'Standard_D8s_v5' are two spellings of one setting" in e for e in errors)
    assert any("storage_account_type = 'Standard_LRS' and gallery_image_storage_account_type = 'Standard_ZRS' are two spellings" in e for e in errors)


def test_either_spelling_alone_works():
    ws = workspace(MODULE, "vendored")
    for variables in ({"build_vm_size": "Standard_D8s_v5"}, {"vm_size": "Standard_D8s_v5"}, {"vm_size": "Standard_D8s_v5", "build_vm_size": "Standard_D8s_v5"}):
        body = summarize(ws.plan([DEFAULTS], variables)).values[TEMPLATE]["body"]["properties"]
        assert body["vmProfile"]["vmSize"] == "Standard_D8s_v5", variables


@pytest.fixture(scope="module")
def applied():
    """The module applied (offline) with its defaults; plans below are changes against it."""
    ws = workspace(MODULE, "vendored")
    ws.apply([DEFAULTS])
    return ws


def _actions(ws, variables) -> dict[str, list[str]]:
    return {a: act for a, act in summarize(ws.plan([DEFAULTS], variables)).actions.items() if act != ["no-op"]}


@pytest.mark.parametrize("variables", [
    {"chocolatey_packages": ["7zip"]},  # customize
    {"inline_scripts": {"tz": ["Set-TimeZone -Id 'UTC'"]}},  # customize
    {"base_image_sku": "win11-23h2-avd-m365"},  # source
    {"build_timeout_minutes": 300},  # buildTimeoutInMinutes
])
def test_changing_an_immutable_part_replaces_the_template(applied, variables):
    # The PATCH runs again against the new template (its resource_id is known after apply).
    assert _actions(applied, variables) == {TEMPLATE: ["delete", "create"], PATCH: ["update"]}


@pytest.mark.parametrize("variables", [
    {"image_version": "1.0.1"},  # distribute
    {"replication_regions": ["westus2"], "replica_count": 2},  # distribute
    {"exclude_from_latest": True},  # distribute
    {"image_versioning": "latest"},  # distribute: the definition, numbered by Image Builder
    {"vm_size": "Standard_D8s_v5", "os_disk_size_gb": 256},  # vmProfile
    {"tags": {"Owner": "avd"}},  # tags (other resources are tagged too)
])
def test_changing_only_patchable_parts_is_patched_not_replaced(applied, variables):
    # azapi_resource would update with PUT, which Image Builder refuses: the template stays as
    # it is and the PATCH action carries the change.
    actions = _actions(applied, variables)
    assert TEMPLATE not in actions, actions
    assert actions[PATCH] == ["update"]
    assert all(act == ["update"] for act in actions.values()), actions


def test_the_patch_carries_exactly_the_patchable_parts(applied):
    plan = summarize(applied.plan([DEFAULTS], {"image_version": "1.0.1", "vm_size": "Standard_D8s_v5"}))
    body = plan.values[PATCH]["body"]
    assert set(body) == {"identity", "tags", "properties"}
    assert set(body["properties"]) == {"distribute", "vmProfile"}
    assert body["properties"]["distribute"][0]["galleryImageId"].endswith("/versions/1.0.1")
    assert body["properties"]["vmProfile"] == {"vmSize": "Standard_D8s_v5", "osDiskSizeGB": 127}
    assert plan.values[PATCH]["method"] == "PATCH"


def test_no_change_plans_nothing(applied):
    assert _actions(applied, {}) == {}


def test_production_example_matches_the_seed():
    ws = workspace(REPO / "modules/golden_image/examples/production", "vendored")
    plan = summarize(ws.plan([]))
    body = plan.values[f"module.golden_image.{TEMPLATE}"]["body"]["properties"]
    assert [(s.type, s.name) for s in plan.build_steps[f"module.golden_image.{TEMPLATE}"]] == [
        ("WindowsRestart", "restart-before-windows-update"),  # a pending restart fails Windows Update
        ("WindowsUpdate", "windows-update"),
        ("PowerShell", "configure-edge"),  # inline scripts, in key order
        ("PowerShell", "disable-ie"),
        ("PowerShell", "install-fslogix"),  # script URIs
        ("PowerShell", "install-chocolatey"),
        ("PowerShell", "install-chocolatey-packages"),
        ("WindowsRestart", "restart-after-chocolatey"),  # packages may exit 3010
        ("PowerShell", "cleanup"),
    ]
    assert all(s.get("runElevated") and s.get("runAsSystem") for s in body["customize"] if s["type"] == "PowerShell")
    assert [r["name"] for r in body["distribute"][0]["targetRegions"]] == ["eastus", "westus2", "centralus"]
    assert body["vmProfile"]["vmSize"] == "Standard_D8s_v5"
    assert body["buildTimeoutInMinutes"] == 300
    assert re.search(r"/images/avd-win11-m365-prod/versions/2\.1\.0$", body["distribute"][0]["galleryImageId"])
    update = next(s for s in body["customize"] if s["type"] == "WindowsUpdate")
    assert "exclude:$_.Title -like '*Preview*'" in update["filters"]


def test_latest_versioning_distributes_to_the_definition_within_the_major():
    plan = summarize(workspace(MODULE, "vendored").plan([HERE / "latest_versioning.tfvars"]))
    definition = plan.outputs["image_definition_id"]
    for address in (TEMPLATE, PATCH):
        (target,) = plan.values[address]["body"]["properties"]["distribute"]
        assert target["galleryImageId"] == definition, address
        assert target["versioning"] == {"scheme": "Latest", "major": 2}, address
    # The pinned reference still names image_version: what pinned session hosts would use.
    assert plan.outputs["image_version_id"] == f"{definition}/versions/2.3.0"


def test_pinned_versioning_sends_no_versioning():
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS]))
    (target,) = plan.values[TEMPLATE]["body"]["properties"]["distribute"]
    assert target["galleryImageId"] == plan.outputs["image_version_id"]
    assert "versioning" not in target


def test_a_new_image_identity_replaces_the_definition_unless_terraform_forgets_it():
    """The README's "Changing the image definition": a new generation plans a delete of the
    definition (which Azure refuses while it has versions); after `terraform state rm` of the old
    definition, a new name and identifier create the new one beside it and patch the template."""
    ws = workspace(MODULE, "vendored")
    ws.apply([DEFAULTS])
    actions = summarize(ws.plan([DEFAULTS], {"hyper_v_generation": "V1"})).actions
    assert actions["azurerm_shared_image.this"] == ["delete", "create"]
    ws.state_rm("azurerm_shared_image.this")
    move = {"hyper_v_generation": "V1", "image_definition_name": "avd-win11-m365-v1", "image_sku": "Win11-M365-V1"}
    plan = summarize(ws.plan([DEFAULTS], move))
    changed = {a: act for a, act in plan.actions.items() if act != ["no-op"]}
    assert changed == {"azurerm_shared_image.this": ["create"], PATCH: ["update"]}
    (target,) = plan.values[PATCH]["body"]["properties"]["distribute"]
    assert "/images/avd-win11-m365-v1/versions/" in target["galleryImageId"]


def test_the_template_waits_for_the_role_assignment_unless_told_not_to():
    ws = workspace(MODULE, "vendored")
    plan = ws.plan([DEFAULTS])
    resources = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    assert "time_sleep.rbac_propagation" in resources["azapi_resource.this"]["depends_on"]  # configuration addresses: no index
    wait = resources["time_sleep.rbac_propagation"]["expressions"]
    # Plus issue 11's assignments (build network, staging group), none by default.
    assert wait["triggers"]["references"] == ["azurerm_role_assignment.this[0].id", "azurerm_role_assignment.this[0]", "azurerm_role_assignment.this", "local.extra_role_assignment_ids"]
    # 300 s: what Microsoft's AVM image builder module waits (120 s was short for AIB's check).
    assert summarize(plan).values["time_sleep.rbac_propagation[0]"]["create_duration"] == "300s"
    assert "time_sleep" not in summarize(ws.plan([DEFAULTS], {"rbac_propagation_seconds": 0})).counts


def test_every_powershell_step_fails_on_its_first_failed_command():
    """Image Builder fails a build only on a step's last exit code, so each generated step stops
    at a failed cmdlet and checks every native program's exit code (issue 10)."""
    every_step = {"install_windows_updates": True}  # all_customizations has every other step on
    plan = summarize(workspace(MODULE, "vendored").plan([HERE / "all_customizations.tfvars"], every_step))
    steps = plan.values[TEMPLATE]["body"]["properties"]["customize"]
    assert {s["type"] for s in steps} == {"WindowsRestart", "WindowsUpdate", "PowerShell"}
    for step in steps:
        if step["type"] != "PowerShell" or "scriptUri" in step:
            continue
        lines = step["inline"]
        if step["name"] == "cleanup":
            # Best-effort by design: every command ignores its own errors, and the step says so.
            assert lines[-1] == "exit 0" and all("SilentlyContinue" in line or "2>$null" in line for line in lines[:-1])
            continue
        assert lines[0] == "$ErrorActionPreference = 'Stop'", step["name"]
        for at, line in enumerate(lines):
            if "choco.exe\" install" in line:
                assert lines[at + 1] == "if ($LASTEXITCODE -notin 0, 3010) { exit $LASTEXITCODE }", line
    names = [s["name"] for s in steps]
    # A pending restart fails Windows Update (0x80240016); packages may ask for one (3010).
    assert names.index("restart-before-windows-update") + 1 == names.index("windows-update")
    assert names.index("restart-after-customization") == names.index("install-chocolatey-packages") + 1
    assert "Test-Path" in steps[names.index("install-chocolatey")]["inline"][-1]  # the bootstrap really installed choco


def test_changes_during_a_build_wait_for_it_instead_of_failing():
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS], {"build_timeout_minutes": 300}))
    for address, timeout in ((TEMPLATE, "delete"), (PATCH, "create")):
        values = plan.values[address]
        assert values["retry"]["error_message_regex"] == ["OperationNotAllowed"], address
        assert values["timeouts"][timeout] == "360m", address  # the build's limit + 60 minutes


def test_without_a_build_only_the_gallery_the_definition_and_the_copies_remain():
    """Promotion: an image whose versions are copied from another gallery builds nothing here."""
    source = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/dev/images/d/versions/1.2.0"
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS], {
        "build_enabled": False, "copied_versions": {"1.2.0": {"source_version_id": source}}, "replication_regions": ["westus2"],
    }))
    assert dict(plan.counts) == {"azurerm_shared_image_gallery": 1, "azurerm_shared_image": 1, "azapi_resource": 1}
    copy = plan.values['azapi_resource.copied_version["1.2.0"]']
    assert copy["type"] == "Microsoft.Compute/galleries/images/versions@2024-03-03" and copy["name"] == "1.2.0"
    assert copy["body"]["properties"]["storageProfile"] == {"source": {"id": source}}
    regions = copy["body"]["properties"]["publishingProfile"]["targetRegions"]
    assert regions == [{"name": r, "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS"} for r in ("eastus", "westus2")]
    assert plan.outputs["build_command_cli"] is None and plan.outputs["template_name"] is None
    assert copy["body"]["properties"]["publishingProfile"]["excludeFromLatest"] is False
    # A copy takes the image's exclude_from_latest unless it says otherwise.
    plan = summarize(workspace(MODULE, "vendored").plan([DEFAULTS], {
        "build_enabled": False, "exclude_from_latest": True,
        "copied_versions": {"1.2.0": {"source_version_id": source}, "1.3.0": {"source_version_id": source.replace("1.2.0", "1.3.0"), "exclude_from_latest": False}},
    }))
    excluded = {name: plan.values[f'azapi_resource.copied_version["{name}"]']["body"]["properties"]["publishingProfile"]["excludeFromLatest"] for name in ("1.2.0", "1.3.0")}
    assert excluded == {"1.2.0": True, "1.3.0": False}


# --- what Azure accepts (issue 14's input audit) ---------------------------------------------------
# Each rule refuses the value Azure would refuse, with its own message, at plan; the value at the
# edge of what Azure takes plans. Every case plans in the one initialised copy of the module.
SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
GALLERY = f"{SUBSCRIPTION}/resourceGroups/shared-rg/providers/Microsoft.Compute/galleries/avd_golden_images"
SOURCE_VERSION = f"{SUBSCRIPTION}/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/dev/images/d/versions/1.2.0"
COPY = {"build_enabled": False}
TAGS = "tags must be at most 50 tags, with names of at most 512 characters and none of <, >, %, &, \\, ? or /"
GENERATION_2 = 'runs Generation 1 VMs only, but hyper_v_generation = "V2"'
DISK = "is smaller than the 127 GB OS disk of the office-365 source image, and Image Builder can only grow it"


@pytest.mark.parametrize("variables,message", [
    # The template's identity is named after it, and identity names start with a letter or digit.
    ({"image_template_name": "-avd-template"}, "image_template_name must be 1-64 characters of letters, digits, '-', '_' and '.'"),
    ({"image_template_name": "_avd"}, "starting with a letter or digit (it also names the template's identity)"),
    ({"image_template_name": "1" + "a._-" * 15 + "abc"}, None),
    # A gallery ID's subscription is a GUID; a gallery image (or another resource) is no gallery.
    ({"existing_gallery_id": GALLERY.replace("00000000-0000-0000-0000-000000000001", "my-subscription")}, "existing_gallery_id must be a gallery resource ID"),
    ({"existing_gallery_id": f"{GALLERY}/images/avd-win11-m365"}, "existing_gallery_id must be a gallery resource ID"),
    ({"existing_gallery_id": GALLERY}, None),
    # Copied versions: the name is a gallery version of 32-bit numbers, the source a version's ID.
    ({**COPY, "copied_versions": {"2147483648.0.0": {"source_version_id": SOURCE_VERSION}}}, "copied_versions keys must be gallery image versions such as \"1.2.0\": three dot-separated whole numbers, each at most 2147483647."),
    ({**COPY, "copied_versions": {"2147483647.0.1": {"source_version_id": SOURCE_VERSION}}}, None),
    ({**COPY, "copied_versions": {"1.2.0": {"source_version_id": SOURCE_VERSION.replace("/galleries/dev/images/d/versions/1.2.0", "/disks/build-os-disk")}}}, "copied_versions source_version_id values must be gallery image version IDs"),
    ({**COPY, "copied_versions": {"1.2.0": {"source_version_id": SOURCE_VERSION.replace("00000000-0000-0000-0000-000000000001", "0")}}}, "copied_versions source_version_id values must be gallery image version IDs"),
    # Tags: 50 at most, names up to 512 characters without <>%&\?/, values up to 256.
    ({"tags": {f"tag{i}": "v" for i in range(51)}}, TAGS),
    ({"tags": {"Cost?Center": "avd"}}, TAGS),
    ({"tags": {"n" * 513: "v"}}, TAGS),
    ({"tags": {"Owner": "v" * 257}}, TAGS),
    ({"tags": {**{f"tag{i}": "v" * 256 for i in range(49)}, "n" * 512: "a/b?<>%&"}}, None),
    # A V2 image builds on a size that runs Generation 2 VMs (not the A-family, the original NC or NV).
    ({"vm_size": "Standard_A4_v2"}, f"The build VM size Standard_A4_v2 {GENERATION_2}"),
    ({"build_vm_size": "Basic_A2"}, f"The build VM size Basic_A2 {GENERATION_2}"),
    ({"vm_size": "Standard_NV12"}, f"The build VM size Standard_NV12 {GENERATION_2}"),
    ({"vm_size": "Standard_NV12ads_A10_v5"}, None),
    ({"vm_size": "Standard_A4_v2", "hyper_v_generation": "V1", "trusted_launch_supported": False}, None),
    # Image Builder only grows the source's OS disk: 127 GB for the Windows 10 and 11 images.
    ({"os_disk_size_gb": 126}, f"os_disk_size_gb = 126 {DISK}"),
    ({"os_disk_size_gb": 0}, None),
    ({"os_disk_size_gb": 127}, None),
    ({"os_disk_size_gb": 64, "base_image_publisher": "MicrosoftWindowsServer", "base_image_offer": "WindowsServer", "base_image_sku": "2022-datacenter-azure-edition-smalldisk"}, None),
], ids=lambda value: None if isinstance(value, dict) else "accepted" if value is None else "refused")
def test_what_azure_refuses_fails_at_plan_with_its_message(variables, message):
    ws = workspace(MODULE, "vendored")
    if message is None:
        ws.plan([DEFAULTS], variables)
        return
    with pytest.raises(PlanError) as info:
        ws.plan([DEFAULTS], variables)
    errors = _errors(info.value)
    assert len(errors) == 1, errors
    assert " ".join(message.split()) in errors[0]
