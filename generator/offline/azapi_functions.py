"""azapi 2.5's provider functions, as azapi 2.5.0 computes them (docs/functions/*.md,
internal/services/functions/*.go), with the resource ID rules they rest on: azapi's
internal/services/parse/resource.go and utils/helper.go, and the ARM resource ID parser of
azure-sdk-for-go (sdk/azcore/arm/internal/resource) that azapi calls.

One difference: for a `resource_type` with an explicit api-version, azapi also checks a top-level
resource's parent scope against the type's embedded definition (`validateParentIdScope`); that
check is skipped here. Without an api-version (as every documented example is written) azapi
looks the type up at `@latest`, finds no definition and skips it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .functions import Function, FunctionFailure, Param
from .wire import STRING, list_of, map_of, object_of

_NS = "Microsoft.Resources"  # azcore's builtInResourceNamespace


# --- ARM resource IDs (azcore arm.ParseResourceID / ParseResourceType) ---------------------------


@dataclass(frozen=True)
class ResourceType:
    namespace: str
    type: str

    @property
    def types(self) -> list[str]:
        return [t for t in self.type.split("/") if t]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.type}"

    def last(self) -> str:
        return self.types[-1]

    def child(self, name: str) -> ResourceType:
        return ResourceType(self.namespace, f"{self.type}/{name}")


SUBSCRIPTION = ResourceType(_NS, "subscriptions")
RESOURCE_GROUP = ResourceType(_NS, "resourceGroups")
TENANT = ResourceType(_NS, "tenants")
PROVIDER = ResourceType(_NS, "providers")


@dataclass
class ArmId:
    """azcore's ResourceID: a chain of parents up to the tenant root."""

    parent: ArmId | None
    resource_type: ResourceType
    name: str
    is_child: bool = True
    subscription_id: str = ""
    resource_group_name: str = ""
    provider: str = ""
    _string: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        if self._string is None:
            if self.parent is None:
                return ""
            if self.is_child:
                tail = f"/{self.resource_type.last()}" + (f"/{self.name}" if self.name else "")
            else:
                tail = f"/providers/{self.resource_type.namespace}/{self.resource_type.type}/{self.name}"
            self._string = str(self.parent) + tail
        return self._string


ROOT = ArmId(None, TENANT, "")


def _new_id(parent: ArmId, resource_type: ResourceType, name: str, is_child: bool) -> ArmId:
    rid = ArmId(
        parent,
        resource_type,
        name,
        is_child,
        parent.subscription_id,
        parent.resource_group_name,
        parent.provider,
    )
    if str(resource_type) == str(SUBSCRIPTION):
        rid.subscription_id = name
    if str(resource_type) == str(RESOURCE_GROUP):
        rid.resource_group_name = name
    if str(resource_type) == str(PROVIDER):
        rid.provider = name
    return rid


def _child_type(type_name: str, parent: ArmId) -> ResourceType:
    if type_name.lower() == "resourcegroups":
        return RESOURCE_GROUP
    if type_name.lower() == "subscriptions" and str(parent.resource_type) == str(TENANT):
        return SUBSCRIPTION
    return parent.resource_type.child(type_name)


def _parts(text: str) -> list[str]:
    return [p for p in text.split("/") if p]


def parse_arm_id(rid: str) -> ArmId:
    """azcore's ParseResourceID (raises ValueError with its messages)."""
    if not rid:
        raise ValueError("invalid resource ID: id cannot be empty")
    if not rid.startswith("/"):
        raise ValueError(f"invalid resource ID: resource id '{rid}' must start with '/'")
    parts = _parts(rid)
    if len(parts) < 2 or parts[0].lower() not in ("subscriptions", "providers"):
        raise ValueError(f"invalid resource ID: {rid}")
    return _append(ROOT, parts, rid)


def _append(parent: ArmId, parts: list[str], rid: str) -> ArmId:
    while parts:
        if len(parts) == 1:
            # subscriptions and resourceGroups need a name; a resource group needs a child or a provider
            if parts[0].lower() in ("subscriptions", "resourcegroups") or str(parent.resource_type) == str(
                RESOURCE_GROUP
            ):
                raise ValueError(f"invalid resource ID: {rid}")
            return _new_id(parent, _child_type(parts[0], parent), "", True)
        if parts[0].lower() == "providers" and (len(parts) == 2 or parts[2].lower() == "providers"):
            # a resource provider sits only on a tenant or a subscription
            if str(parent.resource_type) not in (str(SUBSCRIPTION), str(TENANT)):
                raise ValueError(f"invalid resource ID: {rid}")
            parent, parts = _new_id(parent, PROVIDER, parts[1], True), parts[2:]
        elif len(parts) > 3 and parts[0].lower() == "providers":
            parent, parts = _new_id(parent, ResourceType(parts[1], parts[2]), parts[3], False), parts[4:]
        elif parts[0].lower() != "providers":
            parent, parts = _new_id(parent, _child_type(parts[0], parent), parts[1], True), parts[2:]
        else:
            raise ValueError(f"invalid resource ID: {rid}")
    return parent


