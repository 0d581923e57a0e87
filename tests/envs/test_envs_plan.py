"""envs/dev and envs/prod through real `terraform plan`/`apply` and the offline provider: the
image strategy matrix, and the plan-time checks that guard it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import yaml

from generator.harness.plan import PlanError, summarize
from built_images import VERSIONS, given_built_images
from generator.offline.simulator import SimulatedAzure
from plan_plugin import SCHEMA_SETS, workspace
from project_paths import REFERENCE, REPO

SECRETS = REPO / "tests/offline-secrets.tfvars"
SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
MANUAL_IMAGE = f"{SUBSCRIPTION}/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/manual/images/win11-hand-made/versions/3.0.0"

pytestmark = pytest.mark.plan


@pytest.fixture(params=SCHEMA_SETS)
def schema_set(request) -> str:
    if request.param == "reference" and not (REFERENCE / "azurerm.schema.json").is_file():
        pytest.skip(f"real provider schema dumps not found in {REFERENCE}")
    return request.param


def _vms(state: dict) -> dict[str, dict]:
    """Session host VMs in an applied state, by address."""
    found = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            if resource["type"] == "azurerm_windows_virtual_machine":
                found[resource["address"]] = resource["values"]
        for child in module.get("child_modules", []):
            walk(child)

    walk(state["values"]["root_module"])
    return found


@pytest.mark.parametrize("env,variables,expected_image", [
    ("prod", {"session_host_image_strategy": "aib_gallery", "pin_golden_image_version": True},
     f"{SUBSCRIPTION}/resourceGroups/avd-prod-rg/providers/Microsoft.Compute/galleries/avd_prod_images/images/avd-win11-m365-prod/versions/1.0.0"),
    ("dev", {"session_host_image_strategy": "aib_gallery", "pin_golden_image_version": False},
     f"{SUBSCRIPTION}/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_dev_images/images/avd-win11-m365-dev"),
    ("dev", {"session_host_image_strategy": "manual_gallery", "manual_gallery_image_id": MANUAL_IMAGE}, MANUAL_IMAGE),
    ("dev", {"session_host_image_strategy": "marketplace", "enable_golden_image": False}, None),
], ids=["aib_gallery-pinned", "aib_gallery-latest", "manual_gallery", "marketplace"])
def test_image_strategy_matrix(schema_set, env, variables, expected_image):
    ws = workspace(REPO / "envs" / env, schema_set)
    given_built_images(ws)
    ws.apply([SECRETS], variables)
    vms = _vms(ws.state())
    assert vms, "no session host VMs were applied"
    for address, vm in vms.items():
        if expected_image is None:
            assert vm["source_image_id"] is None, address
            assert vm["source_image_reference"] == [{
                "publisher": "MicrosoftWindowsDesktop", "offer": "office-365", "sku": "win11-24h2-avd-m365", "version": "latest",
            }], address
        else:
            assert vm["source_image_id"] == expected_image, address
            assert vm["source_image_reference"] == [], address


def test_the_first_apply_before_any_build_fails_as_azure_would():
    """envs/README's first-apply order: before a build has published a version, Azure has no
    golden image to create the session hosts from; apply module.golden_image first and build."""
    ws = workspace(REPO / "envs/dev", "vendored")
    with pytest.raises(PlanError) as refused:
        ws.apply([SECRETS])
    text = " ".join(" ".join(refused.value.details).split())
    assert "GalleryImageNotFound" in text and "/images/avd-win11-m365-dev is not available in eastus region" in text
    # A version published in another region only is no better.
    SimulatedAzure(ws.cloud).image_version(next(v for v in VERSIONS if "avd-win11-m365-dev" in v), ["westus2"])
    with pytest.raises(PlanError, match="terraform apply failed"):
        ws.apply([SECRETS])


def _errors(error: PlanError) -> list[str]:
    return " ".join(" ".join(error.details).split()).split("Error: ")[1:]


@pytest.mark.parametrize("variables,message", [
    ({"session_host_image_strategy": "golden"},
     'session_host_image_strategy must be "aib_gallery", "marketplace" or "manual_gallery".'),
    ({"session_host_count": 0}, "session_host_count must be a whole number from 1 to 99."),
    ({"enable_golden_image": False},
     'session_host_image_strategy = "aib_gallery" needs enable_golden_image = true'),
    ({"session_host_image_strategy": "manual_gallery"},
     'session_host_image_strategy = "manual_gallery" needs manual_gallery_image_id.'),
    ({"golden_image": {"gallery_name": "g", "image_definition_name": "d", "image_template_name": "t", "location": "westus2"}},
     "The session hosts run in var.location, which must be among the golden image's target regions"),
    ({"pilot_session_host_count": 1, "enable_golden_image": False, "session_host_image_strategy": "marketplace"},
     "pilot_session_host_count must be 0, or a whole number from 1 to 9 with enable_golden_image = true"),
    ({"session_hosts": {"avd-dev-sh-0": {}}, "session_host_count": 2},
     "session_hosts names fewer hosts than session_host_count"),
    ({"golden_image_promoted_versions": ["1.2.0"]},
     "golden_image_promoted_versions or golden_image_promotion_source_subscription_id is set, but dev builds its own versions"),
], ids=["unknown-strategy", "no-session-hosts", "strategy-needs-golden-image", "manual-needs-id", "region-outside-targets", "pilot-needs-golden-image",
        "fewer-hosts-than-capacity", "copies-in-a-building-env"])
def test_env_plan_fails_with_a_clear_message(schema_set, variables, message):
    with pytest.raises(PlanError) as info:
        workspace(REPO / "envs/dev", schema_set).plan([SECRETS], variables)
    errors = _errors(info.value)
    assert len(errors) == 1, errors
    assert message in errors[0]


def test_secrets_have_no_default_and_are_not_in_tfvars():
    for env in ("dev", "prod"):
        tfvars = (REPO / "envs" / env / "terraform.tfvars").read_text()
        assert not re.search(r"^\s*\w*(password|token|secret)\w*\s*=", tfvars, re.M | re.I)
    with pytest.raises(PlanError) as info:
        workspace(REPO / "envs/dev", "vendored").plan([])
    assert "No value for required variable" in " ".join(info.value.details)


def test_registration_expiry_does_not_change_between_rotations():
    # Also: the host pool's RDP properties end with ";" as the service stores them, or azurerm
    # would read back a different string and plan an update every time (issue 10).
    ws = workspace(REPO / "envs/dev", "vendored")
    given_built_images(ws)
    ws.apply([SECRETS])
    changes = {a: act for a, act in summarize(ws.plan([SECRETS])).actions.items() if act != ["no-op"]}
    assert changes == {}


def _resource(state: dict, address: str) -> dict:
    return next(r["values"] for r in state["values"]["root_module"]["resources"] if r["address"] == address)


@pytest.mark.parametrize("days", [7, 27])
def test_the_registration_token_outlives_its_rotation_within_30_days(days):
    """A host created by an apply just before the rotation is due still gets a token that lasts
    while its agent registers: two days past the rotation, and never more than Azure's 30."""
    ws = workspace(REPO / "envs/dev", "vendored")
    given_built_images(ws)
    ws.apply([SECRETS], {"registration_token_rotation_days": days})
    state = ws.state()
    rotation = _resource(state, "time_rotating.registration")
    expiry = datetime.fromisoformat(_resource(state, "azurerm_virtual_desktop_host_pool_registration_info.this")["expiration_date"].replace("Z", "+00:00"))
    created = datetime.fromisoformat(rotation["rfc3339"].replace("Z", "+00:00"))
    assert expiry - datetime.fromisoformat(rotation["rotation_rfc3339"].replace("Z", "+00:00")) == timedelta(hours=48)
    assert expiry - created <= timedelta(days=30)


