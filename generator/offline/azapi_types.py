"""The resource types azapi knows, for the types our modules send: written here from the REST API
references, in a compact form, and checked against azapi's own embedded type files by
tests/unit/offline/test_azapi_types.py (when ../shared/reference has them).

azapi 2.5 uses its embedded Bicep types three ways, and so does the offline provider:
- `validate`: `schema_validation_enabled` checks the body at validate/plan time
  (internal/services/resource.go `schemaValidate`, internal/azure/types/*_type.go `Validate`);
- `write_only`: azapi_update_resource PUTs only what is writable (object_type.go `GetWriteOnly`:
  a property is kept when required, or neither read-only nor a deploy-time constant);
- `read_only`: azapi_resource's default `output` is the response's read-only part
  (object_type.go `GetReadOnly`, services/common.go `buildOutputFromBody`).

Property flags, as in the Bicep type files: R required, O read-only, C deploy-time constant.
A type not listed here is not checked (azapi would check it against its full index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# --- the type language ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Str:
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Int:
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Bool:
    pass


@dataclass(frozen=True)
class Any_:
    pass


@dataclass(frozen=True)
class Lit:
    value: str


@dataclass(frozen=True)
class Enum:
    """A union of string literals; `open` when the spec also allows any other string."""

    values: tuple[str, ...]
    open: bool = False


@dataclass(frozen=True)
class Arr:
    item: Any
    min_length: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Prop:
    type: Any
    flags: str = ""  # R, O, C

    @property
    def required(self) -> bool:
        return "R" in self.flags

    @property
    def read_only(self) -> bool:
        return "O" in self.flags

    @property
    def constant(self) -> bool:
        return "C" in self.flags


@dataclass(frozen=True)
class Obj:
    properties: dict[str, Prop] = field(default_factory=dict)
    additional: Any = None  # the type of other keys (a map), or None: no other keys


@dataclass(frozen=True)
class Disc:
    """An object whose `discriminator` property picks the element type."""

    discriminator: str
    elements: dict[str, Obj]
    base: dict[str, Prop] = field(default_factory=dict)


def _props(**spec: Any) -> dict[str, Prop]:
    """`name=Type` or `name=(Type, "RO")`."""
    return {k: v if isinstance(v, Prop) else Prop(*v) if isinstance(v, tuple) else Prop(v) for k, v in spec.items()}


def obj(additional: Any = None, **spec: Any) -> Obj:
    return Obj(_props(**spec), additional)


def resource(type_name: str, api_version: str, name: Any = None, **spec: Any) -> Obj:
    """A resource body: ARM's id/name/type/apiVersion envelope plus `spec`."""
    return Obj({
        "id": Prop(Str(), "OC"),
        "name": Prop(name or Str(), "RC"),
        "type": Prop(Lit(type_name), "OC"),
        "apiVersion": Prop(Lit(api_version), "OC"),
        **_props(**spec),
    })


STRING, INT, BOOL = Str(), Int(), Bool()
TAGS = obj(additional=STRING)
SYSTEM_DATA = obj(
    createdBy=STRING, createdByType=Enum(("User", "Application", "ManagedIdentity", "Key"), open=True), createdAt=STRING,
    lastModifiedBy=STRING, lastModifiedByType=Enum(("User", "Application", "ManagedIdentity", "Key"), open=True), lastModifiedAt=STRING,
)
STORAGE = Enum(("Standard_LRS", "Standard_ZRS", "Premium_LRS"), open=True)
ENABLED = Enum(("Enabled", "Disabled"))
PROVISIONING = Enum(("Creating", "Updating", "Succeeded", "Failed", "Deleting", "Canceled"))
ON_ERROR = Enum(("cleanup", "abort"), open=True)
AIB_NAME = Str(pattern="^[A-Za-z0-9-_.]{1,64}$")


# --- Microsoft.VirtualMachineImages/imageTemplates@2024-02-01 -------------------------------------
# learn.microsoft.com/rest/api/imagebuilder/virtual-machine-image-templates (2024-02-01), and
# image-builder-json.md for what each part means.

