"""Schema JSON -> tfplugin6 protobufs, implied cty types, file selection and caching."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from offline_helpers import FIXTURE_SCHEMAS

from generator.offline import schema as schema_module
from generator.offline.proto import pb
from generator.offline.schema import (
    ProviderSchema,
    SchemaError,
    implied_type,
    provider_schema_response,
    schema_file,
)
from generator.offline.wire import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    list_of,
    map_of,
    object_of,
    parse_type,
    set_of,
    to_msgpack,
    tuple_of,
)

NB = pb.Schema.NestedBlock
OBJ = pb.Schema.Object


@pytest.fixture(scope="module")
def azurerm() -> ProviderSchema:
    return ProviderSchema("azurerm", FIXTURE_SCHEMAS / "azurerm.schema.json")


def _example(azurerm: ProviderSchema):
    response = pb.GetProviderSchema.Response.FromString(azurerm.response().SerializeToString())
    return response.resource_schemas["azurerm_nesting_example"]


def test_attributes_carry_type_and_flags(azurerm):
    attrs = {a.name: a for a in _example(azurerm).block.attributes}
    assert json.loads(attrs["shape"].type) == ["object", {"kind": "string", "size": "number"}, ["size"]]
    assert (attrs["name"].required, attrs["name"].optional, attrs["name"].computed) == (True, False, False)
    assert attrs["id"].optional and attrs["id"].computed
    assert attrs["secret"].sensitive and attrs["token"].sensitive and attrs["token"].computed
    assert attrs["old_name"].deprecated
    assert attrs["password_wo"].write_only and not attrs["secret"].write_only


def test_write_only_survives_the_wire():
    data = pb.Schema.Attribute(name="v", type=b'"string"', optional=True, write_only=True).SerializeToString()
    assert b"\x58\x01" in data  # field 11, varint 1
    assert pb.Schema.Attribute.FromString(data).write_only


def test_nested_attribute_types(azurerm):
    attrs = {a.name: a for a in _example(azurerm).block.attributes}
    assert attrs["single"].nested_type.nesting == OBJ.SINGLE and not attrs["single"].type
    listed = attrs["listed"].nested_type
    assert (listed.nesting, listed.min_items, listed.max_items) == (OBJ.LIST, 1, 3)
    assert [a.name for a in listed.attributes] == ["a", "b"] and listed.attributes[1].computed
    assert attrs["setted"].nested_type.nesting == OBJ.SET
    assert attrs["mapped"].nested_type.nesting == OBJ.MAP and attrs["mapped"].computed


def test_block_nesting_modes_and_limits(azurerm):
    blocks = {b.type_name: b for b in _example(azurerm).block.block_types}
    assert {n: b.nesting for n, b in blocks.items()} == {
        "one": NB.SINGLE,
        "grouped": NB.GROUP,
        "many": NB.LIST,
        "bag": NB.SET,
        "keyed": NB.MAP,
        "anything": NB.LIST,
    }
    assert (blocks["many"].min_items, blocks["many"].max_items) == (1, 5)
    assert blocks["many"].block.block_types[0].nesting == NB.SET


def test_provider_schema_response_has_everything(azurerm):
    response = azurerm.response()
    assert set(response.resource_schemas) == set(azurerm.type_names("resource"))
    assert set(response.data_source_schemas) == {"azurerm_client_config", "azurerm_resource_group"}
    assert response.resource_schemas["azurerm_user_assigned_identity"].version == 1
    features = response.provider.block.block_types[0]
    assert (features.type_name, features.min_items, features.max_items) == ("features", 1, 1)
    caps = response.server_capabilities
    assert caps.get_provider_schema_optional and caps.plan_destroy and not caps.move_resource_state


def test_implied_type_follows_terraform(azurerm):
    ty = implied_type(azurerm.block("resource", "azurerm_nesting_example"))
    attrs = ty.attrs
    assert attrs["pair"] == tuple_of([STRING, NUMBER])
    assert attrs["single"] == object_of({"a": STRING, "b": STRING}, frozenset({"a", "b"}))
    assert attrs["listed"] == list_of(object_of({"a": STRING, "b": STRING}, frozenset({"b"})))
    assert attrs["mapped"] == map_of(object_of({"a": STRING, "b": NUMBER}, frozenset({"a", "b"})))
    assert attrs["one"] == object_of({"x": STRING, "y": STRING})
    assert attrs["grouped"] == object_of({"x": STRING})
    assert attrs["many"] == list_of(object_of({"x": STRING, "guid": STRING, "inner": set_of(object_of({"z": NUMBER}))}))
    assert attrs["bag"] == set_of(object_of({"x": STRING, "y": STRING}))
    assert attrs["keyed"] == map_of(object_of({"x": STRING, "y": STRING}))
    assert attrs["anything"] == DYNAMIC  # a list of blocks holding a dynamic attribute
    assert attrs["enabled"] == BOOL


def test_schema_file_prefers_override_dir_per_provider(tmp_path, monkeypatch):
    vendored = tmp_path / "vendored"
    vendored.mkdir()
    shutil.copy(FIXTURE_SCHEMAS / "azapi.schema.json", vendored / "azapi.schema.json")
    shutil.copy(FIXTURE_SCHEMAS / "azurerm.schema.json", vendored / "azurerm.schema.json")
    override = tmp_path / "override"
    override.mkdir()
    shutil.copy(FIXTURE_SCHEMAS / "azurerm.schema.json", override / "dump.schema.json")
    monkeypatch.setattr(schema_module, "VENDORED_DIR", vendored)
    monkeypatch.setenv("AVDGEN_OFFLINE_SCHEMAS", str(override))
    assert schema_file("azurerm") == override / "dump.schema.json"
    assert schema_file("azapi") == vendored / "azapi.schema.json"  # not in the override dir
    with pytest.raises(SchemaError, match="time"):
        schema_file("time")


def test_missing_provider_entry_is_a_schema_error(tmp_path):
    path = tmp_path / "x.schema.json"
    path.write_text('{"format_version":"1.0","provider_schemas":{}}')
    with pytest.raises(SchemaError, match="no provider_schemas entry for 'azurerm'"):
        ProviderSchema("azurerm", path)
    with pytest.raises(SchemaError, match="no resource type 'nope'"):
        ProviderSchema("azurerm", FIXTURE_SCHEMAS / "azurerm.schema.json").block("resource", "nope")


def test_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    path = tmp_path / "azapi.schema.json"
    shutil.copy(FIXTURE_SCHEMAS / "azapi.schema.json", path)
    first = ProviderSchema("azapi", path, tmp_path / "cache")
    assert len(list((tmp_path / "cache" / "schemas").iterdir())) == 1

    def no_build(self):
        raise AssertionError("schema rebuilt despite a valid cache")

    monkeypatch.setattr(ProviderSchema, "_build", no_build)
    cached = ProviderSchema("azapi", path, tmp_path / "cache")
    assert cached.response() == first.response()
    assert cached.block("resource", "azapi_resource") == first.block("resource", "azapi_resource")

    os.utime(path, ns=(0, 0))  # a changed file must not be served from the old cache
    with pytest.raises(AssertionError, match="rebuilt"):
        ProviderSchema("azapi", path, tmp_path / "cache")


def test_reference_dumps_convert_completely(reference_dir):
    for provider in ("azurerm", "azapi"):
        provider_schema = ProviderSchema(provider, reference_dir / f"{provider}.schema.json")
        doc = json.loads((reference_dir / f"{provider}.schema.json").read_text())
        entry = next(iter(doc["provider_schemas"].values()))
        response = provider_schema_response(entry)
        assert len(response.resource_schemas) == len(entry["resource_schemas"])
        for kind in ("resource", "data"):
            for name in provider_schema.type_names(kind):
                ty = implied_type(provider_schema.block(kind, name))
                to_msgpack({}, ty)  # every attribute null: the shape Terraform sends for a new config
    azapi = provider_schema_response(
        json.loads((reference_dir / "azapi.schema.json").read_text())["provider_schemas"][
            "registry.terraform.io/azure/azapi"
        ]
    )
    attrs = {a.name: a for a in azapi.resource_schemas["azapi_resource"].block.attributes}
    assert attrs["sensitive_body"].write_only
    assert attrs["retry"].nested_type.nesting == OBJ.SINGLE
    assert parse_type(attrs["body"].type) == DYNAMIC
