"""The avdgen command line: parses arguments, calls one function of a lower package, prints, and maps outcomes to exit codes.

The group is here; each command family has a module (render/lint, plan/offline/schema, vars,
build, promote/rollback, cost).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import GeneratorError, interrupted_exit
from .context import Context


def _fail(error: GeneratorError) -> None:
    click.echo(f"error: {error}", err=True)
    raise SystemExit(error.exit_code)


def _interrupted(error: KeyboardInterrupt) -> None:
    # Before click turns it into "Aborted!" and exit 1, which means drift here.
    code, message = interrupted_exit(error)
    click.echo(f"\n{message}", err=True)
    raise SystemExit(code)


class Group(click.Group):
    """Every avdgen command's domain errors become `error: ...` on stderr and their exit code
    (2 for bad input), never a traceback; commands just raise them. An interrupt exits 130
    (SIGINT) or 143 (SIGTERM) after the `finally` blocks on its way have cleaned up."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt as error:
            _interrupted(error)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GeneratorError as error:
            _fail(error)
        except KeyboardInterrupt as error:
            _interrupted(error)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="Project root (default: the nearest directory above the current one with catalog/ and templates/).")
@click.version_option(package_name="avdgen")
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """Render Terraform modules for AVD golden images from the variable catalog, and check them."""
    ctx.obj = Context(root)


def _register_subcommands() -> None:
    # One module per command family; the group stays the one entry point (`generator.cli:main`).
    from .build import build
    from .cost import cost
    from .plan import offline, plan, schema, test_module
    from .promote import promote, rollback
    from .render import lint, render
    from .rollout import rollout
    from .vars import validate_vars

    # In the order `avdgen --help` has always listed them (click sorts them by name anyway).
    for command in (render, lint, plan, test_module, schema, offline, validate_vars, build, cost, promote, rollback, rollout):
        cli.add_command(command)


_register_subcommands()


def main() -> None:
    cli(prog_name="avdgen")
