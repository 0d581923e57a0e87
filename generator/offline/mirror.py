"""Install the offline provider where Terraform looks for plugins, and the environment to use it.

Terraform finds the plugins in an unpacked filesystem mirror named by a CLI config file
(`TF_CLI_CONFIG_FILE`). Each plugin is the same tiny launcher script, whose bytes never change,
so the `h1:` hashes Terraform writes to lock files are the same on every machine and for every
version of this code; the launcher's own path tells the server which provider to be. What it
runs is `$AVDGEN_PYTHON`, which offline_env points at a wrapper (launcher.py) that makes the
plugin a light launcher in front of a warm server (warm.py) instead of a full Python plugin.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from ..errors import GeneratorError
from .launcher import plugin_python
from .providers import Resolved, default_versions, for_config

# (namespace, type, version): the providers this project's modules require, which `avdgen offline
# serve` and reattached plans start by default. The mirror holds every provider with a schema
# (providers.py), at the versions the configurations ask for.
PROVIDERS = (
    ("hashicorp", "azurerm", "4.79.0"),
    ("azure", "azapi", "2.5.0"),  # Terraform normalises "Azure/azapi" to lower case
    ("hashicorp", "time", "0.13.1"),
)
HOSTNAME = "registry.terraform.io"
LAUNCHER = b'#!/bin/sh\nexec "${AVDGEN_PYTHON:-python3}" -m generator.offline.server "$0" "$@"\n'

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def default_cache_dir() -> Path:
    """`$AVDGEN_CACHE_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/avdgen`."""
    if os.environ.get("AVDGEN_CACHE_DIR"):
        return Path(os.environ["AVDGEN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "avdgen"


def terraform_platform() -> str:
    """Terraform's name for this platform, e.g. `linux_amd64` (the launcher needs a POSIX shell)."""
    machine = os.uname().machine.lower()
    return f"{sys.platform}_{_ARCH.get(machine, machine)}"


def provider_addresses() -> list[str]:
    """What Terraform installs from the mirror only: every registry provider. One without a schema
    is not in the mirror, so `terraform init` fails naming it instead of going online."""
    return [f"{HOSTNAME}/*/*"]


def install_mirror(cache_dir: Path | None = None, providers: list[Resolved] = ()) -> Path:
    """Write the launchers into `<cache_dir>/mirror` (idempotent) and return the mirror root:
    every vendored provider at its schema's version, plus `providers` (versions a configuration
    asked for). Launchers of earlier calls stay, so configurations asking for different
    versions can share one mirror."""
    mirror = Path(cache_dir or default_cache_dir()).resolve() / "mirror"
    wanted = {(p.namespace, p.name, p.version) for p in [*default_versions(), *providers]}
    for namespace, name, version in sorted(wanted):
        target = mirror / HOSTNAME / namespace / name / version / terraform_platform()
        launcher = target / f"terraform-provider-{name}_v{version}"
        if launcher.is_file() and launcher.read_bytes() == LAUNCHER and os.access(launcher, os.X_OK):
            continue
        target.mkdir(parents=True, exist_ok=True)
        tmp = launcher.with_name(f".{launcher.name}.{os.getpid()}")
        tmp.write_bytes(LAUNCHER)
        tmp.chmod(0o755)
        os.replace(tmp, launcher)
    readme = mirror / "README.txt"
    if not readme.is_file() or readme.read_text() != MIRROR_README:
        tmp = readme.with_name(f".{readme.name}.{os.getpid()}")
        tmp.write_text(MIRROR_README)
        os.replace(tmp, readme)  # concurrent installs each write whole files
    return mirror


# Terraform's "was not found in any of the search locations" names this directory.
MIRROR_README = """\
avdgen's offline provider mirror: every registry provider Terraform installs comes from here.
It holds the providers avdgen has a schema for (`avdgen offline env --help` lists them).
A provider missing here has no schema: add one with `avdgen schema import FILE`, where FILE is
`terraform providers schema -json` output from a machine with the real provider, or serve a
directory of such files with `avdgen offline env --schemas DIR`.
"""


def _hcl_string(text: str) -> str:
    return json.dumps(text).replace("${", "$${").replace("%{", "%%{")


OURS = "# Written by avdgen: the offline provider plugins come from the local mirror, never the registry.\n"
# Where the user's own CLI config was when `avdgen offline env` replaced TF_CLI_CONFIG_FILE, so a
# second `eval "$(avdgen offline env)"` in the same shell still includes it.
USER_CONFIG_ENV = "AVDGEN_USER_CLI_CONFIG"


