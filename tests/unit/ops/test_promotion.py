"""avdgen promote / rollback: exactly the pinned version changes, history drives rollback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.offline.cloud import CLOUD_ENV
from generator.offline.simulator import SimulatedAzure
from generator.ops.promotion import Entry, pin_stack, record_build, set_pinned_version
from generator.render.writer import LOCK
from simulated_az import az_on_path

HISTORY = "catalog/images/avd-win11-m365-prod.CHANGELOG.md"


def _snapshot(root: Path) -> dict[str, str]:
    # Not the lock file the tree's writer takes (empty, git-ignored).
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file() and p.name != LOCK}


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


DEV_HISTORY = "catalog/images/avd-win11-m365-dev.CHANGELOG.md"
DEV_VERSION = "resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_dev_images/images/avd-win11-m365-dev/versions"


def built_in_dev(root: Path, *versions: str) -> None:
    """What `avdgen build dev output --run --record` leaves after dev's builds."""
    for version in versions:
        record_build(root, "dev", f"/subscriptions/s/{DEV_VERSION}/{version}", today="2026-11-30")


def test_promote_copies_devs_version_and_keeps_the_hosts(project, avdgen):
    root = project
    built_in_dev(root, "1.2.0")
    before = _snapshot(root)
    result = avdgen(root, "promote", "--from", "dev", "--to", "prod", "1.2.0")
    assert result.exit_code == 0, result.output
    assert "prod: golden image version 1.0.0 -> 1.2.0" in result.stdout
    assert "avdgen rollout prod --to 1.2.0" in result.stdout
    after = _snapshot(root)
    # No pipeline: prod builds nothing. The profile, its history and the rendered tfvars change.
    assert _changed(before, after) == {"catalog/envs/prod.yaml", HISTORY, "envs/prod/terraform.tfvars"}
    profile = after["catalog/envs/prod.yaml"]
    assert "golden_image_promoted_versions: [1.0.0, 1.2.0]" in profile and "    image_version: 1.2.0\n" in profile
    # Every host stays on the version it runs: the pin replaces none of them.
    assert "\n  session_hosts:\n" + "".join(f"    avd-prd-sh-{i}: {{image_version: 1.0.0}}\n" for i in range(4)) in profile
    history = after[HISTORY]
    assert "## [1.2.0] - " in history and "Promoted from dev (was 1.0.0)." in history
    assert f"A copy of dev's {DEV_VERSION}/1.2.0, published 2026-11-30." in history
    assert "dev's build inputs: base image MicrosoftWindowsDesktop/office-365/win11-24h2-avd-m365@latest; Windows Update on;" in history
    assert "Chocolatey packages: googlechrome, 7zip." in history
    assert avdgen(root, "render", "--check").exit_code == 0


def test_promote_refuses_a_version_dev_did_not_publish(project, avdgen):
    built_in_dev(project, "1.1.0")
    before = _snapshot(project)
    result = avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0")
    assert result.exit_code == 2
    assert "1.2.0 is not in dev's recorded versions (catalog/images/avd-win11-m365-dev.CHANGELOG.md: 1.1.0)" in result.stderr
    assert "avdgen build dev output --run --record" in result.stderr
    assert _snapshot(project) == before


def test_promote_to_itself_or_from_another_env_is_refused(project, avdgen):
    result = avdgen(project, "promote", "--from", "prod", "--to", "prod", "1.2.0")
    assert result.exit_code == 2 and "--from and --to are both prod" in result.stderr
    result = avdgen(project, "promote", "--from", "prod", "--to", "dev", "1.2.0")
    assert result.exit_code == 2 and "prod has no golden image" not in result.stderr


def test_a_building_target_pins_the_version_for_its_own_build(project, avdgen):
    """`promote_from` removed: prod builds its own versions again, so promote only pins."""
    profile = project / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("promote_from: dev\n", "").replace('  golden_image_promoted_versions: ["1.0.0"]\n', ""))
    built_in_dev(project, "1.2.0")
    result = avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0")
    assert result.exit_code == 0, result.output
    assert "golden_image_promoted_versions:" not in profile.read_text()
    assert (project / ".github/workflows/golden-image-prod.yml").exists()  # prod's own build pipeline


@pytest.mark.parametrize("version,message", [
    ("1.1.0-beta", "'1.1.0-beta' is not a gallery image version"),
    ("2147483648.0.0", "is not a gallery image version"),
    ("1.0.0", "prod pins 1.0.0; promote a newer version than that"),
    ("0.9.9", "prod pins 1.0.0; promote a newer version than that"),
])
def test_promote_refuses_bad_or_older_versions(project, avdgen, version, message):
    before = _snapshot(project)
    result = avdgen(project, "promote", "--from", "dev", "--to", "prod", version)
    assert result.exit_code == 2 and message in result.stderr
    assert _snapshot(project) == before


