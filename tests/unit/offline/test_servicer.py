"""The provider servicer in-process: requests in, responses out, as Terraform would call it."""

from __future__ import annotations

from decimal import Decimal

import re
from typing import Any

import pytest
from offline_helpers import dv, make_servicer, undv

from generator.offline.cloud import CLOUD_ENV, plain
from generator.offline.fixture import DEFAULTS, Fixture
from generator.offline.proto import pb
from generator.offline.schema import ProviderSchema, SchemaError, implied_type
from generator.offline.servicer import ProviderServicer
from generator.offline.wire import UNKNOWN, dyn, to_json

SUB = "/subscriptions/" + DEFAULTS["subscription_id"]
RG_ID = SUB + "/resourceGroups/rg"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TEMPLATE_TYPE = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
BODY = {"properties": {"source": {"type": "PlatformImage", "version": "latest"}, "buildTimeoutInMinutes": 60}}


class Rig:
    """One resource or data source type of one provider, with typed helpers around the RPCs."""

    def __init__(self, provider: str, type_name: str, kind: str = "resource", fixture: Fixture | None = None) -> None:
        self.servicer = make_servicer(provider, fixture)
        self.type_name = type_name
        self.block = self.servicer.schema.block(kind, type_name)
        self.ty = implied_type(self.block)

    def new(self, **values: Any) -> dict[str, Any]:
        """An object of this type with everything null except `values` (a config, say)."""
        unknown = set(values) - set(self.ty.attrs)
        assert not unknown, unknown
        return {name: values.get(name) for name in self.ty.attrs}

    def element(self, block_name: str, **values: Any) -> dict[str, Any]:
        elem_ty = self.ty.attrs[block_name]
        elem_ty = elem_ty.elem or elem_ty
        return {name: values.get(name) for name in elem_ty.attrs}

    def plan(self, prior: Any, proposed: Any) -> tuple[Any, list[list[str]]]:
        response = self.servicer.PlanResourceChange(
            pb.PlanResourceChange.Request(
                type_name=self.type_name,
                prior_state=dv(prior, self.ty),
                proposed_new_state=dv(proposed, self.ty),
                config=dv(proposed, self.ty),
                prior_private=b"private",
            ),
            None,
        )
        assert not response.diagnostics, response.diagnostics
        assert response.planned_private == b"private"
        paths = [[s.attribute_name for s in p.steps] for p in response.requires_replace]
        return undv(response.planned_state, self.ty), paths

    def apply_request(self, planned: Any, prior: Any = None) -> Any:
        return pb.ApplyResourceChange.Request(
            type_name=self.type_name,
            prior_state=dv(prior, self.ty),
            planned_state=dv(planned, self.ty),
            config=dv(planned, self.ty),
            planned_private=b"private",
        )

    def apply(self, planned: Any, prior: Any = None) -> Any:
        response = self.servicer.ApplyResourceChange(self.apply_request(planned, prior), None)
        assert not response.diagnostics, response.diagnostics
        assert response.private == b"private"
        return undv(response.new_state, self.ty)

    def create(self, **config: Any) -> Any:
        planned, _ = self.plan(None, self.new(**config))
        return self.apply(planned)

    def read(self, **config: Any) -> Any:
        response = self.servicer.ReadDataSource(
            pb.ReadDataSource.Request(type_name=self.type_name, config=dv(self.new(**config), self.ty)), None
        )
        assert not response.diagnostics, response.diagnostics
        return undv(response.state, self.ty)


def template_rig() -> tuple[Rig, dict[str, Any]]:
    rig = Rig("azapi", "azapi_resource")
    config = rig.new(
        type=TEMPLATE_TYPE,
        name="tpl",
        parent_id=RG_ID,
        location="westeurope",
        body=dyn(BODY),
        identity=[rig.element("identity", type="SystemAssigned")],
        retry={"error_message_regex": ["Conflict"], "interval_seconds": None, "multiplier": None},
        replace_triggers_refs=["properties.source"],
        sensitive_body=dyn({"secret": "s3cret"}),
    )
    return rig, config


