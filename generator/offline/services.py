"""What each Azure service does with a request, as a table of rules, each citing its source.

`handle(cloud, method, id, body, api_version)` answers one ARM request against the simulated
cloud (cloud.py): the generic ARM behaviour (GET of a missing resource is a 404, PUT creates or
replaces, DELETE removes) plus, for the types our modules use, the service's own rules below.
A rule refuses with the service's status, error code and message (AzureError); where the
service's exact wording is not published, the rule says so and uses the documented meaning.

Sources named in the table:
- [aib-ts]  MicrosoftDocs/azure-compute-docs, articles/virtual-machines/linux/image-builder-troubleshoot.md
- [aib-json] the same repository, articles/virtual-machines/linux/image-builder-json.md
- [aib-spec] Azure/azure-rest-api-specs, specification/imagebuilder/.../stable/2024-02-01/imagebuilder.json
- [aib-38]  danielsollondon/azvmimagebuilder#38 (delete during a build), #79 (canceling), #48
- [sig-ts]  MicrosoftDocs/azure-compute-docs, articles/virtual-machines/troubleshooting-shared-images.md
- [sig-spec] Azure/azure-rest-api-specs, specification/compute/.../GalleryRP/stable/2024-03-03
- [sig-copy] MicrosoftDocs/azure-docs, articles/virtual-machines/image-version-another-gallery-cli.md
  ("The source image version must be replicated to the region where your destination gallery is located.")
- [avd-spec] Azure/azure-rest-api-specs, specification/desktopvirtualization/.../stable/2024-04-03
- [avd-add] MicrosoftDocs/azure-docs, articles/virtual-desktop/add-session-hosts-host-pool.md
- [avd-38]  Azure/AVDSessionHostReplacer#38 (registration token expiry window)
- [rds-662] Azure/RDS-Templates#662, hashicorp/terraform-provider-azurerm#23997 (ghost hosts)
- [rbac-28557] hashicorp/terraform-provider-azurerm#28557 (RoleAssignmentExists)
- [aib-perm] MicrosoftDocs/azure-compute-docs, articles/virtual-machines/linux/image-builder-permissions-cli.md,
  "Permission to customize existing images" (a gallery version source: galleries/read, images/read,
  images/versions/read; a managed image: images/read)
- [rbac-builtin] MicrosoftDocs/azure-docs, articles/role-based-access-control/built-in-roles.md
  (Owner and Contributor: `*`; Reader: `*/read`)
- [vm-image] MicrosoftDocs/azure-compute-docs, articles/virtual-machines/troubleshooting-shared-images.md
  ("The gallery image ... is not available in <region> region", GalleryImageNotFound)
- [aib-staging] [aib-spec] ImageTemplateProperties.stagingResourceGroup: "in the same subscription as
  the image template ... If the resource group specified in this field doesn't exist, it will be
  created with the same name. If the resource group specified exists, it must be empty and in the
  same region as the image template. The resource group created will be deleted during template
  deletion if ... the resource group specified doesn't exist"; [aib-json] "stagingResourceGroup":
  a group can't be shared by two image templates
- [aib-vnet] [aib-spec] VirtualNetworkConfig ("Resource id of a pre-existing subnet"; the container
  instance subnet "must be on the same Virtual Network"); MicrosoftDocs/azure-compute-docs,
  articles/virtual-machines/linux/image-builder-networking.md (the container instance subnet is
  delegated to Microsoft.ContainerInstance/containerGroups; without it, Image Builder deploys a
  proxy VM behind a Private Link service, which needs privateLinkServiceNetworkPolicies disabled)
- [aib-staging-sp] [aib-json] "stagingResourceGroup", IMPORTANT: Contributor on the group "for the
  service principal corresponding to Azure Image Builder's first party app when trying to specify
  a pre-existing resource group and VNet ... with a Windows source image";
  articles/virtual-machines/linux/image-builder-troubleshoot.md, "Authorization error creating disk"
- [vnet-faq] MicrosoftDocs/azure-docs, articles/virtual-network/virtual-networks-faq.md ("Subnet
  address spaces can't overlap one another")
- [locks] MicrosoftDocs/azure-docs, articles/azure-resource-manager/management/lock-resources.md
  (CanNotDelete refuses delete; ReadOnly refuses delete and update, and POST operations too)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import cloud as _cloud
from .cloud import AzureError, Cloud, Record, arm_type, iso, not_found, plain
from .customizers import run_customizers

# --- the table ------------------------------------------------------------------------------------

Handler = Callable[[Cloud, "Request"], Any]


@dataclass(frozen=True)
class Request:
    method: str  # GET, PUT, PATCH, DELETE, POST
    id: str  # the resource's ID (for POST, without the action)
    action: str | None  # POST only: run, cancel
    body: dict[str, Any] | None
    api_version: str | None
    type: str  # ARM type of `id`
    existing: Record | None


@dataclass(frozen=True)
class Rule:
    type: str  # ARM type, lower case
    method: str  # GET/PUT/PATCH/DELETE, or POST:<action>
    handler: Handler
    source: str  # where the behaviour is documented
    what: str  # one line


RULES: list[Rule] = []


def rule(resource_type: str, method: str, source: str, what: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        RULES.append(Rule(resource_type.lower(), method, handler, source, what))
        return handler

    return register


def _rules_for(resource_type: str, method: str) -> list[Rule]:
    return [r for r in RULES if r.type == resource_type.lower() and r.method == method]


def request(cloud: Cloud, method: str, resource_id: str, body: dict[str, Any] | None = None, api_version: str | None = None, resource_type: str | None = None) -> Any:
    """One ARM request: GET, PUT, PATCH, DELETE, or POST of an action (`<id>/run`). Returns the
    response body; raises AzureError as the service would answer. Every request is logged."""
    try:
        result = handle(cloud, method, resource_id, plain(body) if body is not None else None, api_version, resource_type)
    except AzureError as error:
        cloud.log(method, resource_id, error.status, error.code)
        raise
    cloud.log(method, resource_id, 200, None)
    return result


def handle(cloud: Cloud, method: str, resource_id: str, body: dict[str, Any] | None, api_version: str | None, resource_type: str | None = None) -> Any:
    """Answer one request. POST takes `<id>/<action>`; the resource must exist."""
    action = None
    if method == "POST":
        resource_id, action = resource_id.rsplit("/", 1)
    rtype = resource_type or arm_type(resource_id)
    request = Request(method, resource_id, action, body, api_version, rtype, cloud.find(resource_id))
    key = f"POST:{action}" if action else method
    rules = _rules_for(rtype, key)
    if method in ("GET", "PATCH", "POST") and request.existing is None:
        raise not_found(resource_id)
    _check_locks(cloud, request)
    for found in rules:
        result = found.handler(cloud, request)
        if result is not None:
            return result
    if method == "POST" and not rules:
        raise AzureError(400, "InvalidAction", f"The action '{action}' is not supported for '{rtype}'.")
    return _generic(cloud, request)


def _generic(cloud: Cloud, request: Request) -> Any:
    """ARM's own behaviour: PUT creates or replaces, PATCH merges, DELETE removes (missing: 204)."""
    if request.method == "GET":
        return _response(request.existing)
    if request.method == "PUT":
        body = with_read_only(cloud, request.type, request.id, request.body or {})
        record = Record(request.id, request.type, body, request.existing.service if request.existing else {"created": iso(cloud.now())})
        cloud.store(record)
        return _response(record)
    if request.method == "PATCH":
        record = request.existing
        record.body = merge(record.body, request.body or {})
        cloud.store(record)
        return _response(record)
    if request.method == "DELETE":
        if request.existing is not None:
            # Nested resources go with their parent (a VM's extensions, a host pool's session
            # hosts when azurerm deletes it with force=true); rules refuse where Azure does.
            for child in cloud.children(request.id):
                cloud.remove(child.id)
            cloud.remove(request.id)
        return None
    return None


