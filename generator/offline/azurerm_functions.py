"""azurerm 4.x's provider functions, `normalise_resource_id` and `parse_resource_id`, as azurerm
4.79.0 computes them (website/docs/functions/*.html.markdown, internal/provider/function/*.go).

Both rest on go-azure-helpers' resource ID registry: every resource ID type the provider's SDK
packages register at start-up (`recaser.RegisterResourceId`), keyed by the ID with its
user-specified values taken out. An ID is matched to a type by that key, directly or after
taking a registered ID off its front as a scope (recaser/recase.go: `buildInputKey`,
`PotentialScopeValues`, `ResourceIdTypeFromResourceId`, `reCaseKnownId`), then parsed with the
type's segments (resourceids/parse.go `Parser.Parse`, case-insensitively) and written back
with the type's casing (`ID()`).

The real registry holds about 1,200 types; `ID_TYPES` below holds the ones AVD and landing-zone
configurations use, and those in the functions' documented examples, written by hand from
Azure's resource ID formats (casing checked against the SDK). Any other ID gets the error real
azurerm gives for a type it does not know, as it does for some real ones (Image Builder's
`imageTemplates` is not registered in 4.79). Messages for an ID that matches a type but misses
a value name the type after its last segment (`Site`), where the SDK uses its Go type name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from .functions import Function, FunctionFailure, Param
from .wire import STRING, map_of, object_of

# --- resource ID types --------------------------------------------------------------------------

STATIC, PROVIDER, SUBSCRIPTION, RESOURCE_GROUP, USER, CONSTANT, SCOPE = (
    "Static",
    "ResourceProvider",
    "SubscriptionId",
    "ResourceGroup",
    "UserSpecified",
    "Constant",
    "Scope",
)
# The example values go-azure-sdk gives these segments (they show in its parse errors).
_EXAMPLE_SUBSCRIPTION = "12345678-1234-9876-4563-123456789012"
_EXAMPLE_RESOURCE_GROUP = "example-resource-group"
_EXAMPLE_SCOPE = "/subscriptions/12345678-1234-9876-4563-123456789012/resourceGroups/some-resource-group"


@dataclass(frozen=True)
class Segment:
    kind: str
    name: str
    fixed: str | None = None  # static and resource provider segments
    values: tuple[str, ...] = ()  # constant segments

    @property
    def example(self) -> str:
        if self.kind in (STATIC, PROVIDER):
            return self.fixed
        return {SUBSCRIPTION: _EXAMPLE_SUBSCRIPTION, RESOURCE_GROUP: _EXAMPLE_RESOURCE_GROUP, SCOPE: _EXAMPLE_SCOPE}.get(
            self.kind, self.values[0] if self.values else self.name
        )

    def description(self) -> str:
        """resourceids' descriptionForSpecifiedSegment (errors.go)."""
        if self.kind == CONSTANT:
            quoted = ", ".join(_q(v) for v in self.values)
            return f"should be a Constant with one of the following values [{quoted}]"
        if self.kind == RESOURCE_GROUP:
            return "should be the name of the Resource Group"
        if self.kind == PROVIDER:
            return f"should be the name of the Resource Provider [for example '{self.example}']"
        if self.kind == SCOPE:
            return f"specifies the Resource ID that should be used as a Scope [for example '{self.example}']"
        if self.kind == STATIC:
            return f"should be the literal value {_q(self.fixed)}"
        if self.kind == SUBSCRIPTION:
            return "should be the UUID of the Azure Subscription"
        return f"should be the user specified value for this {self.name.removesuffix('Name')} [for example {_q(self.example)}]"