# --- plan -------------------------------------------------------------------------------------


def test_create_leaves_computed_unknown_and_keeps_config():
    rig, config = template_rig()
    planned, replace = rig.plan(None, config)
    assert replace == []
    assert planned["id"] is UNKNOWN and planned["output"] is UNKNOWN and planned["tags"] is UNKNOWN
    assert planned["name"] == "tpl" and planned["location"] == "westeurope"  # optional+computed, set
    assert planned["body"] == dyn(BODY)
    assert planned["identity"][0]["principal_id"] is UNKNOWN and planned["identity"][0]["type"] == "SystemAssigned"
    # azapi's retry defaults (internal/retry/retryable_errors.go) are planned as known values.
    assert planned["retry"] == {"error_message_regex": ["Conflict"], "interval_seconds": 10, "multiplier": Decimal("1.5")}
    assert planned["sensitive_body"] is None  # write-only values never reach plan or state
    assert planned["schema_validation_enabled"] is True  # a default azapi plans as known
    assert planned["locks"] is None  # optional, not computed: stays null


def test_update_keeps_prior_computed_values():
    rig, config = template_rig()
    state = rig.apply(rig.plan(None, config)[0])
    proposed = dict(state, locks=["lock"])  # what Terraform proposes: config + prior computed
    planned, replace = rig.plan(state, proposed)
    assert replace == []
    assert planned == proposed


def test_body_change_outside_refs_updates_in_place_with_unknown_output():
    rig, config = template_rig()
    state = rig.apply(rig.plan(None, config)[0])
    body = {"properties": dict(BODY["properties"], buildTimeoutInMinutes=90)}
    planned, replace = rig.plan(state, dict(state, body=dyn(body)))
    assert replace == []
    assert planned["output"] is UNKNOWN and planned["id"] == state["id"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {
                "body": dyn(
                    {"properties": dict(BODY["properties"], source={"type": "PlatformImage", "version": "1.0.0"})}
                )
            },
            [["body"]],
        ),
        ({"replace_triggers_external_values": dyn({"image": "v2"})}, [["replace_triggers_external_values"]]),
        ({"type": "Microsoft.VirtualMachineImages/otherTemplates@2024-02-01"}, [["type"]]),
        ({"type": "Microsoft.VirtualMachineImages/imageTemplates@2025-10-01"}, []),  # api-version only
        ({"name": "tpl2"}, [["name"]]),
        ({"parent_id": SUB + "/resourceGroups/other"}, [["parent_id"]]),
        ({"location": "northeurope"}, [["location"]]),
        ({"location": "West Europe"}, []),  # Azure's location normalisation
        ({"name": UNKNOWN}, [["name"]]),
    ],
)
def test_azapi_requires_replace(change, expected):
    rig, config = template_rig()
    state = rig.apply(rig.plan(None, config)[0])
    assert rig.plan(state, dict(state, **change))[1] == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"identifier": [{"publisher": "p", "offer": "o", "sku": "other"}]}, [["identifier"]]),
        ({"os_type": "Linux"}, [["os_type"]]),
        ({"name": "img2"}, [["name"]]),
        ({"gallery_name": "g2"}, [["gallery_name"]]),
        ({"description": "changed"}, []),
    ],
)
def test_azurerm_force_new(change, expected):
    rig = Rig("azurerm", "azurerm_shared_image")
    state = rig.create(
        name="img",
        gallery_name="g",
        resource_group_name="rg",
        location="westeurope",
        os_type="Windows",
        identifier=[{"publisher": "p", "offer": "o", "sku": "s"}],
    )
    assert state["id"] == RG_ID + "/providers/Microsoft.Compute/galleries/g/images/img"
    assert rig.plan(state, dict(state, **change))[1] == expected