def parse_arm_type(text: str) -> ResourceType:
    """azcore's ParseResourceType: of a type (`Microsoft.Network/virtualNetworks`) or an ID."""
    parts = _parts(text)
    if not parts:
        raise ValueError(f"invalid resource ID or type: {text}")
    if len(parts) == 1:
        return ResourceType(_NS, parts[0])
    if "." in parts[0]:
        return ResourceType(parts[0], "/".join(parts[1:]))
    rid = parse_arm_id(text)
    return ResourceType(rid.resource_type.namespace, rid.resource_type.type)


# --- azapi's utils/helper.go --------------------------------------------------------------------


def _type_of_id(rid: str) -> str:
    """utils.GetResourceType: "" when the ID does not parse."""
    if rid == "/":
        return str(TENANT)
    try:
        return str(parse_arm_type(rid))
    except ValueError:
        return ""


def _name_of_id(rid: str) -> str:
    try:
        return parse_arm_id(rid).name
    except ValueError:
        return ""


def _parent_of_id(rid: str) -> str:
    try:
        parent = parse_arm_id(rid).parent
    except ValueError:
        return ""
    return "/" if str(parent.resource_type) == str(TENANT) else str(parent)


def _with_default_api_version(resource_type: str) -> str:
    return resource_type if "@" in resource_type else resource_type + "@latest"


def _split_api_version(resource_type: str) -> tuple[str, str]:
    parts = resource_type.split("@")
    if len(parts) != 2:
        raise FunctionFailure("`type` is invalid, it should be like `ResourceProvider/resourceTypes@ApiVersion`")
    return parts[0], parts[1]


def _parent_type(azure_type: str) -> str:
    parts = azure_type.split("/")
    return "/".join(parts[:-1]) if len(parts) > 2 else ""


# --- azapi's internal/services/parse/resource.go ------------------------------------------------


@dataclass(frozen=True)
class ResourceId:
    id: str
    azure_type: str
    name: str
    parent_id: str


def new_resource_id(name: str, parent_id: str, resource_type: str) -> ResourceId:
    """parse.newResourceID (scope validation skipped, see the module docstring)."""
    azure_type, _ = _split_api_version(resource_type)
    scope = "" if parent_id == "/" else parent_id  # no doubled `/` under the tenant
    if "/" not in azure_type:  # a resource provider
        rid = f"{scope}/providers/{name}"
    elif len(azure_type.split("/")) == 2:  # top level
        if azure_type == str(RESOURCE_GROUP):
            rid = f"{parent_id}/resourceGroups/{name}"
        elif azure_type == str(SUBSCRIPTION):
            rid = f"/subscriptions/{name}"
        elif azure_type == str(TENANT):
            rid = "/"
        elif azure_type == str(PROVIDER):
            rid = f"{scope}/providers/{name}"
        else:
            rid = f"{scope}/providers/{azure_type}/{name}"
    else:  # a child: the parent must be of the parent type
        expected = _parent_type(azure_type)
        if expected.lower() != _type_of_id(parent_id).lower():
            raise FunctionFailure(f"`parent_id is invalid`: expect ID of `{expected}`")
        rid = f"{parent_id}/{azure_type.rsplit('/', 1)[1]}/{name}"
    return ResourceId(rid, azure_type, name, parent_id)


def nested_resource_id(names: list[str], parent_id: str, resource_type: str) -> ResourceId:
    """parse.NewResourceIDWithNestedResourceNames: one name per type segment below the provider."""
    if not names:
        raise FunctionFailure("resource names cannot be empty")
    resource_type = _with_default_api_version(resource_type)
    azure_type, api_version = _split_api_version(resource_type)
    provider, *type_parts = azure_type.split("/")
    if not type_parts:
        raise FunctionFailure("invalid azure resource type, it should be like `ResourceProvider/resourceTypes`")
    if len(names) != len(type_parts):
        raise FunctionFailure(
            "number of resource names does not match the number of resource type parts, "
            f"expected {len(type_parts)}, got {len(names)}"
        )
    current = provider
    for name, part in zip(names[:-1], type_parts[:-1], strict=True):
        current += "/" + part
        parent_id = new_resource_id(name, parent_id, f"{current}@{api_version}").id
    return new_resource_id(names[-1], parent_id, resource_type)


