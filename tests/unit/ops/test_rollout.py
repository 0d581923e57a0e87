"""avdgen rollout's plan: the batches from where the profile says the hosts are (no Azure, no
Terraform: tests/scenarios/test_rollout*.py run them)."""

from __future__ import annotations

import pytest

from generator.errors import CatalogError
from generator.ops.promotion import record_build
from generator.ops.rollout import Fleet, RolloutError, Settings, after, next_step, parse_batch, plan_rollout
from project_paths import REPO

DEV_VERSIONS = "/subscriptions/s/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_dev_images/images/avd-win11-m365-dev/versions"


@pytest.fixture
def promoted(project, avdgen):
    record_build(project, "dev", f"{DEV_VERSIONS}/1.2.0", today="2026-11-30")
    assert avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0").exit_code == 0
    return project


def test_the_dry_run_prints_the_batches_and_changes_nothing(promoted, avdgen):
    profile = (promoted / "catalog/envs/prod.yaml").read_text()
    result = avdgen(promoted, "rollout", "prod", "--to", "1.2.0", "--batch", "1", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Rollout of prod to golden image 1.2.0: 4 of 4 session host(s) to move (avd-prd-sh-0, avd-prd-sh-1, avd-prd-sh-2, avd-prd-sh-3)."
    assert lines[1] == "Batches of 1, surge: new hosts first, so at least 4 take sessions at every step."
    assert lines[3:6] == [
        "   1. Batch 1: add avd-prd-sh-4 on 1.2.0",
        "   2. Batch 1: drain avd-prd-sh-0 (no new sessions)",
        "   3. Batch 1: remove avd-prd-sh-0: the registration, then the VM",
    ]
    assert lines[-2] == "  12. Batch 4: remove avd-prd-sh-3: the registration, then the VM"
    assert "Run with --run" in lines[-1]
    assert (promoted / "catalog/envs/prod.yaml").read_text() == profile
    # Without --run or --dry-run: the same plan.
    assert avdgen(promoted, "rollout", "prod").stdout == result.stdout


def test_only_the_pinned_version_is_rolled_out(promoted, avdgen):
    result = avdgen(promoted, "rollout", "prod", "--to", "1.0.0")
    assert result.exit_code == 2
    assert "prod pins golden image 1.2.0, not 1.0.0: roll out the pinned version" in result.stderr


def test_nothing_to_do_when_every_host_runs_the_pin(project, avdgen):
    result = avdgen(project, "rollout", "prod", "--run")  # --run with nothing to do touches nothing
    assert result.exit_code == 0
    assert "Nothing to do: every session host runs 1.0.0." in result.stdout


@pytest.mark.parametrize("given,capacity,want", [("1", 4, 1), ("3", 4, 3), ("25%", 4, 1), ("50%", 4, 2), ("10%", 4, 1), ("100%", 8, 8), (2, 4, 2)])
def test_batch_sizes(given, capacity, want):
    assert parse_batch(given, capacity) == want


@pytest.mark.parametrize("given", ["0", "-1", "abc", "101%", "0%", "1.5"])
def test_bad_batch_sizes_are_refused(given):
    with pytest.raises(RolloutError, match="give a number of hosts"):
        parse_batch(given, 4)


def test_without_surge_a_batch_must_leave_hosts_in_service(promoted, avdgen):
    result = avdgen(promoted, "rollout", "prod", "--batch", "4", "--no-surge")
    assert result.exit_code == 2
    assert "a batch of 4 without surge would take all 4 hosts out of service at once" in result.stderr


def test_the_profiles_rollout_settings_are_the_defaults(promoted, avdgen):
    profile = promoted / "catalog/envs/prod.yaml"
    text = profile.read_text()
    profile.write_text(text[: text.index("\nrollout:\n")] + "\nrollout:\n  batch: 50%\n  drain_timeout_minutes: 120\n  force_logoff: true\n")
    plan = plan_rollout(promoted, "prod")
    assert (plan.settings.batch, plan.settings.surge, plan.settings.drain_timeout_minutes, plan.settings.force_logoff) == (2, True, 120, True)
    assert "drained hosts' users get 120 min, then a message and a logoff 5 min later." in "\n".join(plan.describe())
    assert plan_rollout(promoted, "prod", batch="1", surge=False).settings.batch == 1  # the command line wins


def test_a_bad_rollout_setting_names_the_file_and_key(promoted):
    profile = promoted / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("  batch: 1\n", "  batch: 0\n"))
    with pytest.raises(CatalogError, match=r"prod.yaml:\d+: rollout.batch"):
        plan_rollout(promoted, "prod")


