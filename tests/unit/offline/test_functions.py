"""Provider functions through the servicer: signatures as Terraform reads them, and calls checked
against each provider's documented examples (azapi docs/functions/*.md, azurerm
website/docs/functions/*.html.markdown) and the cases of their own tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from offline_helpers import FIXTURE_SCHEMAS, make_servicer

from generator.offline.proto import pb
from generator.offline.schema import ProviderSchema, provider_functions
from generator.offline.wire import STRING, from_msgpack, list_of, to_msgpack

SUB = "00000000-0000-0000-0000-000000000000"
RG = f"/subscriptions/{SUB}/resourceGroups/rg1"
VNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet1"
VM = f"/subscriptions/{SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM"
RM_SUB = "12345678-1234-9876-4563-123456789012"


@pytest.fixture(scope="module")
def azapi():
    return make_servicer("azapi")


@pytest.fixture(scope="module")
def azurerm():
    return make_servicer("azurerm")


def call(servicer: Any, name: str, *args: Any) -> Any:
    """The function's result, or its error as ("error", text, argument index or None)."""
    function = provider_functions(servicer.schema.provider)[name]
    request = pb.CallFunction.Request(
        name=name,
        arguments=[pb.DynamicValue(msgpack=to_msgpack(a, p.type)) for a, p in zip(args, function.params, strict=True)],
    )
    response = servicer.CallFunction(request, None)
    if response.HasField("error"):
        arg = response.error.function_argument if response.error.HasField("function_argument") else None
        return ("error", response.error.text, arg)
    return from_msgpack(response.result.msgpack, function.returns)


# --- signatures -------------------------------------------------------------------------------


def _signature(function: Any) -> tuple[list[tuple[str, Any]], Any]:
    return [(p.name, json.loads(p.type)) for p in function.parameters], json.loads(getattr(function, "return").type)


def test_azapi_serves_its_2_5_functions_with_their_documented_signatures(azapi):
    functions = azapi.GetProviderSchema(pb.GetProviderSchema.Request(), None).functions
    names = ["string", "string", ["list", "string"]]
    assert {n: _signature(f) for n, f in functions.items()} == {
        "build_resource_id": ([("parent_id", "string"), ("resource_type", "string"), ("name", "string")], "string"),
        "extension_resource_id": (list(zip(["base_resource_id", "resource_type", "resource_names"], names)), "string"),
        "management_group_resource_id": (
            list(zip(["management_group_name", "resource_type", "resource_names"], names)),
            "string",
        ),
        "parse_resource_id": (
            [("resource_type", "string"), ("resource_id", "string")],
            [
                "object",
                {
                    "id": "string",
                    "name": "string",
                    "parent_id": "string",
                    "parts": ["map", "string"],
                    "provider_namespace": "string",
                    "resource_group_name": "string",
                    "subscription_id": "string",
                    "type": "string",
                },
            ],
        ),
        "resource_group_resource_id": (
            list(zip(["subscription_id", "resource_group_name", "resource_type", "resource_names"], ["string", *names])),
            "string",
        ),
        "subscription_resource_id": (list(zip(["subscription_id", "resource_type", "resource_names"], names)), "string"),
        "tenant_resource_id": ([("resource_type", "string"), ("resource_names", ["list", "string"])], "string"),
        "unique_string": ([("base_string", ["list", "string"])], "string"),
    }
    parse = functions["parse_resource_id"]
    assert parse.summary == "Parses an Azure resource ID into its components."
    assert parse.description.startswith("This function takes an Azure resource ID and a resource type")
    assert parse.description_kind == 1  # markdown, as the plugin framework sends it
    assert parse.parameters[1].description == "The resource ID of the Azure resource to parse."
    # Terraform checks these itself: nulls and unknowns never reach the provider.
    assert not any(p.allow_null_value or p.allow_unknown_values for f in functions.values() for p in f.parameters)