def test_avdgen_plan_uses_placeholders_only_for_unset_secrets(avdgen, monkeypatch):
    monkeypatch.delenv("TF_VAR_admin_password", raising=False)
    result = avdgen(REPO, "plan", str(REPO / "envs/dev"))
    assert result.exit_code == 0, result.output
    assert "note: admin_password is not set (TF_VAR_admin_password); planning with a placeholder value" in result.stderr
    assert "azurerm_windows_virtual_machine" in result.stdout and "AIB build steps" in result.stdout
    monkeypatch.setenv("TF_VAR_admin_password", "from-the-environment-1A!")
    result = avdgen(REPO, "plan", str(REPO / "envs/dev"), "--var-file", str(SECRETS))
    assert result.exit_code == 0 and "placeholder" not in result.stderr


def test_a_new_pin_replaces_no_host_once_the_hosts_keep_their_version():
    """prod after a promotion: the new version is a copy of dev's, and no image build. A VM's
    image cannot change in place, so a bare pin change would replace every host in one apply;
    the session_hosts that `avdgen promote` writes keep each host on its version."""
    ws = workspace(REPO / "envs/prod", "vendored")
    azure = given_built_images(ws)
    dev_version = next(v for v in VERSIONS if "avd-win11-m365-dev" in v).replace("1.0.0", "1.1.0")
    azure.image_version(dev_version, ["eastus"])
    ws.apply([SECRETS])
    golden = dict(yaml.safe_load((REPO / "catalog/envs/prod.yaml").read_text())["tfvars"]["golden_image"], image_version="1.1.0")
    pinned = {"golden_image": golden, "golden_image_promoted_versions": ["1.0.0", "1.1.0"]}
    bare = {a: act for a, act in summarize(ws.plan([SECRETS], pinned)).actions.items() if act != ["no-op"]}
    vms = [a for a in bare if a.startswith("module.session_hosts.azurerm_windows_virtual_machine")]
    assert len(vms) == 4 and all(bare[a] == ["delete", "create"] for a in vms), bare
    kept = {name: {"image_version": "1.0.0", "allow_new_sessions": None} for name in (f"avd-prd-sh-{i}" for i in range(4))}
    plan = summarize(ws.plan([SECRETS], {**pinned, "session_hosts": kept}))
    changed = {a: act for a, act in plan.actions.items() if act != ["no-op"]}
    assert changed == {'module.golden_image[0].azapi_resource.copied_version["1.1.0"]': ["create"]}
    copy = plan.values['module.golden_image[0].azapi_resource.copied_version["1.1.0"]']["body"]["properties"]
    assert copy["storageProfile"]["source"]["id"] == dev_version
    assert not any("imageTemplates" in str(v.get("type")) for v in plan.values.values())