def user_cli_config(environ: dict[str, str]) -> Path | None:
    """The CLI config Terraform would read without us (TF_CLI_CONFIG_FILE, else ~/.terraformrc),
    when it exists and is not one we wrote."""
    named = environ.get(USER_CONFIG_ENV) or environ.get("TF_CLI_CONFIG_FILE")
    path = Path(named).expanduser() if named else Path("~/.terraformrc").expanduser()
    try:
        if path.is_file() and not path.read_text(encoding="utf-8").startswith(OURS):
            return path
    except (OSError, UnicodeDecodeError):
        return path  # cli_config says what is wrong with it
    return None


_PROVIDER_INSTALLATION = re.compile(r"^\s*\"?provider_installation\b", re.M)


def _included(user: Path) -> str:
    """The user's CLI config, to append to ours: Terraform has no include, so its text comes
    along as it is (credentials, plugin_cache_dir, host blocks), with two refusals."""
    try:
        text = user.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GeneratorError(f"{user}: cannot read your Terraform CLI config (TF_CLI_CONFIG_FILE): {error}") from None
    if user.suffix == ".json":
        raise GeneratorError(
            f"{user}: your Terraform CLI config is JSON; avdgen writes the CLI config Terraform uses offline in HCL and "
            "includes yours in it, so write it as HCL (a .tfrc file), or unset TF_CLI_CONFIG_FILE for offline runs"
        )
    if _PROVIDER_INSTALLATION.search(text):
        raise GeneratorError(
            f"{user}: your Terraform CLI config has a provider_installation block; the offline providers need avdgen's own "
            "(a filesystem mirror), and Terraform allows one: move it to a file you name in TF_CLI_CONFIG_FILE for online runs only"
        )
    return f"\n# Included from {user} (your Terraform CLI config):\n{text.rstrip()}\n"


def cli_config(mirror: Path, user: Path | None = None) -> str:
    addresses = ", ".join(_hcl_string(a) for a in provider_addresses())
    included = _included(user) if user else ""
    checkpoint = "" if re.search(r"^\s*disable_checkpoint\b", included, re.M) else "disable_checkpoint = true\n\n"
    return (
        OURS
        + checkpoint
        + "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {_hcl_string(str(mirror))}\n"
        f"    include = [{addresses}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{addresses}]\n"
        "  }\n"
        "}\n"
        + included
    )


def offline_env(
    cache_dir: Path | None = None, schemas_dir: Path | None = None, config_dir: Path | None = None
) -> dict[str, str]:
    """Install the mirror, write the CLI config, and return the variables Terraform needs to run
    with the offline provider (merge them into the environment of `terraform` commands).
    With `config_dir`, the mirror also gets each provider that configuration requires at a
    version its constraints allow (GeneratorError naming any provider without a schema)."""
    cache = Path(cache_dir or default_cache_dir()).resolve()
    if schemas_dir is not None and not Path(schemas_dir).is_dir():
        raise NotADirectoryError(f"schemas directory {Path(schemas_dir).resolve()} does not exist")
    needed = for_config(Path(config_dir), schemas_dir) if config_dir is not None else []
    mirror = install_mirror(cache, needed)
    user = user_cli_config(dict(os.environ))
    text = cli_config(mirror, user)
    # One file per user config, so runs with and without one never rewrite each other's.
    config = cache / (f"terraformrc-{hashlib.sha256(str(user).encode()).hexdigest()[:12]}" if user else "terraformrc")
    if not config.is_file() or config.read_text() != text:
        tmp = config.with_name(f".{config.name}.{os.getpid()}")
        tmp.write_text(text)
        os.replace(tmp, config)
    package_root = str(Path(__file__).resolve().parents[2])
    # The plugin must run this very checkout of the code, whichever avdgen the interpreter has.
    python_path = [package_root] + [
        p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != package_root
    ]
    env = {
        **({USER_CONFIG_ENV: str(user)} if user else {}),
        "TF_CLI_CONFIG_FILE": str(config),
        # The interpreter, behind a wrapper that starts plugins through the warm server (launcher.py).
        "AVDGEN_PYTHON": plugin_python(str(cache), sys.executable),
        "AVDGEN_CACHE_DIR": str(cache),
        "PYTHONPATH": os.pathsep.join(python_path),
    }
    if schemas_dir is not None:
        schemas = Path(schemas_dir).resolve()
        if not schemas.is_dir():
            raise NotADirectoryError(f"schemas directory {schemas} does not exist")
        env["AVDGEN_OFFLINE_SCHEMAS"] = str(schemas)
    return env


def install_for_config(env: dict[str, str], config_dir: Path) -> list[Resolved]:
    """Add launchers for what the configuration at `config_dir` requires to the mirror of `env`
    (an offline_env), and return them; GeneratorError naming any provider without a schema."""
    schemas = env.get("AVDGEN_OFFLINE_SCHEMAS")
    needed = for_config(config_dir, Path(schemas) if schemas else None)
    install_mirror(Path(env["AVDGEN_CACHE_DIR"]) if env.get("AVDGEN_CACHE_DIR") else None, needed)
    return needed
