"""The planned Image Builder body, and the body of a copied (promoted) image version, as azapi
would send them, against azapi 2.5.0's own type definitions for imageTemplates@2024-02-01 and
galleries/images/versions@2024-03-03 (in ../shared/reference; skipped without them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azapi_types import Types
from generator.harness.plan import summarize
from plan_plugin import workspace
from project_paths import REFERENCE, REPO

TYPES_FILE = REFERENCE / "azapi-types.imagebuilder.2024-02-01.from-azapi-v2.5.0.json"
COMPUTE_TYPES_FILE = REFERENCE / "azapi-types.compute.2024-03-03.from-azapi-v2.5.0.json"
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
    ("modules/golden_image", "all_customizations.tfvars"),
    ("modules/golden_image", "date_version.tfvars"),
    ("modules/golden_image", "latest_versioning.tfvars"),
    ("modules/golden_image", "replication.tfvars"),
    # Issue 11: a private build with a staging group, errorHandling, optimize and validate.
    ("modules/golden_image", "private_build.tfvars"),
    ("modules/golden_image/examples/private-build", None),
    # Issue 11 items 4-7: a gallery source, checksums, files, build VM identities, the
    # built-in scripts; and a paid marketplace image's planInfo.
    ("modules/golden_image", "layered_sources.tfvars"),
    ("modules/golden_image", "marketplace_plan.tfvars"),
])
def test_planned_body_is_valid_for_azapi(types, template_type, config, var_file):
    ws = workspace(REPO / config, "vendored")
    summary = summarize(ws.plan([HERE / var_file] if var_file else []))
    # Every Image Builder template the configuration plans (the envs have one, in a module).
    (address,) = summary.build_steps  # (envs/prod copies dev's versions: below)
    body = request_body(summary.values[address])
    assert types.check(template_type, body) == []


def test_the_check_rejects_what_azapi_rejects(types, template_type):
    ws = workspace(REPO / "modules/golden_image/examples/production", "vendored")
    summary = summarize(ws.plan([]))
    body = request_body(summary.values["module.golden_image.azapi_resource.this[0]"])
    body["properties"]["customize"][1]["runAsSytem"] = True
    body["properties"]["buildTimeoutInMinutes"] = 1000
    body["properties"]["distribute"][0]["type"] = "Gallery"
    del body["properties"]["source"]
    problems = types.check(template_type, body)
    assert any("customize[1].runAsSytem: is not expected here" in p for p in problems)
    assert any("buildTimeoutInMinutes: 1000 outside 0..960" in p for p in problems)
    assert any("distribute[0].type: 'Gallery' is none of" in p for p in problems)
    assert any("properties.source: is required" in p for p in problems)


@pytest.mark.skipif(not COMPUTE_TYPES_FILE.is_file(), reason=f"azapi's compute types not found at {COMPUTE_TYPES_FILE}")
def test_a_promoted_copy_is_valid_for_azapi():
    types = Types(json.loads(COMPUTE_TYPES_FILE.read_text()))
    version_type = types.resource("Microsoft.Compute/galleries/images/versions@2024-03-03")
    ws = workspace(REPO / "envs/prod", "vendored")
    summary = summarize(ws.plan([REPO / "tests/offline-secrets.tfvars"]))
    assert summary.build_steps == {}  # prod builds nothing
    copies = [a for a in summary.values if ".azapi_resource.copied_version[" in a]
    assert copies == ['module.golden_image[0].azapi_resource.copied_version["1.0.0"]']
    values = summary.values[copies[0]]
    body = {**values["body"], "name": values["name"], "location": values["location"], "tags": values.get("tags") or {}}
    assert types.check(version_type, body) == []
    # The check sees what the service would refuse: Image Builder's name for the replica count.
    body["properties"]["publishingProfile"]["targetRegions"][0]["replicaCount"] = 1
    problems = types.check(version_type, body)
    assert any("replicaCount: is not expected here" in p for p in problems), problems