def test_removing_a_session_host_plans_the_removal_of_its_registration():
    ws = workspace(REPO / "envs/prod", "vendored")
    given_built_images(ws)
    ws.apply([SECRETS])
    three = {f"avd-prd-sh-{i}": {"image_version": None, "allow_new_sessions": None} for i in (0, 1, 3)}
    actions = {a: act for a, act in summarize(ws.plan([SECRETS], {"session_hosts": three, "session_host_count": 3})).actions.items() if act != ["no-op"]}
    gone = 'avd-prd-sh-2"]'
    assert actions[f'module.session_hosts.azapi_resource_action.unregister["{gone}'] == ["delete"]  # DELETE .../sessionHosts/avd-prd-sh-2
    assert actions[f'module.session_hosts.azurerm_windows_virtual_machine.this["{gone}'] == ["delete"]
    assert all(gone in address for address in actions), actions


# --- what Azure accepts (issue 14's input audit) ---------------------------------------------------
INVALID = {  # variable: the messages of the validations its value in invalid_values.tfvars breaks
    "tags": ["tags must be at most 50 tags, with names of at most 512 characters and none of <, >, %, &, \\, ? or /"],
    "golden_image_promoted_versions": ["golden_image_promoted_versions entries must be gallery image versions such as \"1.2.0\": three dot-separated whole numbers, each at most 2147483647."],
    "pilot_image_version": ["pilot_image_version must be a gallery image version such as \"1.2.0\": three dot-separated whole numbers"],
    "session_hosts": ["session_hosts keys must be VM names of 1-15 letters, digits and '-'", "session_hosts image_version values must be gallery image versions"],
    "marketplace_image": ["marketplace_image must name a publisher, an offer and a SKU (none of them empty)"],
    "session_host_vm_size": ["session_host_vm_size must run Generation 2 VMs", "session_host_vm_size must take Premium SSD disks"],
    "admin_username": ["admin_username must be 1-20 letters, digits, '.', '_' or '-', not ending with '.', and not a name Azure disallows"],
    "domain_name": ["domain_name must be a DNS domain name"],
    "session_host_subnet_prefix": ["session_host_subnet_prefix must be an IPv4 CIDR block from /2 to /29"],
}


def test_each_input_azure_refuses_fails_with_its_own_message():
    with pytest.raises(PlanError) as info:
        workspace(REPO / "envs/prod", "vendored").plan([SECRETS, REPO / "tests/envs/invalid_values.tfvars"])
    errors = _errors(info.value)
    for name, messages in INVALID.items():
        for message in messages:
            assert [e for e in errors if re.search(rf"var\.{name}\b", e) and message in e], f"no error for var.{name} with {message!r}"
    assert len(errors) == sum(map(len, INVALID.values())), errors


