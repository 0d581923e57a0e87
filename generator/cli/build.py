"""`avdgen build ENV start|status|cancel|output`: the Azure CLI command for an env's golden image build."""

from __future__ import annotations

import click

from ..ops import build as builds
from ..ops.promotion import record_build

EPILOG = f"""{builds.STATES_HELP}

\b
Exit codes:
  0  printed (or, with --run, az succeeded)
  1  with --run: start refused (catalog not applied to the template, pinned version
     published already, or the lookup failed); nothing was started
  2  bad input: unknown env, golden image disabled, az not on PATH
  N  with --run: az's own exit code"""


@click.command(epilog=EPILOG)
@click.argument("env")
@click.argument("action", type=click.Choice([a.value for a in builds.Action]))
@click.option("--run", "run_it", is_flag=True, help="Run the command (az must be on PATH and logged in) instead of printing it.")
@click.option("--record", is_flag=True, help="With `output --run`: record the published version in catalog/images/<image>.CHANGELOG.md, where an offline `avdgen promote` looks for it.")
@click.pass_obj
def build(obj, env: str, action: str, run_it: bool, record: bool) -> None:
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
    target = builds.env_target(obj.root, env)
    chosen = builds.Action(action)
    if record:
        if not (run_it and chosen is builds.Action.OUTPUT):
            raise click.UsageError("--record goes with `output --run`: it records what Azure says was published")
        artifact = builds.published_version(target, echo=lambda line: click.echo(line, err=True))
        history = record_build(obj.root, env, artifact)
        click.echo(artifact)
        click.echo(f"recorded in {history.relative_to(obj.root)}", err=True)
        return
    if run_it:
        raise SystemExit(builds.run(target, chosen, echo=lambda line: click.echo(line, err=True)))
    note = builds.start_note(target) if chosen is builds.Action.START else None
    if note:
        click.echo(note, err=True)
    click.echo(builds.shell(builds.command(target, chosen)))
