"""`avdgen validate-vars`: check a tfvars file against its generated JSON Schema (issue 5)."""

from __future__ import annotations

from pathlib import Path

import click

from ..lint.tfvars import TargetUsageError, check_file, locate
from ..render.tfvars_schema import ENV_SCHEMA, MODULE_SCHEMA
from .context import echo_json, format_option

EXIT_CODES = """\b
Exit codes:
  0  the file fits its schema
  1  errors found (one line each: FILE:LINE: variable NAME: message)
  2  bad input: no such file or env, no schema, a file or schema that does not parse"""


@click.command("validate-vars", epilog=EXIT_CODES)
@click.argument("target")
@click.option("--schema", "schema_file", type=click.Path(dir_okay=False, path_type=Path), help="Check against this JSON Schema file.")
@click.option("--module", "module", metavar="NAME", help=f"Check against modules/NAME/{MODULE_SCHEMA}.")
@click.option("--env", "env", metavar="NAME", help=f"Check against envs/NAME/{ENV_SCHEMA}.")
@format_option
@click.pass_obj
def validate_vars(obj, target: str, schema_file: Path | None, module: str | None, env: str | None, output_format: str) -> None:
    """Check a tfvars file before Terraform runs: types, allowed values, ranges, unknown names.

    TARGET is an env name (`dev`: envs/dev/terraform.tfvars against envs/dev/terraform.tfvars.schema.json),
    a directory holding terraform.tfvars (or terraform.tfvars.json), or a tfvars file (HCL, or
    JSON when it ends in .json). A file is checked against --schema, --module or --env, else against
    the schema beside it (terraform.tfvars.schema.json or variables.schema.json). Schemas are
    generated from catalog/ by `avdgen render`.

    With --format json, stdout is one JSON list of errors, each {"file", "line", "variable",
    "message"}, and "origin" (the profile line that sets the value) when there is one.
    """
    if sum(x is not None for x in (schema_file, module, env)) > 1:
        raise click.UsageError("give at most one of --schema, --module and --env")
    try:
        where = locate(target, schema_file, module, env, lambda: obj.root)
    except TargetUsageError as error:
        raise click.UsageError(str(error)) from None
    problems = check_file(where.tfvars, where.schema, where.display, where.root)
    if output_format == "json":
        echo_json([
            {"file": p.file, "line": p.line, "variable": p.variable, "message": p.message, **({"origin": p.origin} if p.origin else {})}
            for p in problems
        ])
    else:
        for problem in problems:
            click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} error(s) in {where.display} (schema {where.schema_display})", err=True)
        raise SystemExit(1)
    click.echo(f"{where.display}: OK (schema {where.schema_display})", err=True)
