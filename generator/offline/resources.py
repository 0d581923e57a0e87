"""What each resource and data source type does offline: which changes force replacement, the
defaults a real provider plans, and the values apply (or a data source read) fills in.

Replacement rules (a small table, not the whole provider; extend it when a module needs more):

* every ``azurerm_*`` type: ``name``, ``location``, ``resource_group_name`` when the type has
  them (ForceNew throughout azurerm), plus the per-type extras in ``FORCE_NEW`` from the
  provider's source, minus ``NOT_FORCE_NEW`` (``azurerm_role_definition`` renames in place);
* ``azapi_resource``: a different resource type (the part before ``@``; an api-version change
  alone is an update, as in azapi), ``name``, ``parent_id``, ``location`` (compared the way Azure
  normalises it), ``replace_triggers_external_values`` (when it changes to a non-null value), and
  any ``replace_triggers_refs`` path (``properties.source``, ``a.0.b``) whose value in ``body``
  changes;
* ``time_*``: ``triggers``; ``time_static.rfc3339``.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from . import generic
from .fixture import Fixture, digest, guid, rfc3339
from .schema import attribute_type
from .walk import Path, fill_by_type, transform
from .wire import UNKNOWN, CtyType, Dyn, dyn

# --- replacement ------------------------------------------------------------------------------

_AZURERM_FORCE_NEW = ("name", "location", "resource_group_name")
FORCE_NEW: dict[str, tuple[str, ...]] = {
    "azurerm_shared_image": ("gallery_name", "identifier", "os_type", "hyper_v_generation", "trusted_launch_supported", "trusted_launch_enabled", "specialized"),
    "azurerm_shared_image_version": ("gallery_name", "image_name"),
    "azurerm_role_assignment": ("scope", "role_definition_id", "role_definition_name", "principal_id"),
    "azurerm_role_definition": ("scope", "role_definition_id"),
    "azurerm_subnet": ("virtual_network_name",),
    # Every argument of a management lock is ForceNew (azurerm management_lock_resource.go).
    "azurerm_management_lock": ("scope", "lock_level", "notes"),
    # A new image means a new VM (ForceNew in azurerm's windows virtual machine resource).
    "azurerm_windows_virtual_machine": (
        "admin_username", "admin_password", "computer_name", "zone", "availability_set_id",
        "source_image_id", "source_image_reference", "secure_boot_enabled", "vtpm_enabled",
    ),
    "azurerm_virtual_machine_extension": ("virtual_machine_id", "publisher", "type"),
    "azurerm_virtual_desktop_host_pool": ("type",),
    "azurerm_virtual_desktop_host_pool_registration_info": ("hostpool_id",),
    "azurerm_virtual_desktop_application_group": ("type", "host_pool_id"),
    "azurerm_virtual_desktop_workspace_application_group_association": ("workspace_id", "application_group_id"),
    "time_static": ("triggers", "rfc3339"),
    "time_rotating": ("triggers",),
    "time_offset": ("triggers",),
    "time_sleep": ("triggers",),
}
NOT_FORCE_NEW: dict[str, frozenset[str]] = {"azurerm_role_definition": frozenset({"name"})}


def _plain(v: Any) -> Any:
    return v.value if isinstance(v, Dyn) else v


def _at(body: Any, dotted: str) -> Any:
    value = _plain(body)
    for part in dotted.split("."):
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _resource_type(t: Any) -> Any:
    return t.split("@", 1)[0].lower() if isinstance(t, str) else t


def _location(loc: Any) -> Any:
    return loc.replace(" ", "").lower() if isinstance(loc, str) else loc


def _azapi_replace(prior: dict[str, Any], planned: dict[str, Any]) -> list[Path]:
    paths: list[Path] = []
    if _resource_type(prior.get("type")) != _resource_type(planned.get("type")):
        paths.append(("type",))
    for name in ("name", "parent_id", "resource_id"):
        if name in planned and prior.get(name) != planned.get(name):
            paths.append((name,))
    if "location" in planned and _location(prior.get("location")) != _location(planned.get("location")):
        paths.append(("location",))
    external = _plain(planned.get("replace_triggers_external_values"))
    if external is not None and external != _plain(prior.get("replace_triggers_external_values")):
        paths.append(("replace_triggers_external_values",))
    refs = planned.get("replace_triggers_refs")
    if isinstance(refs, list) and any(
        isinstance(r, str) and _at(prior.get("body"), r) != _at(planned.get("body"), r) for r in refs
    ):
        paths.append(("body",))
    return paths


def requires_replace(type_name: str, prior: Any, planned: Any) -> list[Path]:
    """Attribute paths whose change from `prior` to `planned` forces a new resource."""
    if not (isinstance(prior, dict) and isinstance(planned, dict)):
        return []
    if type_name in ("azapi_resource", "azapi_update_resource"):
        return _azapi_replace(prior, planned)
    if type_name in generic.FORCE_NEW:
        return [(n,) for n in generic.FORCE_NEW[type_name] if n in planned and generic.replaced(type_name, n, prior.get(n), planned.get(n))]
    names = FORCE_NEW.get(type_name, ())
    if type_name.startswith("azurerm_"):
        names = _AZURERM_FORCE_NEW + names
    skip = NOT_FORCE_NEW.get(type_name, frozenset())
    return [(n,) for n in names if n in planned and n not in skip and prior.get(n) != planned.get(n)]


# --- plan -------------------------------------------------------------------------------------

# Defaults azapi's schema declares, which it plans as known values (from its documentation).
PLAN_DEFAULTS: dict[str, dict[str, Any]] = {
    "azapi_resource": {
        "ignore_casing": False,
        "ignore_missing_property": True,
        "ignore_null_property": False,
        "schema_validation_enabled": True,
    },
    "azapi_update_resource": {"ignore_casing": False, "ignore_missing_property": True},
    "azapi_resource_action": {"method": "POST", "when": "apply"},
}
# The defaults of azapi's `retry` attribute (internal/retry/retryable_errors.go).
RETRY_DEFAULTS = {"interval_seconds": 10, "max_interval_seconds": 180, "multiplier": Decimal("1.5"), "randomization_factor": Decimal("0.5")}


def adjust_plan(type_name: str, prior: Any, planned: dict[str, Any]) -> dict[str, Any]:
    out = generic.adjust_plan(type_name, planned)
    for name, default in PLAN_DEFAULTS.get(type_name, {}).items():
        _fill(out, name, default)
    if type_name.startswith("azapi_") and isinstance(out.get("retry"), dict):
        out["retry"] = dict(out["retry"])
        for name, default in RETRY_DEFAULTS.items():
            _fill(out["retry"], name, default)
    # azapi derives `output` from the response, so it is unknown whenever the request changes:
    # azapi_resource.go ModifyPlan (v2.5.0) makes it unknown for a new resource and when the
    # body, identity, type, response_export_values or tags differ from the state.
    watched = ("body", "identity", "type", "response_export_values", "tags") if type_name == "azapi_resource" else ("body", "response_export_values")
    changed = isinstance(prior, dict) and any(_plain(prior.get(k)) != _plain(out.get(k)) for k in watched if k in out)
    if changed and "output" in out and type_name.startswith("azapi_"):
        out["output"] = UNKNOWN
    return out


# --- apply and read: filling unknown values ---------------------------------------------------


def _fill(values: dict[str, Any], name: str, value: Any) -> None:
    """Set `name` only where the plan left it unknown (known planned values must survive)."""
    if values.get(name) is UNKNOWN and value is not None:
        values[name] = value


_RG = "/subscriptions/{subscription}/resourceGroups/{resource_group_name}"
ID_TEMPLATES = {
    "azurerm_resource_group": "/subscriptions/{subscription}/resourceGroups/{name}",
    "azurerm_shared_image_gallery": _RG + "/providers/Microsoft.Compute/galleries/{name}",
    "azurerm_shared_image": _RG + "/providers/Microsoft.Compute/galleries/{gallery_name}/images/{name}",
    "azurerm_shared_image_version": (
        _RG + "/providers/Microsoft.Compute/galleries/{gallery_name}/images/{image_name}/versions/{name}"
    ),
    "azurerm_user_assigned_identity": _RG + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
    "azurerm_virtual_network": _RG + "/providers/Microsoft.Network/virtualNetworks/{name}",
    "azurerm_subnet": _RG + "/providers/Microsoft.Network/virtualNetworks/{virtual_network_name}/subnets/{name}",
    "azurerm_network_interface": _RG + "/providers/Microsoft.Network/networkInterfaces/{name}",
    "azurerm_network_security_group": _RG + "/providers/Microsoft.Network/networkSecurityGroups/{name}",
    # azurerm uses the subnet's ID as the association's ID.
    "azurerm_subnet_network_security_group_association": "{subnet_id}",
    "azurerm_windows_virtual_machine": _RG + "/providers/Microsoft.Compute/virtualMachines/{name}",
    "azurerm_virtual_machine_extension": "{virtual_machine_id}/extensions/{name}",
    "azurerm_virtual_desktop_host_pool": _RG + "/providers/Microsoft.DesktopVirtualization/hostPools/{name}",
    "azurerm_virtual_desktop_host_pool_registration_info": "{hostpool_id}/registrationInfo/default",
    "azurerm_virtual_desktop_application_group": (
        _RG + "/providers/Microsoft.DesktopVirtualization/applicationGroups/{name}"
    ),
    "azurerm_virtual_desktop_workspace": _RG + "/providers/Microsoft.DesktopVirtualization/workspaces/{name}",
    # azurerm joins the two IDs of an association with "|".
    "azurerm_virtual_desktop_workspace_application_group_association": "{workspace_id}|{application_group_id}",
    "azurerm_role_assignment": "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
    "azurerm_role_definition": "{role_definition_resource_id}|{scope}",
    "azurerm_management_lock": "{scope}/providers/Microsoft.Authorization/locks/{name}",
}


def _from_template(template: str, values: dict[str, Any], fx: Fixture) -> str | None:
    fields = {"subscription": fx.subscription_id, **values}
    names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    if not all(isinstance(fields.get(n), str) and fields[n] for n in names):
        return None
    return template.format(**{n: fields[n] for n in names})


def _generic_id(type_name: str, v: dict[str, Any], fx: Fixture) -> str:
    name = v.get("name")
    if not isinstance(name, str):
        known = sorted((k, repr(x)) for k, x in v.items() if x is not UNKNOWN)
        name = digest(type_name, known, length=12)
    rg = v.get("resource_group_name")
    scope = f"{fx.subscription}/resourceGroups/{rg}" if isinstance(rg, str) else fx.subscription
    return f"{scope}/providers/Microsoft.Offline/{type_name}/{name}"


def azapi_id(resource_type: str, parent_id: str, name: str) -> str:
    """The ARM ID azapi builds: a child type under a parent of its own family nests by segment,
    anything else hangs off its parent scope through `/providers/`."""
    rtype = resource_type.split("@", 1)[0]
    namespace, *types = rtype.split("/")
    if rtype.lower() == "microsoft.resources/resourcegroups":
        return f"{parent_id}/resourceGroups/{name}"
    # ".../providers/Microsoft.Network/virtualNetworks/vnet" is of family [Microsoft.Network, virtualNetworks].
    tail = parent_id.rsplit("/providers/", 1)[1].split("/") if "/providers/" in parent_id else []
    parent_family = [p.lower() for p in tail[:1] + tail[1::2]]
    if len(types) > 1 and parent_family == [p.lower() for p in [namespace, *types[:-1]]]:
        return f"{parent_id}/{types[-1]}/{name}"
    return f"{parent_id}/providers/{rtype}/{name}"


def _azapi(v: dict[str, Any], fx: Fixture) -> None:
    _fill(v, "parent_id", fx.subscription)
    _fill(v, "name", f"offline-{digest(v.get('type'), v.get('parent_id'))}")
    _fill(v, "location", fx.location)
    if isinstance(v.get("resource_id"), str):
        _fill(v, "id", v["resource_id"])
    elif all(isinstance(v.get(k), str) for k in ("type", "parent_id", "name")):
        _fill(v, "id", azapi_id(v["type"], v["parent_id"], v["name"]))
        _fill(v, "resource_id", v["id"])  # azapi_update_resource: the ID it acts on
    _fill(v, "body", dyn({}))
    body_known = _plain(v.get("body")) is not None and _plain(v.get("body")) is not UNKNOWN
    _fill(v, "output", dyn(v["body"]) if body_known else dyn({}))
    _fill(v, "tags", {})


def _user_assigned_identity(v: dict[str, Any], fx: Fixture) -> None:
    _fill(v, "principal_id", guid(v.get("id"), "principal"))
    _fill(v, "client_id", guid(v.get("id"), "client"))
    _fill(v, "tenant_id", fx.tenant_id)


def _role_definition(v: dict[str, Any], fx: Fixture) -> None:
    _fill(v, "role_definition_id", guid("roleDefinition", v.get("name"), v.get("scope")))
    scope, role_id = v.get("scope"), v.get("role_definition_id")
    _fill(v, "role_definition_resource_id", f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role_id}")
    _fill(v, "assignable_scopes", [scope])


def _role_assignment(v: dict[str, Any], fx: Fixture) -> None:
    role_name = v.get("role_definition_name")
    _fill(
        v,
        "role_definition_id",
        f"{fx.subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid('roleDefinition', role_name)}",
    )
    _fill(v, "role_definition_name", f"offline-role-{digest(v.get('role_definition_id'))}")
    _fill(v, "name", guid("roleAssignment", v.get("scope"), v.get("role_definition_id"), v.get("principal_id")))
    _fill(v, "principal_type", "ServicePrincipal")


def _registration_info(v: dict[str, Any], fx: Fixture) -> None:
    _fill(
        v,
        "token",
        f"offline-fake-registration-token-{digest(v.get('hostpool_id'), v.get('expiration_date'), length=16)}",
    )


def _client_config(v: dict[str, Any], fx: Fixture) -> None:
    for name in ("client_id", "object_id", "subscription_id", "tenant_id"):
        _fill(v, name, getattr(fx, name))
    _fill(v, "subscription_resource_id", fx.subscription)
    _fill(
        v,
        "id",
        f"clientConfigs/clientId={fx.client_id};objectId={fx.object_id};"
        f"subscriptionId={fx.subscription_id};tenantId={fx.tenant_id}",
    )


def _add(
    moment: datetime, years: int = 0, months: int = 0, days: int = 0, hours: int = 0, minutes: int = 0, seconds: int = 0
) -> datetime:
    # Go's time.AddDate, which the time provider uses: overflowing days roll into the next month.
    month0 = moment.month - 1 + months + 12 * years
    first = moment.replace(year=moment.year + month0 // 12, month=month0 % 12 + 1, day=1)
    return first + timedelta(days=moment.day - 1 + days, hours=hours, minutes=minutes, seconds=seconds)


def _parse_time(text: Any, fx: Fixture) -> datetime:
    return datetime.fromisoformat(text) if isinstance(text, str) else fx.clock()


def _time_parts(v: dict[str, Any], moment: datetime) -> None:
    for name in ("year", "month", "day", "hour", "minute", "second"):
        _fill(v, name, getattr(moment, name))
    _fill(v, "unix", int(moment.timestamp()))


def _offsets(v: dict[str, Any], prefix: str) -> dict[str, int]:
    """`rotation_days = 30` -> {"days": 30}, for the units that are set."""
    units = ("years", "months", "days", "hours", "minutes", "seconds")
    found = {u: v.get(prefix + u) for u in units}
    return {u: int(x) for u, x in found.items() if isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)}


def _time_static(v: dict[str, Any], fx: Fixture) -> None:
    base = _parse_time(v.get("rfc3339"), fx)
    _fill(v, "rfc3339", rfc3339(base))
    _fill(v, "id", rfc3339(base))
    _time_parts(v, base)


def _time_rotating(v: dict[str, Any], fx: Fixture) -> None:
    _time_static(v, fx)
    _fill(v, "rotation_rfc3339", rfc3339(_add(_parse_time(v.get("rfc3339"), fx), **_offsets(v, "rotation_"))))


def _time_offset(v: dict[str, Any], fx: Fixture) -> None:
    base = _parse_time(v.get("base_rfc3339"), fx)
    _fill(v, "base_rfc3339", rfc3339(base))
    _fill(v, "id", rfc3339(base))
    moment = _add(base, **_offsets(v, "offset_"))
    _fill(v, "rfc3339", rfc3339(moment))
    _time_parts(v, moment)


def _time_sleep(v: dict[str, Any], fx: Fixture) -> None:
    _fill(v, "id", rfc3339(fx.clock()))


# Per-type fillers run after a templated ID (when its inputs are known) and before the generic one.
HOOKS: dict[str, Callable[[dict[str, Any], Fixture], None]] = {
    "azapi_resource": _azapi,
    "azapi_update_resource": _azapi,
    "azurerm_user_assigned_identity": _user_assigned_identity,
    "azurerm_role_definition": _role_definition,
    "azurerm_role_assignment": _role_assignment,
    "azurerm_virtual_desktop_host_pool_registration_info": _registration_info,
    "azurerm_client_config": _client_config,
    "azapi_client_config": _client_config,
    "time_static": _time_static,
    "time_rotating": _time_rotating,
    "time_offset": _time_offset,
    "time_sleep": _time_sleep,
}

_GUID_NAMES = {"principal_id", "client_id", "object_id", "application_id", "guid"}
_SECRET_WORDS = ("password", "secret", "token", "key")


def _default(ty: CtyType, path: Path, attr: dict[str, Any], seed: Any, fx: Fixture) -> Any:
    """A deterministic stand-in for an unknown of type `ty` at `path`."""
    if ty.kind == "string":
        name = next((p for p in reversed(path) if isinstance(p, str)), "")
        if name in ("tenant_id", "subscription_id"):
            return getattr(fx, name)
        if name == "location":
            return fx.location
        if name in _GUID_NAMES or name.endswith(("_guid", "_uuid")):
            return guid(seed, path)
        if attr.get("sensitive") or any(w in name for w in _SECRET_WORDS):
            return f"offline-fake-{name}-{digest(seed, path)}"
        return f"{name or 'value'}-{digest(seed, path)}"
    if ty.kind == "number":
        return 0
    if ty.kind == "bool":
        return False
    if ty.kind in ("list", "set"):
        return []
    if ty.kind == "map":
        return {}
    if ty.kind == "tuple":
        return [_default(t, path + (i,), {}, seed, fx) for i, t in enumerate(ty.elems)]
    if ty.kind == "object":
        return {k: _default(t, path + (k,), {}, seed, fx) for k, t in ty.attrs.items()}
    return None  # dynamic: like Terraform's own mocks


def complete(
    type_name: str, block: dict[str, Any], implied: CtyType, value: dict[str, Any], fx: Fixture,
    *, data: bool = False, serial: int = 0,
) -> dict[str, Any]:
    """`value` with every unknown replaced: type-specific values first, then generic ones.
    `data`: `value` is a data source's; `serial`: how many resources of the same type and
    configuration were created before (generic.py), so that they differ."""
    v = dict(value)
    utility = (generic.DATA_HOOKS if data else generic.HOOKS).get(type_name)
    if utility:
        utility(v, fx, (type_name, generic.config_key(type_name, value), serial))
    template = ID_TEMPLATES.get(type_name)
    if template:
        _fill(v, "id", _from_template(template, v, fx))
    hook = HOOKS.get(type_name)
    if hook:
        hook(v, fx)
        if template:  # the hook may have supplied the template's inputs
            _fill(v, "id", _from_template(template, v, fx))
    _fill(v, "id", _generic_id(type_name, v, fx))
    seed = (type_name, v.get("id"))

    def fill_attr(path: Path, attr: dict[str, Any], x: Any) -> Any:
        return fill_by_type(attribute_type(attr), x, lambda t, p: _default(t, path + p, attr, seed, fx))

    v = transform(block, v, fill_attr)
    # Anything still unknown (a whole nested block list, say) gets a generic value of its type.
    return fill_by_type(implied, v, lambda t, p: _default(t, p, {}, seed, fx))
