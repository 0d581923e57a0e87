"""avdgen command line. Parses arguments and maps outcomes to exit codes; the work is elsewhere."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import GeneratorError
from .project import find_root, render_changes
from .write import Kind, WriteMode, apply

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


class Group(click.Group):
    """Every avdgen command's domain errors become `error: ...` on stderr and their exit code
    (2 for bad input), never a traceback; commands just raise them."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GeneratorError as error:
            _fail(error)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
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


@cli.command(epilog=EXIT_CODES)
@click.pass_obj
def lint(obj: Context) -> None:
    """Check the rendered modules: terraform fmt, python-hcl2 parse and round trip, catalog consistency."""
    from .lint import lint_project

    findings = lint_project(obj.root)
    for finding in findings:
        click.echo(str(finding))
    click.echo(f"{len(findings)} finding(s)", err=True)
    if findings:
        raise SystemExit(1)


PLAN_EXIT_CODES = """\b
Exit codes:
  0  planned (and applied, with --apply)
  2  bad input, or terraform init/plan/apply failed (Terraform's diagnostics are printed)"""


@cli.command(epilog=PLAN_EXIT_CODES)
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A tfvars file (repeatable), as terraform plan -var-file.")
@click.option("--schemas", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Serve provider schemas from the *.schema.json dumps in this directory (e.g. ../shared/reference) instead of the vendored subset.")
@click.option("--apply", "simulate_apply", is_flag=True, help="Also simulate `terraform apply` offline and show the outputs it produces.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write `terraform show -json` of the plan to this file.")
@click.option("--inventory", "inventory_out", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the plan's inventory (values, counts, outputs) as YAML: a test fixture's expected result.")
def plan(path: Path, var_files: tuple[Path, ...], schemas: Path | None, simulate_apply: bool, json_out: Path | None, inventory_out: Path | None) -> None:
    """Plan the root configuration at PATH offline, through the offline provider.

    Runs in a private copy of PATH (a remote backend is swapped for a local one there), prints
    resource counts by type and module, the Image Builder build steps, and the outputs.
    """
    import json
    import os

    from . import inventory
    from .offline.commands import environment_for
    from .plan import plan_config, render_summary, unset_secrets

    env = environment_for(schemas, None)
    click.echo(f"planning {path} offline{' and simulating apply' if simulate_apply else ''}...", err=True)
    # An offline plan never reaches Azure: secrets nobody set get obvious placeholders.
    unset = unset_secrets(path, list(var_files), dict(os.environ))
    for name in unset:
        click.echo(f"note: {name} is not set (TF_VAR_{name}); planning with a placeholder value", err=True)
    placeholders = {name: f"offline-placeholder-{name}-Aa1!" for name in unset}
    summary, raw = plan_config(path, env, list(var_files), apply=simulate_apply, placeholders=placeholders)
    if json_out:
        json_out.write_text(json.dumps(raw, indent=2) + "\n")
    if inventory_out:
        inventory_out.write_text(inventory.dump(inventory.inventory_of(summary)))
        click.echo(f"wrote {inventory_out}", err=True)
    click.echo(render_summary(summary, f"Plan of {path}" + (" (after simulated apply)" if simulate_apply else "")), nl=False)


@cli.group()
def schema() -> None:
    """Provider schemas the offline provider serves."""


@schema.command("import", epilog="\b\nExit codes:\n  0  imported\n  2  bad input: a file that is not a `terraform providers schema -json` dump")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), help="Write the trimmed schemas here instead of over the vendored subset (generator/offline/schemas).")
@click.pass_obj
def schema_import(obj: Context, files: tuple[Path, ...], into: Path | None) -> None:
    """Replace the vendored schema subset with real `terraform providers schema -json` dumps.

    Each provider in FILES is trimmed to the resource and data source types in use (those the
    vendored subset covers plus any declared in modules/ and envs/) and written as
    <provider>.schema.json. Nothing is written unless every file is a valid dump.
    """
    from .offline.schema_import import VENDORED_DIR, import_schemas

    results = import_schemas(list(files), obj.root, into or VENDORED_DIR)
    for result in results:
        click.echo(f"{result.address}: {result.resources} resource and {result.data_sources} data source types -> {result.path}")
        if result.missing:
            click.echo(f"  warning: the dump has no schema for {', '.join(result.missing)} (used here)", err=True)


def _register_subcommands() -> None:
    # Each command lives beside the code it drives; imported here so cli.py stays the one entry.
    from .commands_build import build
    from .commands_cost import cost
    from .commands_promote import promote, rollback
    from .commands_vars import validate_vars
    from .offline.commands import offline

    for command in (offline, validate_vars, build, cost, promote, rollback):
        cli.add_command(command)


_register_subcommands()


def main() -> None:
    cli(prog_name="avdgen")
