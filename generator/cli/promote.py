"""`avdgen promote` and `avdgen rollback`: change an env's pinned golden image version."""

from __future__ import annotations

from pathlib import Path

import click

from .project import render_changes
from .promote import Change, plan_promotion, plan_rollback, write
from .write import apply


def _pin(root: Path, change: Change) -> None:
    """Write the profile and history, then re-render; restore both if rendering fails."""
    originals = {path: path.read_text(encoding="utf-8") if path.exists() else None for path in change.files}
    write(change)
    try:
        changes = [c for c in render_changes(root) if c.drifted]
        apply(root, changes)
    except BaseException:
        for path, text in originals.items():
            path.unlink(missing_ok=True) if text is None else path.write_text(text, encoding="utf-8")
        raise
    click.echo(f"{change.env}: golden image version {change.old} -> {change.new}")
    for path in sorted(change.files):
        click.echo(f"  updated {path.relative_to(root)}")
    for rendered_change in changes:
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
    root = obj.root  # cli.Context: the project root, or a clear error
    _pin(root, plan_promotion(root, source, target, version))


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
    _pin(root, plan_rollback(root, env))