def _script(**extra: Any) -> dict[str, Any]:
    return {"scriptUri": STRING, "sha256Checksum": STRING, "inline": Arr(STRING), **extra}


_POWERSHELL = dict(runElevated=BOOL, runAsSystem=BOOL, validExitCodes=Arr(INT))
_CUSTOMIZER = Disc("type", base=_props(name=STRING), elements={
    "File": obj(sourceUri=STRING, sha256Checksum=STRING, destination=STRING, type=(Lit("File"), "R")),
    "PowerShell": obj(**_script(**_POWERSHELL), type=(Lit("PowerShell"), "R")),
    "Shell": obj(**_script(), type=(Lit("Shell"), "R")),
    "WindowsRestart": obj(restartCommand=STRING, restartCheckCommand=STRING, restartTimeout=STRING, type=(Lit("WindowsRestart"), "R")),
    "WindowsUpdate": obj(searchCriteria=STRING, filters=Arr(STRING), updateLimit=Int(minimum=0), type=(Lit("WindowsUpdate"), "R")),
})
_VALIDATOR = Disc("type", base=_props(name=STRING), elements={
    "File": obj(sourceUri=STRING, sha256Checksum=STRING, destination=STRING, type=(Lit("File"), "R")),
    "PowerShell": obj(**_script(**_POWERSHELL), type=(Lit("PowerShell"), "R")),
    "Shell": obj(**_script(), type=(Lit("Shell"), "R")),
})
_SOURCE = Disc("type", elements={
    "ManagedImage": obj(imageId=(STRING, "R"), type=(Lit("ManagedImage"), "R")),
    "PlatformImage": obj(
        publisher=STRING, offer=STRING, sku=STRING, version=STRING, exactVersion=(STRING, "O"),
        planInfo=obj(planName=(STRING, "R"), planProduct=(STRING, "R"), planPublisher=(STRING, "R")),
        type=(Lit("PlatformImage"), "R"),
    ),
    "SharedImageVersion": obj(imageVersionId=(STRING, "R"), exactVersion=(STRING, "O"), type=(Lit("SharedImageVersion"), "R")),
})
_TARGET_REGION = obj(name=(STRING, "R"), replicaCount=Int(minimum=1), storageAccountType=STORAGE)
_DISTRIBUTOR = Disc("type", base=_props(runOutputName=(AIB_NAME, "R"), artifactTags=TAGS), elements={
    "ManagedImage": obj(imageId=(STRING, "R"), location=(STRING, "R"), type=(Lit("ManagedImage"), "R")),
    "SharedImage": obj(
        galleryImageId=(STRING, "R"), replicationRegions=Arr(STRING), excludeFromLatest=BOOL, storageAccountType=STORAGE,
        targetRegions=Arr(_TARGET_REGION),
        versioning=Disc("scheme", elements={
            "Latest": obj(major=Int(minimum=-1), scheme=(Lit("Latest"), "R")),
            "Source": obj(scheme=(Lit("Source"), "R")),
        }),
        type=(Lit("SharedImage"), "R"),
    ),
    "VHD": obj(uri=STRING, type=(Lit("VHD"), "R")),
})
IMAGE_TEMPLATE = resource(
    "Microsoft.VirtualMachineImages/imageTemplates", "2024-02-01", name=AIB_NAME,
    properties=obj(
        source=(_SOURCE, "R"),
        customize=Arr(_CUSTOMIZER),
        optimize=obj(vmBoot=obj(state=ENABLED)),
        validate=obj(continueDistributeOnFailure=BOOL, sourceValidationOnly=BOOL, inVMValidations=Arr(_VALIDATOR)),
        distribute=(Arr(_DISTRIBUTOR), "R"),
        errorHandling=obj(onCustomizerError=ON_ERROR, onValidationError=ON_ERROR),
        provisioningState=(PROVISIONING, "O"),
        provisioningError=(obj(provisioningErrorCode=Enum((
            "BadSourceType", "BadPIRSource", "BadManagedImageSource", "BadSharedImageVersionSource", "BadCustomizerType",
            "UnsupportedCustomizerType", "NoCustomizerScript", "BadValidatorType", "UnsupportedValidatorType", "NoValidatorScript",
            "BadDistributeType", "BadSharedImageDistribute", "BadStagingResourceGroup", "ServerError", "Other"), open=True), message=STRING), "O"),
        lastRunStatus=(obj(
            startTime=STRING, endTime=STRING,
            runState=Enum(("Running", "Canceling", "Succeeded", "PartiallySucceeded", "Failed", "Canceled")),
            runSubState=Enum(("Queued", "Building", "Customizing", "Optimizing", "Validating", "Distributing")),
            message=STRING,
        ), "O"),
        buildTimeoutInMinutes=Int(minimum=0, maximum=960),
        vmProfile=obj(
            vmSize=STRING, osDiskSizeGB=Int(minimum=0), userAssignedIdentities=Arr(STRING),
            vnetConfig=obj(subnetId=STRING, containerInstanceSubnetId=STRING, proxyVmSize=STRING),
        ),
        stagingResourceGroup=STRING,
        exactStagingResourceGroup=(STRING, "O"),
        autoRun=obj(state=ENABLED),
        managedResourceTags=TAGS,
    ),
    identity=(obj(
        type=Enum(("UserAssigned", "None")),
        userAssignedIdentities=obj(additional=obj(principalId=(STRING, "O"), clientId=(STRING, "O"))),
    ), "R"),
    tags=TAGS,
    location=(STRING, "R"),
    systemData=(SYSTEM_DATA, "O"),
)


