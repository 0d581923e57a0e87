"""The planned Image Builder body, as azapi would send it, against azapi 2.5.0's own type
definitions for imageTemplates@2024-02-01 (in ../shared/reference; skipped without it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azapi_types import Types
from generator.harness.plan import summarize
from plan_plugin import workspace
from project_paths import REFERENCE, REPO

TYPES_FILE = REFERENCE / "azapi-types.imagebuilder.2024-02-01.from-azapi-v2.5.0.json"
HERE = Path(__file__).parent

pytestmark = [
    pytest.mark.plan,
    pytest.mark.skipif(not TYPES_FILE.is_file(), reason=f"azapi's Image Builder types not found at {TYPES_FILE}"),
]


@pytest.fixture(scope="module")
def types() -> Types:
    return Types(json.loads(TYPES_FILE.read_text()))


@pytest.fixture(scope="module")
def template_type(types):
    return types.resource("Microsoft.VirtualMachineImages/imageTemplates@2024-02-01")


def request_body(values: dict) -> dict:
    """What azapi PUTs: body plus the top-level location, tags and identity it manages."""
    identity = values["identity"][0]
    return {
        **values["body"],
        "name": values["name"],
        "location": values["location"],
        "tags": values.get("tags") or {},
        "identity": {"type": identity["type"], "userAssignedIdentities": {i or "<known after apply>": {} for i in identity["identity_ids"]}},
    }


@pytest.mark.parametrize("config,var_file", [
    ("modules/golden_image/examples/production", None),
    ("modules/golden_image/examples/minimal", None),
    ("envs/dev", REPO / "tests/offline-secrets.tfvars"),
    ("envs/prod", REPO / "tests/offline-secrets.tfvars"),
    ("modules/golden_image", "all_customizations.tfvars"),
    ("modules/golden_image", "date_version.tfvars"),
    ("modules/golden_image", "latest_versioning.tfvars"),
    ("modules/golden_image", "replication.tfvars"),
])
def test_planned_body_is_valid_for_azapi(types, template_type, config, var_file):
    ws = workspace(REPO / config, "vendored")
    summary = summarize(ws.plan([HERE / var_file] if var_file else []))
    # Every Image Builder template the configuration plans (the envs have one, in a module).
    (address,) = summary.build_steps
    body = request_body(summary.values[address])
    assert types.check(template_type, body) == []


def test_the_check_rejects_what_azapi_rejects(types, template_type):
    ws = workspace(REPO / "modules/golden_image/examples/production", "vendored")
    summary = summarize(ws.plan([]))
    body = request_body(summary.values["module.golden_image.azapi_resource.this"])
    body["properties"]["customize"][1]["runAsSytem"] = True
    body["properties"]["buildTimeoutInMinutes"] = 1000
    body["properties"]["distribute"][0]["type"] = "Gallery"
    del body["properties"]["source"]
    problems = types.check(template_type, body)
    assert any("customize[1].runAsSytem: is not expected here" in p for p in problems)
    assert any("buildTimeoutInMinutes: 1000 outside 0..960" in p for p in problems)
    assert any("distribute[0].type: 'Gallery' is none of" in p for p in problems)
    assert any("properties.source: is required" in p for p in problems)