def test_destroy_plans_null():
    rig, config = template_rig()
    state = rig.apply(rig.plan(None, config)[0])
    assert rig.plan(state, None) == (None, [])
    assert rig.apply(None, prior=state) is None


def test_new_nested_blocks_get_unknown_computed_on_update():
    rig = Rig("azurerm", "azurerm_nesting_example")
    state = rig.create(name="n", many=[{"x": "a", "guid": None, "inner": None}])
    many = [state["many"][0], {"x": "b", "guid": None, "inner": None}]
    planned, _ = rig.plan(state, dict(state, many=many))
    assert planned["many"][0]["guid"] == state["many"][0]["guid"]
    assert planned["many"][1]["guid"] is UNKNOWN


# --- apply ------------------------------------------------------------------------------------


def test_apply_fills_azapi_resource_deterministically(tmp_path, monkeypatch):
    rig, config = template_rig()
    planned = rig.plan(None, config)[0]
    states = []
    for run in ("a", "b"):  # two fresh clouds, the same values
        monkeypatch.setenv(CLOUD_ENV, str(tmp_path / f"cloud-{run}.json"))
        states.append(rig.apply(planned))
    state = states[0]
    assert states[0] == states[1]
    assert state["id"] == RG_ID + "/providers/Microsoft.VirtualMachineImages/imageTemplates/tpl"
    # The default output is the response's read-only part (azapi's GetReadOnly), not the body.
    assert plain(state["output"].value) == {
        "id": state["id"],
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "properties": {"provisioningState": "Succeeded", "exactStagingResourceGroup": SUB + "/resourceGroups/IT_rg_tpl_20250101000000"},
    }
    assert GUID.match(state["identity"][0]["principal_id"])
    assert state["identity"][0]["tenant_id"] == DEFAULTS["tenant_id"]
    assert state["retry"]["interval_seconds"] == 10 and state["tags"] == {}
    assert state["sensitive_body"] is None


def test_a_second_create_of_the_same_resource_fails_as_azapi_does():
    rig, config = template_rig()
    planned = rig.plan(None, config)[0]
    rig.apply(planned)
    response = rig.servicer.ApplyResourceChange(rig.apply_request(planned), None)
    (diagnostic,) = response.diagnostics
    assert diagnostic.summary == "Resource already exists"
    assert "needs to be imported into the State" in diagnostic.detail


@pytest.mark.parametrize(
    ("rtype", "parent", "expected"),
    [
        ("Microsoft.Resources/resourceGroups@2021-04-01", SUB, RG_ID.replace("/rg", "/x")),
        (
            "Microsoft.Network/virtualNetworks/subnets@2023-09-01",
            RG_ID + "/providers/Microsoft.Network/virtualNetworks/vnet",
            RG_ID + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/x",
        ),
        (
            "Microsoft.Authorization/locks@2020-05-01",
            RG_ID + "/providers/Microsoft.Compute/galleries/g",
            RG_ID + "/providers/Microsoft.Compute/galleries/g/providers/Microsoft.Authorization/locks/x",
        ),
    ],
)
def test_azapi_ids(rtype, parent, expected):
    rig = Rig("azapi", "azapi_resource")
    assert rig.create(type=rtype, parent_id=parent, name="x")["id"] == expected


def test_azapi_without_body_or_location():
    rig = Rig("azapi", "azapi_resource")
    state = rig.create(type="Microsoft.Resources/resourceGroups@2021-04-01", name="rg")
    assert state["parent_id"] == SUB and state["location"] == DEFAULTS["location"]
    assert state["body"] == dyn({})
    # The read-only part of the response: what ARM adds to the request (services.with_read_only).
    assert state["output"].value == {"id": f"{SUB}/resourceGroups/rg", "type": "Microsoft.Resources/resourceGroups"}


