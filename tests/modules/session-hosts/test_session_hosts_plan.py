"""session-hosts through real `terraform plan` and the offline provider: image precedence and
the errors for contradicting inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.harness.plan import PlanError, summarize
from generator.offline.simulator import SimulatedAzure
from plan_plugin import workspace
from project_paths import REPO

HERE = Path(__file__).parent
MODULE = REPO / "modules/session-hosts"
BASE = [REPO / "tests/offline-secrets.tfvars", HERE / "entra_id_zones.tfvars"]
IMAGE = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d"
VM = 'azurerm_windows_virtual_machine.this["avd-sh-0"]'
HOST_POOL = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.DesktopVirtualization/hostPools/avd-dev-hostpool"

pytestmark = pytest.mark.plan


def _vm(variables: dict) -> dict:
    return summarize(workspace(MODULE, "vendored").plan(BASE, variables)).values[VM]


def _errors(variables: dict) -> list[str]:
    with pytest.raises(PlanError) as info:
        workspace(MODULE, "vendored").plan(BASE, variables)
    return " ".join(" ".join(info.value.details).split()).split("Error: ")[1:]


@pytest.mark.parametrize("variables,expected", [
    ({"gallery_image_version_id": f"{IMAGE}/versions/1.2.3"}, f"{IMAGE}/versions/1.2.3"),
    ({"gallery_image_version_id": f"{IMAGE}/versions/latest"}, IMAGE),
    ({"source_image_id": f"{IMAGE}/versions/LATEST"}, IMAGE),
    ({"use_custom_image": True, "custom_image_id": f"{IMAGE}/versions/2.0.0"}, f"{IMAGE}/versions/2.0.0"),
])
def test_one_image_id_is_used_and_latest_becomes_the_definition(variables, expected):
    vm = _vm(variables)
    assert vm["source_image_id"] == expected
    assert vm["source_image_reference"] == []


def test_marketplace_reference_and_the_fallback():
    vm = _vm({"marketplace_image_reference": {"publisher": "MicrosoftWindowsDesktop", "offer": "windows-11", "sku": "win11-23h2-avd"}})
    assert vm["source_image_reference"] == [{"publisher": "MicrosoftWindowsDesktop", "offer": "windows-11", "sku": "win11-23h2-avd", "version": "latest"}]
    # The default is a supported SKU (22H2 left servicing in October 2025); the seed's stays accepted.
    assert _vm({})["source_image_reference"][0]["sku"] == "win11-24h2-avd-m365"
    assert _vm({"image_sku": "win11-22h2-avd-m365"})["source_image_reference"][0]["sku"] == "win11-22h2-avd-m365"


def test_entra_id_join_zones_and_trusted_launch():
    plan = summarize(workspace(MODULE, "vendored").plan(BASE))
    assert plan.counts["azurerm_virtual_machine_extension"] == 6  # Entra ID join + agent, per VM
    assert [plan.values[f'azurerm_windows_virtual_machine.this["avd-sh-{i}"]']["zone"] for i in range(3)] == ["1", "2", "1"]
    agent = plan.values['azurerm_virtual_machine_extension.avd_agent["avd-sh-0"]']
    assert '"aadJoin":true' in agent["settings"] and "offline-registration-token" not in agent["settings"]
    vm = plan.values[VM]
    assert vm["secure_boot_enabled"] and vm["vtpm_enabled"] and vm["license_type"] == "Windows_Client"


def test_two_image_sources_at_once_fail_naming_them():
    errors = _errors({"gallery_image_version_id": f"{IMAGE}/versions/1.0.0", "source_image_id": f"{IMAGE}/versions/0.9.0"})
    assert any("Set one image source" in e and "got gallery_image_version_id, source_image_id." in e for e in errors), errors


def test_an_image_id_and_a_marketplace_reference_fail():
    errors = _errors({"source_image_id": IMAGE, "marketplace_image_reference": {"publisher": "p", "offer": "o", "sku": "s"}})
    assert any("got source_image_id, marketplace_image_reference." in e for e in errors), errors


@pytest.mark.parametrize("variables", [{"use_custom_image": True}, {"custom_image_id": IMAGE}])
def test_custom_image_needs_both_inputs(variables):
    assert any("use_custom_image = true needs custom_image_id" in e for e in _errors(variables))


def test_vm_count_zero_fails():
    errors = _errors({"vm_count": 0})
    assert len(errors) == 1 and "vm_count must be a whole number from 1 to 99" in errors[0]


def test_ad_join_needs_the_domain_account():
    assert any('join_type "ad" needs domain_name, domain_admin_username and domain_admin_password.' in e
               for e in _errors({"join_type": "ad", "domain_name": "corp.example.com"}))


@pytest.mark.parametrize("allow", [False, True])
def test_each_host_record_says_whether_it_takes_new_sessions(allow):
    plan = summarize(workspace(MODULE, "vendored").plan(BASE, {"allow_new_sessions": allow, "domain_name": "corp.example.com", "domain_admin_username": "svc-join"}))
    records = {a: v for a, v in plan.values.items() if a.startswith("azapi_resource_action.session_host[")}
    assert len(records) == 3
    first = records['azapi_resource_action.session_host["avd-sh-0"]']
    # A PATCH of the record the agent registers (sessionHosts takes no PUT), retried until it exists.
    assert first["resource_id"].endswith("/hostPools/avd-dev-hostpool/sessionHosts/avd-sh-0.corp.example.com")
    assert first["method"] == "PATCH" and first["when"] == "apply"
    assert first["body"] == {"properties": {"allowNewSession": allow}}
    assert first["type"].startswith("Microsoft.DesktopVirtualization/hostPools/sessionHosts@")
    assert "NotFound" in first["retry"]["error_message_regex"] and first["timeouts"]["create"] == "30m"


def test_undraining_updates_the_records_in_place():
    ws = workspace(MODULE, "vendored")
    SimulatedAzure(ws.cloud).host_pool(HOST_POOL, "offline-registration-token")  # made elsewhere
    ws.apply(BASE, {"allow_new_sessions": False})
    actions = summarize(ws.plan(BASE, {"allow_new_sessions": True})).actions
    assert {a: act for a, act in actions.items() if act != ["no-op"]} == {f'azapi_resource_action.session_host["avd-sh-{i}"]': ["update"] for i in range(3)}


def test_each_validation_fires_with_its_own_message():
    catalog = load_catalog(REPO / "catalog/session-hosts.yaml", REPO)
    with pytest.raises(PlanError) as info:
        workspace(MODULE, "vendored").plan([HERE / "invalid_values.tfvars"])
    errors = " ".join(" ".join(info.value.details).split()).split("Error: ")[1:]
    validated = [(v.name, check.error_message) for v in catalog.variables for check in v.validations]
    assert len(validated) == 31
    for name, message in validated:
        expected = " ".join(message.split())
        # A sensitive variable's value is not shown: "var.admin_password has a sensitive value".
        assert [e for e in errors if f"var.{name} " in e and expected in e], f"no error for var.{name} with {message!r}"
    assert len(errors) == len(validated)


# --- what Azure accepts (issue 14's input audit) ---------------------------------------------------
# Each rule refuses the value Azure would refuse, with its own message, at plan; the value at the
# edge of what Azure takes plans. Every case plans in the one initialised copy of the module.
RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers"
ANY_IMAGE = "must be an image resource ID: a managed image"
GALLERY_IMAGE = "must be a gallery image definition or image version resource ID"
TAGS = "tags must be at most 50 tags, with names of at most 512 characters and none of <, >, %, &, \\, ? or /"
USERNAME = "admin_username must be 1-20 letters, digits, '.', '_' or '-', not ending with '.', and not a name Azure disallows"
COMPLEXITY = "admin_password must contain three of these four"
DOMAIN = "domain_name must be a DNS domain name"
ACCOUNT = "domain_admin_username must be the account's logon name without the domain"
TRUSTED_LAUNCH = "runs Generation 1 VMs only, but Trusted Launch (secure_boot_enabled, vtpm_enabled) needs Generation 2"
PREMIUM = "takes no Premium SSD disks, but os_disk_storage_account_type is"
AD = {"join_type": "ad", "domain_name": "corp.example.com", "domain_admin_username": "svc-join", "domain_admin_password": "offline-Placeholder-2"}


@pytest.mark.parametrize("variables,message", [
    # Image IDs: a disk, a snapshot or a VM is no image; subscriptions are GUIDs.
    ({"source_image_id": f"{RG}/Microsoft.Compute/disks/golden-osdisk"}, f"source_image_id {ANY_IMAGE}"),
    ({"source_image_id": f"{RG}/Microsoft.Compute/virtualMachines/golden-vm"}, f"source_image_id {ANY_IMAGE}"),
    ({"source_image_id": f"{RG}/Microsoft.Compute/images/golden"}, None),
    ({"source_image_id": "/communityGalleries/avd-1a2b/images/win11/versions/1.0.0"}, None),
    ({"use_custom_image": True, "custom_image_id": f"{RG}/Microsoft.Compute/snapshots/golden"}, f"custom_image_id {ANY_IMAGE}"),
    ({"use_custom_image": True, "custom_image_id": f"{RG}/Microsoft.Compute/galleries/g/images/d/versions/latest"}, None),
    ({"gallery_image_version_id": f"{RG}/Microsoft.Compute/galleries/g/images/d/versions/1.2"}, f"gallery_image_version_id {GALLERY_IMAGE}"),
    ({"gallery_image_version_id": f"{IMAGE}/versions/1.2.3".replace("00000000-0000-0000-0000-000000000001", "00000000")}, f"gallery_image_version_id {GALLERY_IMAGE}"),
    ({"hosts": {"avd-sh-0": {"image_id": f"{RG}/Microsoft.Compute/images/golden"}}}, "hosts image_id values must be gallery image definition or image version resource IDs"),
    ({"hosts": {"avd-sh-0": {"image_id": f"{IMAGE}/versions/1.2.3"}}}, None),
    # Names: a computer name is 1-15 letters, digits and '-', not all digits.
    ({"hosts": {"1234": {}}}, "hosts keys must be VM names of 1-15 letters, digits and '-'"),
    ({"hosts": {"7": {}, "1a": {}}}, "hosts keys must be VM names of 1-15 letters, digits and '-'"),
    ({"hosts": {"a": {}, "1-a": {}}}, None),
    ({"vm_name_prefix": "-avd"}, "vm_name_prefix must be 1-13 characters of letters, digits and '-', starting with a letter or digit."),
    ({"vm_name_prefix": "1abcdefghijk-"}, None),
    # Tags: 50 at most, names up to 512 characters without <>%&\?/, values up to 256.
    ({"tags": {"a&b": "x"}}, TAGS),
    ({"tags": {f"t{i}": "v" for i in range(50)}}, None),
    # Marketplace images: publisher, offer, SKU, and a version Major.Minor.Build or "latest".
    ({"marketplace_image_reference": {"publisher": "MicrosoftWindowsDesktop", "offer": "office-365", "sku": " "}}, "marketplace_image_reference must name a publisher, an offer and a SKU"),
    ({"marketplace_image_reference": {"publisher": "MicrosoftWindowsDesktop", "offer": "office-365", "sku": "win11-24h2-avd-m365", "version": "24h2"}}, "marketplace_image_reference must name a publisher"),
    ({"marketplace_image_reference": {"publisher": "MicrosoftWindowsDesktop", "offer": "office-365", "sku": "win11-24h2-avd-m365", "version": "26100.2894.250113"}}, None),
    ({"image_sku": ""}, "image_sku must not be empty."),
    ({"image_version": "1.0"}, 'image_version must be "latest" or a marketplace version of three dot-separated numbers'),
    # The administrator: the names the API disallows (any case), no trailing '.', and a password of
    # three of the four character kinds.
    ({"admin_username": "Test1"}, USERNAME),
    ({"admin_username": "Support_388945a0"}, USERNAME),
    ({"admin_username": "avdadmin."}, USERNAME),
    ({"admin_username": "avd.admin_01"}, None),
    ({"admin_password": "alllowercase-only"}, COMPLEXITY),
    ({"admin_password": "ALLUPPERCASE1234"}, COMPLEXITY),
    ({"admin_password": "lowerUPPERcases"}, COMPLEXITY),
    ({"admin_password": "lower_and_UPPER"}, None),
    # Domain join: a DNS domain name, a logon name without a domain, a password.
    ({**AD, "domain_name": ""}, DOMAIN),
    ({**AD, "domain_name": "corp_example.com"}, DOMAIN),
    ({**AD, "domain_name": "-corp.example.com"}, DOMAIN),
    ({**AD, "domain_admin_username": "svc-join@corp.example.com"}, ACCOUNT),
    ({**AD, "domain_admin_username": "CORP\\svc-join"}, ACCOUNT),
    ({**AD, "domain_admin_username": "a" * 21}, ACCOUNT),
    ({**AD, "domain_admin_password": ""}, "domain_admin_password must not be empty"),
    ({**AD, "domain_name": "ad1.corp-2.example.com", "domain_admin_username": "svc.join$"}, None),
    ({"hostpool_registration_token": " "}, "hostpool_registration_token must not be empty."),
    # A Trusted Launch VM is Generation 2: not on a Generation 1 only size.
    ({"vm_size": "Standard_A8_v2", "os_disk_storage_account_type": "StandardSSD_LRS"}, f"vm_size Standard_A8_v2 {TRUSTED_LAUNCH}"),
    ({"vm_size": "Standard_NC24r", "os_disk_storage_account_type": "StandardSSD_LRS"}, f"vm_size Standard_NC24r {TRUSTED_LAUNCH}"),
    ({"vm_size": "Standard_A8_v2", "secure_boot_enabled": False, "vtpm_enabled": False, "os_disk_storage_account_type": "StandardSSD_LRS"}, None),
    # Premium SSD OS disks need a Premium Storage capable size.
    ({"vm_size": "Standard_D4_v5"}, f"vm_size Standard_D4_v5 {PREMIUM} Premium_LRS"),
    ({"vm_size": "Standard_E104i_v5", "os_disk_storage_account_type": "Premium_ZRS"}, f"vm_size Standard_E104i_v5 {PREMIUM} Premium_ZRS"),
    ({"vm_size": "Standard_D4_v5", "os_disk_storage_account_type": "StandardSSD_ZRS"}, None),
    ({"vm_size": "Standard_DS3_v2"}, None),
    ({"vm_size": "Standard_M128"}, None),
    ({"vm_size": "Standard_NV36ads_A10_v5"}, None),
], ids=lambda value: None if isinstance(value, dict) else "accepted" if value is None else "refused")
def test_what_azure_refuses_fails_at_plan_with_its_message(variables, message):
    ws = workspace(MODULE, "vendored")
    if message is None:
        ws.plan(BASE, variables)
        return
    errors = _errors(variables)
    # A precondition fails once per VM, a validation once.
    assert errors and all(" ".join(message.split()) in e for e in errors), errors