# --- Microsoft.DesktopVirtualization/hostPools/sessionHosts@2024-04-03 ----------------------------
# learn.microsoft.com/rest/api/desktopvirtualization/session-hosts (2024-04-03): Get, List,
# Update (PATCH), Delete. The type is read-only to ARM templates (the agent creates the record),
# and so are its `properties` as a whole: a PUT built with GetWriteOnly carries only `name`.

_HEALTH = obj(
    healthCheckName=(Enum((
        "DomainJoinedCheck", "DomainTrustCheck", "FSLogixHealthCheck", "SxSStackListenerCheck", "UrlsAccessibleCheck",
        "MonitoringAgentCheck", "DomainReachable", "WebRTCRedirectorCheck", "SupportedEncryptionCheck", "MetaDataServiceCheck",
        "AppAttachHealthCheck"), open=True), "O"),
    healthCheckResult=(Enum(("Unknown", "HealthCheckSucceeded", "HealthCheckFailed", "SessionHostShutdown"), open=True), "O"),
    additionalFailureDetails=(obj(message=(STRING, "O"), errorCode=(INT, "O"), lastHealthCheckDateTime=(STRING, "O")), "O"),
)
SESSION_HOST = resource(
    "Microsoft.DesktopVirtualization/hostPools/sessionHosts", "2024-04-03",
    name=Str(pattern="^[A-Za-z0-9@.\\-_ ]*$", min_length=3, max_length=48),
    properties=(obj(
        objectId=(STRING, "O"), lastHeartBeat=STRING, sessions=INT, agentVersion=STRING, allowNewSession=BOOL,
        virtualMachineId=(STRING, "O"), resourceId=(STRING, "O"), assignedUser=STRING, friendlyName=STRING,
        status=Enum((
            "Available", "Unavailable", "Shutdown", "Disconnected", "Upgrading", "UpgradeFailed", "NoHeartbeat", "NotJoinedToDomain",
            "DomainTrustRelationshipLost", "SxSStackListenerNotReady", "FSLogixNotHealthy", "NeedsAssistance"), open=True),
        statusTimestamp=(STRING, "O"), osVersion=STRING, sxSStackVersion=STRING,
        updateState=Enum(("Initial", "Pending", "Started", "Succeeded", "Failed"), open=True),
        lastUpdateTime=(STRING, "O"), updateErrorMessage=STRING,
        sessionHostHealthCheckResults=(Arr(_HEALTH), "O"),
    ), "O"),
    systemData=(SYSTEM_DATA, "O"),
)