def test_apply_azurerm_identities():
    rig = Rig("azurerm", "azurerm_user_assigned_identity")
    state = rig.create(name="uai", resource_group_name="rg", location="westeurope")
    assert state["id"] == RG_ID + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai"
    assert GUID.match(state["principal_id"]) and GUID.match(state["client_id"])
    assert state["principal_id"] != state["client_id"] and state["tenant_id"] == DEFAULTS["tenant_id"]

    assignment = Rig("azurerm", "azurerm_role_assignment").create(
        scope=RG_ID, principal_id=state["principal_id"], role_definition_name="Contributor"
    )
    assert GUID.match(assignment["name"])
    assert assignment["id"] == f"{RG_ID}/providers/Microsoft.Authorization/roleAssignments/{assignment['name']}"
    assert assignment["role_definition_id"].startswith(SUB + "/providers/Microsoft.Authorization/roleDefinitions/")


def test_apply_fills_every_nesting_mode():
    rig = Rig("azurerm", "azurerm_nesting_example")
    state = rig.create(
        name="n",
        one={"x": "1", "y": None},
        many=[{"x": "a", "guid": None, "inner": [{"z": 1}]}],
        bag=[{"x": "b", "y": None}],
        keyed={"k": {"x": "c", "y": None}},
        listed=[{"a": "a", "b": None}],
    )
    assert state["id"] == SUB + "/providers/Microsoft.Offline/azurerm_nesting_example/n"  # generic scheme
    assert state["one"]["y"] and state["bag"][0]["y"] and state["keyed"]["k"]["y"] and state["listed"][0]["b"]
    assert GUID.match(state["many"][0]["guid"])
    assert state["token"].startswith("offline-fake-token-")
    assert (state["count"], state["enabled"], state["labels"], state["mapped"]) == (0, False, {}, {})
    assert state["pair"][1] == 0 and isinstance(state["pair"][0], str)
    assert state["password_wo"] is None


def test_time_rotating_uses_the_fixture_clock():
    rig = Rig("time", "time_rotating")
    state = rig.create(rotation_months=1, rfc3339="2024-01-31T10:00:00Z")
    assert state["rotation_rfc3339"] == "2024-03-02T10:00:00Z"  # Go's AddDate rolls Feb 31 over
    assert (state["year"], state["month"], state["day"], state["hour"]) == (2024, 1, 31, 10)
    assert state["id"] == "2024-01-31T10:00:00Z" and state["unix"] == 1706695200
    assert Rig("time", "time_rotating").create(rotation_days=30)["rotation_rfc3339"] == "2025-01-31T00:00:00Z"
    assert Rig("time", "time_offset").create(offset_days=1)["rfc3339"] == "2025-01-02T00:00:00Z"


# --- data sources and provider configuration --------------------------------------------------


def test_client_config_from_fixture_and_provider_block():
    rig = Rig("azurerm", "azurerm_client_config", kind="data")
    state = rig.read()
    assert {k: state[k] for k in ("client_id", "object_id", "subscription_id", "tenant_id")} == {
        k: DEFAULTS[k] for k in ("client_id", "object_id", "subscription_id", "tenant_id")
    }
    provider_ty = implied_type(rig.servicer.schema.provider_block())
    config = {name: None for name in provider_ty.attrs} | {
        "subscription_id": "11111111-2222-3333-4444-555555555555",
        "features": [{"resource_group": []}],
    }
    response = rig.servicer.ConfigureProvider(pb.ConfigureProvider.Request(config=dv(config, provider_ty)), None)
    assert not response.diagnostics
    assert rig.read()["subscription_id"] == "11111111-2222-3333-4444-555555555555"


def test_fixture_identity_comes_from_env(monkeypatch):
    monkeypatch.setenv("AVDGEN_OFFLINE_TENANT_ID", "99999999-0000-0000-0000-000000000000")
    state = Rig("azapi", "azapi_client_config", kind="data", fixture=Fixture.from_env()).read()
    assert state["tenant_id"] == "99999999-0000-0000-0000-000000000000"
    assert state["subscription_resource_id"] == SUB


