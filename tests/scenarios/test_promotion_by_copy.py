"""Promotion ships the bits dev tested (issue 13): after `avdgen promote --from dev --to prod`,
prod's plan copies dev's published version and builds nothing; the apply makes the copy in the
simulated cloud, which refuses it where Azure would (a source not in the gallery's region)."""

from __future__ import annotations

import pytest

from generator.harness.plan import PlanError, summarize
from generator.offline.simulator import SimulatedAzure
from generator.ops.promotion import record_build
from plan_plugin import workspace
from project_paths import REPO

SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
DEV_IMAGE = f"{SUBSCRIPTION}/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_dev_images/images/avd-win11-m365-dev"
PROD_IMAGE = f"{SUBSCRIPTION}/resourceGroups/avd-prod-rg/providers/Microsoft.Compute/galleries/avd_prod_images/images/avd-win11-m365-prod"
SECRETS = REPO / "tests/offline-secrets.tfvars"
COPY = 'module.golden_image[0].azapi_resource.copied_version["1.2.0"]'

pytestmark = pytest.mark.plan


@pytest.fixture
def promoted(project, avdgen):
    """The project after dev built 1.2.0 and `avdgen promote --from dev --to prod 1.2.0`."""
    record_build(project, "dev", f"{DEV_IMAGE}/versions/1.2.0", today="2026-11-30")
    result = avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0")
    assert result.exit_code == 0, result.output
    return project


def _given_dev_published(ws, regions: list[str]) -> SimulatedAzure:
    azure = SimulatedAzure(ws.cloud)
    for version in ("1.0.0", "1.2.0"):
        azure.image_version(f"{DEV_IMAGE}/versions/{version}", regions)
    return azure


def test_prod_copies_devs_version_and_builds_nothing(promoted):
    ws = workspace(promoted / "envs/prod", "vendored")
    summary = summarize(ws.plan([SECRETS]))
    assert summary.build_steps == {}
    assert not [a for a in summary.values if "imageTemplates" in str(summary.values[a].get("type"))]
    copies = sorted(a for a in summary.values if ".copied_version[" in a)
    assert copies == ['module.golden_image[0].azapi_resource.copied_version["1.0.0"]', COPY]
    body = summary.values[COPY]["body"]
    assert body["properties"]["storageProfile"]["source"]["id"] == f"{DEV_IMAGE}/versions/1.2.0"
    # The copy gets prod's replication, not dev's.
    regions = body["properties"]["publishingProfile"]["targetRegions"]
    assert [(r["name"], r["regionalReplicaCount"], r["storageAccountType"]) for r in regions] == [
        ("eastus", 1, "Standard_ZRS"), ("westus2", 1, "Standard_ZRS"),
    ]
    assert summary.values[COPY]["parent_id"] == PROD_IMAGE
    # The hosts stay where they are until `avdgen rollout`.
    vms = [a for a, actions in summary.actions.items() if ".azurerm_windows_virtual_machine." in a]
    assert len(vms) == 4


def test_the_apply_copies_into_prods_gallery(promoted):
    ws = workspace(promoted / "envs/prod", "vendored")
    azure = _given_dev_published(ws, ["eastus"])
    ws.apply([SECRETS])
    copied = {v["id"]: v for v in azure.resources("Microsoft.Compute/galleries/images/versions")}
    assert copied[f"{PROD_IMAGE}/versions/1.2.0"]["properties"]["storageProfile"]["source"]["id"] == f"{DEV_IMAGE}/versions/1.2.0"
    assert [r["name"] for r in copied[f"{PROD_IMAGE}/versions/1.2.0"]["properties"]["publishingProfile"]["targetRegions"]] == ["eastus", "westus2"]


def test_a_source_outside_the_gallerys_region_is_refused(promoted):
    ws = workspace(promoted / "envs/prod", "vendored")
    _given_dev_published(ws, ["westeurope"])
    with pytest.raises(PlanError) as error:
        ws.apply([SECRETS])
    assert f"The source image version {DEV_IMAGE}/versions/1.0.0 is not replicated to region 'eastus'" in str(error.value)