@dataclass(frozen=True)
class IdType:
    template: str
    segments: tuple[Segment, ...]

    @property
    def key(self) -> str:
        """The registry key: the ID with no user values, lower-cased (recaser's RegisterResourceId)."""
        return ("/" + "/".join(s.fixed if s.kind in (STATIC, PROVIDER) else "" for s in self.segments)).lower()

    @property
    def name(self) -> str:
        last = next(s.fixed for s in reversed(self.segments) if s.kind in (STATIC, PROVIDER))
        singular = last[:-3] + "y" if last.endswith("ies") else last.removesuffix("s")
        return singular[:1].upper() + singular[1:]

    def expected(self) -> str:
        return "/" + "/".join(s.example.removeprefix("/") for s in self.segments)

    def render(self, parsed: dict[int, str]) -> str:
        """The type's ID() with parsed values: its own casing for everything but user values."""
        parts = []
        for i, s in enumerate(self.segments):
            value = s.fixed if s.kind in (STATIC, PROVIDER) else parsed[i]
            parts.append(value.removeprefix("/") if s.kind == SCOPE else value)
        return "/" + "/".join(parts)


def id_type(template: str) -> IdType:
    """An ID type from its template, e.g. `/subscriptions/{subscriptionId}/resourceGroups/
    {resourceGroupName}/providers/Microsoft.Web/sites/{siteName}`; `{scope}` first for an
    extension resource, `{name:A|B}` for a constant."""
    segments: list[Segment] = []
    raw = template.split("/")
    if raw[0] == "{scope}":
        segments.append(Segment(SCOPE, "scope"))
    elif raw[0]:
        raise ValueError(f"{template}: starts with neither / nor {{scope}}")
    for i, part in enumerate(raw[1:], start=1):
        previous = raw[i - 1]
        if part.startswith("{"):
            name, _, values = part.strip("{}").partition(":")
            if name == "scope":
                raise ValueError(f"{template}: a scope only at the start")
            if values:
                segments.append(Segment(CONSTANT, name, values=tuple(values.split("|"))))
            elif name == "subscriptionId" and previous == "subscriptions":
                segments.append(Segment(SUBSCRIPTION, name))
            elif name == "resourceGroupName" and previous == "resourceGroups":
                segments.append(Segment(RESOURCE_GROUP, name))
            else:
                segments.append(Segment(USER, name))
        elif previous == "providers" and "." in part:
            segments.append(Segment(PROVIDER, "static" + part.replace(".", ""), part))
        else:
            segments.append(Segment(STATIC, "static" + part[:1].upper() + part[1:], part))
    return IdType(template, tuple(segments))


@cache
def registry() -> dict[str, IdType]:
    known: dict[str, IdType] = {}
    for template in ID_TYPES:
        t = id_type(template)
        known.setdefault(t.key, t)  # the first registration of a key wins, as in recaser
    return known


def _scope_values() -> list[str]:
    # recaser.PotentialScopeValues; Go visits them in map order, this goes longest (most
    # specific) first so that a result never depends on chance.
    keys = [k for k in registry() if k.startswith(("/subscriptions/", "/providers/"))]
    return sorted(keys, key=lambda k: (-len(k), k))


def input_key(rid: str) -> str | None:
    """recaser.buildInputKey: the type segments of `rid` (the ones in odd places), lower-cased,
    with the value after each `providers` kept."""
    if not rid.startswith("/"):
        if not rid or "/" not in rid:
            return None
        rid = "/" + rid
    segments = rid.split("/")
    out = ""
    if len(segments) % 2 != 0:
        for i in range(1, len(segments), 2):
            out = f"{out}/{segments[i]}/"
            if segments[i].lower() == "providers" and len(segments) >= i + 2:
                out += segments[i + 1]
    return out.lower()


def _candidates(rid: str) -> list[IdType]:
    """The types `rid` may be, in the order recaser tries them."""
    key = input_key(rid)
    if key is None:
        return []
    known = registry()
    if key in known:
        return [known[key]]
    found = []
    for scope in _scope_values():
        for trimmed in (key.removeprefix(scope), key.removeprefix(scope.removesuffix("/"))):
            if trimmed in known:
                found.append(known[trimmed])
    return found


class ParseError(Exception):
    pass


