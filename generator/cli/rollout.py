"""`avdgen rollout ENV`: move the session hosts to the pinned golden image, a batch at a time."""

from __future__ import annotations

from pathlib import Path

import click

from ..ops.azure_cli import runner
from ..ops.rollout import AzRestHostPool, Runner, plan_rollout
from ..ops.terraform_cli import TerraformCli

EPILOG = """\b
Exit codes:
  0  printed (dry run), done, or the pilot is ready for validation
  1  stopped on the way: a new host not Available, users still signed in after the drain,
     a failed apply; what is done stays done, and running it again resumes
  2  bad input: unknown env, not the pinned version, changes that are not the rollout's,
     az or terraform not on PATH"""


@click.command(epilog=EPILOG)
@click.argument("env")
@click.option("--to", "version", metavar="VERSION", help="The version to roll out: the env's pinned golden_image.image_version (a guard against moving to the wrong one).")
@click.option("--batch", metavar="N|P%", help="Hosts per batch, or a percentage of session_host_count (default: the profile's rollout.batch, else 1).")
@click.option("--surge/--no-surge", default=None, help="New hosts before old ones go, so capacity never drops (default: the profile's rollout.surge, else surge).")
@click.option("--dry-run", is_flag=True, help="Print the steps and change nothing (the default without --run).")
@click.option("--run", "run_it", is_flag=True, help="Run the steps: edit the profile, render and `terraform apply` in envs/ENV, read the host pool with `az rest` (az logged in, terraform initialised for the env's backend).")
@click.option("--pilot-validated", is_flag=True, help="With --run: the pilot hosts were checked; go on with the rest.")
@click.option("--batches", type=click.IntRange(min=1), metavar="N", help="With --run: stop after N batches (a batch a day); the same command goes on from there.")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="With --run: a -var-file for every plan and apply (secrets are better passed as TF_VAR_ variables).")
@click.pass_obj
def rollout(obj, env: str, version: str | None, batch: str | None, surge: bool | None, dry_run: bool, run_it: bool, pilot_validated: bool, batches: int | None, var_files: tuple[Path, ...]) -> None:
    """Move ENV's session hosts to its pinned golden image version without dropping a user.

    A batch at a time: with surge, new hosts on the version are added and must be Available in
    the host pool, then the batch's old hosts are drained (no new sessions) until their users
    sign out (or, with rollout.force_logoff, are logged off after a message), then removed,
    registration first. An env with a pilot moves the pilot first and stops for validation.
    Each step edits session_hosts in catalog/envs/ENV.yaml and re-renders envs/ENV: commit the
    profile as the rollout leaves it. Interrupted or stopped, it resumes where it was.
    """
    if dry_run and run_it:
        raise click.UsageError("--dry-run and --run: choose one")
    root = obj.root
    plan = plan_rollout(root, env, version, batch, surge)
    for line in plan.describe():
        click.echo(line)
    if not run_it:
        if plan.steps:
            click.echo(f"Dry run: nothing changed. Run with --run to go (each step is a `terraform apply` in envs/{env}).")
        return
    if not plan.steps:
        return
    err = lambda line: click.echo(line, err=True)  # noqa: E731  (commands go to stderr, progress to stdout)
    run, quiet = runner(err), runner(lambda line: None)
    done = Runner(
        plan=plan,
        terraform=TerraformCli(plan.env_dir, list(var_files), click.echo),
        pool_for=lambda host_pool_id: AzRestHostPool(host_pool_id, run, quiet),
        echo=click.echo,
        pilot_validated=pilot_validated,
        batches=batches,
    ).run()
    click.echo(done)
    click.echo(f"Commit catalog/envs/{env}.yaml and envs/{env}/terraform.tfvars: they record where the hosts are.")
