"""The filesystem mirror, the environment for Terraform, and `avdgen offline env`."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from offline_helpers import FIXTURE_SCHEMAS

from generator.cli.plan import offline
from generator.offline.mirror import LAUNCHER, default_cache_dir, install_mirror, offline_env, terraform_platform

from project_paths import REPO

# The `h1:` hashes `terraform init` writes to lock files for the mirror (golang.org/x/mod dirhash
# over the one launcher file). They must never change, or every committed lock file breaks.
LOCK_HASHES = {
    "azapi": "h1:c9tu4xBvH5OYMPJfSv52+5HaEBhPssy1jZ0mcQ13cb8=",
    "azuread": "h1:za/rWzTDryRa7uWYDf5psEl6UvFG7XV4HMqTTjbjVec=",
    "azurerm": "h1:pQhpzeYcYr9ivOPdZ7JoeJlDT5RtqhiejfsghWaaGLg=",
    "modtm": "h1:9h1/Zqck7rYVbIxoVWdACxoSNjyZfgEtAuYg1TGTa6o=",
    "null": "h1:R49d5XDooOlwtYyh0bBr/EV5gE/yBi3KECwIBU+QTtg=",
    "random": "h1:jRTsNMtJQmXxHFeMRzHfWXStpcHfqrD9JAp4GmFLHvY=",
    "time": "h1:qY65yf27xkLR96D0iR5xKZ0ojfBZ6AMtGM2OhM18aN8=",
}


def _h1(directory: Path) -> str:
    summary = "".join(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n" for f in sorted(directory.iterdir()))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def test_lock_file_hashes_are_stable(tmp_path):
    mirror = install_mirror(tmp_path)
    hashes = {p.name.split("_v")[0].rsplit("-", 1)[1]: _h1(p.parent) for p in mirror.rglob("terraform-provider-*")}
    assert hashes == LOCK_HASHES


def test_install_mirror_lays_out_unpacked_providers(tmp_path):
    mirror = install_mirror(tmp_path)
    launchers = sorted(p.relative_to(mirror).as_posix() for p in mirror.rglob("terraform-provider-*"))
    platform = terraform_platform()  # linux_amd64 here
    assert launchers == [
        f"registry.terraform.io/azure/azapi/2.5.0/{platform}/terraform-provider-azapi_v2.5.0",
        f"registry.terraform.io/azure/modtm/0.3.5/{platform}/terraform-provider-modtm_v0.3.5",
        f"registry.terraform.io/hashicorp/azuread/3.4.0/{platform}/terraform-provider-azuread_v3.4.0",
        f"registry.terraform.io/hashicorp/azurerm/4.79.0/{platform}/terraform-provider-azurerm_v4.79.0",
        f"registry.terraform.io/hashicorp/null/3.2.4/{platform}/terraform-provider-null_v3.2.4",
        f"registry.terraform.io/hashicorp/random/3.7.2/{platform}/terraform-provider-random_v3.7.2",
        f"registry.terraform.io/hashicorp/time/0.13.1/{platform}/terraform-provider-time_v0.13.1",
    ]
    for launcher in mirror.rglob("terraform-provider-*"):
        assert launcher.read_bytes() == LAUNCHER and os.access(launcher, os.X_OK)
    assert install_mirror(tmp_path) == mirror  # idempotent


def test_offline_env(tmp_path):
    env = offline_env(tmp_path / "cache", FIXTURE_SCHEMAS)
    cache = (tmp_path / "cache").resolve()
    assert env["TF_CLI_CONFIG_FILE"] == str(cache / "terraformrc")
    assert env["AVDGEN_CACHE_DIR"] == str(cache)
    assert env["AVDGEN_OFFLINE_SCHEMAS"] == str(FIXTURE_SCHEMAS.resolve())
    assert Path(env["AVDGEN_PYTHON"]).is_file()
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(REPO)
    config = (cache / "terraformrc").read_text()
    assert f'path    = "{cache / "mirror"}"' in config
    # Every registry provider comes from the mirror (include) and never from the registry (exclude).
    assert config.count('"registry.terraform.io/*/*"') == 2
    assert "disable_checkpoint = true" in config and "plugin_cache_dir" not in config
    with pytest.raises(NotADirectoryError, match="nowhere"):
        offline_env(tmp_path / "cache", tmp_path / "nowhere")


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("AVDGEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "avdgen"
    monkeypatch.setenv("AVDGEN_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"


def test_env_command_output_evals_in_a_shell(tmp_path):
    result = CliRunner().invoke(offline, ["env", "--cache-dir", str(tmp_path), "--schemas", str(FIXTURE_SCHEMAS)])
    assert result.exit_code == 0, result.output
    assert all(line.startswith("export ") and line.endswith("'") for line in result.output.splitlines())
    shell = subprocess.run(
        ["sh", "-c", 'eval "$1"; printf %s "$TF_CLI_CONFIG_FILE"', "sh", result.output],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shell.stdout == str(tmp_path.resolve() / "terraformrc")


@pytest.mark.parametrize("make_dir", [False, True])
def test_env_command_rejects_bad_schema_dirs(tmp_path, make_dir):
    bad = tmp_path / "schemas"
    if make_dir:
        bad.mkdir()  # exists, but holds no *.schema.json
    result = CliRunner().invoke(offline, ["env", "--cache-dir", str(tmp_path), "--schemas", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output


USER_CONFIG = """\
# my Terraform CLI config
plugin_cache_dir = "{cache}"
credentials "app.terraform.io" {{
  token = "not-a-real-token"
}}
"""


def _eval_offline_env(tmp_path: Path, environ: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """`eval "$(avdgen offline env)"` in a shell with `environ`, then the variables it set."""
    shell = subprocess.run(
        ["sh", "-c", 'out=$("$1" -m generator offline env --cache-dir "$2") || exit $?; eval "$out"; env', "sh", sys.executable, str(tmp_path / "cache")],
        capture_output=True, text=True, env=environ, cwd=REPO,
    )  # fmt: skip
    return shell, dict(line.split("=", 1) for line in shell.stdout.splitlines() if "=" in line)


def test_a_users_cli_config_is_included_not_replaced(tmp_path):
    """Terraform reads one CLI config; ours takes TF_CLI_CONFIG_FILE, so the user's settings
    come along in it, and Terraform accepts the result (terraform init against the mirror)."""
    mine = tmp_path / "my.tfrc"
    mine.write_text(USER_CONFIG.format(cache=tmp_path / "plugin-cache"))
    (tmp_path / "plugin-cache").mkdir()
    shell, env = _eval_offline_env(tmp_path, {**os.environ, "TF_CLI_CONFIG_FILE": str(mine)})
    assert shell.returncode == 0, shell.stderr
    config = Path(env["TF_CLI_CONFIG_FILE"])
    assert config != mine and env["AVDGEN_USER_CLI_CONFIG"] == str(mine)
    text = config.read_text()
    assert f"# Included from {mine}" in text and 'credentials "app.terraform.io"' in text and "provider_installation {" in text
    # Again in the same shell (TF_CLI_CONFIG_FILE is ours now): still the user's, not ours twice.
    again, env_again = _eval_offline_env(tmp_path, {**os.environ, **env})
    assert again.returncode == 0 and Path(env_again["TF_CLI_CONFIG_FILE"]).read_text() == text
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('terraform {\n  required_providers {\n    time = { source = "hashicorp/time" }\n  }\n}\n')
    init = subprocess.run(["terraform", "init", "-input=false", "-no-color"], cwd=root, capture_output=True, text=True, env={**os.environ, **env})
    # A CLI config Terraform cannot parse is reported, yet init goes on (exit 0): check both.
    assert init.returncode == 0 and "problems with the CLI configuration" not in init.stdout + init.stderr, init.stdout + init.stderr


def test_a_users_provider_installation_is_refused_with_the_file_named(tmp_path):
    mine = tmp_path / "my.tfrc"
    mine.write_text('provider_installation {\n  network_mirror {\n    url = "https://mirror.example.com/"\n  }\n}\n')
    shell, _ = _eval_offline_env(tmp_path, {**os.environ, "TF_CLI_CONFIG_FILE": str(mine)})
    assert shell.returncode == 2
    assert f"error: {mine}: your Terraform CLI config has a provider_installation block" in shell.stderr
    assert "Traceback" not in shell.stderr