def resource_id_of_type(rid: str, resource_type: str) -> ResourceId:
    """parse.ResourceIDWithResourceType: `rid` checked against `resource_type`."""
    azure_type, _ = _split_api_version(resource_type)
    from_id = _type_of_id(rid)
    if from_id.lower() == str(PROVIDER).lower():
        if "/" in azure_type and azure_type.lower() != str(PROVIDER).lower():
            raise FunctionFailure(
                f"`resource_id` and `type` are not matched, expect `type` to be a provider type, but got {azure_type}"
            )
    elif azure_type.lower() != from_id.lower():
        raise FunctionFailure(
            f"`resource_id` and `type` are not matched, expect `type` to be {from_id}, but got {azure_type}"
        )
    built = new_resource_id(_name_of_id(rid), _parent_of_id(rid), resource_type)
    # azapi keeps the ID as given: the one it builds takes the type's casing.
    return ResourceId(rid, built.azure_type, built.name, built.parent_id)


# --- the functions ------------------------------------------------------------------------------


def build_resource_id(parent_id: str, resource_type: str, name: str) -> str:
    return new_resource_id(name, parent_id, _with_default_api_version(resource_type)).id


def extension_resource_id(base_resource_id: str, resource_type: str, resource_names: list[str]) -> str:
    return nested_resource_id(resource_names, base_resource_id, resource_type).id


def management_group_resource_id(management_group_name: str, resource_type: str, resource_names: list[str]) -> str:
    scope = f"/providers/Microsoft.Management/managementGroups/{management_group_name}"
    return nested_resource_id(resource_names, scope, resource_type).id


def resource_group_resource_id(
    subscription_id: str, resource_group_name: str, resource_type: str, resource_names: list[str]
) -> str:
    scope = f"/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}"
    return nested_resource_id(resource_names, scope, resource_type).id


def subscription_resource_id(subscription_id: str, resource_type: str, resource_names: list[str]) -> str:
    return nested_resource_id(resource_names, f"/subscriptions/{subscription_id}", resource_type).id


def tenant_resource_id(resource_type: str, resource_names: list[str]) -> str:
    return nested_resource_id(resource_names, "/", resource_type).id


PARSED_ID = object_of(
    {
        "id": STRING,
        "type": STRING,
        "name": STRING,
        "parent_id": STRING,
        "resource_group_name": STRING,
        "subscription_id": STRING,
        "provider_namespace": STRING,
        "parts": map_of(STRING),
    }
)


def parse_resource_id(resource_type: str, resource_id: str) -> dict[str, object]:
    resource_type = _with_default_api_version(resource_type)
    try:
        rid = resource_id_of_type(resource_id, resource_type)
    except FunctionFailure as failure:
        raise FunctionFailure(
            f"failed to parse resource ID(resourceType: {resource_type}, resourceId: {resource_id}): {failure.text}"
        ) from None
    if rid.id == "/":
        arm = ArmId(None, TENANT, "")
    else:
        try:
            arm = parse_arm_id(rid.id)
        except ValueError as exc:
            raise FunctionFailure(str(exc)) from None
    components = rid.id.removeprefix("/").removesuffix("/").split("/")
    # key/value pairs along the path; a repeated key (`providers`) keeps its last value
    parts = {components[i]: components[i + 1] for i in range(0, len(components) - 1, 2)}
    return {
        "id": rid.id,
        "type": rid.azure_type,
        "name": rid.name,
        "parent_id": rid.parent_id,
        "resource_group_name": arm.resource_group_name,
        "subscription_id": arm.subscription_id,
        "provider_namespace": arm.resource_type.namespace,
        "parts": parts,
    }


# --- unique_string: ARM's uniqueString (unique_string_function.go) ------------------------------

_M32 = 0xFFFFFFFF
_M64 = 0xFFFFFFFFFFFFFFFF


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def _int32(x: int) -> int:
    x &= _M32
    return x - (1 << 32) if x & 0x80000000 else x


def _fmix(h: int) -> int:
    h ^= h >> 16
    h = (h * 2246822507) & _M32
    h ^= h >> 13
    h = (h * 3266489909) & _M32
    return h ^ (h >> 16)


