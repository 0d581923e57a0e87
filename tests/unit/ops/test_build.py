"""`avdgen build ENV start|status|cancel|output [--run]`: the az command for an env's template."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from project_paths import REPO

DEV = "--resource-group avd-dev-rg --name avd-golden-image-dev"
PROD = "--resource-group avd-prod-rg --name avd-golden-image-prod"
STATUS_QUERY = "{state: lastRunStatus.runState, subState: lastRunStatus.runSubState, message: lastRunStatus.message}"


@pytest.mark.parametrize("env,action,expected", [
    ("dev", "start", f"az image builder run {DEV} --no-wait"),
    ("dev", "status", f"az image builder show {DEV} --query '{STATUS_QUERY}' --output table"),
    ("dev", "cancel", f"az image builder cancel {DEV}"),
    ("dev", "output", f"az image builder show-runs {DEV} --output-name avd-golden-image-dev --query artifactId -o tsv"),
    ("prod", "output", f"az image builder show-runs {PROD} --output-name avd-golden-image-prod --query artifactId -o tsv"),
])
def test_prints_the_command(avdgen, building_prod, env, action, expected):
    result = avdgen(building_prod, "build", env, action)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected + "\n"


def test_status_is_the_command_the_pipelines_and_the_module_use(avdgen):
    status = avdgen(REPO, "build", "dev", "status").stdout.strip()
    argv = shlex.split(status)  # a working shell command: the query survives as one argument
    assert argv[argv.index("--query") + 1] == STATUS_QUERY
    assert status in (REPO / "pipelines/azure-pipelines-golden-image-dev.yml").read_text()
    assert status in (REPO / ".github/workflows/golden-image-dev.yml").read_text()
    start = avdgen(REPO, "build", "dev", "start").stdout.strip()
    assert start in (REPO / ".github/workflows/golden-image-dev.yml").read_text()


def test_help_documents_actions_and_states(avdgen):
    result = avdgen(REPO, "build", "--help")
    assert result.exit_code == 0
    for word in ("start", "status", "cancel", "output", "--run", "Running", "Validating", "Building",
                 "Distributing", "Succeeded", "PartiallySucceeded", "Failed", "Canceling", "Canceled"):
        assert word in result.output, word


def test_a_promoted_env_builds_nothing(avdgen):
    result = avdgen(REPO, "build", "prod", "start")
    assert result.exit_code == 2
    assert "env 'prod' builds nothing: it copies dev's published golden image versions (promote_from in catalog/envs/prod.yaml)" in result.stderr
    assert "avdgen promote --from dev --to prod VERSION" in result.stderr


def test_unknown_env_and_action(avdgen):
    result = avdgen(REPO, "build", "qa", "status")
    assert result.exit_code == 2
    assert "unknown env 'qa': no catalog/envs/qa.yaml (known: dev, prod)" in result.stderr
    assert avdgen(REPO, "build", "dev", "restart").exit_code == 2


def test_env_without_golden_image(building_prod, avdgen):
    project = building_prod  # prod copying dev's versions needs dev's golden image
    dev = project / "catalog/envs/dev.yaml"
    # A consistent profile: without a golden image the hosts need another image strategy.
    dev.write_text(dev.read_text().replace("enable_golden_image: true", "enable_golden_image: false").replace("session_host_image_strategy: aib_gallery", "session_host_image_strategy: marketplace"))
    result = avdgen(project, "build", "dev", "start")
    assert result.exit_code == 2
    assert "env 'dev' has no golden image: enable_golden_image is false in catalog/envs/dev.yaml" in result.stderr


def _fake_az(tmp_path: Path, exit_code: int) -> tuple[Path, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv.log"
    az = bin_dir / "az"
    az.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'a').write(repr(sys.argv[1:]) + '\\n')\nprint('Running  Building')\nsys.exit({exit_code})\n")
    az.chmod(0o755)
    return bin_dir, log


@pytest.mark.parametrize("exit_code", [0, 3])
def test_run_executes_az_and_returns_its_exit_code(avdgen, tmp_path, monkeypatch, exit_code):
    bin_dir, log = _fake_az(tmp_path, exit_code)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = avdgen(REPO, "build", "dev", "status", "--run")
    assert result.exit_code == exit_code
    assert log.read_text() == repr(["image", "builder", "show", *DEV.split(), "--query", STATUS_QUERY, "--output", "table"]) + "\n"
    assert f"+ az image builder show {DEV}" in result.stderr


def test_run_without_az_on_path(avdgen, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = avdgen(REPO, "build", "dev", "start", "--run")
    assert result.exit_code == 2
    assert "az (the Azure CLI) is not on PATH" in result.stderr
    assert f"az image builder run {DEV} --no-wait" in result.stderr


# --- A pinned template publishes one version: start checks it is not published yet -------------

PROD_DEFINITION = "/subscriptions/s/resourceGroups/avd-prod-rg/providers/Microsoft.Compute/galleries/avd_prod_images/images/avd-win11-m365-prod"
SHOW_TARGET = ["image", "builder", "show", *PROD.split(), "--query", "distribute[0].galleryImageId", "-o", "tsv"]
LIST_PROD = ["sig", "image-version", "list", "--resource-group", "avd-prod-rg", "--gallery-name", "avd_prod_images",
             "--gallery-image-definition", "avd-win11-m365-prod", "--query", "[?name==`\"1.0.0\"`].provisioningState", "-o", "tsv"]
START_PROD = ["image", "builder", "run", *PROD.split(), "--no-wait"]


def _fake_gallery_az(tmp_path: Path, versions: dict[str, str], deployed: str = f"{PROD_DEFINITION}/versions/1.0.0",
                     list_exit: int = 0) -> tuple[Path, Path]:
    """An az whose template distributes to `deployed` and whose gallery holds `versions` (name:
    provisioningState); it answers the JMESPath filters the way az does."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv.log"
    (bin_dir / "az").write_text(
        f"#!{sys.executable}\nimport sys\nargs = sys.argv[1:]\nopen({str(log)!r}, 'a').write(repr(args) + '\\n')\n"
        f"query = args[args.index('--query') + 1] if '--query' in args else ''\n"
        f"if query == 'distribute[0].galleryImageId':\n    print({deployed!r})\n"
        f"elif args[:3] == ['sig', 'image-version', 'list']:\n"
        f"    if {list_exit}:\n        print('ERROR: AuthorizationFailed', file=sys.stderr); sys.exit({list_exit})\n"
        f"    wanted = query[len('[?name==`\"'):-len('\"`].provisioningState')]\n"
        f"    print({versions!r}.get(wanted, ''))\n"
    )
    (bin_dir / "az").chmod(0o755)
    return bin_dir, log


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_printing_start_for_a_pinned_env_names_the_checks(avdgen, building_prod):
    result = avdgen(building_prod, "build", "prod", "start")
    assert result.exit_code == 0
    assert result.stdout == f"az image builder run {PROD} --no-wait\n"  # still one command, for eval
    assert "avd-golden-image-prod publishes version 1.0.0; check that the template targets it" in result.stderr
    assert [shlex.split(line) for line in result.stderr.splitlines()[-2:]] == [["az", *SHOW_TARGET], ["az", *LIST_PROD]]
    assert avdgen(REPO, "build", "dev", "start").stderr == ""  # image_versioning latest: nothing to check