def test_other_data_sources_are_filled_from_config():
    state = Rig("azurerm", "azurerm_resource_group", kind="data").read(name="existing")
    assert state["id"] == SUB + "/resourceGroups/existing"
    assert state["location"] == DEFAULTS["location"] and state["tags"] == {}
    found = Rig("azapi", "azapi_resource", kind="data").read(type=TEMPLATE_TYPE, parent_id=RG_ID, name="tpl")
    assert found["id"] == RG_ID + "/providers/Microsoft.VirtualMachineImages/imageTemplates/tpl"
    assert found["output"] == dyn({}) and found["identity"] == []


# --- validation and other RPCs ----------------------------------------------------------------


def _validate(rig: Rig, config: Any, write_only_allowed: bool = True) -> list[Any]:
    request = pb.ValidateResourceConfig.Request(type_name=rig.type_name, config=dv(config, rig.ty))
    request.client_capabilities.write_only_attributes_allowed = write_only_allowed
    return list(rig.servicer.ValidateResourceConfig(request, None).diagnostics)


def test_validate_flags_read_only_attributes_with_their_path():
    rig = Rig("azurerm", "azurerm_nesting_example")
    assert _validate(rig, rig.new(name="ok", id=UNKNOWN)) == []  # optional+computed may be set
    diags = _validate(rig, rig.new(name="n", token="x", many=[{"x": "a", "guid": "g", "inner": None}]))
    paths = sorted([s.attribute_name or s.element_key_int for s in d.attribute.steps] for d in diags)
    assert paths == [["many", 0, "guid"], ["token"]]
    assert {d.summary for d in diags} == {"Invalid Configuration for Read-Only Attribute"}
    assert all(d.severity == pb.Diagnostic.ERROR for d in diags)


def test_validate_write_only_needs_a_capable_terraform():
    rig = Rig("azurerm", "azurerm_key_vault_secret")
    config = rig.new(name="s", key_vault_id="kv", value_wo="secret")
    assert _validate(rig, config, write_only_allowed=True) == []
    (diag,) = _validate(rig, config, write_only_allowed=False)
    assert diag.summary == "Write-only Attribute Not Allowed" and diag.attribute.steps[0].attribute_name == "value_wo"


def test_upgrade_resource_state_reads_json_into_current_schema():
    rig, config = template_rig()
    state = rig.apply(rig.plan(None, config)[0])
    raw = pb.RawState(json=to_json(state, rig.ty)[:-1] + b',"legacy_attribute":1}')
    response = rig.servicer.UpgradeResourceState(
        pb.UpgradeResourceState.Request(type_name="azapi_resource", version=1, raw_state=raw), None
    )
    assert not response.diagnostics
    assert undv(response.upgraded_state, rig.ty) == state
    flatmap = pb.UpgradeResourceState.Request(type_name="azapi_resource", raw_state=pb.RawState(flatmap={"id": "x"}))
    assert rig.servicer.UpgradeResourceState(flatmap, None).diagnostics[0].summary == "Unsupported state format"


def test_read_resource_returns_state_unchanged():
    servicer = make_servicer("azapi")
    current = pb.DynamicValue(msgpack=b"\x80")
    response = servicer.ReadResource(
        pb.ReadResource.Request(type_name="azapi_resource", current_state=current, private=b"p"), None
    )
    assert (response.new_state, response.private) == (current, b"p")


def test_metadata_import_and_move():
    servicer = make_servicer("azapi")
    metadata = servicer.GetMetadata(pb.GetMetadata.Request(), None)
    assert "azapi_resource" in [r.type_name for r in metadata.resources]
    assert "parse_resource_id" in [f.name for f in metadata.functions]
    assert metadata.server_capabilities.get_provider_schema_optional
    imported = servicer.ImportResourceState(pb.ImportResourceState.Request(type_name="azapi_resource", id="/x"), None)
    assert imported.diagnostics[0].summary == "Import is not supported for azapi_resource"
    moved = servicer.MoveResourceState(pb.MoveResourceState.Request(target_type_name="azapi_resource"), None)
    assert moved.diagnostics[0].severity == pb.Diagnostic.ERROR


