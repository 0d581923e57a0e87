"""`avdgen promote` and `avdgen rollback`: change an env's golden image version."""

from __future__ import annotations

from pathlib import Path

import click

from ..ops.azure_cli import runner
from ..ops.promotion import Change, in_azure, pin, plan_promotion, plan_rollback

RUN_HELP = "Check the version in Azure (az sig image-version show; az must be logged in) instead of in the recorded history."


def _report(root: Path, change: Change, promoted: bool) -> None:
    rendered = pin(root, change)
    click.echo(f"{change.env}: golden image version {change.old} -> {change.new}")
    for path in sorted(change.files):
        click.echo(f"  updated {path.relative_to(root)}")
    for rendered_change in rendered:
        click.echo(f"  rendered {rendered_change.path}")
    if promoted:
        click.echo(
            f"Review with `git diff`, then `terraform apply` in envs/{change.env} (creates the copy; no session host changes), "
            f"then `avdgen rollout {change.env} --to {change.new}` moves the hosts a batch at a time."
        )
    else:  # the earlier version is still in the gallery (checked): nothing to build or copy
        click.echo(
            f"Review with `git diff`, then `avdgen rollout {change.env} --to {change.new}` moves the hosts back a batch at a time "
            f"({change.new} is still in the gallery: nothing to build or copy)."
        )


def _lookup(run: bool):
    return in_azure(runner(lambda line: click.echo(line, err=True))) if run else None


@click.command()
@click.option("--from", "source", required=True, metavar="ENV", help="The env whose builds were tested (e.g. dev).")
@click.option("--to", "target", required=True, metavar="ENV", help="The env to pin the version in (e.g. prod).")
@click.option("--run", "run_az", is_flag=True, help=RUN_HELP)
@click.argument("version")
@click.pass_obj
def promote(obj, source: str, target: str, run_az: bool, version: str) -> None:
    """Pin VERSION of the golden image in ENV (--to) after testing it in --from.

    An env with `promote_from` gets a copy of --from's published VERSION (the very image that was
    tested: golden_image_promoted_versions), not a build of its own. Checks that VERSION was
    built in --from (its recorded history, or Azure with --run), edits catalog/envs/<to>.yaml
    (the pin, the promoted versions, and the session hosts, which keep the version they run),
    records the copy's source and --from's build inputs in catalog/images/<image>.CHANGELOG.md,
    and re-renders envs/<to>/.

    \b
    Exit codes:
      0  pinned and rendered
      2  bad input: unknown env, invalid or not newer version, a version --from did not publish
    """
    root = obj.root  # context.Context: the project root, or a clear error
    change = plan_promotion(root, source, target, version, lookup=_lookup(run_az))
    _report(root, change, promoted=True)


@click.command()
@click.argument("env")
@click.option("--run", "run_az", is_flag=True, help="Check in Azure (az sig image-version show) that the earlier version still exists.")
@click.pass_obj
def rollback(obj, env: str, run_az: bool) -> None:
    """Pin the golden image version ENV had before the current one.

    Reads the pins recorded in catalog/images/<image>.CHANGELOG.md (promotions push a version,
    rollbacks pop one), refuses a version that was pruned, edits catalog/envs/<env>.yaml and
    re-renders envs/<env>/; the session hosts keep their version until `avdgen rollout`.

    \b
    Exit codes:
      0  pinned and rendered
      2  no earlier version, a pruned one, a history that disagrees with the profile, unknown env
    """
    root = obj.root
    _report(root, plan_rollback(root, env, lookup=_lookup(run_az)), promoted=False)