@pytest.mark.parametrize("versions,message", [
    ({"0.9.0": "Succeeded", "1.0.0": "Succeeded"}, "version 1.0.0 of avd-win11-m365-prod is already published"),
    ({"1.0.0": "Failed"}, "version 1.0.0 of avd-win11-m365-prod exists in state Failed, and a build cannot publish it again: delete it (az sig image-version delete"),
])
def test_run_start_refuses_a_version_that_exists(avdgen, building_prod, tmp_path, monkeypatch, versions, message):
    bin_dir, log = _fake_gallery_az(tmp_path, versions)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = avdgen(building_prod, "build", "prod", "start", "--run")
    assert result.exit_code == 1
    assert message in result.stderr
    assert _calls(log) == [repr(SHOW_TARGET), repr(LIST_PROD)]  # no build started


def test_run_start_refuses_a_pin_not_applied_to_the_template(avdgen, building_prod, tmp_path, monkeypatch):
    bin_dir, log = _fake_gallery_az(tmp_path, {}, deployed=f"{PROD_DEFINITION}/versions/0.9.0")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = avdgen(building_prod, "build", "prod", "start", "--run")
    assert result.exit_code == 1
    assert f"template avd-golden-image-prod publishes {PROD_DEFINITION}/versions/0.9.0, but catalog/envs/prod.yaml pins 1.0.0: apply envs/prod first" in result.stderr
    assert _calls(log) == [repr(SHOW_TARGET)]


def test_run_start_builds_an_unpublished_pinned_version(avdgen, building_prod, tmp_path, monkeypatch):
    bin_dir, log = _fake_gallery_az(tmp_path, {"0.9.0": "Succeeded", "1.0.0.1": "Succeeded"})
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = avdgen(building_prod, "build", "prod", "start", "--run")
    assert result.exit_code == 0, result.output
    assert _calls(log) == [repr(SHOW_TARGET), repr(LIST_PROD), repr(START_PROD)]


def test_run_start_stops_when_the_versions_cannot_be_listed(avdgen, building_prod, tmp_path, monkeypatch):
    bin_dir, log = _fake_gallery_az(tmp_path, {}, list_exit=1)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = avdgen(building_prod, "build", "prod", "start", "--run")
    assert result.exit_code == 1
    assert "could not read the versions of avd-win11-m365-prod (az exit 1): ERROR: AuthorizationFailed" in result.stderr
    assert _calls(log) == [repr(SHOW_TARGET), repr(LIST_PROD)]


DEV_DEFINITION = "/subscriptions/s/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_dev_images/images/avd-win11-m365-dev"
SHOW_DEV_TARGET = ["image", "builder", "show", *DEV.split(), "--query", "distribute[0].galleryImageId", "-o", "tsv"]


@pytest.mark.parametrize("deployed,started", [(DEV_DEFINITION, True), (f"{DEV_DEFINITION}/versions/1.0.0", False)])
def test_run_start_of_a_numbered_template_checks_only_its_target(avdgen, tmp_path, monkeypatch, deployed, started):
    bin_dir, log = _fake_gallery_az(tmp_path, {}, deployed=deployed)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = avdgen(REPO, "build", "dev", "start", "--run")
    if started:
        assert result.exit_code == 0, result.output
        assert _calls(log) == [repr(SHOW_DEV_TARGET), repr(["image", "builder", "run", *DEV.split(), "--no-wait"])]
    else:
        assert result.exit_code == 1
        assert "catalog/envs/dev.yaml has Image Builder number the builds (image_versioning = latest): apply envs/dev first" in result.stderr
        assert _calls(log) == [repr(SHOW_DEV_TARGET)]