# --- Microsoft.Compute/galleries/images/versions@2024-03-03 ---------------------------------------
# learn.microsoft.com/rest/api/compute/gallery-image-versions (2024-03-03). The encryption and
# UEFI parts are written as Any_: accepted without a check (nothing here sends them).

_VERSION_STORAGE = Enum(("Standard_LRS", "Standard_ZRS", "Premium_LRS", "PremiumV2_LRS"), open=True)
_DISK_SOURCE = obj(uri=STRING, storageAccountId=STRING, id=STRING)
_CACHING = Enum(("None", "ReadOnly", "ReadWrite"))
GALLERY_IMAGE_VERSION = resource(
    "Microsoft.Compute/galleries/images/versions", "2024-03-03",
    properties=obj(
        publishingProfile=obj(
            targetRegions=Arr(obj(
                name=(STRING, "R"), regionalReplicaCount=INT, storageAccountType=_VERSION_STORAGE, encryption=Any_(), excludeFromLatest=BOOL,
                additionalReplicaSets=Arr(obj(storageAccountType=_VERSION_STORAGE, regionalReplicaCount=INT)),
            )),
            replicaCount=INT, excludeFromLatest=BOOL, publishedDate=(STRING, "O"), endOfLifeDate=STRING,
            storageAccountType=_VERSION_STORAGE, replicationMode=Enum(("Full", "Shallow"), open=True), targetExtendedLocations=Any_(),
        ),
        provisioningState=(Enum(("Creating", "Updating", "Failed", "Succeeded", "Deleting", "Migrating"), open=True), "O"),
        storageProfile=(obj(
            source=obj(communityGalleryImageId=STRING, virtualMachineId=STRING, id=STRING),
            osDiskImage=obj(sizeInGB=(INT, "O"), hostCaching=_CACHING, source=_DISK_SOURCE),
            dataDiskImages=Arr(obj(lun=(INT, "R"), sizeInGB=(INT, "O"), hostCaching=_CACHING, source=_DISK_SOURCE)),
        ), "R"),
        safetyProfile=obj(
            reportedForPolicyViolation=(BOOL, "O"), policyViolations=(Any_(), "O"),
            blockDeletionBeforeEndOfLife=BOOL, allowDeletionOfReplicatedLocations=BOOL,
        ),
        replicationStatus=(Any_(), "O"),
        securityProfile=Any_(),
        restore=BOOL,
        validationsProfile=(Any_(), "O"),
    ),
    location=(STRING, "R"),
    tags=TAGS,
)


TYPES: dict[str, Obj] = {
    "microsoft.virtualmachineimages/imagetemplates@2024-02-01": IMAGE_TEMPLATE,
    "microsoft.desktopvirtualization/hostpools/sessionhosts@2024-04-03": SESSION_HOST,
    "microsoft.compute/galleries/images/versions@2024-03-03": GALLERY_IMAGE_VERSION,
}
# Resource types ARM templates (and azapi_resource) cannot create: the Bicep files' resource flag 1.
READ_ONLY_TYPES = {"microsoft.desktopvirtualization/hostpools/sessionhosts@2024-04-03"}


def body_type(type_and_version: str) -> Obj | None:
    return TYPES.get(type_and_version.lower())


# --- what azapi does with them --------------------------------------------------------------------


def _go_type(value: Any) -> str:
    """The Go type name azapi prints for a value it did not expect (`%T` of the framework value)."""
    if isinstance(value, bool):
        return "basetypes.BoolValue"
    if isinstance(value, str):
        return "basetypes.StringValue"
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return "basetypes.NumberValue"
    if isinstance(value, list):
        return "basetypes.TupleValue"
    if isinstance(value, dict):
        return "basetypes.ObjectValue"
    return type(value).__name__


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _suggestion(value: str, options: list[str]) -> str:
    return min(sorted(options), key=lambda option: _distance(value, option), default="")


def _strip(path: str) -> str:
    return path.removeprefix(".")