def test_unknown_env_is_named(project, avdgen):
    result = avdgen(project, "promote", "--from", "dev", "--to", "staging", "1.2.0")
    assert result.exit_code == 2 and "unknown env 'staging': no catalog/envs/staging.yaml (known: dev, prod)" in result.stderr


def test_rollback_returns_to_the_previous_pin_each_time(project, avdgen):
    root = project
    assert avdgen(root, "rollback", "prod").exit_code == 2  # only the initial pin
    built_in_dev(root, "1.1.0", "1.2.0")
    for version in ("1.1.0", "1.2.0"):
        assert avdgen(root, "promote", "--from", "dev", "--to", "prod", version).exit_code == 0
    result = avdgen(root, "rollback", "prod")
    assert result.exit_code == 0 and "prod: golden image version 1.2.0 -> 1.1.0" in result.stdout
    result = avdgen(root, "rollback", "prod")
    assert result.exit_code == 0 and "1.1.0 -> 1.0.0" in result.stdout
    assert 'image_version         = "1.0.0"' in (root / "envs/prod/terraform.tfvars").read_text()
    assert avdgen(root, "rollback", "prod").exit_code == 2


def test_rollback_refuses_a_pruned_version(project, avdgen):
    built_in_dev(project, "1.1.0", "1.2.0")
    for version in ("1.1.0", "1.2.0"):
        assert avdgen(project, "promote", "--from", "dev", "--to", "prod", version).exit_code == 0
    profile = project / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("[1.0.0, 1.1.0, 1.2.0]", "[1.0.0, 1.2.0]"))  # 1.1.0 pruned
    before = _snapshot(project)
    result = avdgen(project, "rollback", "prod")
    assert result.exit_code == 2
    assert "1.1.0, the version prod had before 1.2.0, was pruned: it is no longer among golden_image_promoted_versions (1.0.0, 1.2.0)" in result.stderr
    assert _snapshot(project) == before


def test_rollback_refuses_a_history_that_disagrees(project, avdgen):
    profile = project / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("image_version: 1.0.0", "image_version: 1.5.0").replace('["1.0.0"]', '["1.0.0", "1.5.0"]'))
    result = avdgen(project, "rollback", "prod")
    assert result.exit_code == 2 and "prod pins 1.5.0 but its history" in result.stderr


def test_set_pinned_version_adds_the_key_when_missing():
    text = "tfvars:\n  golden_image:\n    gallery_name: g  # shared\n    image_definition_name: d\n"
    assert set_pinned_version(text, "2.0.0") == "tfvars:\n  golden_image:\n    image_version: 2.0.0\n    gallery_name: g  # shared\n    image_definition_name: d\n"


def test_pin_stack_replays_promotions_and_rollbacks():
    entries = [Entry("1.0.0", "d", "Pinned"), Entry("1.1.0", "d", "Promoted"), Entry("1.2.0", "d", "Promoted"),
               Entry("1.1.0", "d", "Rolled back"), Entry("1.3.0", "d", "Promoted")]
    assert pin_stack(entries) == ["1.0.0", "1.1.0", "1.3.0"]


# --- --run: the version as Azure has it (az on PATH, answered by the simulated cloud) ----------------

SIMULATED_DEV = f"/subscriptions/00000000-0000-0000-0000-000000000001/{DEV_VERSION}"


@pytest.fixture
def azure(tmp_path, monkeypatch):
    az_on_path(tmp_path, monkeypatch)
    return SimulatedAzure(os.environ[CLOUD_ENV])


def test_promote_run_checks_the_version_in_azure(project, avdgen, azure):
    azure.image_version(f"{SIMULATED_DEV}/1.2.0", ["East US", "westus2"])
    result = avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0", "--run")
    assert result.exit_code == 0, result.output
    assert "+ az sig image-version show --resource-group avd-dev-rg --gallery-name avd_dev_images" in result.stderr
    assert f"A copy of dev's {SIMULATED_DEV}/1.2.0, published 2025-01-01T00:00:00.000Z." in (project / HISTORY).read_text()


def test_promote_run_refuses_a_missing_version_or_one_outside_prods_region(project, avdgen, azure):
    result = avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0", "--run")
    assert result.exit_code == 2
    assert "1.2.0 of avd-win11-m365-dev in dev's gallery could not be read (az exit 1): ERROR: (ResourceNotFound)" in result.stderr
    azure.image_version(f"{SIMULATED_DEV}/1.2.0", ["westeurope"])
    result = avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0", "--run")
    assert result.exit_code == 2
    assert "dev's 1.2.0 is replicated to westeurope, not to eastus, where prod's gallery is" in result.stderr
