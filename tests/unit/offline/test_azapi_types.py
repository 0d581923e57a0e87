"""The offline provider's compact azapi type table (generator/offline/azapi_types.py) against the
type files azapi 2.5.0 embeds (../shared/reference; skipped without them): same properties,
same flags, same kinds, for every type the table lists. Also azapi's validation messages."""

from __future__ import annotations

import json

import pytest

from generator.offline import azapi_types as t
from project_paths import REFERENCE

FILES = {
    "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01": "azapi-types.imagebuilder.2024-02-01.from-azapi-v2.5.0.json",
    "Microsoft.DesktopVirtualization/hostPools/sessionHosts@2024-04-03": "azapi-types.desktopvirtualization.2024-04-03.from-azapi-v2.5.0.json",
    "Microsoft.Compute/galleries/images/versions@2024-03-03": "azapi-types.compute.2024-03-03.from-azapi-v2.5.0.json",
}
FLAGS = {"R": 1, "O": 2, "C": 8}


def _reference(name: str) -> tuple[list, dict]:
    path = REFERENCE / FILES[name]
    if not path.is_file():
        pytest.skip(f"azapi's embedded types not found at {path}")
    types = json.loads(path.read_text())
    resource = next(e for e in types if e["$type"] == "ResourceType" and e["name"] == name)
    return types, resource


def _deref(types: list, ref: dict) -> dict:
    return types[int(ref["$ref"].rsplit("/", 1)[1])]


def _flags(prop: t.Prop) -> int:
    return sum(FLAGS[f] for f in prop.flags)


def _compare(types: list, ours, theirs: dict, path: str, problems: list[str], seen: set) -> None:
    kind = theirs["$type"]
    if isinstance(ours, t.Any_):
        return  # deliberately unchecked (documented in the table)
    if id(theirs) in seen and kind in ("ObjectType", "DiscriminatedObjectType"):
        return
    seen.add(id(theirs))
    expected = {
        "StringType": t.Str, "IntegerType": t.Int, "BooleanType": t.Bool, "StringLiteralType": t.Lit, "UnionType": t.Enum,
        "ArrayType": t.Arr, "ObjectType": t.Obj, "DiscriminatedObjectType": t.Disc, "AnyType": t.Any_,
    }[kind]
    if not isinstance(ours, expected):
        problems.append(f"{path}: ours is {type(ours).__name__}, azapi's is {kind}")
        return
    if kind == "StringType" and (ours.pattern, ours.min_length, ours.max_length) != (theirs.get("pattern"), theirs.get("minLength"), theirs.get("maxLength")):
        problems.append(f"{path}: string constraints differ: {ours} vs {theirs}")
    elif kind == "IntegerType" and (ours.minimum, ours.maximum) != (theirs.get("minValue"), theirs.get("maxValue")):
        problems.append(f"{path}: integer range differs: {ours} vs {theirs}")
    elif kind == "StringLiteralType" and ours.value != theirs["value"]:
        problems.append(f"{path}: literal {ours.value!r} vs {theirs['value']!r}")
    elif kind == "UnionType":
        members = [_deref(types, e) for e in theirs["elements"]]
        values = tuple(m["value"] for m in members if m["$type"] == "StringLiteralType")
        open_ = any(m["$type"] == "StringType" for m in members)
        if (tuple(ours.values), ours.open) != (values, open_):
            problems.append(f"{path}: enum {ours.values} open={ours.open} vs {values} open={open_}")
    elif kind == "ArrayType":
        _compare(types, ours.item, _deref(types, theirs["itemType"]), f"{path}[]", problems, seen)
    elif kind == "ObjectType":
        _compare_props(types, ours.properties, theirs.get("properties", {}), path, problems, seen)
        if (ours.additional is None) != ("additionalProperties" not in theirs):
            problems.append(f"{path}: additional properties differ")
        elif ours.additional is not None:
            _compare(types, ours.additional, _deref(types, theirs["additionalProperties"]), f"{path}.*", problems, seen)
    elif kind == "DiscriminatedObjectType":
        if ours.discriminator != theirs["discriminator"] or set(ours.elements) != set(theirs["elements"]):
            problems.append(f"{path}: discriminator or elements differ")
            return
        _compare_props(types, ours.base, theirs.get("baseProperties", {}), path, problems, seen)
        for tag, ref in theirs["elements"].items():
            _compare(types, ours.elements[tag], _deref(types, ref), f"{path}<{tag}>", problems, seen)