def test_azurerm_serves_normalise_and_parse_resource_id(azurerm):
    functions = azurerm.GetProviderSchema(pb.GetProviderSchema.Request(), None).functions
    assert sorted(functions) == ["normalise_resource_id", "parse_resource_id"]
    assert _signature(functions["normalise_resource_id"]) == ([("id", "string")], "string")
    params, returns = _signature(functions["parse_resource_id"])
    assert params == [("id", "string")]
    assert returns == [
        "object",
        {
            "full_resource_type": "string",
            "parent_resources": ["map", "string"],
            "resource_group_name": "string",
            "resource_name": "string",
            "resource_provider": "string",
            "resource_scope": "string",
            "resource_type": "string",
            "subscription_id": "string",
        },
    ]
    assert functions["parse_resource_id"].description == (
        "Parses an Azure Resource Manager ID and exposes the contained information"
    )


def test_get_functions_and_metadata_match_the_schema(azapi):
    schema = azapi.GetProviderSchema(pb.GetProviderSchema.Request(), None).functions
    assert azapi.GetFunctions(pb.GetFunctions.Request(), None).functions == schema
    metadata = azapi.GetMetadata(pb.GetMetadata.Request(), None)
    assert [f.name for f in metadata.functions] == sorted(schema)
    assert make_servicer("time").GetFunctions(pb.GetFunctions.Request(), None).functions == {}


def test_functions_survive_the_schema_cache(tmp_path):
    path = FIXTURE_SCHEMAS / "azapi.schema.json"
    first = ProviderSchema("azapi", path, tmp_path).response()
    cached = ProviderSchema("azapi", path, tmp_path).response()
    assert list((tmp_path / "schemas").iterdir())
    assert sorted(cached.functions) == sorted(first.functions) and "unique_string" in cached.functions


# --- azapi: docs/functions/*.md examples and internal/services/functions/*_test.go cases --------


def test_azapi_parse_resource_id_documented_example(azapi):
    rid = f"/subscriptions/{SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet"
    assert call(azapi, "parse_resource_id", "Microsoft.Network/virtualNetworks", rid) == {
        "id": rid,
        "name": "myVNet",
        "parent_id": f"/subscriptions/{SUB}/resourceGroups/myResourceGroup",
        "parts": {
            "providers": "Microsoft.Network",
            "resourceGroups": "myResourceGroup",
            "subscriptions": SUB,
            "virtualNetworks": "myVNet",
        },
        "provider_namespace": "Microsoft.Network",
        "resource_group_name": "myResourceGroup",
        "subscription_id": SUB,
        "type": "Microsoft.Network/virtualNetworks",
    }


