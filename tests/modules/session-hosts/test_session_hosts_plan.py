"""session-hosts through real `terraform plan` and the offline provider: image precedence and
the errors for contradicting inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

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