def _compare_props(types: list, ours: dict, theirs: dict, path: str, problems: list[str], seen: set) -> None:
    if set(ours) != set(theirs):
        problems.append(f"{path}: properties differ: only ours {sorted(set(ours) - set(theirs))}, only azapi's {sorted(set(theirs) - set(ours))}")
    for name in set(ours) & set(theirs):
        if _flags(ours[name]) != theirs[name].get("flags", 0) & 11:
            problems.append(f"{path}.{name}: flags {ours[name].flags!r} vs {theirs[name].get('flags', 0)}")
        _compare(types, ours[name].type, _deref(types, theirs[name]["type"]), f"{path}.{name}", problems, seen)


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_table_is_azapis_types(name):
    types, resource = _reference(name)
    problems: list[str] = []
    _compare(types, t.body_type(name), _deref(types, resource["body"]), "", problems, set())
    assert problems == []
    assert (name.lower() in t.READ_ONLY_TYPES) == bool(resource.get("flags", 0) & 1)


def test_validation_says_what_azapi_says():
    body = {
        "name": "tpl", "location": "eastus",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/id": None}},
        "properties": {
            "source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "latest"},
            "customize": [{"type": "PowerShell", "name": "x", "runAsSytem": True}, {"type": "PowerShel"}],
            "distribute": [{"type": "SharedImage", "galleryImageId": "/g", "runOutputName": "bad name!"}],
            "provisioningState": "Succeeded",
            "buildTimeoutInMinutes": "90",
        },
    }
    assert t.validate(t.IMAGE_TEMPLATE, body) == sorted([
        "`properties.customize.0.runAsSytem` is not expected here. Do you mean `properties.customize.0.runAsSystem`? ",
        "`properties.customize.1.type`'s value `PowerShel` is invalid. The supported values are [File, PowerShell, Shell, WindowsRestart, WindowsUpdate]. Do you mean `PowerShell`? ",
        "`properties.distribute.0.runOutputName` is invalid, string does not match pattern ^[A-Za-z0-9-_.]{1,64}$",
        "`properties.provisioningState` is not expected here, it's read only",
        "`properties.buildTimeoutInMinutes` is invalid, expect `integer` but got `basetypes.StringValue`",
    ])


def test_integer_ranges_are_not_checked_for_hcl_numbers():
    # azapi skips IntegerType checks for types.Number (integer_type.go, bicep-types-az#1404).
    assert t.validate(t.Obj({"n": t.Prop(t.Int(minimum=0, maximum=960))}), {"n": 1000}) == []


def test_write_only_keeps_what_a_put_may_carry():
    record = {"name": "h1", "id": "/x", "type": "t", "properties": {"allowNewSession": False, "status": "Available"}}
    # The session host's properties are read-only as a whole: the PUT azapi_update_resource
    # builds carries only the name.
    assert t.write_only(t.SESSION_HOST, record) == {"name": "h1"}


def test_read_only_is_azapis_default_output():
    response = {
        "id": "/t", "name": "tpl", "type": "Microsoft.VirtualMachineImages/imageTemplates", "location": "eastus",
        "tags": {"a": "b"},
        "properties": {
            "customize": [{"type": "PowerShell", "name": "step", "inline": ["x"]}],
            "provisioningState": "Succeeded",
            "lastRunStatus": {"runState": "Running"},
            "buildTimeoutInMinutes": 60,
        },
    }
    assert t.read_only(t.IMAGE_TEMPLATE, response) == {
        "id": "/t", "type": "Microsoft.VirtualMachineImages/imageTemplates", "tags": {"a": "b"},
        # A list keeps each item's GetReadOnly, and a list of strings whole (a customizer's name is
        # a base property, kept; its type is not read-only, dropped); an object property whose
        # members are not read-only themselves (lastRunStatus) drops out.
        "properties": {"customize": [{"name": "step", "inline": ["x"]}], "provisioningState": "Succeeded"},
    }