def _murmur64(data: bytes) -> int:
    """azapi's MurmurHash64A variant (two 32-bit lanes, seed 0), quirks included: the 5-7 byte
    tail's second word is an int32 whose magnitude is taken (`safeInt32ToUint32`)."""
    h1 = h2 = 0
    n = len(data)
    i = 0
    while i + 7 < n:
        k1 = int.from_bytes(data[i : i + 4], "little")
        k3 = int.from_bytes(data[i + 4 : i + 8], "little")
        k1 = (_rotl((k1 * 597399067) & _M32, 15) * 2869860233) & _M32
        h1 = (((_rotl(h1 ^ k1, 19) + h2) & _M32) * 5 + 1444728091) & _M32
        k3 = (_rotl((k3 * 2869860233) & _M32, 17) * 597399067) & _M32
        h2 = (((_rotl(h2 ^ k3, 13) + h1) & _M32) * 5 + 197830471) & _M32
        i += 8
    tail = n - i
    if tail > 0:
        k2 = int.from_bytes(data[i : i + min(tail, 4)], "little")
        h1 ^= (_rotl((k2 * 597399067) & _M32, 15) * 2869860233) & _M32
        if tail > 4:
            k4 = _int32(int.from_bytes(data[i + 4 : i + tail], "little") * -1425107063)
            h2 ^= (_rotl(abs(k4) & _M32, 17) * 597399067) & _M32
    length = min(n, 0x7FFFFFFF)
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & _M32
    h2 = (h2 + h1) & _M32
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & _M32
    h2 = (h2 + h1) & _M32
    return (h2 << 32) | h1


def unique_string(base_string: list[str]) -> str:
    value = _murmur64("-".join(base_string).encode())
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    out = []
    for _ in range(13):
        out.append(alphabet[value >> 59])
        value = (value << 5) & _M64
    return "".join(out)


# --- signatures (the functions' Definition methods in azapi 2.5.0) ------------------------------

_TYPE = Param("resource_type", STRING, "The resource type of the Azure resource.")
_NAMES = Param("resource_names", list_of(STRING), "The list of resource names to construct the resource ID.")

FUNCTIONS = (
    Function(
        "build_resource_id",
        (
            Param("parent_id", STRING, "The parent ID of the Azure resource."),
            _TYPE,
            Param("name", STRING, "The name of the Azure resource."),
        ),
        STRING,
        "Builds a generic resource ID.",
        "This function constructs an Azure resource ID given the parent ID, resource type, and resource name. "
        "It is useful for creating resource IDs for top-level and nested resources within a specific scope.",
        build_resource_id,
    ),
    Function(
        "extension_resource_id",
        (
            Param("base_resource_id", STRING, "The base resource ID of the Azure resource."),
            _TYPE,
            Param(
                "resource_names", list_of(STRING), "The list of resource names to construct the extension resource ID."
            ),
        ),
        STRING,
        "Builds an extension resource ID.",
        "This function constructs an Azure extension resource ID given the base resource ID, resource type, "
        "and additional resource names.",
        extension_resource_id,
    ),
    Function(
        "management_group_resource_id",
        (Param("management_group_name", STRING, "The name of the management group."), _TYPE, _NAMES),
        STRING,
        "Builds a management group scope resource ID.",
        "This function constructs an Azure management group scope resource ID given the management group name, "
        "resource type, and resource names.",
        management_group_resource_id,
    ),
    Function(
        "parse_resource_id",
        (_TYPE, Param("resource_id", STRING, "The resource ID of the Azure resource to parse.")),
        PARSED_ID,
        "Parses an Azure resource ID into its components.",
        "This function takes an Azure resource ID and a resource type and parses the ID into its individual "
        "components such as subscription ID, resource group name, provider namespace, and other parts.",
        parse_resource_id,
    ),
    Function(
        "resource_group_resource_id",
        (
            Param("subscription_id", STRING, "The subscription ID of the Azure resource."),
            Param("resource_group_name", STRING, "The name of the resource group."),
            _TYPE,
            _NAMES,
        ),
        STRING,
        "Builds a resource group scope resource ID.",
        "This function constructs an Azure resource group scope resource ID given the subscription ID, "
        "resource group name, resource type, and resource names.",
        resource_group_resource_id,
    ),
    Function(
        "subscription_resource_id",
        (Param("subscription_id", STRING, "The subscription ID of the Azure resource."), _TYPE, _NAMES),
        STRING,
        "Builds a subscription scope resource ID.",
        "This function constructs an Azure subscription scope resource ID given the subscription ID, "
        "resource type, and resource names.",
        subscription_resource_id,
    ),
    Function(
        "tenant_resource_id",
        (_TYPE, _NAMES),
        STRING,
        "Builds a tenant scope resource ID.",
        "This function constructs an Azure tenant scope resource ID given the resource type and resource names.",
        tenant_resource_id,
    ),
    Function(
        "unique_string",
        (Param("base_string", list_of(STRING), "The values used in the hash function to create a unique string."),),
        STRING,
        "Creates a deterministic hash string based on the values provided as parameters.",
        "This function constructs an Azure equivalent `uniqueString` value. It is useful for migrating existing "
        "resources based on th ARM `uniqueString` function.",
        unique_string,
    ),
)