@pytest.mark.parametrize(
    ("resource_type", "rid", "expected"),
    [
        (
            "Microsoft.Billing/billingAccounts",
            "/providers/Microsoft.Billing/billingAccounts/ba1",
            {"name": "ba1", "parent_id": "/", "resource_group_name": "", "subscription_id": ""},
        ),
        (
            "Microsoft.Resources/subscriptions",
            f"/subscriptions/{SUB}",
            {"name": SUB, "parent_id": "/", "subscription_id": SUB, "provider_namespace": "Microsoft.Resources"},
        ),
        (
            "Microsoft.Management/managementGroups",
            "/providers/Microsoft.Management/managementGroups/mg1",
            {"name": "mg1", "parent_id": "/", "parts": {"managementGroups": "mg1", "providers": "Microsoft.Management"}},
        ),
        (
            # an extension resource: its parent is the resource it extends; `providers` keeps the last value
            "Microsoft.Authorization/locks",
            f"{VNET}/providers/Microsoft.Authorization/locks/mylock",
            {
                "parent_id": VNET,
                "resource_group_name": "rg1",
                "provider_namespace": "Microsoft.Authorization",
                "parts": {
                    "subscriptions": SUB,
                    "resourceGroups": "rg1",
                    "providers": "Microsoft.Authorization",
                    "virtualNetworks": "vnet1",
                    "locks": "mylock",
                },
            },
        ),
        (
            "Microsoft.Network/virtualNetworks/subnets@2024-01-01",  # an api-version is allowed
            f"{VNET}/subnets/s1",
            {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "s1", "parent_id": VNET},
        ),
    ],
)
def test_azapi_parse_resource_id_scopes(azapi, resource_type, rid, expected):
    parsed = call(azapi, "parse_resource_id", resource_type, rid)
    assert parsed["id"] == rid
    assert {k: parsed[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("resource_type", "rid", "message"),
    [
        (
            "Microsoft.Network/virtualNetworks",
            "",
            "failed to parse resource ID(resourceType: Microsoft.Network/virtualNetworks@latest, resourceId: ): "
            "`resource_id` and `type` are not matched, expect `type` to be , but got Microsoft.Network/virtualNetworks",
        ),
        (
            "Microsoft.Network/virtualNetworks/subnets",
            VNET,
            f"failed to parse resource ID(resourceType: Microsoft.Network/virtualNetworks/subnets@latest, resourceId: {VNET}): "
            "`resource_id` and `type` are not matched, expect `type` to be Microsoft.Network/virtualNetworks, "
            "but got Microsoft.Network/virtualNetworks/subnets",
        ),
        (
            "Microsoft.Network/virtualNetworks@2024-01-01@x",
            VNET,
            f"failed to parse resource ID(resourceType: Microsoft.Network/virtualNetworks@2024-01-01@x, resourceId: {VNET}): "
            "`type` is invalid, it should be like `ResourceProvider/resourceTypes@ApiVersion`",
        ),
    ],
)
def test_azapi_parse_resource_id_errors(azapi, resource_type, rid, message):
    assert call(azapi, "parse_resource_id", resource_type, rid) == ("error", message, None)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # docs/functions/build_resource_id.md
        (
            (f"/subscriptions/{SUB}/resourceGroups/myResourceGroup", "Microsoft.Network/virtualNetworks", "myVNet"),
            f"/subscriptions/{SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet",
        ),
        (
            (f"/subscriptions/{SUB}", "Microsoft.Resources/resourceGroups", "myResourceGroup"),
            f"/subscriptions/{SUB}/resourceGroups/myResourceGroup",
        ),
        (
            ("/providers/Microsoft.Management/managementGroups/mg1", "Microsoft.Authorization/privateLinkAssociations", "pla"),
            "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/privateLinkAssociations/pla",
        ),
        (("/", "Microsoft.Billing/billingAccounts", "MyInvoice"), "/providers/Microsoft.Billing/billingAccounts/MyInvoice"),
        ((VM, "Microsoft.Chaos/targets", "MyTarget"), f"{VM}/providers/Microsoft.Chaos/targets/MyTarget"),
        ((VNET, "Microsoft.Network/virtualNetworks/subnets", "s1"), f"{VNET}/subnets/s1"),
        (
            (RG, "Microsoft.Network/virtualNetworks/subnets", "s1"),
            ("error", "`parent_id is invalid`: expect ID of `Microsoft.Network/virtualNetworks`", None),
        ),
    ],
)
def test_azapi_build_resource_id(azapi, args, expected):
    assert call(azapi, "build_resource_id", *args) == expected


