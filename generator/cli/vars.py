"""`avdgen validate-vars`: check a tfvars file against its generated JSON Schema (issue 5)."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import GeneratorError
from .tfvars_schema import ENV_SCHEMA, MODULE_SCHEMA
from .validate_vars import check_file, env_names, sibling_schema, tfvars_in

EXIT_CODES = """\b
Exit codes:
  0  the file fits its schema
  1  errors found (one line each: FILE:LINE: variable NAME: message)
  2  bad input: no such file or env, no schema, a file or schema that does not parse"""


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


@click.command("validate-vars", epilog=EXIT_CODES)
@click.argument("target")
@click.option("--schema", "schema_file", type=click.Path(dir_okay=False, path_type=Path), help="Check against this JSON Schema file.")
@click.option("--module", "module", metavar="NAME", help=f"Check against modules/NAME/{MODULE_SCHEMA}.")
@click.option("--env", "env", metavar="NAME", help=f"Check against envs/NAME/{ENV_SCHEMA}.")
@click.pass_obj
def validate_vars(obj, target: str, schema_file: Path | None, module: str | None, env: str | None) -> None:
    """Check a tfvars file before Terraform runs: types, allowed values, ranges, unknown names.

    TARGET is an env name (`dev`: envs/dev/terraform.tfvars against envs/dev/terraform.tfvars.schema.json),
    a directory holding terraform.tfvars (or terraform.tfvars.json), or a tfvars file (HCL, or
    JSON when it ends in .json). A file is checked against --schema, --module or --env, else against
    the schema beside it (terraform.tfvars.schema.json or variables.schema.json). Schemas are
    generated from catalog/ by `avdgen render`.
    """
    if sum(x is not None for x in (schema_file, module, env)) > 1:
        raise click.UsageError("give at most one of --schema, --module and --env")
    given = Path(target)
    root = None
    if given.is_file():
        tfvars = given
    elif given.is_dir():
        tfvars = tfvars_in(given)
        if tfvars is None:
            raise GeneratorError(f"{target}: no terraform.tfvars or terraform.tfvars.json in this directory")
    else:
        root = obj.root
        env_dir = root / "envs" / target
        tfvars = tfvars_in(env_dir) if "/" not in target and env_dir.is_dir() else None
        if tfvars is None:
            known = ", ".join(env_names(root)) or "none"
            raise GeneratorError(f"{target}: no such file, and no env of that name with a terraform.tfvars (envs: {known})")
        env = env if (schema_file or module or env) else target
    if module or env:
        root = root or obj.root
        schema = root / "modules" / module / MODULE_SCHEMA if module else root / "envs" / env / ENV_SCHEMA
    else:
        schema = schema_file or sibling_schema(tfvars)
        if schema is None:
            raise click.UsageError(f"no schema beside {target}: pass --schema FILE, --module NAME or --env NAME")
    if root is None:
        try:
            root = obj.root
        except GeneratorError:
            root = None  # outside a project: show paths as given
    display = _display(tfvars, root) if tfvars != given else target
    problems = check_file(tfvars, schema, display)
    for problem in problems:
        click.echo(str(problem))
    schema_shown = _display(schema, root)
    if problems:
        click.echo(f"{len(problems)} error(s) in {display} (schema {schema_shown})", err=True)
        raise SystemExit(1)
    click.echo(f"{display}: OK (schema {schema_shown})", err=True)