def parse(t: IdType, rid: str, insensitively: bool = True) -> dict[int, str]:
    """resourceids' Parser.Parse: the value of each segment, by position."""
    if rid == "":
        raise ParseError("cannot parse an empty string")
    segments = t.segments
    if len(segments) == 1 and segments[0].kind == SCOPE:
        return {0: rid}
    scoped = segments[0].kind == SCOPE
    parsed: dict[int, str] = {}
    middle = ""
    for s in segments[1:] if scoped else segments:
        if s.kind == CONSTANT:
            middle += "/(" + "|".join(s.values) + ")"
        elif s.kind in (STATIC, PROVIDER):
            middle += "/" + s.fixed
        else:
            middle += "/(.){1,}"
    uri = rid
    if scoped:
        pattern = ("(?i)" if insensitively else "") + "^((.){1,})" + middle
        match = re.search(pattern, rid)
        if not match or not match.group(1):
            raise ParseError(
                f"parsing scope prefix: unable to find the scope prefix from the value {_q(rid)} with the regex {_q(pattern)}"
            )
        prefix = match.group(1)
        parsed[0] = prefix
        uri = "fakestart/" + uri.removeprefix(prefix).removeprefix("/")
    uri = uri.removeprefix("/")
    split = uri.split("/")
    if len(split) < len(segments):
        raise ParseError(_count_error(t, rid, parsed))
    if scoped:
        uri = uri.removeprefix("fakestart/")
    for i, s in enumerate(segments):
        if i == 0 and scoped:
            continue
        raw = split[i]
        parsed[i] = _segment_value(t, i, raw, insensitively, rid)
        uri = uri.removeprefix(raw).removeprefix("/")
    if uri:
        raise ParseError(f"unexpected segment {_q(uri)} present at the end of the URI (input {_q(rid)})")
    for i, value in sorted(parsed.items()):
        if value == "":
            raise ParseError(_missing_error(t, i, rid))
    return parsed


def _segment_value(t: IdType, i: int, raw: str, insensitively: bool, rid: str) -> str:
    s = t.segments[i]

    def same(a: str, b: str) -> bool:
        return a.lower() == b.lower() if insensitively else a == b

    if s.kind == CONSTANT:
        for value in s.values:
            if same(value, raw):
                return value
        detail = f"expected the segment {_q(s.name)} to match one of the values {_q(', '.join(s.values))} but got {_q(raw)}"
        raise ParseError(f"parsing segment {_q(s.name)}: {detail}")
    if s.kind in (STATIC, PROVIDER):
        if same(s.fixed, raw):
            return s.fixed
        raise ParseError(f"parsing segment {_q(s.name)}: {_missing_error(t, i, rid)}")
    return raw


def _missing_error(t: IdType, i: int, rid: str) -> str:
    # resourceids.SegmentNotSpecifiedError
    return (
        f"parsing the {t.name} ID: the segment at position {i} didn't match\n"
        f"Expected a {t.name} ID that matched:\n> {t.expected()}\n"
        f"However this value was provided:\n> {rid}\n"
        f"The parsed Resource ID was missing a value for the segment at position {i}\n"
        f"(which {t.segments[i].description()}).\n"
    )


def _count_error(t: IdType, rid: str, parsed: dict[int, str]) -> str:
    # resourceids.NumberOfSegmentsDidntMatchError
    expected = "\n".join(f"* Segment {i} - this {s.description()}" for i, s in enumerate(t.segments))
    found = "\n".join(
        f"* Segment {i} - parsed as {_q(parsed[i])}" if i in parsed else f"* Segment {i} - not found"
        for i in range(len(t.segments))
    )
    return (
        f"parsing the {t.name} ID: the number of segments didn't match\n"
        f"Expected a {t.name} ID that matched (containing {len(t.segments)} segments):\n> {t.expected()}\n"
        f"However this value was provided (which was parsed into {len(parsed)} segments):\n> {rid}\n"
        f"The following Segments are expected:\n{expected}\n"
        f"The following Segments were parsed:\n{found}\n"
    )


def _q(text: str) -> str:
    """Go's %q for the strings here."""
    return json.dumps(text, ensure_ascii=False)