def test_stop_provider_signals_the_server():
    stopped = []
    servicer = ProviderServicer(lambda: None, on_stop=lambda: stopped.append(True))
    assert servicer.StopProvider(pb.StopProvider.Request(), None).Error == ""
    assert stopped == [True]


@pytest.mark.parametrize(
    ("rpc", "request_"),
    [
        (
            "PlanResourceChange",
            pb.PlanResourceChange.Request(
                type_name="azapi_resource", proposed_new_state=pb.DynamicValue(msgpack=b"\xc1garbage")
            ),
        ),
        (
            "PlanResourceChange",
            pb.PlanResourceChange.Request(type_name="azapi_nope", proposed_new_state=pb.DynamicValue(msgpack=b"\xc0")),
        ),
        (
            "ApplyResourceChange",
            pb.ApplyResourceChange.Request(
                type_name="azapi_resource", planned_state=pb.DynamicValue(msgpack=b"\x93\x01\x02\x03")
            ),
        ),
        (
            "ValidateResourceConfig",
            pb.ValidateResourceConfig.Request(type_name="azapi_resource", config=pb.DynamicValue(json=b"{not json")),
        ),
        (
            "ReadDataSource",
            pb.ReadDataSource.Request(type_name="azapi_resource", config=pb.DynamicValue(msgpack=b"\x81\xa4type\x05")),
        ),
        (
            "UpgradeResourceState",
            pb.UpgradeResourceState.Request(type_name="azapi_resource", raw_state=pb.RawState(json=b"[1]")),
        ),
    ],
)
def test_garbage_becomes_a_diagnostic(rpc, request_):
    response = getattr(make_servicer("azapi"), rpc)(request_, None)
    (diag,) = response.diagnostics
    assert diag.severity == pb.Diagnostic.ERROR
    assert diag.summary == f"Offline provider: {rpc} failed for {request_.type_name}"


def test_schema_problems_become_diagnostics():
    def broken() -> ProviderSchema:
        raise SchemaError("no schema for provider 'azurerm'")

    response = ProviderServicer(broken).GetProviderSchema(pb.GetProviderSchema.Request(), None)
    assert response.diagnostics[0].detail == "SchemaError: no schema for provider 'azurerm'"


class _Peer:
    """A stand-in gRPC context: only the caller's address."""

    def __init__(self, peer: str) -> None:
        self._peer = peer

    def peer(self) -> str:
        return self._peer


def test_each_connection_keeps_its_own_provider_configuration():
    rig = Rig("azurerm", "azurerm_client_config", kind="data")
    provider_ty = implied_type(rig.servicer.schema.provider_block())
    request = pb.ReadDataSource.Request(type_name=rig.type_name, config=dv(rig.new(), rig.ty))

    def configure(peer: str, subscription: str) -> None:
        config = {name: None for name in provider_ty.attrs} | {"subscription_id": subscription}
        rig.servicer.ConfigureProvider(pb.ConfigureProvider.Request(config=dv(config, provider_ty)), _Peer(peer))

    def subscription(peer: str) -> str:
        return undv(rig.servicer.ReadDataSource(request, _Peer(peer)).state, rig.ty)["subscription_id"]

    configure("ipv4:127.0.0.1:50001", "11111111-0000-0000-0000-000000000000")
    configure("ipv4:127.0.0.1:50002", "22222222-0000-0000-0000-000000000000")
    assert subscription("ipv4:127.0.0.1:50001") == "11111111-0000-0000-0000-000000000000"
    assert subscription("ipv4:127.0.0.1:50002") == "22222222-0000-0000-0000-000000000000"
    assert subscription("ipv4:127.0.0.1:50003") == DEFAULTS["subscription_id"]  # not configured: the base
