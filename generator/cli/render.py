"""`avdgen render` and `avdgen lint`: write (or check) the generated tree, and lint it."""

from __future__ import annotations

import click

from ..ops.tree import render_changes
from ..render.writer import Kind, WriteMode, apply
from .context import EXIT_CODES, Context, echo_json, format_option


@click.command(epilog=EXIT_CODES)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list the files that would change.")
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.pass_obj
def render(obj: Context, check: bool, diff: bool) -> None:
    """Render catalog/*.yaml through templates/ into modules/, envs/ and the build pipelines."""
    mode = WriteMode.DIFF if diff else WriteMode.CHECK if check else WriteMode.WRITE
    root = obj.root
    changes = render_changes(root)
    drifted = [c for c in changes if c.drifted]
    if mode is WriteMode.WRITE:
        apply(root, changes)
    verb = {WriteMode.WRITE: {Kind.CREATE: "created", Kind.UPDATE: "updated", Kind.EXTRA: "deleted"}}.get(
        mode, {Kind.CREATE: "would create", Kind.UPDATE: "would update", Kind.EXTRA: "would delete"}
    )
    for change in drifted:
        if mode is WriteMode.DIFF:
            click.echo(change.diff(), nl=False)
        click.echo(f"{verb[change.kind]} {change.path}", err=True)
    unchanged = len(changes) - len(drifted)
    summary = f"{len(drifted)} file(s) {'changed' if mode is WriteMode.WRITE else 'out of date'}, {unchanged} unchanged"
    click.echo(summary, err=True)
    if drifted and (check or mode is WriteMode.CHECK):
        raise SystemExit(1)


@click.command(epilog=EXIT_CODES)
@format_option
@click.pass_obj
def lint(obj: Context, output_format: str) -> None:
    """Check the rendered modules: terraform fmt, python-hcl2 parse and round trip, catalog consistency.

    With --format json, stdout is one JSON list of findings, each {"file", "line", "rule", "message"}.
    """
    from ..lint.rules import lint_project  # python-hcl2 is slow to import: only for lint

    findings = lint_project(obj.root)
    if output_format == "json":
        echo_json([{"file": f.file, "line": f.line, "rule": f.rule, "message": f.message} for f in findings])
    else:
        for finding in findings:
            click.echo(str(finding))
    click.echo(f"{len(findings)} finding(s)", err=True)
    if findings:
        raise SystemExit(1)