def recase_known(rid: str) -> str:
    """recaser.ReCaseKnownId: `rid` in its type's casing (a scope re-cased too), or an error."""
    for t in _candidates(rid)[:1]:  # the first type found decides
        try:
            parsed = parse(t, rid)
        except ParseError as exc:
            raise FunctionFailure(f"fixing case for ID '{rid}': {exc}") from None
        if t.segments[0].kind == SCOPE and parsed[0]:
            parsed[0] = recase(parsed[0])
        return t.render(parsed)
    raise FunctionFailure(f"could not determine ID type for '{rid}', or ID type not supported")


def recase(rid: str) -> str:
    """recaser.ReCase: as recase_known, else with the common scope segments' casing fixed."""
    try:
        return recase_known(rid)
    except FunctionFailure:
        pass
    for segment in ("/subscriptions/", "/resourceGroups/", "/managementGroups/", "/tenants/"):
        rid = re.sub(re.escape(segment), segment, rid, flags=re.IGNORECASE)
    return rid


# --- the functions ------------------------------------------------------------------------------


def normalise_resource_id(rid: str) -> str:
    return recase_known(rid)


PARSED_ID = object_of(
    {
        "resource_name": STRING,
        "resource_provider": STRING,
        "resource_group_name": STRING,
        "resource_type": STRING,
        "resource_scope": STRING,
        "full_resource_type": STRING,
        "subscription_id": STRING,
        "parent_resources": map_of(STRING),
    }
)


def parse_resource_id(rid: str) -> dict[str, object]:
    if not rid:
        raise FunctionFailure("Got empty ID")
    candidates = _candidates(rid)
    if not candidates:
        raise FunctionFailure(
            f"could not determine resource ID type from {rid}, ID may be malformed or currently not supported in the provider"
        )
    t = candidates[0]
    try:
        parsed = parse(t, rid)
    except ParseError as exc:
        raise FunctionFailure(f"Parsing Resource ID Error: {exc}") from None
    # Every attribute has a value; `resource_scope` is "" for an ID without a scope (the
    # documented example shows null, the code and its tests give "").
    out: dict[str, object] = {name: "" for name in PARSED_ID.attrs}
    full_type = parent_type = ""
    parents: dict[str, str] = {}
    last = len(t.segments) - 1
    for i, s in enumerate(t.segments):
        if s.kind == RESOURCE_GROUP:
            out["resource_group_name"] = parsed[i]
        elif s.kind == PROVIDER:
            out["resource_provider"] = full_type = s.fixed
        elif s.kind == SUBSCRIPTION:
            out["subscription_id"] = parsed[i]
        elif s.kind == STATIC:
            if i == last - 1:
                out["resource_type"] = s.fixed
                full_type = f"{full_type}/{s.fixed}"
            elif s.fixed not in ("subscriptions", "resourceGroups", "providers"):
                parent_type = s.fixed
                full_type = f"{full_type}/{s.fixed}"
        elif s.kind == USER:
            if i == last:
                out["resource_name"] = parsed[i]
            else:
                parents[parent_type] = parsed[i]
        elif s.kind == SCOPE:
            out["resource_scope"] = parsed[i]
    out["parent_resources"] = parents
    out["full_resource_type"] = full_type
    return out


FUNCTIONS = (
    Function(
        "normalise_resource_id",
        (Param("id", STRING, "Resource ID"),),
        STRING,
        "normalise_resource_id",
        "Parses and attempts to normalise the casing on an Azure Resource Manager ID into the correct casing for Terraform",
        normalise_resource_id,
    ),
    Function(
        "parse_resource_id",
        (Param("id", STRING, "Resource ID"),),
        PARSED_ID,
        "parse_resource_id",
        "Parses an Azure Resource Manager ID and exposes the contained information",
        parse_resource_id,
    ),
)


# --- the registry (a subset of azurerm 4.79.0's; see the module docstring) ---------------------

_RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
_SUB = "/subscriptions/{subscriptionId}"