MISMATCH = "number of resource names does not match the number of resource type parts, expected {}, got {}"
NO_TYPE = "invalid azure resource type, it should be like `ResourceProvider/resourceTypes`"


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        # the documented examples
        (
            "extension_resource_id",
            (VNET, "Microsoft.Authorization/locks", ["mylock"]),
            f"{VNET}/providers/Microsoft.Authorization/locks/mylock",
        ),
        (
            "management_group_resource_id",
            ("mg1", "Microsoft.Billing/billingAccounts/billingProfiles", ["ba1", "bp1"]),
            "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Billing/billingAccounts/ba1/billingProfiles/bp1",
        ),
        (
            "resource_group_resource_id",
            (SUB, "rg1", "Microsoft.Network/virtualNetworks/subnets", ["vnet1", "subnet1"]),
            f"{VNET}/subnets/subnet1",
        ),
        (
            "subscription_resource_id",
            (SUB, "Microsoft.Resources/resourceGroups", ["rg1"]),
            RG,
        ),
        (
            "tenant_resource_id",
            ("Microsoft.Billing/billingAccounts/billingProfiles", ["ba1", "bp1"]),
            "/providers/Microsoft.Billing/billingAccounts/ba1/billingProfiles/bp1",
        ),
        # azapi's own cases
        (
            "extension_resource_id",
            (VM, "Microsoft.Chaos/targets/capabilities", ["t1", "c1"]),
            f"{VM}/providers/Microsoft.Chaos/targets/t1/capabilities/c1",
        ),
        (
            "management_group_resource_id",
            ("mg1", "Microsoft.Blueprint/blueprints/artifacts", ["bp1", "a1"]),
            "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Blueprint/blueprints/bp1/artifacts/a1",
        ),
        (
            "subscription_resource_id",
            (SUB, "Microsoft.Sql/locations/usages", ["loc1", "usage1"]),
            f"/subscriptions/{SUB}/providers/Microsoft.Sql/locations/loc1/usages/usage1",
        ),
        (
            "tenant_resource_id",
            ("Microsoft.Billing/billingAccounts/billingProfiles/invoiceSections@2020-05-01", ["ba1", "bp1", "is1"]),
            "/providers/Microsoft.Billing/billingAccounts/ba1/billingProfiles/bp1/invoiceSections/is1",
        ),
        ("extension_resource_id", (VM, "Microsoft.Chaos/targets", ["t1", "c1"]), ("error", MISMATCH.format(1, 2), None)),
        (
            "resource_group_resource_id",
            (SUB, "rg1", "Microsoft.Network/virtualNetworks/subnets", ["vnet1"]),
            ("error", MISMATCH.format(2, 1), None),
        ),
        ("management_group_resource_id", ("mg1", "", ["ba1", "bp1"]), ("error", NO_TYPE, None)),
        ("subscription_resource_id", (SUB, "", ["rg1"]), ("error", NO_TYPE, None)),
        ("tenant_resource_id", ("Microsoft.Billing/billingAccounts", []), ("error", "resource names cannot be empty", None)),
    ],
)
def test_azapi_scope_resource_ids(azapi, name, args, expected):
    assert call(azapi, name, *args) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # docs/functions/unique_string.md (the example passes the values as one list, per the signature)
        ([f"/subscriptions/12345678-1234-1234-1234-123456789012/resourceGroups/my-rg", "Microsoft.Storage/storageAccounts"], "z22rah77jfqry"),
        ([f"/subscriptions/{SUB}", "resource-id"], "cwvxuqg24sifi"),
        (["fu"], "6rkxbspxjmsho"),
        (["fubar"], "cj2xpqsiwjfne"),
        (["fu", "bar"], "q5wxoscxs5j6k"),
    ],
)
def test_azapi_unique_string(azapi, values, expected):
    assert call(azapi, "unique_string", values) == expected


# --- azurerm: website/docs/functions examples and internal/provider/function tests -----------


def test_azurerm_normalise_resource_id_documented_example(azurerm):
    given = (
        f"/Subscriptions/{RM_SUB}/ResourceGroups/resGroup1/PROVIDERS/microsoft.apimanagement/service/service1"
        "/gateWays/gateway1/hostnameconfigurations/config1"
    )
    assert call(azurerm, "normalise_resource_id", given) == (
        f"/subscriptions/{RM_SUB}/resourceGroups/resGroup1/providers/Microsoft.ApiManagement/service/service1"
        "/gateways/gateway1/hostnameConfigurations/config1"
    )
    assert call(azurerm, "normalise_resource_id", f"/Subscriptions/{RM_SUB}/resourcegroups/import-example") == (
        f"/subscriptions/{RM_SUB}/resourceGroups/import-example"
    )


