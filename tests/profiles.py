"""Profile variants tests need that the repository's own profiles are not."""

from __future__ import annotations

from pathlib import Path

# prod's scheduled builds when it builds its own image (the setting that keeps it possible).
PROD_BUILD = """\
# Scheduled builds (.github/workflows/golden-image-prod.yml, pipelines/azure-pipelines-golden-image-prod.yml):
# monthly, the Tuesday a week after Patch Tuesday, once dev has had the patches for a week.
build:
  schedule: monthly
  time: "02:00"
  poll_interval_seconds: 120
  github:
    environment: avd-prod
  azure_devops:
    service_connection: avd-prod-golden-image
"""


def prod_builds_itself(root: Path) -> Path:
    """catalog/envs/prod.yaml under `root` without promote_from: prod builds its own versions,
    monthly, as before promotion by copy."""
    profile = root / "catalog/envs/prod.yaml"
    text = profile.read_text()
    assert "promote_from: dev\n" in text
    text = text.replace("promote_from: dev\n", "").replace('  golden_image_promoted_versions: ["1.0.0"]\n', "")
    profile.write_text(text.rstrip("\n") + "\n" + PROD_BUILD)
    return root


def every_workflow_branch(root: Path) -> Path:
    """The profiles under `root` made to take every branch of templates/pipelines/: prod builds
    its own image monthly (the gate, a pinned version, a rollout after a build), with a pilot,
    and its hosts on the newest version."""
    prod_builds_itself(root)
    profile = root / "catalog/envs/prod.yaml"
    text = profile.read_text()
    for old, new in (("pilot_session_host_count: 0", "pilot_session_host_count: 1"), ("pin_golden_image_version: true", "pin_golden_image_version: false")):
        assert old in text
        text = text.replace(old, new)
    profile.write_text(text)
    return root
