"""`avdgen build ENV start|status|cancel|output`: the Azure CLI command for an env's golden image build."""

from __future__ import annotations

import shutil
import subprocess

import click

from . import build_commands as bc
from .catalog import env_profile, load_catalogs
from .errors import GeneratorError

EPILOG = f"""{bc.STATES_HELP}

\b
Exit codes:
  0  printed (or, with --run, az succeeded)
  1  with --run: start refused (catalog not applied to the template, pinned version
     published already, or the lookup failed); nothing was started
  2  bad input: unknown env, golden image disabled, az not on PATH
  N  with --run: az's own exit code"""


@click.command(epilog=EPILOG)
@click.argument("env")
@click.argument("action", type=click.Choice([a.value for a in bc.Action]))
@click.option("--run", "run_it", is_flag=True, help="Run the command (az must be on PATH and logged in) instead of printing it.")
@click.pass_obj
def build(obj, env: str, action: str, run_it: bool) -> None:
    """Print the Azure CLI command that acts on ENV's Image Builder template.

    \b
      start   az image builder run ... --no-wait (returns at once; the build takes 30-90 min);
              --run first checks that the deployed template distributes where the catalog
              says (catalog changes applied), and for a pinned template (image_versioning =
              "pinned") that its version is not published yet: building it again would fail
      status  az image builder show ... --query "{state, subState, message}" --output table
      cancel  az image builder cancel ...
      output  az image builder show-runs ... --query artifactId -o tsv: the published version

    The resource group, template and run output name come from catalog/envs/ENV.yaml, as for the
    scheduled pipelines in .github/workflows/ and pipelines/. `eval "$(avdgen build dev start)"`
    runs a printed command in your shell.
    """
    root = obj.root  # cli.Context: the project root, or a clear error
    catalog, profile = env_profile(load_catalogs(root), env)
    target = bc.build_target(catalog, profile)
    argv = bc.command(target, bc.Action(action))
    # A build bound to fail (catalog not applied, pinned version taken) fails after an hour: check first.
    checked_start = action == bc.Action.START.value
    if not run_it:
        if checked_start and target.pinned:
            click.echo(
                f"note: {target.template_name} publishes version {target.image_version}; check that the template targets it"
                f" and that it is not published yet:\n  {bc.shell(bc.template_target_command(target))}\n  {bc.shell(bc.published_command(target))}",
                err=True,
            )
        click.echo(bc.shell(argv))
        return
    az = shutil.which("az")
    if az is None:
        raise GeneratorError("az (the Azure CLI) is not on PATH: install it, or run the command without --run to print it", [bc.shell(argv)])
    if checked_start:
        _check_target(az, target)
    click.echo(f"+ {bc.shell(argv)}", err=True)
    raise SystemExit(subprocess.run([az, *argv[1:]], check=False).returncode)


def _az_output(az: str, argv: list[str], what: str) -> str:
    click.echo(f"+ {bc.shell(argv)}", err=True)
    done = subprocess.run([az, *argv[1:]], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildRefused(f"could not read {what} (az exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout.strip()


def _check_target(az: str, target: bc.BuildTarget) -> None:
    """What the pipelines check before a build: the deployed template distributes where the
    catalog says (the pinned version, or the image definition), and a pinned version does not
    exist yet."""
    deployed = _az_output(az, bc.template_target_command(target), f"template {target.template_name}")
    if not bc.targets_catalog_version(target, deployed):
        raise BuildRefused(bc.not_applied_message(target, deployed))
    if not target.pinned:
        return
    state = _az_output(az, bc.published_command(target), f"the versions of {target.image_definition}")
    if state and state != "Succeeded":
        raise BuildRefused(bc.unusable_version_message(target, state))
    if state:
        raise BuildRefused(bc.already_published_message(target))


class BuildRefused(GeneratorError):
    """Starting the build would fail: nothing was started."""

    exit_code = 1
