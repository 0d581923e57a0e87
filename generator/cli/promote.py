"""`avdgen promote` and `avdgen rollback`: change an env's pinned golden image version."""

from __future__ import annotations

from pathlib import Path

import click

from ..ops.promotion import Change, pin, plan_promotion, plan_rollback


def _report(root: Path, change: Change) -> None:
    rendered = pin(root, change)
    click.echo(f"{change.env}: golden image version {change.old} -> {change.new}")
    for path in sorted(change.files):
        click.echo(f"  updated {path.relative_to(root)}")
    for rendered_change in rendered:
        click.echo(f"  rendered {rendered_change.path}")
    click.echo("Review with `git diff`, then `terraform apply` in envs/" + change.env + " and start a build.")


@click.command()
@click.option("--from", "source", required=True, metavar="ENV", help="The env whose builds were tested (e.g. dev).")
@click.option("--to", "target", required=True, metavar="ENV", help="The env to pin the version in (e.g. prod).")
@click.argument("version")
@click.pass_obj
def promote(obj, source: str, target: str, version: str) -> None:
    """Pin VERSION of the golden image in ENV (--to) after testing it in --from.

    Edits golden_image.image_version in catalog/envs/<to>.yaml (one line), records the pin in
    catalog/images/<image>.CHANGELOG.md, and re-renders envs/<to>/. Refuses a VERSION that is not
    a gallery image version (MAJOR.MINOR.PATCH) or not newer than the one pinned now.

    \b
    Exit codes:
      0  pinned and rendered
      2  bad input: unknown env, invalid or not newer version
    """
    root = obj.root  # context.Context: the project root, or a clear error
    _report(root, plan_promotion(root, source, target, version))


@click.command()
@click.argument("env")
@click.pass_obj
def rollback(obj, env: str) -> None:
    """Pin the golden image version ENV had before the current one.

    Reads the pins recorded in catalog/images/<image>.CHANGELOG.md (promotions push a version,
    rollbacks pop one), edits catalog/envs/<env>.yaml and re-renders envs/<env>/.

    \b
    Exit codes:
      0  pinned and rendered
      2  no earlier version, a history that disagrees with the profile, unknown env
    """
    root = obj.root
    _report(root, plan_rollback(root, env))