def validate(t: Any, value: Any, path: str = "", unknown: Any = None) -> list[str]:
    """azapi's messages for `value` against type `t` (internal/azure/utils/error.go), sorted.
    Null and unknown values (`unknown`) are not checked, as in azapi."""
    if value is None or (unknown is not None and value is unknown):
        return []
    if isinstance(t, (Any_, Bool)):
        return []  # BooleanType.Validate accepts anything
    if isinstance(t, Str):
        if not isinstance(value, str):
            return [f"`{_strip(path)}` is invalid, expect `string` but got `{_go_type(value)}`"]
        import re

        if t.min_length is not None and len(value) < t.min_length:
            return [f"`{_strip(path)}` is invalid, string length is less than {t.min_length}"]
        if t.max_length is not None and len(value) > t.max_length:
            return [f"`{_strip(path)}` is invalid, string length is greater than {t.max_length}"]
        if t.pattern and not re.search(t.pattern, value):
            return [f"`{_strip(path)}` is invalid, string does not match pattern {t.pattern}"]
        return []
    if isinstance(t, Int):
        # HCL numbers reach azapi as types.Number, whose integer check azapi skips
        # (integer_type.go: "skip validation for now", bicep-types-az#1404).
        if isinstance(value, (int, float)) and not isinstance(value, bool) or type(value).__name__ == "Decimal":
            return []
        return [f"`{_strip(path)}` is invalid, expect `integer` but got `{_go_type(value)}`"]
    if isinstance(t, Lit):
        if not isinstance(value, str):
            return [f"`{_strip(path)}` is invalid, expect `string` but got `{_go_type(value)}`"]
        return [] if value == t.value else [f"`{_strip(path)}` is invalid, expect `{t.value}` but got `{value}`"]
    if isinstance(t, Enum):
        if isinstance(value, str) and (t.open or value in t.values):
            return []
        shown = value if isinstance(value, str) else ""
        return [f"`{_strip(path)}`'s value `{shown}` is invalid. The supported values are [{', '.join(t.values)}]. Do you mean `{_suggestion(shown, list(t.values))}`? "]
    if isinstance(t, Arr):
        if not isinstance(value, list):
            return [f"`{_strip(path)}` is invalid, expect `array` but got `{_go_type(value)}`"]
        problems = []
        if t.min_length is not None and len(value) < t.min_length:
            problems.append(f"`{_strip(path)}` is invalid, array length is less than {t.min_length}")
        if t.max_length is not None and len(value) > t.max_length:
            problems.append(f"`{_strip(path)}` is invalid, array length is greater than {t.max_length}")
        for i, item in enumerate(value):
            problems += validate(t.item, item, f"{path}.{i}", unknown)
        return sorted(problems)
    if isinstance(t, Disc):
        if not isinstance(value, dict):
            return [f"`{_strip(path)}` is invalid, expect `object` but got `{_go_type(value)}`"]
        problems = []
        others = {}
        for key, item in value.items():
            if key in t.base:
                prop = t.base[key]
                problems += [f"`{_strip(f'{path}.{key}')}` is not expected here, it's read only"] if prop.read_only else validate(prop.type, item, f"{path}.{key}", unknown)
            else:
                others[key] = item
        problems += [f"`{_strip(f'{path}.{k}')}` is required, but no definition was found" for k, p in t.base.items() if p.required and k not in value]
        tag = others.get(t.discriminator)
        if t.discriminator not in others:
            return sorted(problems + [f"`{_strip(f'{path}.{t.discriminator}')}` is required, but no definition was found"])
        if unknown is not None and tag is unknown:
            return sorted(problems)
        if not isinstance(tag, str):
            return sorted(problems + [f"`{_strip(f'{path}.{t.discriminator}')}` is invalid, expect `string` but got `{_go_type(tag)}`"])
        if tag not in t.elements:
            options = sorted(t.elements)
            return sorted(problems + [f"`{_strip(f'{path}.{t.discriminator}')}`'s value `{tag}` is invalid. The supported values are [{', '.join(options)}]. Do you mean `{_suggestion(tag, options)}`? "])
        return sorted(problems + validate(t.elements[tag], others, path, unknown))
    if isinstance(t, Obj):
        if not isinstance(value, dict):
            return [f"`{_strip(path)}` is invalid, expect `object` but got `{_go_type(value)}`"]
        problems = []
        for key, item in value.items():
            child = f"{path}.{key}"
            if key in t.properties:
                prop = t.properties[key]
                problems += [f"`{_strip(child)}` is not expected here, it's read only"] if prop.read_only else validate(prop.type, item, child, unknown)
            elif t.additional is not None:
                problems += validate(t.additional, item, child, unknown)
            else:
                options = [f"{path}.{k}" for k in t.properties]
                problems.append(f"`{_strip(child)}` is not expected here. Do you mean `{_strip(_suggestion(child, options))}`? ")
        for key, prop in t.properties.items():
            if prop.required and key not in value and not (path == "" and key == "name"):
                problems.append(f"`{_strip(f'{path}.{key}')}` is required, but no definition was found")
        return sorted(problems)
    return []


