"""What applying (and refreshing) each Terraform resource type does in the simulated cloud.

The servicer fills computed values first (resources.py `complete`), then calls `apply` here,
which sends the requests the real provider would send (cloud.py, services.py decide the
answers) and may refuse with the real provider's diagnostic (`Failure`):

- azapi types follow azapi 2.5 (azapi.py);
- every azurerm resource exists in the cloud under its ID: a create where the ID already exists
  fails as azurerm does (internal/tf ImportAsExistsError: "A resource with the ID ... already
  exists - to be managed via Terraform this resource needs to be imported into the State."), a
  refresh of a resource that is gone removes it from state (as every azurerm Read does on 404);
  a few types also tell a service something (below);
- time_sleep lets its duration pass on the cloud's clock; a time_rotating whose rotation time
  has passed is removed by refresh, so the next plan replaces it (hashicorp/terraform-provider-
  time, resource_time_rotating.go Read).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from . import azapi, services
from .azapi import Failure
from .cloud import AzureError, Cloud, Record, arm_type, iso, plain
from .wire import Dyn, dyn

AZAPI = ("azapi_resource", "azapi_update_resource", "azapi_resource_action")
# azurerm types that are not ARM resources of their own, or that a service models itself.
_NOT_RESOURCES = {"azurerm_subnet_network_security_group_association", "azurerm_virtual_desktop_workspace_application_group_association"}


def in_cloud(type_name: str) -> bool:
    return type_name.startswith("azurerm_") or type_name in AZAPI or type_name in ("time_sleep", "time_rotating")


def apply(
    type_name: str, prior: dict[str, Any] | None, new: dict[str, Any] | None, cloud: Cloud,
    generated: set[str] = frozenset(), secret: set[str] = frozenset(),
) -> dict[str, Any] | None:
    """Send what `terraform apply` of one resource sends; returns the new state (outputs set).
    `generated`: the attributes the provider chose (unknown in the plan), e.g. a name;
    `secret`: sensitive attributes, used but never written into the cloud file."""
    if type_name in AZAPI:
        return _azapi(type_name, prior, new, cloud)
    if type_name.startswith("azurerm_"):
        return _azurerm(type_name, prior, new, cloud, generated, secret)
    if type_name == "time_sleep" and new is not None and prior is None:
        cloud.advance(azapi.duration(new.get("create_duration"), timedelta(0)).total_seconds())
    return new


def read(type_name: str, state: dict[str, Any], cloud: Cloud) -> dict[str, Any] | None:
    """Refresh: the state as the provider would read it back; None when the resource is gone."""
    if not isinstance(state.get("id"), str):
        return state  # nothing applied to look for
    if type_name == "azapi_resource":
        found = azapi.read(cloud, state)
        return None if found is None else {**state, "output": dyn(found)}
    if type_name == "azapi_update_resource":
        return state if cloud.find(state.get("id") or azapi.resource_id(state)) is not None else None
    if type_name == "time_rotating":
        rotation = state.get("rotation_rfc3339")
        if isinstance(rotation, str) and datetime.fromisoformat(rotation.replace("Z", "+00:00")) <= cloud.now():
            return None
        return state
    if type_name.startswith("azurerm_") and type_name not in _NOT_RESOURCES and isinstance(state.get("id"), str):
        record = cloud.find(state["id"])
        if record is None:
            return None
        if type_name == "azurerm_virtual_desktop_host_pool":
            return _host_pool_as_read(state, record)
    return state


# --- azapi ----------------------------------------------------------------------------------------------


def _azapi(type_name: str, prior: dict[str, Any] | None, new: dict[str, Any] | None, cloud: Cloud) -> dict[str, Any] | None:
    if type_name == "azapi_resource":
        if new is None:
            azapi.delete(cloud, prior)
            return None
        return {**new, "output": dyn(azapi.create_or_update(cloud, prior, new))}
    if type_name == "azapi_update_resource":
        if new is None:
            return None  # Delete does nothing: the resource stays as it is
        return {**new, "output": dyn(azapi.update_resource(cloud, prior, new))}
    # azapi_resource_action
    if not azapi.action_due(prior, new):
        if new is None:
            return None
        keep = prior.get("output") if prior is not None else None
        # when = "destroy": Create sends nothing and leaves output null (Create, line 252-282).
        return {**new, "output": keep if (new.get("when") == "apply" and keep is not None) else (dyn({}) if new.get("when") == "apply" else None)}
    if new is None:
        azapi.resource_action(cloud, prior)
        return None
    return {**new, "output": dyn(azapi.resource_action(cloud, new, updating=prior is not None))}


# --- azurerm ----------------------------------------------------------------------------------------------


def _exists_error(resource_id: str, type_name: str) -> Failure:
    return Failure(
        f'A resource with the ID "{resource_id}" already exists - to be managed via Terraform this resource needs to be imported '
        f'into the State. Please see the resource documentation for "{type_name}" for more information.',
        "",
    )


def _azurerm(type_name: str, prior: dict[str, Any] | None, new: dict[str, Any] | None, cloud: Cloud, generated: set[str], secret: set[str]) -> dict[str, Any] | None:
    rid = (new or prior or {}).get("id")
    if not isinstance(rid, str):
        return new
    rtype = arm_type(rid) if "|" not in rid else type_name
    if type_name == "azurerm_subnet_network_security_group_association":
        return _associate_nsg(cloud, rid, new, type_name)
    if new is None:
        if type_name == "azurerm_windows_virtual_machine":
            services.vm_deleted(cloud, rid)
        if type_name == "azurerm_resource_group" and cloud.children(rid):
            # azurerm 4.x's default features.resource_group.prevent_deletion_if_contains_resources
            # (internal/services/resource/resource_group_resource.go, Delete).
            left = ", ".join(r.id for r in cloud.children(rid)[:5])
            raise Failure(
                f"deleting Resource Group {rid.rsplit('/', 1)[-1]!r}: the Resource Group still contains Resources.",
                "Terraform is configured to check for Resources within the Resource Group when deleting the Resource Group - "
                f"and raise an error if nested Resources still exist to avoid data loss. Nested resources: {left}",
            )
        _send(cloud, "DELETE", rid, None, rtype, type_name)
        return None
    if prior is None and type_name not in _NOT_RESOURCES and cloud.find(rid) is not None:
        if type_name == "azurerm_role_assignment" and "name" in generated:
            # azurerm names a new assignment with a random UUID; ours are derived from the role,
            # principal and scope, so a second one collides here where Azure would answer this.
            _send_error(AzureError(409, "RoleAssignmentExists", "The role assignment already exists."), "PUT", rid, type_name)
        raise _exists_error(rid, type_name)
    body = {"properties": plain({k: v for k, v in _terraform_values(new).items() if k not in secret})}
    if type_name == "azurerm_role_assignment":
        body = {"properties": {"scope": new.get("scope"), "roleDefinitionId": new.get("role_definition_id"), "principalId": new.get("principal_id")}}
    if type_name == "azurerm_windows_virtual_machine" and prior is None and isinstance(new.get("source_image_id"), str):
        _call(cloud, lambda: services.image_for_vm(cloud, new["source_image_id"], str(new.get("location") or "")), type_name, "creating")
    _send(cloud, "PUT", rid, body, rtype, type_name)
    if type_name == "azurerm_virtual_desktop_host_pool_registration_info":
        _call(cloud, lambda: services.set_registration(cloud, new["hostpool_id"], new["token"], new["expiration_date"]), type_name, "creating/updating")
    if type_name == "azurerm_virtual_machine_extension" and prior is None:
        _extension(cloud, new)
    return new


def _terraform_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, Dyn) else v) for k, v in values.items() if k not in ("timeouts",)}


def _associate_nsg(cloud: Cloud, subnet_id: str, new: dict[str, Any] | None, type_name: str) -> dict[str, Any] | None:
    """The association is not an ARM resource: azurerm reads the subnet and PUTs it back whole
    with networkSecurityGroup set, or cleared when the association is destroyed
    (internal/services/network/subnet_network_security_group_association_resource.go), so the
    subnet keeps its delegation, prefixes and policies."""
    subnet = cloud.find(subnet_id)
    if subnet is None:
        raise Failure(f"retrieving {_describe('azurerm_subnet', subnet_id)}: unexpected status 404 (404 Not Found) with error: NotFound", "")
    properties = {k: v for k, v in (subnet.body.get("properties") or {}).items() if k != "network_security_group_id"}
    if new is not None:
        properties["network_security_group_id"] = new.get("network_security_group_id")
    _send(cloud, "PUT", subnet_id, {**subnet.body, "properties": properties}, subnet.type, type_name)
    return new


def _send(cloud: Cloud, method: str, rid: str, body: Any, rtype: str, type_name: str) -> None:
    try:
        services.request(cloud, method, rid, body, None, rtype)
    except AzureError as error:
        _send_error(error, method, rid, type_name)


def _send_error(error: AzureError, method: str, rid: str, type_name: str) -> None:
    verb = "deleting" if method == "DELETE" else "creating/updating"
    raise Failure(f"{verb} {_describe(type_name, rid)}: unexpected status {error.status} ({error.status} {error.code}) with error: {error.code}: {error.message}", "") from None


def _call(cloud: Cloud, fn, type_name: str, verb: str) -> None:
    try:
        fn()
    except AzureError as error:
        raise Failure(f"{verb} {type_name}: unexpected status {error.status} ({error.code}) with error: {error.code}: {error.message}", "") from None


def _describe(type_name: str, rid: str) -> str:
    words = type_name.removeprefix("azurerm_").replace("_", " ").title()
    return f"{words} (ID {rid!r})"


def _json(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _extension(cloud: Cloud, ext: dict[str, Any]) -> None:
    """A VM extension's effect: the domain join names the computer's domain; the DSC extension
    running AVD's AddSessionHost configuration installs the agent, which registers."""
    vm_id = ext.get("virtual_machine_id")
    settings = _json(ext.get("settings"))
    if ext.get("type") == "JsonADDomainExtension":
        vm = cloud.find(vm_id)
        if vm is not None:
            vm.service["domain"] = settings.get("Name")
            cloud.store(vm)
        return
    if ext.get("type") != "DSC" or "AddSessionHost" not in str(settings.get("configurationFunction", "")):
        return
    properties = settings.get("properties") or {}
    token = ((_json(ext.get("protected_settings")).get("Items") or {}).get("RegistrationInfoToken"))
    vm = cloud.find(vm_id)
    computer = ((vm.body.get("properties") or {}).get("computer_name") or (vm.body.get("properties") or {}).get("name")) if vm else vm_id.rsplit("/", 1)[-1]
    domain = vm.service.get("domain") if vm else None
    host = f"{computer}.{domain}" if domain else computer
    try:
        services.register_agent(cloud, str(properties.get("HostPoolName", "")), str(token), host, vm_id)
    except AzureError as error:
        # The DSC configuration fails, and with it the extension (the agent never registered).
        raise Failure(
            f"creating/updating Virtual Machine Extension {ext.get('name')!r} (Virtual Machine {vm_id!r}): polling after CreateOrUpdate: "
            f"Code=\"VMExtensionProvisioningError\" Message=\"VM has reported a failure when processing extension '{ext.get('name')}'. "
            f"Error message: AVD agent registration failed: {error.message}\"",
            "",
        ) from None


def _host_pool_as_read(state: dict[str, Any], record: Record) -> dict[str, Any]:
    """The host pool as azurerm reads it back: the service stores customRdpProperty with a
    trailing `;` and azurerm 4.x sets what it reads, without a diff suppression
    (Azure/terraform-azurerm-avm-res-desktopvirtualization-hostpool#117,
    hashicorp/terraform-provider-azurerm#30805)."""
    rdp = state.get("custom_rdp_properties")
    if isinstance(rdp, str) and rdp and not rdp.endswith(";"):
        return {**state, "custom_rdp_properties": rdp + ";"}
    return state


def now_text(cloud: Cloud) -> str:
    return iso(cloud.now())