ID_TYPES = (
    # scopes
    _SUB,
    _RG,
    "/providers/Microsoft.Management/managementGroups/{groupId}",
    # extension resources, on any scope
    "{scope}/providers/Microsoft.Authorization/locks/{lockName}",
    "{scope}/providers/Microsoft.Authorization/policyAssignments/{policyAssignmentName}",
    "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
    "{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}",
    "{scope}/providers/Microsoft.Chaos/targets/{targetName}",
    "{scope}/providers/Microsoft.Chaos/targets/{targetName}/capabilities/{capabilityName}",
    "{scope}/providers/Microsoft.EventGrid/eventSubscriptions/{eventSubscriptionName}",
    "{scope}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{dataCollectionRuleAssociationName}",
    "{scope}/providers/Microsoft.Insights/diagnosticSettings/{diagnosticSettingName}",
    "{scope}/providers/Microsoft.Resources/deployments/{deploymentName}",
    # locks and deployments also registered at fixed scopes (these keys match first; the
    # tenant's deployments also match a deployment on a resource, which then fails to parse)
    "/providers/Microsoft.Resources/deployments/{deploymentName}",
    _SUB + "/providers/Microsoft.Authorization/locks/{lockName}",
    _RG + "/providers/Microsoft.Authorization/locks/{lockName}",
    "/providers/Microsoft.Management/managementGroups/{groupId}/providers/Microsoft.Resources/deployments/{deploymentName}",
    _SUB + "/providers/Microsoft.Resources/deployments/{deploymentName}",
    _RG + "/providers/Microsoft.Resources/deployments/{deploymentName}",
    # Azure Virtual Desktop
    _RG + "/providers/Microsoft.DesktopVirtualization/applicationGroups/{applicationGroupName}",
    _RG + "/providers/Microsoft.DesktopVirtualization/applicationGroups/{applicationGroupName}/applications/{applicationName}",
    _RG + "/providers/Microsoft.DesktopVirtualization/applicationGroups/{applicationGroupName}/desktops/{desktopName}",
    _RG + "/providers/Microsoft.DesktopVirtualization/hostPools/{hostPoolName}",
    _RG + "/providers/Microsoft.DesktopVirtualization/hostPools/{hostPoolName}/sessionHosts/{sessionHostName}",
    _RG + "/providers/Microsoft.DesktopVirtualization/scalingPlans/{scalingPlanName}",
    _RG + "/providers/Microsoft.DesktopVirtualization/workspaces/{workspaceName}",
    # compute
    _RG + "/providers/Microsoft.Compute/availabilitySets/{availabilitySetName}",
    _RG + "/providers/Microsoft.Compute/hostGroups/{hostGroupName}",
    _RG + "/providers/Microsoft.Compute/hostGroups/{hostGroupName}/hosts/{hostName}",
    _RG + "/providers/Microsoft.Compute/diskEncryptionSets/{diskEncryptionSetName}",
    _RG + "/providers/Microsoft.Compute/disks/{diskName}",
    _RG + "/providers/Microsoft.Compute/galleries/{galleryName}",
    _RG + "/providers/Microsoft.Compute/galleries/{galleryName}/applications/{applicationName}",
    _RG + "/providers/Microsoft.Compute/galleries/{galleryName}/applications/{applicationName}/versions/{versionName}",
    _RG + "/providers/Microsoft.Compute/galleries/{galleryName}/images/{imageName}",
    _RG + "/providers/Microsoft.Compute/galleries/{galleryName}/images/{imageName}/versions/{versionName}",
    _RG + "/providers/Microsoft.Compute/images/{imageName}",
    _RG + "/providers/Microsoft.Compute/snapshots/{snapshotName}",
    _RG + "/providers/Microsoft.Compute/virtualMachines/{virtualMachineName}",
    _RG + "/providers/Microsoft.Compute/virtualMachines/{virtualMachineName}/extensions/{extensionName}",
    _RG + "/providers/Microsoft.Compute/virtualMachines/{virtualMachineName}/runCommands/{runCommandName}",
    _RG + "/providers/Microsoft.Compute/virtualMachineScaleSets/{virtualMachineScaleSetName}",
    _RG
    + "/providers/Microsoft.Compute/virtualMachineScaleSets/{virtualMachineScaleSetName}/virtualMachines/"
    + "{virtualMachineIndex}/networkInterfaces/{networkInterfaceName}",
    _RG
    + "/providers/Microsoft.Compute/virtualMachineScaleSets/{virtualMachineScaleSetName}/virtualMachines/"
    + "{virtualMachineIndex}/networkInterfaces/{networkInterfaceName}/ipConfigurations/{ipConfigurationName}",
    _RG
    + "/providers/Microsoft.Compute/virtualMachineScaleSets/{virtualMachineScaleSetName}/virtualMachines/"
    + "{virtualMachineIndex}/networkInterfaces/{networkInterfaceName}/ipConfigurations/{ipConfigurationName}"
    + "/publicIPAddresses/{publicIpAddressName}",
    # networking
    _RG + "/providers/Microsoft.Network/applicationSecurityGroups/{applicationSecurityGroupName}",
    _RG + "/providers/Microsoft.Network/bastionHosts/{bastionHostName}",
    _RG + "/providers/Microsoft.Network/dnsZones/{dnsZoneName}",
    _RG + "/providers/Microsoft.Network/natGateways/{natGatewayName}",
    _RG + "/providers/Microsoft.Network/networkInterfaces/{networkInterfaceName}",
    _RG + "/providers/Microsoft.Network/networkInterfaces/{networkInterfaceName}/ipConfigurations/{ipConfigurationName}",
    _RG + "/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
    _RG + "/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{securityRuleName}",
    _RG + "/providers/Microsoft.Network/privateDnsZones/{privateDnsZoneName}",
    _RG + "/providers/Microsoft.Network/privateDnsZones/{privateDnsZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
    _RG + "/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}",
    _RG + "/providers/Microsoft.Network/publicIPAddresses/{publicIPAddressesName}",
    _RG + "/providers/Microsoft.Network/routeTables/{routeTableName}",
    _RG + "/providers/Microsoft.Network/routeTables/{routeTableName}/routes/{routeName}",
    _RG + "/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}",
    _RG + "/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    _RG + "/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
    # identity, secrets, storage, monitoring
    _RG + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{userAssignedIdentityName}",
    _RG
    + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{userAssignedIdentityName}"
    + "/federatedIdentityCredentials/{federatedIdentityCredentialName}",
    _RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}",
    _RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}/keys/{keyName}",
    _RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}/keys/{keyName}/versions/{versionName}",
    _RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}/privateEndpointConnections/{privateEndpointConnectionName}",
    _RG + "/providers/Microsoft.Storage/storageAccounts/{storageAccountName}",
    _RG + "/providers/Microsoft.Storage/storageAccounts/{storageAccountName}/blobServices/default/containers/{containerName}",
    _RG + "/providers/Microsoft.Storage/storageAccounts/{storageAccountName}/fileServices/default/shares/{shareName}",
    _RG + "/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}",
    _RG + "/providers/Microsoft.Insights/actionGroups/{actionGroupName}",
    _RG + "/providers/Microsoft.Insights/components/{componentName}",
    _RG + "/providers/Microsoft.Insights/dataCollectionEndpoints/{dataCollectionEndpointName}",
    _RG + "/providers/Microsoft.Insights/dataCollectionRules/{dataCollectionRuleName}",
    _RG + "/providers/Microsoft.Automation/automationAccounts/{automationAccountName}",
    _RG + "/providers/Microsoft.RecoveryServices/vaults/{vaultName}",
    # others in the functions' documented examples and common roots
    _RG + "/providers/Microsoft.ApiManagement/service/{serviceName}",
    _RG + "/providers/Microsoft.ApiManagement/service/{serviceName}/apis/{apiId}",
    _RG + "/providers/Microsoft.ApiManagement/service/{serviceName}/gateways/{gatewayId}",
    _RG + "/providers/Microsoft.ApiManagement/service/{serviceName}/gateways/{gatewayId}/hostnameConfigurations/{hcId}",
    _RG + "/providers/Microsoft.ContainerRegistry/registries/{registryName}",
    _RG + "/providers/Microsoft.ContainerService/managedClusters/{managedClusterName}",
    _RG + "/providers/Microsoft.Web/serverFarms/{serverFarmName}",
    _RG + "/providers/Microsoft.Web/sites/{siteName}",
)