RM_RG = f"/subscriptions/{RM_SUB}/resourceGroups/resGroup1"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (f"/SUBSCRIPTIONS/{RM_SUB}/resourcegroups/resGroup1/providers/Microsoft.web/siTes/site1", f"{RM_RG}/providers/Microsoft.Web/sites/site1"),
        (
            f"/SubScripTionS/{RM_SUB}/resourceGROUPS/resGroup1/providers/microsoft.apiManagement/Service/service1/apis/api1",
            f"{RM_RG}/providers/Microsoft.ApiManagement/service/service1/apis/api1",
        ),
        (
            f"{RM_RG}/providers/Microsoft.Compute/virtualmachinescalesets/scaleSet1/virtualmachines/machine1"
            "/networkinterfaCes/networkInterface1/ipconFigurations/ipConfig1/PublicipAddresses/publicAddress1",
            f"{RM_RG}/providers/Microsoft.Compute/virtualMachineScaleSets/scaleSet1/virtualMachines/machine1"
            "/networkInterfaces/networkInterface1/ipConfigurations/ipConfig1/publicIPAddresses/publicAddress1",
        ),
        # a scoped type: the scope is re-cased as an ID of its own
        (
            f"/subscriptions/{RM_SUB}/resourcegroups/resGroup1/providers/microsoft.chaos/Targets/target1",
            f"{RM_RG}/providers/Microsoft.Chaos/targets/target1",
        ),
        (f"SUBSCRIPTIONS/{RM_SUB}/resourcegroups/resGroup1/providers/Microsoft.web/siTes/site1", f"{RM_RG}/providers/Microsoft.Web/sites/site1"),
        (
            f"/SUBSCRIPTIONS/{RM_SUB}/resourcegroups/rg/PROVIDERS/microsoft.desktopvirtualization/HOSTPOOLS/hp",
            f"/subscriptions/{RM_SUB}/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp",
        ),
    ],
)
def test_azurerm_normalise_resource_id(azurerm, given, expected):
    assert call(azurerm, "normalise_resource_id", given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "could not determine ID type for '', or ID type not supported"),
        ("not-an-id", "could not determine ID type for 'not-an-id', or ID type not supported"),
        # azurerm registers no ID type for Image Builder templates, so the real function fails too
        (
            f"{RM_RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/t1",
            f"could not determine ID type for '{RM_RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/t1', "
            "or ID type not supported",
        ),
    ],
)
def test_azurerm_normalise_resource_id_errors(azurerm, given, message):
    assert call(azurerm, "normalise_resource_id", given) == ("error", message, None)


