"""azapi's `output` from the simulated response (azapi.py `output`, services.with_read_only):
the read-only fields the service adds, `response_export_values` in list and map (JMESPath)
form, and unknown at plan whenever azapi makes it so (azapi_resource.go ModifyPlan, v2.5.0)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_servicer import Rig

from generator.offline.cloud import CLOUD_ENV
from generator.offline.fixture import DEFAULTS, Fixture
from generator.offline.wire import UNKNOWN, dyn

RG = f"/subscriptions/{DEFAULTS['subscription_id']}/resourceGroups/rg"
IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31"


@pytest.fixture(autouse=True)
def own_cloud(tmp_path, monkeypatch):
    monkeypatch.setenv(CLOUD_ENV, str(tmp_path / "cloud.json"))


def _identity(rig: Rig, exports=None, **extra):
    return rig.new(type=IDENTITY, name="id1", parent_id=RG, location="westeurope", body=dyn({}), response_export_values=exports, **extra)


def test_default_output_is_what_the_service_added():
    rig = Rig("azapi", "azapi_resource")
    planned, _ = rig.plan(None, _identity(rig))
    assert planned["output"] is UNKNOWN  # a new resource: unknown at plan
    output = rig.apply(planned)["output"].value
    assert output["id"] == f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
    assert output["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    props = output["properties"]
    assert props["tenantId"] == DEFAULTS["tenant_id"] and props["principalId"] != props["clientId"]
    assert "location" not in output and "name" not in output  # sent in the request, not read-only


def test_the_tenant_is_the_providers_own_not_the_processes():
    """A warm server serves runs with different AVDGEN_OFFLINE_* overrides: the read-only fields
    come from the fixture of the endpoint that applies, not from the server's environment."""
    tenant = "11111111-1111-1111-1111-111111111111"
    rig = Rig("azapi", "azapi_resource", fixture=replace(Fixture.from_env(), tenant_id=tenant))
    planned, _ = rig.plan(None, _identity(rig))
    assert rig.apply(planned)["output"].value["properties"]["tenantId"] == tenant


def test_list_exports_pick_dotted_paths():
    rig = Rig("azapi", "azapi_resource")
    state = rig.create(**_identity(rig, ["properties.principalId", "name", "properties.nothing"]))
    assert set(state["output"].value) == {"properties", "name"} and set(state["output"].value["properties"]) == {"principalId"}
    assert rig.create(**{**_identity(rig, ["*"]), "name": "id2"})["output"].value["location"] == "westeurope"


def test_map_exports_are_jmespath_queries():
    rig = Rig("azapi", "azapi_resource")
    identity_id = rig.create(**_identity(rig, {"id": "id"}))["output"].value["id"]
    config = rig.new(
        type="Microsoft.Compute/galleries@2024-03-03", name="g", parent_id=RG, location="westeurope",
        body=dyn({"properties": {"description": "d"}}), tags={"a": "1"},
        identity=[rig.element("identity", type="UserAssigned", identity_ids=[identity_id])],
        response_export_values=dyn({
            "principals": "identity.userAssignedIdentities.*.principalId",
            "tag_keys": "keys(tags)",
            "described": "properties.description == 'd'",
            "missing": "properties.nothing",
        }),
    )
    output = rig.create(**config)["output"].value
    assert len(output["principals"]) == 1 and output["tag_keys"] == ["a"] and output["described"] is True
    # utils/json.go ExtractObjectJMES keeps the key of a query that finds nothing, as null
    assert "missing" in output and output["missing"] is None


@pytest.mark.parametrize(
    ("change", "unknown"),
    [
        ({}, False),
        ({"tags": {"team": "avd"}}, True),
        ({"response_export_values": ["properties.clientId"]}, True),
        ({"type": "Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30"}, True),
        ({"body": dyn({"properties": {}})}, True),
    ],
)
def test_output_is_unknown_when_the_request_changes(change, unknown):
    rig = Rig("azapi", "azapi_resource")
    state = rig.create(**_identity(rig, tags={}))
    planned, _ = rig.plan(state, {**state, **change})
    assert (planned["output"] is UNKNOWN) is unknown
