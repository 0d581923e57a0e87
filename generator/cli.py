"""avdgen command line. Parses arguments and maps outcomes to exit codes; the work is elsewhere."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import GeneratorError
from .project import find_root, render_project
from .write import Kind, WriteMode, apply, classify

EXIT_CODES = """\b
Exit codes:
  0  up to date, or written
  1  drift found (--check), or lint findings
  2  bad input: broken catalog, template error, hand-written file in the way, missing terraform"""


class Context:
    def __init__(self, root: Path | None):
        self._root = root

    @property
    def root(self) -> Path:
        return find_root(self._root)


def _fail(error: GeneratorError) -> None:
    click.echo(f"error: {error}", err=True)
    raise SystemExit(error.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="Project root (default: the nearest directory above the current one with catalog/ and templates/).")
@click.version_option(package_name="avdgen")
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """Render Terraform modules for AVD golden images from the variable catalog, and check them."""
    ctx.obj = Context(root)


@cli.command(epilog=EXIT_CODES)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list the files that would change.")
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.pass_obj
def render(obj: Context, check: bool, diff: bool) -> None:
    """Render catalog/*.yaml through templates/ into modules/."""
    mode = WriteMode.DIFF if diff else WriteMode.CHECK if check else WriteMode.WRITE
    try:
        root = obj.root
        rendered = render_project(root)
        changes = classify(root, rendered.files, rendered.managed_dirs)
        drifted = [c for c in changes if c.drifted]
        if mode is WriteMode.WRITE:
            apply(root, changes)
    except GeneratorError as error:
        _fail(error)
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


@cli.command(epilog=EXIT_CODES)
@click.pass_obj
def lint(obj: Context) -> None:
    """Check the rendered modules: terraform fmt, python-hcl2 parse and round trip, catalog consistency."""
    from .lint import lint_project

    try:
        root = obj.root
        findings = lint_project(root)
    except GeneratorError as error:
        _fail(error)
    for finding in findings:
        click.echo(str(finding))
    click.echo(f"{len(findings)} finding(s)", err=True)
    if findings:
        raise SystemExit(1)


def main() -> None:
    cli(prog_name="avdgen")