def test_the_pilot_goes_first(promoted, avdgen):
    profile = promoted / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("pilot_session_host_count: 0", "pilot_session_host_count: 2"))
    lines = avdgen(promoted, "rollout", "prod", "--batch", "2").stdout.splitlines()
    assert lines[3:5] == [
        "   1. Pilot: pilot: replace avd-prd-shp-0, avd-prd-shp-1 with hosts on 1.2.0 (drained: no users), then wait until they are Available",
        "      then stop: validate the pilot, and run again with --pilot-validated",
    ]


def test_hosts_off_the_golden_image_have_nothing_to_roll_out(project, avdgen):
    profile = project / "catalog/envs/dev.yaml"
    profile.write_text(profile.read_text().replace("session_host_image_strategy: aib_gallery", "session_host_image_strategy: marketplace"))
    result = avdgen(project, "rollout", "dev")
    assert result.exit_code == 2 and "do not run the golden image" in result.stderr


# --- the steps, from any state a rollout leaves the profile in -------------------------------------


def _steps(fleet: Fleet, settings: Settings, capacity: int = 4, pilots=()) -> list[tuple[str, tuple[str, ...]]]:
    steps = []
    while (step := next_step(fleet, "2.0.0", settings, capacity, "h", pilots)) is not None:
        steps.append((step.kind, step.hosts))
        fleet = after(fleet, step, "2.0.0")
        assert len(steps) < 50
    return steps


def _fleet(**hosts) -> Fleet:
    return Fleet({name.replace("_", "-"): host for name, host in hosts.items()}, None)


def test_a_half_done_batch_resumes_with_its_own_hosts():
    # Batch 1 added h-4 and drained h-1 (not h-0): h-1 goes, not the first old host.
    fleet = _fleet(h_0={"image_version": "1.0.0"}, h_1={"image_version": "1.0.0", "allow_new_sessions": False},
                   h_2={"image_version": "1.0.0"}, h_3={"image_version": "1.0.0"}, h_4={"image_version": "2.0.0"})
    assert _steps(fleet, Settings(batch=1))[:2] == [("remove", ("h-1",)), ("add", ("h-1",))]


def test_a_batch_larger_than_what_is_left_takes_what_is_left():
    fleet = _fleet(h_0={"image_version": "2.0.0"}, h_1={"image_version": "2.0.0"}, h_2={"image_version": "1.0.0"})
    assert _steps(fleet, Settings(batch=2), capacity=3) == [("add", ("h-3",)), ("drain", ("h-2",)), ("remove", ("h-2",))]


def test_without_surge_drained_hosts_are_replaced_first():
    fleet = _fleet(h_0={"image_version": "1.0.0"}, h_1={"image_version": "1.0.0", "allow_new_sessions": False})
    assert _steps(fleet, Settings(batch=1, surge=False), capacity=2) == [
        ("replace", ("h-1",)), ("drain", ("h-0",)), ("replace", ("h-0",)),
    ]


def test_every_host_on_the_version_is_done():
    assert _steps(_fleet(h_0={"image_version": "2.0.0"}), Settings(batch=1), capacity=1) == []


def _shown_after(command: str) -> list[str]:
    """The lines of the ```text block that follows `command` in envs/README.md ("..." dropped)."""
    text = (REPO / "envs/README.md").read_text()
    start = text.index("```text\n", text.index(command)) + len("```text\n")
    return [line for line in text[start: text.index("```", start)].splitlines() if line.strip() != "..."]


def test_envs_readme_shows_what_promote_and_the_dry_run_print(project, avdgen):
    record_build(project, "dev", f"{DEV_VERSIONS}/1.2.0", today="2026-11-30")
    promoted = avdgen(project, "promote", "--from", "dev", "--to", "prod", "1.2.0")
    shown = [line for line in _shown_after("avdgen promote --from dev --to prod 1.2.0 --run") if not line.startswith("+ az")]
    assert shown == promoted.stdout.splitlines()
    printed = avdgen(project, "rollout", "prod", "--to", "1.2.0", "--batch", "1", "--dry-run").stdout.splitlines()
    shown = _shown_after("avdgen rollout prod --to 1.2.0 --batch 1 --dry-run")
    assert [line for line in printed if line in shown] == shown
