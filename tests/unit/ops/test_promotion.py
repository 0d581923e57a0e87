"""avdgen promote / rollback: exactly the pinned version changes, history drives rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.ops.promotion import Entry, pin_stack, set_pinned_version

HISTORY = "catalog/images/avd-win11-m365-prod.CHANGELOG.md"


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def test_promote_changes_exactly_the_pinned_version(project, avdgen):
    root = project
    before = _snapshot(root)
    result = avdgen(root, "promote", "--from", "dev", "--to", "prod", "1.2.0")
    assert result.exit_code == 0, result.output
    assert "prod: golden image version 1.0.0 -> 1.2.0" in result.stdout
    after = _snapshot(root)
    pipelines = {".github/workflows/golden-image-prod.yml", "pipelines/azure-pipelines-golden-image-prod.yml"}
    assert _changed(before, after) == {"catalog/envs/prod.yaml", HISTORY, "envs/prod/terraform.tfvars", *pipelines}
    profile_diff = [(a, b) for a, b in zip(before["catalog/envs/prod.yaml"].splitlines(), after["catalog/envs/prod.yaml"].splitlines()) if a != b]
    assert profile_diff == [("    image_version: 1.0.0", "    image_version: 1.2.0")]
    tfvars_diff = [(a.strip(), b.strip()) for a, b in zip(before["envs/prod/terraform.tfvars"].splitlines(), after["envs/prod/terraform.tfvars"].splitlines()) if a != b]
    assert tfvars_diff == [('image_version         = "1.0.0"', 'image_version         = "1.2.0"')]
    for pipeline in pipelines:  # the pipelines build, and first look up, the pinned version
        changed = {b.strip() for a, b in zip(before[pipeline].splitlines(), after[pipeline].splitlines()) if a != b}
        assert changed and all("1.2.0" in line and "1.0.0" not in line for line in changed), pipeline
    assert "## [1.2.0] - " in after[HISTORY] and "Promoted from dev (was 1.0.0)." in after[HISTORY]
    assert avdgen(root, "render", "--check").exit_code == 0


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
    for version in ("1.1.0", "1.2.0"):
        assert avdgen(root, "promote", "--from", "dev", "--to", "prod", version).exit_code == 0
    result = avdgen(root, "rollback", "prod")
    assert result.exit_code == 0 and "prod: golden image version 1.2.0 -> 1.1.0" in result.stdout
    result = avdgen(root, "rollback", "prod")
    assert result.exit_code == 0 and "1.1.0 -> 1.0.0" in result.stdout
    assert 'image_version         = "1.0.0"' in (root / "envs/prod/terraform.tfvars").read_text()
    assert avdgen(root, "rollback", "prod").exit_code == 2


def test_rollback_refuses_a_history_that_disagrees(project, avdgen):
    profile = project / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("image_version: 1.0.0", "image_version: 1.5.0"))
    result = avdgen(project, "rollback", "prod")
    assert result.exit_code == 2 and "prod pins 1.5.0 but its history" in result.stderr


def test_set_pinned_version_adds_the_key_when_missing():
    text = "tfvars:\n  golden_image:\n    gallery_name: g  # shared\n    image_definition_name: d\n"
    assert set_pinned_version(text, "2.0.0") == "tfvars:\n  golden_image:\n    image_version: 2.0.0\n    gallery_name: g  # shared\n    image_definition_name: d\n"


def test_pin_stack_replays_promotions_and_rollbacks():
    entries = [Entry("1.0.0", "d", "Pinned"), Entry("1.1.0", "d", "Promoted"), Entry("1.2.0", "d", "Promoted"),
               Entry("1.1.0", "d", "Rolled back"), Entry("1.3.0", "d", "Promoted")]
    assert pin_stack(entries) == ["1.0.0", "1.1.0", "1.3.0"]