def test_azurerm_parse_resource_id_documented_example(azurerm):
    parsed = call(
        azurerm,
        "parse_resource_id",
        f"{RM_RG}/providers/Microsoft.ApiManagement/service/service1/gateways/gateway1/hostnameConfigurations/config1",
    )
    assert parsed == {
        "full_resource_type": "Microsoft.ApiManagement/service/gateways/hostnameConfigurations",
        "parent_resources": {"gateways": "gateway1", "service": "service1"},
        "resource_group_name": "resGroup1",
        "resource_name": "config1",
        "resource_provider": "Microsoft.ApiManagement",
        "resource_scope": "",  # the docs print null; azurerm's code and tests give ""
        "resource_type": "hostnameConfigurations",
        "subscription_id": RM_SUB,
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            f"{RM_RG}/providers/Microsoft.Chaos/targets/target1",
            {
                "resource_provider": "Microsoft.Chaos",
                "resource_type": "targets",
                "resource_name": "target1",
                "full_resource_type": "Microsoft.Chaos/targets",
                "resource_scope": RM_RG,
                "resource_group_name": "",  # the resource group is inside the scope
            },
        ),
        (
            f"{RM_RG}/providers/Microsoft.Storage/storageAccounts/mystorageaccount/providers/Microsoft.EventGrid/eventSubscriptions/event1",
            {
                "resource_provider": "Microsoft.EventGrid",
                "resource_type": "eventSubscriptions",
                "resource_name": "event1",
                "full_resource_type": "Microsoft.EventGrid/eventSubscriptions",
                "resource_scope": f"{RM_RG}/providers/Microsoft.Storage/storageAccounts/mystorageaccount",
            },
        ),
        (
            f"/subscriptions/{RM_SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/win11/versions/1.0.0",
            {
                "resource_provider": "Microsoft.Compute",
                "resource_type": "versions",
                "resource_name": "1.0.0",
                "resource_group_name": "rg",
                "full_resource_type": "Microsoft.Compute/galleries/images/versions",
                "parent_resources": {"galleries": "g", "images": "win11"},
            },
        ),
        (
            # the next-to-last static segment is the type, whatever it is (parse_resource_id.go)
            f"/subscriptions/{RM_SUB}",
            {"subscription_id": RM_SUB, "resource_type": "subscriptions", "full_resource_type": "/subscriptions"},
        ),
    ],
)
def test_azurerm_parse_resource_id(azurerm, given, expected):
    parsed = call(azurerm, "parse_resource_id", given)
    assert {k: parsed[k] for k in expected} == expected


def test_azurerm_parse_resource_id_errors(azurerm):
    assert call(azurerm, "parse_resource_id", "") == ("error", "Got empty ID", None)
    unknown = f"{RM_RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/t1"
    assert call(azurerm, "parse_resource_id", unknown) == (
        "error",
        f"could not determine resource ID type from {unknown}, ID may be malformed or currently not supported in the provider",
        None,
    )
    kind, message, arg = call(azurerm, "parse_resource_id", f"/subscriptions//resourceGroups/rg/providers/Microsoft.Web/sites/s1")
    assert (kind, arg) == ("error", None)
    assert message.startswith("Parsing Resource ID Error: parsing the Site ID: the segment at position 1 didn't match\n")
    assert "(which should be the UUID of the Azure Subscription)." in message


# --- the call itself --------------------------------------------------------------------------


def test_a_bad_call_is_a_function_error(azapi):
    unknown = azapi.CallFunction(pb.CallFunction.Request(name="nope"), None)
    assert unknown.error.text == "The offline provider has no function 'nope'."
    two = pb.DynamicValue(msgpack=to_msgpack("x", STRING))
    short = azapi.CallFunction(pb.CallFunction.Request(name="parse_resource_id", arguments=[two]), None)
    assert "Expected function arguments: 2\nGiven function arguments: 1" in short.error.text
    assert not short.error.HasField("function_argument")


def test_an_argument_that_does_not_decode_names_its_position(azapi):
    args = [pb.DynamicValue(msgpack=to_msgpack(x, STRING)) for x in ("Microsoft.Billing/billingAccounts",)]
    args.append(pb.DynamicValue(msgpack=to_msgpack("ba1", STRING)))  # a string where a list belongs
    response = azapi.CallFunction(pb.CallFunction.Request(name="tenant_resource_id", arguments=args), None)
    assert response.error.function_argument == 1
    assert response.error.text.startswith("Unable to Convert Function Argument")
    ok = [args[0], pb.DynamicValue(msgpack=to_msgpack(["ba1"], list_of(STRING)))]
    result = azapi.CallFunction(pb.CallFunction.Request(name="tenant_resource_id", arguments=ok), None)
    assert from_msgpack(result.result.msgpack, STRING) == "/providers/Microsoft.Billing/billingAccounts/ba1"