def write_only(t: Any, value: Any) -> Any:
    """What azapi_update_resource PUTs of `value` (object_type.go GetWriteOnly): required
    properties, and those neither read-only nor deploy-time constants; keys the type does not
    know are dropped unless it takes additional properties."""
    if isinstance(t, Arr) and isinstance(value, list):
        return [write_only(t.item, v) for v in value]
    if isinstance(t, Disc) and isinstance(value, dict):
        element = t.elements.get(value.get(t.discriminator)) if isinstance(value.get(t.discriminator), str) else None
        merged = Obj({**t.base, **(element.properties if element else {}), t.discriminator: Prop(STRING, "R")})
        return write_only(merged, value)
    if isinstance(t, Obj) and isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in t.properties:
                prop = t.properties[key]
                if prop.required or not (prop.read_only or prop.constant):
                    out[key] = write_only(prop.type, item)
            elif t.additional is not None:
                out[key] = write_only(t.additional, item)
        return out
    return value


def read_only(t: Any, value: Any) -> Any:
    """The default `output` of a response (types/*_type.go `GetReadOnly`), which is not simply
    "the read-only properties": inside an object, a scalar is kept only when read-only, but an
    object or array value is kept whenever its own GetReadOnly is non-empty, and arrays keep
    every item's GetReadOnly (so a list of strings is kept whole); a map's values are all kept."""
    if value is None:
        return None
    if isinstance(t, Arr):
        return [read_only(t.item, v) for v in value] if isinstance(value, list) else None
    if isinstance(t, Disc):
        if not isinstance(value, dict):
            return None
        out = {k: read_only(p.type, value[k]) for k, p in t.base.items() if k in value}
        tag = value.get(t.discriminator)
        if t.discriminator not in value:
            return None
        if isinstance(tag, str) and tag in t.elements:
            return {**out, **read_only(t.elements[tag], value)}
        return {**out, **{k: v for k, v in value.items() if k not in t.base}}
    if isinstance(t, Obj):
        if not isinstance(value, dict):
            return value
        out = {}
        for key, prop in t.properties.items():
            item = value.get(key)
            if item is None:
                continue
            if isinstance(item, dict):
                inner = read_only(prop.type, item)
                if isinstance(inner, dict) and inner:
                    out[key] = inner
            elif isinstance(item, list):
                inner = read_only(prop.type, item)
                if isinstance(inner, list) and inner:
                    out[key] = inner
            elif prop.read_only:
                out[key] = item
        if t.additional is not None:
            out.update({k: read_only(t.additional, v) for k, v in value.items() if k not in t.properties})
        return out
    return value  # strings, numbers, bools, literals, unions, Any_


# services/common.go volatileFieldList: dropped from the default output wherever they appear.
VOLATILE = frozenset({
    "etag", "updatedBy", "updated", "updatedOn", "updatedTimestamp", "lastUpdatedOn", "lastUpdated", "lastUpdatedTime",
    "lastUpdatedTimeUtc", "lastUpdatedDateUTC", "modifiedOn", "lastModifiedDateTime", "lastModifiedUtc", "lastModifiedTime",
    "lastModifiedTimeUtc", "lastModifiedAt", "lastModifiedBy", "lastModifiedByType", "freeTrialRemainingTime",
    "trialDaysRemaining", "daysTrialRemaining",
})


def without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value