SIXTEEN = {"session_host_name_prefix": "abcdefghijklm"}  # 13 characters: "-0" to "-9" fit, "-10" does not
TAGS_48 = {f"tag{i}": "v" for i in range(48)}


@pytest.mark.parametrize("variables,message", [
    # The session host subnet: IPv4 (the hosts' NICs need an IPv4 address), /2 to /29, inside the VNet.
    ({"session_host_subnet_prefix": "fd00:10:10:1::/64", "address_space": ["10.10.0.0/16", "fd00:10:10::/48"]}, "session_host_subnet_prefix must be an IPv4 CIDR block from /2 to /29"),
    ({"session_host_subnet_prefix": "10.10.1.0/29"}, None),
    ({"session_host_subnet_prefix": "10.30.1.0/24"}, "session_host_subnet_prefix must lie inside one of address_space's blocks."),
    ({"session_host_subnet_prefix": "10.10.0.0/15"}, "session_host_subnet_prefix must lie inside one of address_space's blocks."),
    ({"session_host_subnet_prefix": "10.30.1.0/24", "address_space": ["10.10.0.0/16", "10.30.0.0/16"]}, None),
    # Its own plan: domain_name's AD-join rule reads it, so in invalid_values.tfvars it would mask domain_name's.
    ({"domain_name": "corp.example.com", "domain_admin_username": "joiner@corp.example.com"}, "domain_admin_username must be the account's logon name without the domain"),
    # Every host name fits in 15 characters: the pool's "<prefix>-<n>" and the pilot's "<prefix>p-<n>".
    ({"session_host_name_prefix": "-avd"}, "session_host_name_prefix must be 1-13 characters of letters, digits and '-', starting with a letter or digit."),
    ({**SIXTEEN, "session_host_count": 11}, "session_host_name_prefix is too long for Windows' 15-character computer names"),
    ({**SIXTEEN, "session_host_count": 10}, None),
    ({**SIXTEEN, "session_host_count": 11, "session_hosts": {f"avd-dev-sh-{i}": {} for i in range(11)}}, None),
    ({**SIXTEEN, "pilot_session_host_count": 1}, "session_host_name_prefix is too long for Windows' 15-character computer names"),
    ({"session_host_name_prefix": "abcdefghijkl", "pilot_session_host_count": 1, "session_host_count": 99}, None),
    # 50 tags on a resource, the three common ones included.
    ({"tags": {**TAGS_48}}, "tags can add at most 47 tags to the common Environment, Workload and ManagedBy tags"),
    ({"tags": {**TAGS_48, "Environment": "dev", "ManagedBy": "Terraform"}}, "tags can add at most 47 tags"),
    ({"tags": {**{f"tag{i}": "v" for i in range(47)}, "Environment": "dev", "Workload": "AVD", "ManagedBy": "Terraform"}}, None),
    # Session host sizes: Generation 2 (Trusted Launch) and Premium SSD OS disks.
    ({"session_host_vm_size": "D4s_v5"}, 'session_host_vm_size must be an Azure VM size name such as "Standard_D4s_v5".'),
    ({"session_host_vm_size": "Standard_D4_v5"}, "session_host_vm_size must take Premium SSD disks (the session hosts' OS disks are Premium_LRS)"),
    ({"session_host_vm_size": "Standard_D4ds_v5"}, None),
    # A manually imported image is a gallery image definition or version.
    ({"session_host_image_strategy": "manual_gallery", "manual_gallery_image_id": f"{SUBSCRIPTION}/resourceGroups/images-rg/providers/Microsoft.Compute/images/hand-made"}, "manual_gallery_image_id must be a gallery image definition or image version resource ID"),
    ({"session_host_image_strategy": "marketplace", "enable_golden_image": False,
      "marketplace_image": {"publisher": "MicrosoftWindowsDesktop", "offer": "windows-11", "sku": "win11-24h2-avd", "version": "26100.2894.250113"}}, None),
], ids=lambda value: None if isinstance(value, dict) else "accepted" if value is None else "refused")
def test_what_azure_refuses_fails_at_plan(variables, message):
    ws = workspace(REPO / "envs/dev", "vendored")
    if message is None:
        ws.plan([SECRETS], variables)
        return
    with pytest.raises(PlanError) as info:
        ws.plan([SECRETS], variables)
    errors = _errors(info.value)
    assert len(errors) == 1, errors
    assert message in errors[0]
