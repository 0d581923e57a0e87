"""Every Azure CLI command avdgen prints, runs or renders into a pipeline, parsed by the real
Azure CLI (issue 13): offline and logged out, az rejects a wrong group, subcommand, argument or
--query before anything else (exit 2, "misspelled or not recognized", "unrecognized
arguments"), and a valid command gets as far as asking for `az login` (exit 1).

`make az-check` installs azure-cli into .venv-az/ and runs this with $AVDGEN_REAL_AZ set; without
it (as in `make test`) the test skips.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

import pytest

from generator.catalog.load import load_catalogs, root_catalog
from generator.ops import build as bc
from generator.ops.pipelines import build_pipelines, render_azure_pipelines, render_github_workflows, rollout_pipelines
from generator.ops.promotion import find_env, version_show_command
from generator.ops.rollout import AzRestHostPool, HostState
from profiles import prod_builds_itself
from project_paths import REPO

REAL_AZ = os.environ.get("AVDGEN_REAL_AZ")
pytestmark = pytest.mark.skipif(not REAL_AZ, reason="the real Azure CLI is not set up: `make az-check` installs it and runs this")

HOST_POOL = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-prod-rg/providers/Microsoft.DesktopVirtualization/hostPools/avd-prod-hostpool"
LOGIN = "Please run 'az login' to setup account."


def _building_tree(tmp_path: Path) -> Path:
    """The repository's catalog with prod building its own pinned image, and dev's hosts on the newest."""
    import shutil
    for name in ("catalog", "templates"):
        shutil.copytree(REPO / name, tmp_path / name)
    return prod_builds_itself(tmp_path)


def _commands(root: Path) -> dict[str, list[str]]:
    """{where it comes from: argv} for every az command of the tree at `root`."""
    catalogs = load_catalogs(root)
    found: dict[str, list[str]] = {}
    rendered = {**render_github_workflows(catalogs, root), **render_azure_pipelines(catalogs, root)}
    text = "\n".join(rendered.values())
    for pipeline in build_pipelines(catalogs):
        for action in bc.Action:
            found[f"avdgen build {pipeline.env} {action.value}"] = bc.command(pipeline.target, action)
        # What the pipelines run, as rendered (a shell word list; $version is the one expansion).
        shown = {name: command for name, command in pipeline.commands.items() if command in text}
        assert {"start", "state", "output", "newest_version"} <= set(shown), pipeline.env
        for name, command in shown.items():
            found[f"{pipeline.env} pipeline: {name}"] = shlex.split(command.replace('"$version"', "1.0.7"))
    for pipeline in rollout_pipelines(catalogs):
        if pipeline.newest_version:
            found[f"{pipeline.env} rollout pipeline: newest version"] = shlex.split(pipeline.newest_version)
    if rollout_pipelines(catalogs):
        assert 'az account show --query id -o tsv' in rendered[PurePosixPath("pipelines/azure-pipelines-rollout-prod.yml")]
        found["Azure DevOps rollout: subscription"] = ["az", "account", "show", "--query", "id", "-o", "tsv"]
    catalog = root_catalog(catalogs)
    for profile in catalog.profiles:
        found[f"avdgen promote --from {profile.name} --run"] = version_show_command(find_env(catalogs, profile.name), "1.2.0")
    return found


def _rollout_commands() -> dict[str, list[str]]:
    """The `az rest` calls of `avdgen rollout --run`, as AzRestHostPool makes them."""
    calls: list[list[str]] = []

    def record(argv: list[str]) -> tuple[int, str, str]:
        calls.append(argv)
        return 0, '{"value": []}', ""

    pool = AzRestHostPool(HOST_POOL, record, record)
    pool.hosts()
    pool.user_sessions(HostState("Available", 1, False, "avd-prd-sh-0.contoso.com"))
    session = f"{HOST_POOL}/sessionHosts/avd-prd-sh-0.contoso.com/userSessions/1"
    pool.send_message(session, "Your desktop is being updated", "Please sign out.")
    pool.log_off(session)
    return {f"avdgen rollout --run: {' '.join(argv[2:4])} ({i})": argv for i, argv in enumerate(calls)}


def _parse(argv: list[str], config: Path) -> tuple[int, str]:
    assert argv[0] == "az"
    env = {**os.environ, "AZURE_CONFIG_DIR": str(config), "AZURE_CORE_COLLECT_TELEMETRY": "no", "AZURE_CORE_NO_COLOR": "1"}
    done = subprocess.run([REAL_AZ, *argv[1:]], capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    return done.returncode, done.stderr


def test_every_command_parses_and_reaches_the_login(tmp_path):
    commands = {**_commands(REPO), **_commands(_building_tree(tmp_path / "building")), **_rollout_commands()}
    assert len(commands) > 20
    config = tmp_path / "azure-config"  # logged out: nothing in it
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(commands, pool.map(lambda argv: _parse(argv, config), commands.values())))
    wrong = {where: (code, err.strip().splitlines()[:3], shlex.join(commands[where])) for where, (code, err) in results.items() if code != 1 or LOGIN not in err}
    assert not wrong, wrong


@pytest.mark.parametrize("argv,error", [
    (["az", "sig", "image-verson", "list", "-g", "rg"], "misspelled or not recognized"),
    (["az", "sig", "image-version", "show", "--resource-group", "rg", "--galery-name", "g", "--gallery-image-definition", "d", "--gallery-image-version", "1.0.0"], "unrecognized arguments"),
    (["az", "rest", "--method", "fetch", "--url", "https://management.azure.com/x"], "'fetch' is not a valid value for '--method'"),
    (["az", "image", "builder", "show", "-g", "rg", "-n", "t", "--query", "lastRunStatus.[", "-o", "tsv"], "--query"),
])
def test_the_check_sees_a_wrong_command(tmp_path, argv, error):
    code, err = _parse(argv, tmp_path / "azure-config")
    assert code == 2 and error in err and LOGIN not in err