IDENTITIES = "Microsoft.ManagedIdentity/userAssignedIdentities"


def with_read_only(cloud: Cloud, rtype: str, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A PUT body as ARM stores and answers it, with the read-only fields the service adds:
    every resource's `id`, `name` and `type` (ARM's resource envelope); a managed identity's
    `properties.principalId`, `clientId` and `tenantId` (UserAssignedIdentityProperties, all
    read-only, in the ManagedIdentity REST spec); and for a resource with a managed identity,
    `identity.principalId`/`tenantId` (SystemAssigned) and each user-assigned identity's
    `principalId`/`clientId` (ManagedServiceIdentity in ARM's common types)."""
    out = {**body, "id": resource_id, "name": _last_segment(resource_id), "type": body.get("type") or rtype}
    tenant = _fixture(cloud).tenant_id
    if rtype.lower() == IDENTITIES.lower():
        properties = dict(out.get("properties") or {})
        properties.setdefault("principalId", _guid(resource_id, "principal"))
        properties.setdefault("clientId", _guid(resource_id, "client"))
        properties.setdefault("tenantId", tenant)
        out["properties"] = properties
    identity = out.get("identity")
    if isinstance(identity, dict):
        identity = dict(identity)
        if "systemassigned" in str(identity.get("type", "")).replace(" ", "").lower():
            identity.setdefault("principalId", _guid(resource_id, "system-principal"))
            identity.setdefault("tenantId", tenant)
        if isinstance(identity.get("userAssignedIdentities"), dict):
            identity["userAssignedIdentities"] = {
                uid: {"principalId": _guid(uid, "principal"), "clientId": _guid(uid, "client")}
                for uid in identity["userAssignedIdentities"]
            }
        out["identity"] = identity
    return out


def _fixture(cloud: Cloud) -> Any:
    """The pretend identity of the session's provider, else of this process."""
    from .fixture import Fixture

    return cloud.fixture or Fixture.from_env()


def _response(record: Record | None) -> dict[str, Any] | None:
    return None if record is None else dict(record.body)


def merge(old: Any, new: Any) -> Any:
    """JSON merge patch (RFC 7386), which ARM PATCH follows."""
    if not isinstance(new, dict) or not isinstance(old, dict):
        return new
    out = dict(old)
    for key, value in new.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(old.get(key), value)
    return out


def _guid(*parts: str) -> str:
    from .fixture import guid  # the IDs apply.py's azurerm identities get, so they agree

    return guid(*parts)


def _last_segment(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def _region(name: str) -> str:
    """ "East US" and "eastus" are one region."""
    return name.replace(" ", "").lower()


# --- Image Builder ----------------------------------------------------------------------------------

TEMPLATES = "Microsoft.VirtualMachineImages/imageTemplates"
BUSY = ("Running", "Canceling")
BUILD_MINUTES = 60  # the seed's "Build Status States": 30-90 minutes; one fixed value, so tests can count on it
CANCEL_MINUTES = 5
PATCHABLE = {"identity", "tags", "properties"}
PATCHABLE_PROPERTIES = {"distribute", "vmProfile"}


def _run_state(record: Record) -> str:
    return ((record.body.get("properties") or {}).get("lastRunStatus") or {}).get("runState", "")


def _busy(request: Request, verb: str) -> None:
    state = _run_state(request.existing) if request.existing else ""
    if state in BUSY:
        raise AzureError(
            409,
            "OperationNotAllowed",
            f"Operation 'Microsoft.VirtualMachineImages/imageTemplates/{verb}' is not allowed in provisioningState: 'provisioned', runState: '{state.lower()}'",
        )


@rule(TEMPLATES, "PUT", "[aib-ts] 'Update/Upgrade of image templates is currently not supported' (the full text from a deployment log)", "a template is created once; a PUT on an existing one is refused")
def _template_put(cloud: Cloud, request: Request) -> Any:
    if request.existing is not None:
        raise AzureError(
            409,
            "Conflict",
            "Update/Upgrade of image templates is currently not supported. Please change the name of the template you are submitting. "
            "If you have previously tried to submit a template and it failed to provision, you must delete it first and then resubmit. "
            "For more information, go to https://aka.ms/azvmimagebuilderts.",
        )
    body = dict(request.body or {})
    properties = dict(body.get("properties") or {})
    _check_build_network(cloud, properties)
    created_staging = _take_staging_group(cloud, request, properties, body)
    properties["provisioningState"] = "Succeeded"
    properties["exactStagingResourceGroup"] = properties.get("stagingResourceGroup") or (
        f"{'/'.join(request.id.split('/')[:3])}/resourceGroups/IT_{request.id.split('/')[4]}_{_last_segment(request.id)}_{cloud.now().strftime('%Y%m%d%H%M%S')}"
    )
    body["properties"] = properties
    identity = body.get("identity") or {}
    if isinstance(identity.get("userAssignedIdentities"), dict):
        # The service answers with each identity's principal and client IDs (read-only).
        identity["userAssignedIdentities"] = {
            uid: {"principalId": _guid(uid, "principal"), "clientId": _guid(uid, "client")} for uid in identity["userAssignedIdentities"]
        }
    service = {"created": iso(cloud.now()), **({"created_staging_group": created_staging} if created_staging else {})}
    record = Record(request.id, TEMPLATES, {**body, "id": request.id, "name": _last_segment(request.id), "type": TEMPLATES}, service)
    cloud.store(record)
    return _response(record)


@rule(TEMPLATES, "PATCH", "[aib-spec] ImageTemplateUpdateParameters (2024-02-01): identity, tags, properties.distribute, properties.vmProfile; [aib-38] busy templates refuse changes (the PATCH wording is not published; the delete one is used with 'write')", "only the patchable parts, and not during a build")
def _template_patch(cloud: Cloud, request: Request) -> Any:
    _busy(request, "write")
    body = request.body or {}
    unexpected = sorted(set(body) - PATCHABLE) + sorted(f"properties.{k}" for k in set(body.get("properties") or {}) - PATCHABLE_PROPERTIES)
    if unexpected:
        raise AzureError(400, "InvalidRequestContent", f"The request content was invalid: {', '.join(unexpected)} cannot be updated; only identity, tags, properties.distribute and properties.vmProfile can.")
    if "vmProfile" in (body.get("properties") or {}):
        _check_build_network(cloud, body["properties"])  # a build network added or moved by PATCH
    return None  # the generic merge


@rule(TEMPLATES, "DELETE", "[aib-38] 'Operation ... delete is not allowed in provisioningState: 'provisioned', runState: 'running''", "not deleted during a build")
def _template_delete(cloud: Cloud, request: Request) -> Any:
    _busy(request, "delete")
    if request.existing is not None:
        for child in cloud.children(request.id):
            cloud.remove(child.id)  # run outputs go with the template
        # [aib-staging]: a staging group Image Builder created goes with the template; a group
        # that existed before stays (the build's resources in it are deleted).
        # [aib-spec]: "the resources created in the resource group will be deleted during template
        # deletion" (a build VM kept by errorHandling "abort", say).
        for kept in [r for r in cloud.data["resources"].values() if (r.get("service") or {}).get("left_by", "").lower() == request.id.lower()]:
            cloud.remove(kept["id"])
        created = request.existing.service.get("created_staging_group")
        if created:
            for child in cloud.children(created):
                cloud.remove(child.id)
            cloud.remove(created)
    return None


@rule(TEMPLATES, "POST:run", "[aib-spec] run: POST, long-running; lastRunStatus.runState Running -> Succeeded | PartiallySucceeded | Failed | Canceled", "starts a build")
def _template_run(cloud: Cloud, request: Request) -> Any:
    record = request.existing
    if _run_state(record) in BUSY:
        # Not published word for word; the service refuses a second run while one is in progress.
        raise AzureError(409, "OperationNotAllowed", f"Operation 'Microsoft.VirtualMachineImages/imageTemplates/run/action' is not allowed in provisioningState: 'provisioned', runState: '{_run_state(record).lower()}'")
    record.body["properties"]["lastRunStatus"] = {"startTime": iso(cloud.now()), "runState": "Running", "runSubState": "Queued", "message": ""}
    record.service["run"] = record.service.get("run", 0) + 1
    cloud.store(record)
    cloud.schedule(BUILD_MINUTES * 60, "build_finished", template=request.id, run=record.service["run"])
    return {}


def operation(cloud: Cloud, resource_id: str, action: str) -> Callable[[], str | None] | None:
    """The status of a long-running action just started on `resource_id`, for a caller that
    polls it (azapi does; `az image builder run --no-wait` does not): None while it runs, then
    "Succeeded" or the failure text. Image Builder's run is one [aib-spec]: 202 with an
    Azure-AsyncOperation whose status follows lastRunStatus (Running -> Succeeded | Failed |
    Canceled; the operation's error carries lastRunStatus.message)."""
    if arm_type(resource_id).lower() != TEMPLATES.lower() or action != "run":
        return None

    def status() -> str | None:
        record = cloud.find(resource_id)
        if record is None:
            return "Canceled: the image template was deleted"
        run = (record.body.get("properties") or {}).get("lastRunStatus") or {}
        state = run.get("runState", "")
        if state in BUSY:
            return None
        if state in ("Succeeded", "PartiallySucceeded"):
            return "Succeeded"
        return f"{state or 'Failed'}: {run.get('message') or 'the build did not succeed'}"

    return status


@rule(TEMPLATES, "POST:cancel", "[aib-json] 'The cancel command doesn't wait for cancel to complete, monitor lastrunstatus.runstate'; [aib-38] #79", "cancels a running build")
def _template_cancel(cloud: Cloud, request: Request) -> Any:
    record = request.existing
    state = _run_state(record)
    if state != "Running":
        raise AzureError(409, "OperationNotAllowed", f"Operation Microsoft.VirtualMachineImages/imageTemplates/cancel/action is not allowed in provisioning state: provisioned or run state: {state.lower() or 'none'}.")
    record.body["properties"]["lastRunStatus"].update(runState="Canceling", runSubState="")
    cloud.store(record)
    cloud.schedule(CANCEL_MINUTES * 60, "build_canceled", template=request.id, run=record.service["run"])
    return {}


def run_sub_state(cloud: Cloud, record: Record) -> str:
    """Where a running build is, by elapsed time (the spec lists the sub-states, not their order
    or timing; this follows the seed's Build Status States)."""
    status = record.body["properties"].get("lastRunStatus") or {}
    if status.get("runState") != "Running":
        return ""
    elapsed = (cloud.now() - datetime.fromisoformat(status["startTime"].replace("Z", "+00:00"))).total_seconds() / 60
    for limit, name in ((2, "Queued"), (5, "Validating"), (10, "Building"), (45, "Customizing"), (50, "Optimizing")):
        if elapsed < limit:
            return name
    return "Distributing"


def _build_finished(cloud: Cloud, event: dict[str, Any]) -> None:
    record = cloud.find(event["template"])
    if record is None or record.service.get("run") != event["run"] or _run_state(record) != "Running":
        return
    properties = record.body["properties"]
    # A source Image Builder's validation refuses fails the run before any build VM exists.
    source_failure = _source_problem(cloud, record) or _staging_access_problem(cloud, record)
    customizer_failure = None if source_failure else run_customizers(properties.get("customize") or [], cloud.failing())
    published: list[str] = []
    # [aib-spec] validate: the in-VM validations run on the customized image; when one fails,
    # the image is distributed only with continueDistributeOnFailure, and "in either case ... the
    # end to end image run will be reported as having failed".
    validate = properties.get("validate") or {}
    validation_failure = None if source_failure or customizer_failure else run_customizers(validate.get("inVMValidations") or [], cloud.failing(), "Validator")
    failure = source_failure or customizer_failure
    if failure is None and (validation_failure is None or validate.get("continueDistributeOnFailure")):
        failure = _distribute(cloud, record, published)
    failure = failure or validation_failure
    # [aib-spec] errorHandling: with "abort" the build VM "will be preserved" after a customizer
    # (onCustomizerError) or validation (onValidationError) error; "cleanup" (the default)
    # deletes it and its network resources. The names are the simulator's own (not published).
    handling = properties.get("errorHandling") or {}
    if (customizer_failure and handling.get("onCustomizerError") == "abort") or (validation_failure and handling.get("onValidationError") == "abort"):
        _keep_build_vm(cloud, record)
    status = properties["lastRunStatus"]
    status.update(runSubState="", endTime=iso(cloud.now()))
    if failure is None:
        status.update(runState="Succeeded", message="")
    else:
        # A failed build keeps provisioningState Succeeded with runState Failed [aib-ts].
        status.update(runState="Failed", message=failure)
    cloud.store(record)


def _keep_build_vm(cloud: Cloud, record: Record) -> None:
    staging = record.body["properties"].get("exactStagingResourceGroup")
    if not staging:
        return
    run = record.service.get("run", 0)
    for rtype, name in (("Microsoft.Compute/virtualMachines", f"vm-{_last_segment(record.id)}-{run}"),
                        ("Microsoft.Compute/disks", f"osdisk-{_last_segment(record.id)}-{run}"),
                        ("Microsoft.Network/networkInterfaces", f"nic-{_last_segment(record.id)}-{run}")):
        rid = f"{staging}/providers/{rtype}/{name}"
        cloud.store(Record(rid, rtype, {"id": rid, "name": name, "tags": dict(record.body["properties"].get("managedResourceTags") or {})}, {"left_by": record.id}))


def _source_problem(cloud: Cloud, record: Record) -> str | None:
    """What Image Builder's validation finds wrong with a source this cloud holds [aib-json]
    "properties: source": a SharedImageVersion must exist (for .../versions/latest, a version of
    the definition not excluded from latest), and a ManagedImage must be in the template's region.
    The service's wording is not published; these messages say what the docs say. Sources the
    simulated cloud does not hold (marketplace images, another tenant's) are not checked."""
    source = (record.body.get("properties") or {}).get("source") or {}
    if source.get("type") == "SharedImageVersion":
        version_id = str(source.get("imageVersionId") or "")
        definition_id = version_id.rsplit("/versions/", 1)[0]
        if cloud.find(definition_id) is None and cloud.find(version_id) is None and not cloud.children(definition_id, GALLERY_VERSIONS):
            return None  # a gallery this cloud knows nothing of: not modelled
        if version_id.lower().endswith("/versions/latest"):
            found = [v for v in cloud.children(definition_id, GALLERY_VERSIONS)
                     if not ((v.body.get("properties") or {}).get("publishingProfile") or {}).get("excludeFromLatest")]
        else:
            found = [v for v in [cloud.find(version_id)] if v is not None]
        if not found:
            return f"Validation failed: the source image version {version_id} was not found."
        # [aib-perm] "Permission to customize existing images": the template's identity reads the
        # source gallery version (galleries/read, images/read, images/versions/read). The
        # service's wording is not published; this one is ARM's AuthorizationFailed.
        needed = "Microsoft.Compute/galleries/images/versions/read"
        principals = [_guid(uid, "principal") for uid in ((record.body.get("identity") or {}).get("userAssignedIdentities") or {})]
        if not any(_may(cloud, principal, version_id, needed) for principal in principals):
            return (f"Validation failed: the template's identity does not have authorization to perform action '{needed}' over scope "
                    f"'{found[0].id}': grant it the gallery read actions on the source gallery.")
    if source.get("type") == "ManagedImage":
        image = cloud.find(str(source.get("imageId") or ""))
        if image is not None and _region(image.body.get("location") or "") != _region(record.body.get("location") or ""):
            return f"Validation failed: the source managed image {source.get('imageId')} is in {image.body.get('location')}, but the template is in {record.body.get('location')}; a managed image source must be in the template's region."
    return None


def _staging_access_problem(cloud: Cloud, record: Record) -> str | None:
    """[aib-staging-sp]: a build on your network (vnetConfig) in a staging group you gave (not
    one Image Builder made) has Image Builder's own first-party service principal create the
    build's disks there; without Contributor (disks/write) on the group it fails with the
    troubleshooting guide's error. The module's images are Windows, the case the docs name."""
    properties = record.body.get("properties") or {}
    staging = properties.get("stagingResourceGroup")
    if not staging or record.service.get("created_staging_group") or not ((properties.get("vmProfile") or {}).get("vnetConfig") or {}).get("subnetId"):
        return None
    principal = _fixture(cloud).image_builder_object_id
    disk = f"{staging}/providers/Microsoft.Compute/disks/proxyVmDiskWin_{int(cloud.now().timestamp())}"
    if _may(cloud, principal, disk, "Microsoft.Compute/disks/write"):
        return None
    return (f"The client '{principal}' with object id '{principal}' does not have authorization to perform action "
            f"'Microsoft.Compute/disks/write' over scope '{disk}' or the scope is invalid. Grant Azure Image Builder's "
            "service principal (app ID cf32a0cc-373c-47c9-9156-0db11f6a6dfc) Contributor on the staging resource group.")


_BUILT_IN_ROLES = {"owner": ["*"], "contributor": ["*"], "reader": ["*/read"]}  # [rbac-builtin]; Contributor's NotActions concern Authorization only


def _may(cloud: Cloud, principal: str, resource_id: str, action: str) -> bool:
    """Whether a role assignment of `principal` at `resource_id` or above grants `action`
    (Azure RBAC: an assignment applies at its scope and below; `*` in an action is a wildcard)."""
    from fnmatch import fnmatchcase
    from .fixture import guid

    def grants(patterns: list[str], excluded: list[str]) -> bool:
        hit = lambda pats: any(fnmatchcase(action.lower(), p.lower()) for p in pats)  # noqa: E731
        return hit(patterns) and not hit(excluded)

    for entry in cloud.data["resources"].values():
        props = (entry.get("body") or {}).get("properties") or {}
        if entry.get("type", "").lower() != "microsoft.authorization/roleassignments" and not {"scope", "roleDefinitionId", "principalId"} <= set(props):
            continue
        scope, role_id = str(props.get("scope") or ""), str(props.get("roleDefinitionId") or "")
        if props.get("principalId") != principal or not (resource_id.lower() + "/").startswith(scope.lower().rstrip("/") + "/"):
            continue
        for name, actions in _BUILT_IN_ROLES.items():
            if role_id.lower().endswith("/" + guid("roleDefinition", name.capitalize()).lower()) and grants(actions, []):
                return True
        for other in cloud.data["resources"].values():
            definition = (other.get("body") or {}).get("properties") or {}
            if str(definition.get("role_definition_resource_id") or "").lower() == role_id.lower():
                for permission in definition.get("permissions") or []:
                    if grants(permission.get("actions") or [], permission.get("not_actions") or []):
                        return True
    return False


def _build_canceled(cloud: Cloud, event: dict[str, Any]) -> None:
    record = cloud.find(event["template"])
    if record is None or record.service.get("run") != event["run"] or _run_state(record) != "Canceling":
        return
    record.body["properties"]["lastRunStatus"].update(runState="Canceled", runSubState="", endTime=iso(cloud.now()), message="")
    cloud.store(record)


_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _distribute(cloud: Cloud, record: Record, published: list[str]) -> str | None:
    """Publish the build to each SharedImage target; the failure message, or None."""
    for target in record.body["properties"].get("distribute") or []:
        if target.get("type") != "SharedImage":
            continue
        gallery_image_id = target["galleryImageId"]
        if "/versions/" in gallery_image_id:
            version_id = gallery_image_id
            if cloud.find(version_id) is not None:
                # [aib-json]: "The image version ID needs to be distinct ... from any image versions
                # that are in the existing Azure Compute Gallery"; the service's wording is not published.
                return f"Distribution failed: gallery image version {version_id} already exists; an image version can be published only once."
        else:
            major = int((target.get("versioning") or {}).get("major", 1))
            versions = [_VERSION.match(v.id.rsplit("/", 1)[1]) for v in cloud.children(gallery_image_id, GALLERY_VERSIONS)]
            numbers = sorted(tuple(int(p) for p in m.groups()) for m in versions if m and int(m.group(1)) == major)
            # The Latest scheme: the next patch above the newest version of the major (the first
            # version of a major is not documented; M.0.0 is used).
            version = f"{major}.0.0" if not numbers else f"{numbers[-1][0]}.{numbers[-1][1]}.{numbers[-1][2] + 1}"
            version_id = f"{gallery_image_id}/versions/{version}"
        definition_id = version_id.rsplit("/versions/", 1)[0]
        if cloud.find(definition_id) is None:
            return f"Distribution failed: gallery image {definition_id} was not found."
        cloud.store(Record(version_id, GALLERY_VERSIONS, {
            "id": version_id,
            "name": version_id.rsplit("/", 1)[1],
            "properties": {
                "provisioningState": "Succeeded",
                "publishingProfile": {
                    "targetRegions": target.get("targetRegions") or [],
                    "excludeFromLatest": bool(target.get("excludeFromLatest", False)),
                    "publishedDate": iso(cloud.now()),
                },
                "storageProfile": {"source": {"id": record.id}},
            },
        }, {"created": iso(cloud.now()), "built_by": record.id}))
        output_id = f"{record.id}/runOutputs/{target.get('runOutputName') or _last_segment(record.id)}"
        cloud.store(Record(output_id, f"{TEMPLATES}/runOutputs", {"id": output_id, "properties": {"artifactId": version_id, "provisioningState": "Succeeded"}}, {}))
        published.append(version_id)
    return None


# The types that live in a resource group's ID space without being resources in it.
_EXTENSION_TYPES = ("microsoft.authorization/",)


def _resources_in(cloud: Cloud, group_id: str) -> list[Record]:
    return [r for r in cloud.children(group_id) if not r.type.lower().startswith(_EXTENSION_TYPES)]


def _take_staging_group(cloud: Cloud, request: Request, properties: dict[str, Any], body: dict[str, Any]) -> str | None:
    """[aib-staging]: the staging group a template names. Refused (the service's wording is not
    published; the code is the provisioningErrorCode the spec lists for it) when it is in another
    subscription, or exists but is not empty, is in another region, or is another template's.
    A group that does not exist is created; its ID is returned, so it goes with the template."""
    staging = properties.get("stagingResourceGroup")
    if not staging:
        return None

    def refuse(why: str) -> None:
        raise AzureError(400, "BadStagingResourceGroup", f"The staging resource group {staging} cannot be used for image template {_last_segment(request.id)}: {why}.")

    parts = staging.strip("/").split("/")
    if len(parts) != 4 or parts[0].lower() != "subscriptions" or parts[2].lower() != "resourcegroups":
        refuse("it is not a resource group ID")
    if parts[1].lower() != request.id.split("/")[2].lower():
        refuse("it must be in the image template's subscription")
    for other in cloud.of_type(TEMPLATES):
        theirs = (other.body.get("properties") or {}).get("exactStagingResourceGroup") or ""
        if other.id.lower() != request.id.lower() and theirs.lower() == staging.lower():
            refuse(f"it is already the staging resource group of image template {other.id}")
    group = cloud.find(staging)
    location = _region(str(body.get("location") or ""))
    if group is None:
        tags = dict(properties.get("managedResourceTags") or {})
        cloud.store(Record(staging, "Microsoft.Resources/resourceGroups", {"id": staging, "name": parts[3], "location": location, "tags": tags, "properties": {"name": parts[3], "location": location, "tags": tags}}, {"created_by": request.id}))
        return staging
    group_location = _region(str((group.body.get("properties") or {}).get("location") or group.body.get("location") or ""))
    if location and group_location and group_location != location:
        refuse(f"it is in {group_location}, and the staging resource group must be in the image template's region, {location}")
    inside = _resources_in(cloud, staging)
    if inside:
        refuse(f"it must be empty, and it holds {len(inside)} resource(s), such as {inside[0].id}")
    return None


def _check_build_network(cloud: Cloud, properties: dict[str, Any]) -> None:
    """[aib-vnet]: the subnets a template names exist; the container instance subnet is another
    subnet of the same virtual network, delegated to container groups; without it, the build
    subnet has Private Link service network policies disabled (the proxy VM's Private Link
    service). The service's wording is not published; the messages say what the docs say."""
    vnet = ((properties.get("vmProfile") or {}).get("vnetConfig")) or {}
    subnet_id, aci_id = vnet.get("subnetId"), vnet.get("containerInstanceSubnetId")
    if not subnet_id:
        if aci_id or vnet.get("proxyVmSize"):
            raise AzureError(400, "InvalidParameter", "vmProfile.vnetConfig.containerInstanceSubnetId and proxyVmSize may be specified only if subnetId is also specified.")
        return
    if aci_id and vnet.get("proxyVmSize"):
        raise AzureError(400, "InvalidParameter", "vmProfile.vnetConfig.proxyVmSize must not be specified with containerInstanceSubnetId: no proxy virtual machine is deployed for an isolated build.")
    subnet = cloud.find(subnet_id)
    if subnet is None:
        raise AzureError(400, "InvalidParameter", f"vmProfile.vnetConfig.subnetId: the subnet {subnet_id} was not found; it must be a pre-existing subnet.")
    if aci_id:
        if aci_id.lower() == subnet_id.lower() or aci_id.lower().rsplit("/subnets/", 1)[0] != subnet_id.lower().rsplit("/subnets/", 1)[0]:
            raise AzureError(400, "InvalidParameter", f"vmProfile.vnetConfig.containerInstanceSubnetId {aci_id} must be another subnet of the virtual network of subnetId {subnet_id}.")
        aci = cloud.find(aci_id)
        if aci is None:
            raise AzureError(400, "InvalidParameter", f"vmProfile.vnetConfig.containerInstanceSubnetId: the subnet {aci_id} was not found; it must be a pre-existing subnet.")
        delegations = (aci.body.get("properties") or {}).get("delegation") or []
        services = {str(d.get("name") or "").lower() for entry in delegations for d in (entry.get("service_delegation") or [])}
        if "microsoft.containerinstance/containergroups" not in services:
            raise AzureError(400, "InvalidParameter", f"vmProfile.vnetConfig.containerInstanceSubnetId: the subnet {aci_id} must be delegated to Microsoft.ContainerInstance/containerGroups.")
    elif (subnet.body.get("properties") or {}).get("private_link_service_network_policies_enabled") is not False:
        raise AzureError(400, "InvalidParameter", f"vmProfile.vnetConfig.subnetId: the subnet {subnet_id} has Private Link service network policies enabled; disable them (privateLinkServiceNetworkPolicies) for the proxy VM's Private Link service, or give a container instance subnet.")


# --- Management locks -------------------------------------------------------------------------------

LOCKS = "Microsoft.Authorization/locks"


def _check_locks(cloud: Cloud, request: Request) -> None:
    """[locks]: a CanNotDelete lock at or above a resource refuses its delete; a ReadOnly lock
    refuses its delete, its update (PUT of an existing resource, PATCH) and POST actions. The
    lock itself and other authorization resources are not refused by it."""
    if request.type.lower().startswith(_EXTENSION_TYPES):
        return
    writes = request.method in ("PATCH", "POST") or (request.method == "PUT" and request.existing is not None)
    if request.method != "DELETE" and not writes:
        return
    for lock in cloud.of_type(LOCKS):
        scope = lock.id.rsplit("/providers/Microsoft.Authorization/locks/", 1)[0] if "/providers/microsoft.authorization/locks/" in lock.id.lower() else ""
        if not scope or not (request.id.lower() == scope.lower() or request.id.lower().startswith(scope.lower() + "/")):
            continue
        level = str((lock.body.get("properties") or {}).get("lock_level") or "")
        if level == "ReadOnly" or (level == "CanNotDelete" and request.method == "DELETE"):
            verb = {"DELETE": "delete", "POST": "action"}.get(request.method, "write")
            raise AzureError(409, "ScopeLocked", f"The scope '{request.id}' cannot perform {verb} operation because following scope(s) are locked: '{scope}'. Please remove the lock and try again.")


# --- Compute Gallery ------------------------------------------------------------------------------

GALLERIES = "Microsoft.Compute/galleries"
GALLERY_IMAGES = "Microsoft.Compute/galleries/images"
GALLERY_VERSIONS = "Microsoft.Compute/galleries/images/versions"
VIRTUAL_MACHINES = "Microsoft.Compute/virtualMachines"


@rule(GALLERIES, "DELETE", "[sig-ts] 'CannotDeleteResource: Can not delete resource before nested resources are deleted.' (galleries with image definitions too)", "a gallery with image definitions is not deleted")
def _gallery_delete(cloud: Cloud, request: Request) -> Any:
    if request.existing is not None and cloud.children(request.id, GALLERY_IMAGES):
        raise AzureError(409, "CannotDeleteResource", "Can not delete resource before nested resources are deleted.")
    return None


def image_for_vm(cloud: Cloud, image_id: str, location: str) -> None:
    """A VM from a gallery image needs that version (or, for a definition, a version not
    excluded from latest) to exist and be replicated to the VM's region [vm-image]."""
    if "/providers/microsoft.compute/galleries/" not in image_id.lower():
        return  # a managed image or a marketplace reference: not modelled
    if "/versions/" in image_id.lower():
        versions = [v for v in [cloud.find(image_id)] if v is not None]
    else:
        versions = [
            v for v in cloud.children(image_id, GALLERY_VERSIONS)
            if not ((v.body.get("properties") or {}).get("publishingProfile") or {}).get("excludeFromLatest")
        ]
    regions = set()
    for version in versions:
        profile = (version.body.get("properties") or {}).get("publishingProfile") or {}
        regions |= {_region(r.get("name") or "") for r in profile.get("targetRegions") or []}
    if not versions or _region(location) not in regions:
        raise AzureError(
            404,
            "GalleryImageNotFound",
            f"The gallery image {image_id} is not available in {location} region. Please contact image owner to replicate to this region, or change your requested region.",
        )


@rule(GALLERY_IMAGES, "DELETE", "[sig-ts] 'CannotDeleteResource: Can not delete resource before nested resources are deleted.'", "an image definition with versions is not deleted")
def _definition_delete(cloud: Cloud, request: Request) -> Any:
    if request.existing is not None and cloud.children(request.id, GALLERY_VERSIONS):
        raise AzureError(409, "CannotDeleteResource", "Can not delete resource before nested resources are deleted.")
    return None


@rule(GALLERY_VERSIONS, "PUT", "[sig-ts] 'Source was not found: <id>. Please make sure the source exists.'; 'Changing property ... source.id is not allowed.'; [sig-copy] the source replicated to the gallery's region", "a version copied from another version names one that exists, in the gallery's region; its source never changes")
def _version_put(cloud: Cloud, request: Request) -> Any:
    source = (((request.body or {}).get("properties") or {}).get("storageProfile") or {}).get("source") or {}
    source_id = source.get("id")
    if request.existing is not None:
        old = ((request.existing.body.get("properties") or {}).get("storageProfile") or {}).get("source") or {}
        if source_id and old.get("id") and source_id.lower() != old["id"].lower():
            raise AzureError(409, "PropertyChangeNotAllowed", "Changing property 'galleryImageVersion.properties.storageProfile.source.id' is not allowed.")
    found = cloud.find(source_id) if source_id else None
    if source_id and found is None:
        raise AzureError(404, "NotFound", f"Source was not found: {source_id}. Please make sure the source exists.")
    if found is not None and found.type == GALLERY_VERSIONS and request.existing is None:
        # [sig-copy]: a copy from another gallery needs the source in the new version's region
        # (the service's error text for it is not published: this one says what the doc says).
        regions = {_region(r.get("name", "")) for r in ((found.body.get("properties") or {}).get("publishingProfile") or {}).get("targetRegions") or []}
        location = _region((request.body or {}).get("location", ""))
        if location and location not in regions:
            raise AzureError(400, "InvalidParameter", f"The source image version {source_id} is not replicated to region '{location}', where the gallery is: replicate it there first.")
    if request.existing is None and cloud.find(request.id.rsplit("/versions/", 1)[0]) is None:
        raise not_found(request.id.rsplit("/versions/", 1)[0])
    body = dict(request.body or {})
    properties = dict(body.get("properties") or {})
    properties["provisioningState"] = "Succeeded"
    profile = dict(properties.get("publishingProfile") or {})
    profile.setdefault("publishedDate", iso(cloud.now()))
    properties["publishingProfile"] = profile
    body["properties"] = properties
    record = Record(request.id, GALLERY_VERSIONS, {**body, "id": request.id, "name": _last_segment(request.id)}, {"created": iso(cloud.now())})
    cloud.store(record)
    return _response(record)


# --- Azure Virtual Desktop ------------------------------------------------------------------------

SESSION_HOSTS = "Microsoft.DesktopVirtualization/hostPools/sessionHosts"
HOST_POOLS = "Microsoft.DesktopVirtualization/hostPools"
TOKEN_MIN = timedelta(hours=1)
TOKEN_MAX = timedelta(days=30)
REGISTRATION_SECONDS = 120  # [avd-add]: "After a short time, the virtual machines are listed as session hosts"


@rule(SESSION_HOSTS, "PUT", "[avd-spec] sessionHosts has GET, PATCH (Update) and DELETE only: the AVD agent creates the record (the service's answer to a PUT is not published)", "no PUT")
def _session_host_put(cloud: Cloud, request: Request) -> Any:
    raise AzureError(405, "MethodNotAllowed", "The requested resource does not support http method 'PUT'.")


@rule(SESSION_HOSTS, "PATCH", "[avd-spec] SessionHostPatch: properties.allowNewSession, assignedUser, friendlyName", "drain mode and friendly names")
def _session_host_patch(cloud: Cloud, request: Request) -> Any:
    allowed = {"allowNewSession", "assignedUser", "friendlyName"}
    unexpected = sorted(set(((request.body or {}).get("properties") or {})) - allowed) + sorted(set(request.body or {}) - {"properties"})
    if unexpected:
        raise AzureError(400, "InvalidRequestContent", f"The request content was invalid: {', '.join(unexpected)} cannot be updated on a session host.")
    return None


def register_agent(cloud: Cloud, host_pool_name: str, token: str, host_name: str, vm_id: str) -> None:
    """The AVD agent on a VM registers with `token` (what the DSC extension's AddSessionHost
    configuration starts): the record appears a little later [avd-add], if the token is one of
    that host pool's and has not expired. Raises AzureError otherwise, as the extension fails."""
    pools = [p for p in cloud.of_type(HOST_POOLS) if _last_segment(p.id).lower() == host_pool_name.lower()]
    matching = [p for p in pools if (p.service.get("registration") or {}).get("token_sha256") == _digest(token)]
    if not matching:
        raise AzureError(400, "InvalidRegistrationToken", f"The registration token is not valid for host pool '{host_pool_name}': the agent could not register {host_name}.")
    registration = matching[0].service["registration"]
    if datetime.fromisoformat(registration["expires"].replace("Z", "+00:00")) <= cloud.now():
        raise AzureError(400, "InvalidRegistrationToken", f"The registration token of host pool '{host_pool_name}' expired at {registration['expires']}: the agent could not register {host_name}.")
    cloud.schedule(cloud.setting("registration_seconds", REGISTRATION_SECONDS), "agent_registered", host_pool=matching[0].id, host=host_name, vm=vm_id)


def agent_registered(cloud: Cloud, event: dict[str, Any]) -> None:
    host_id = f"{event['host_pool']}/sessionHosts/{event['host']}"
    existing = cloud.find(host_id)
    allow = existing.body["properties"].get("allowNewSession", True) if existing else True
    # A scenario can say a host comes up unhealthy (an agent that cannot reach the broker...).
    status = cloud.setting("unhealthy_hosts", {}).get(event["host"].split(".")[0].lower(), "Available")
    cloud.store(Record(host_id, SESSION_HOSTS, {
        "id": host_id,
        "name": f"{_last_segment(event['host_pool'])}/{event['host']}",
        "properties": {"allowNewSession": allow, "status": status, "sessions": 0, "resourceId": event["vm"], "lastHeartBeat": iso(cloud.now())},
    }, {"registered": iso(cloud.now())}))


# A session host's user sessions: the broker makes them as users sign in [avd-spec]
# (userSessions has GET, DELETE ?force and the POST actions sendMessage and disconnect).
USER_SESSIONS = "Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions"


def users_sign_in(cloud: Cloud, host_id: str, count: int, stay_seconds: float | None) -> list[str]:
    """`count` users sign in to the host, as the broker places them: only on a host that is
    Available and takes new sessions. Each signs out after `stay_seconds` (None: stays)."""
    host = cloud.find(host_id)
    if host is None:
        raise not_found(host_id)
    properties = host.body["properties"]
    if properties.get("status") != "Available" or properties.get("allowNewSession") is False:
        raise AzureError(409, "SessionHostNotAvailable", f"{_last_segment(host_id)} takes no new sessions (status {properties.get('status')}, allowNewSession {properties.get('allowNewSession')}).")
    taken = {int(_last_segment(r.id)) for r in cloud.children(host_id, USER_SESSIONS)}
    made = []
    for number in range(1, count + len(taken) + 1):
        if number in taken or len(made) == count:
            continue
        session_id = f"{host_id}/userSessions/{number}"
        cloud.store(Record(session_id, USER_SESSIONS, {"id": session_id, "name": f"{host.body['name']}/{number}", "properties": {"sessionState": "Active", "userPrincipalName": f"user{number}@contoso.com"}}, {}))
        if stay_seconds is not None:
            cloud.schedule(stay_seconds, "user_signed_out", session=session_id)
        made.append(session_id)
    _count_sessions(cloud, host_id)
    return made


def _count_sessions(cloud: Cloud, host_id: str) -> None:
    host = cloud.find(host_id)
    if host is not None:
        host.body["properties"]["sessions"] = len(cloud.children(host_id, USER_SESSIONS))
        cloud.store(host)


def _user_signed_out(cloud: Cloud, event: dict[str, Any]) -> None:
    cloud.remove(event["session"])
    _count_sessions(cloud, event["session"].rsplit("/userSessions/", 1)[0])


@rule(USER_SESSIONS, "PUT", "[avd-spec] userSessions has no PUT: the broker makes them as users sign in", "no PUT")
def _user_session_put(cloud: Cloud, request: Request) -> Any:
    raise AzureError(405, "MethodNotAllowed", "The requested resource does not support http method 'PUT'.")


@rule(USER_SESSIONS, "DELETE", "[avd-spec] UserSessions_Delete (force=true logs the user off)", "a logoff; the host's session count follows")
def _user_session_delete(cloud: Cloud, request: Request) -> Any:
    cloud.remove(request.id)
    _count_sessions(cloud, request.id.rsplit("/userSessions/", 1)[0])
    return {}


@rule(USER_SESSIONS, "POST:sendMessage", "[avd-spec] SendMessage: messageTitle, messageBody", "a message to the user")
def _send_message(cloud: Cloud, request: Request) -> Any:
    unexpected = sorted(set(request.body or {}) - {"messageTitle", "messageBody"})
    if unexpected:
        raise AzureError(400, "InvalidRequestContent", f"The request content was invalid: {', '.join(unexpected)}.")
    # Kept apart from the session, so a scenario still sees it after the user is logged off.
    cloud.data.setdefault("messages", []).append({**(request.body or {}), "session": request.id, "at": iso(cloud.now())})
    return {}


def set_registration(cloud: Cloud, host_pool_id: str, token: str, expires: str) -> None:
    """A host pool's registration token (azurerm_virtual_desktop_host_pool_registration_info):
    Azure takes an expiry between one hour and 30 days from now [avd-38]."""
    pool = cloud.find(host_pool_id)
    if pool is None:
        raise not_found(host_pool_id)
    expiry = datetime.fromisoformat(expires.replace("Z", "+00:00"))
    if not (cloud.now() + TOKEN_MIN <= expiry <= cloud.now() + TOKEN_MAX):
        raise AzureError(400, "InvalidParameter", "ExpirationTime value must be between one hour and 30 days from now")
    # Only a digest: the cloud file outlives the apply, and the token is a secret.
    pool.service["registration"] = {"token_sha256": _digest(token), "expires": expires}
    cloud.store(pool)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def vm_deleted(cloud: Cloud, vm_id: str) -> None:
    """A deleted VM leaves its session host record, shown as unavailable [rds-662]."""
    for host in cloud.of_type(SESSION_HOSTS):
        if (host.body.get("properties") or {}).get("resourceId", "").lower() == vm_id.lower():
            host.body["properties"].update(status="Unavailable")
            cloud.store(host)


# --- Role assignments ------------------------------------------------------------------------------

ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"


@rule(ROLE_ASSIGNMENTS, "PUT", "[rbac-28557] 'Status=409 Code=\"RoleAssignmentExists\" Message=\"The role assignment already exists.\"'", "one assignment per role, principal and scope")
def _role_assignment_put(cloud: Cloud, request: Request) -> Any:
    props = (request.body or {}).get("properties") or {}
    wanted = (props.get("scope", "").lower(), props.get("roleDefinitionId", "").lower(), props.get("principalId", "").lower())
    for other in cloud.of_type(ROLE_ASSIGNMENTS):
        p = other.body.get("properties") or {}
        if other.id.lower() != request.id.lower() and (p.get("scope", "").lower(), p.get("roleDefinitionId", "").lower(), p.get("principalId", "").lower()) == wanted:
            raise AzureError(409, "RoleAssignmentExists", "The role assignment already exists.")
    return None


SUBNETS = "Microsoft.Network/virtualNetworks/subnets"


@rule(SUBNETS, "PUT", "[vnet-faq] 'Subnet address spaces can't overlap one another'; ARM's code NetcfgSubnetRangesOverlap (its wording varies; this is the CLI's usual one)", "subnets of one network do not overlap")
def _subnet_put(cloud: Cloud, request: Request) -> Any:
    import ipaddress

    def networks(body: dict[str, Any]) -> list[Any]:
        found = []
        for prefix in ((body.get("properties") or {}).get("address_prefixes") or []):
            try:
                found.append(ipaddress.ip_network(str(prefix), strict=False))
            except ValueError:
                continue  # azurerm's own validation refuses it before any request
        return found

    mine = networks(request.body or {})
    vnet_id = request.id.rsplit("/subnets/", 1)[0]
    for other in cloud.children(vnet_id, SUBNETS):
        if other.id.lower() != request.id.lower() and any(a.version == b.version and a.overlaps(b) for a in mine for b in networks(other.body)):
            raise AzureError(400, "NetcfgSubnetRangesOverlap", f"Subnet '{_last_segment(request.id)}' is not valid because its IP address range overlaps with that of an existing subnet '{_last_segment(other.id)}' in virtual network '{_last_segment(vnet_id)}'.")
    return None


_cloud.EVENTS.update({
    "build_finished": _build_finished,
    "build_canceled": _build_canceled,
    "agent_registered": agent_registered,
    "user_signed_out": _user_signed_out,
})
