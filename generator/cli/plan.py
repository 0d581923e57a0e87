"""`avdgen plan`, `avdgen test`, `avdgen offline env|serve` and `avdgen schema import`: plan and test offline, and make Terraform use the offline provider."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..offline.mirror import offline_env
from .context import Context, recover_project_of


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


@click.group("offline")
def offline() -> None:
    """The offline provider that stands in for azurerm, azapi, time, random, null, modtm, azuread and any provider given a schema."""


def _provider_options(command):
    command = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Where the plugin mirror, CLI config and caches live. [default: $AVDGEN_CACHE_DIR or ~/.cache/avdgen]",
    )(command)
    return click.option(
        "--schemas",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Serve each provider found in a *.schema.json here (e.g. real `terraform providers schema -json` "
        "dumps) instead of the vendored subset; other providers keep the vendored one.",
    )(command)


def environment_for(schemas: Path | None, cache_dir: Path | None, config_dir: Path | None = None) -> dict[str, str]:
    """offline_env, with bad options as click errors (exit 2) naming the option."""
    if schemas is not None and not any(schemas.glob("*.schema.json")):
        raise click.BadParameter(f"directory {str(schemas)!r} has no *.schema.json file.", param_hint="'--schemas'")
    try:
        return offline_env(cache_dir, schemas, config_dir)
    except OSError as e:
        raise click.BadParameter(
            f"cannot write to {e.filename or cache_dir}: {e.strerror}", param_hint="'--cache-dir'"
        ) from None


OFFLINE_ENV_HELP = """\b
Providers: every registry provider comes from avdgen's mirror, never the registry. The mirror
holds each provider with a schema: those vendored (hashicorp/azurerm, Azure/azapi, hashicorp/time,
hashicorp/random, hashicorp/null, Azure/modtm, hashicorp/azuread) and those in --schemas DIR,
at the schema's version and at a version the `required_providers` constraints of the
configuration in --dir (default: the current directory) and its local modules allow. Run it
in the root you will init, or pass --dir. A provider without a schema fails here (exit 2),
naming it; add one with `avdgen schema import FILE` (FILE: `terraform providers schema -json`
output) or `--schemas DIR`. Elsewhere, `terraform init` fails with "provider ... was not found
in any of the search locations".

\b
Exit codes:
  0  printed
  2  bad option, or a provider the configuration requires has no schema (or no version fits
     its constraints)"""


@offline.command("env", epilog=OFFLINE_ENV_HELP)
@_provider_options
@click.option(
    "--dir",
    "config_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default="the current directory",
    help="The root configuration whose required_providers (and its local modules') the mirror must satisfy.",
)
def env(schemas: Path | None, cache_dir: Path | None, config_dir: Path) -> None:
    """Print `export` lines for Terraform to use the offline provider.

    Use as: eval "$(avdgen offline env)"

    The plugins Terraform then starts are light launchers in front of warm per-user provider
    servers, which exit after AVDGEN_PLUGIN_IDLE_TIMEOUT seconds (default 300) without a plugin,
    or at `avdgen offline stop`; AVDGEN_OFFLINE_WARM=0 starts a full plugin each time instead.
    """
    variables = environment_for(schemas, cache_dir, config_dir)
    for key, value in sorted(variables.items()):
        click.echo(f"export {key}={_shell_quote(value)}")


@offline.command("serve")
@_provider_options
def serve(schemas: Path | None, cache_dir: Path | None) -> None:
    """Run the offline providers in the foreground for Terraform to reattach to (much faster
    than letting every terraform command start them), until Ctrl-C or SIGTERM.

    Prints `export` lines, TF_REATTACH_PROVIDERS among them; in another shell, paste them (or
    `eval` the output saved to a file) and run terraform as usual. The schema set and the
    AVDGEN_OFFLINE_* overrides are fixed when the servers start.
    """
    from ..offline.reattach import ReattachError, serve_until_stopped

    variables = environment_for(schemas, cache_dir)

    def announce(env: dict[str, str]) -> None:
        for key, value in sorted(env.items()):
            click.echo(f"export {key}={_shell_quote(value)}")
        click.echo("# serving; Ctrl-C to stop", err=True)

    try:
        serve_until_stopped(variables, announce)
    except ReattachError as e:
        raise click.ClickException(str(e)) from None


@offline.command("stop")
def stop() -> None:
    """Stop the warm provider servers that plain terraform's plugins started in this shell's
    runtime directory ($AVDGEN_RUNTIME_DIR, else $XDG_RUNTIME_DIR/avdgen or /tmp/avdgen-<uid>).

    They also stop by themselves after AVDGEN_PLUGIN_IDLE_TIMEOUT seconds (default 300) without
    a plugin; a Terraform command running now loses its providers.
    """
    from ..offline.launcher import runtime_dir, stop_servers

    directory = runtime_dir(os.environ)
    stopped = stop_servers(directory)
    click.echo(f"stopped {len(stopped)} warm provider server{'s' if len(stopped) != 1 else ''} in {directory}", err=True)


def _output_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output file, checked before the (long) plan: `-` is stdout; otherwise its directory
    must exist and be writable, or the option is refused (exit 2) with the path."""
    if value is None or str(value) == "-":
        return value
    directory = value.parent
    if value.is_dir():
        raise click.BadParameter(f"{str(value)!r} is a directory.", ctx, param)
    if not directory.is_dir():
        raise click.BadParameter(f"directory {str(directory)!r} does not exist.", ctx, param)
    if not os.access(directory, os.W_OK | os.X_OK) or (value.exists() and not os.access(value, os.W_OK)):
        raise click.BadParameter(f"{str(value)!r} is not writable.", ctx, param)
    return value


def _write_output(path: Path, text: str) -> None:
    if str(path) == "-":
        click.echo(text, nl=False)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.FileError(str(path), error.strerror) from None


PLAN_EXIT_CODES = """\b
Exit codes:
  0  planned (and applied, with --apply)
  2  bad input, or terraform init/plan/apply failed (Terraform's diagnostics are printed)
  130/143  interrupted (Ctrl-C / SIGTERM): the private copy and the provider servers are removed"""


@click.command(epilog=PLAN_EXIT_CODES)
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A tfvars file (repeatable), as terraform plan -var-file.")
@click.option("--schemas", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Serve provider schemas from the *.schema.json dumps in this directory (e.g. ../shared/reference) instead of the vendored subset.")
@click.option("--apply", "simulate_apply", is_flag=True, help="Also simulate `terraform apply` offline and show the outputs it produces.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), callback=_output_file, help="Write `terraform show -json` of the plan to this file (`-`: to stdout, instead of the summary).")
@click.option("--inventory", "inventory_out", type=click.Path(path_type=Path), callback=_output_file, help="Write the plan's inventory (values, counts, outputs) as YAML: a test fixture's expected result (`-`: to stdout, instead of the summary).")
def plan(path: Path, var_files: tuple[Path, ...], schemas: Path | None, simulate_apply: bool, json_out: Path | None, inventory_out: Path | None) -> None:
    """Plan the root configuration at PATH offline, through the offline provider.

    Runs in a private copy of PATH (a remote backend is swapped for a local one there), prints
    resource counts by type and module, the Image Builder build steps, and the outputs.
    """
    # Terraform's harness (tftest, gRPC) loads only for this command.
    from ..harness import inventory
    from ..harness.plan import plan_offline, render_summary

    if str(json_out) == "-" and str(inventory_out) == "-":
        raise click.UsageError("--json - and --inventory - cannot both write to stdout.")
    env = environment_for(schemas, None)
    recover_project_of(path)
    click.echo(f"planning {path} offline{' and simulating apply' if simulate_apply else ''}...", err=True)
    note = lambda line: click.echo(line, err=True)  # noqa: E731
    summary, raw = plan_offline(path, env, list(var_files), simulate_apply, dict(os.environ), note)
    if json_out:
        _write_output(json_out, json.dumps(raw, indent=2) + "\n")
    if inventory_out:
        _write_output(inventory_out, inventory.dump(inventory.inventory_of(summary)))
        if str(inventory_out) != "-":
            click.echo(f"wrote {inventory_out}", err=True)
    if "-" in (str(json_out), str(inventory_out)):
        return  # stdout carries the JSON or YAML alone
    click.echo(render_summary(summary, f"Plan of {path}" + (" (after simulated apply)" if simulate_apply else "")), nl=False)


TEST_EXIT_CODES = """\b
Exit codes:
  0  every test passed (terraform test's own)
  1  a test failed or errored (terraform test's own; its output says which)
  2  bad input (no .tf or .tftest.hcl files), or terraform init failed
  130/143  interrupted (Ctrl-C / SIGTERM): the private copy and the provider servers are removed"""


# No short options: click would read Terraform's single-dash flags (-filter=x.tftest.hcl) as
# clusters of them, and -h inside one as --help.
@click.command("test", epilog=TEST_EXIT_CODES, context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--schemas", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Serve provider schemas from the *.schema.json dumps in this directory (e.g. ../shared/reference) instead of the vendored subset.")
@click.argument("terraform_args", nargs=-1, type=click.UNPROCESSED)
def test_module(path: Path, schemas: Path | None, terraform_args: tuple[str, ...]) -> None:
    """Run the terraform test files (*.tftest.hcl) of the module at PATH on the offline providers.

    Initialises a private copy of PATH and runs `terraform test` there, passing on every
    argument after PATH that is not --schemas (e.g. -filter=tests/plan.tftest.hcl, -verbose).
    Run blocks plan and apply through the offline provider and its simulated Azure; under a
    mock_provider block Terraform still takes the schema, config validation and provider
    functions from it, and makes up the values itself.
    """
    from ..harness.terraform_test import run_terraform_test

    # The module's required_providers decide what the mirror serves, as for `offline env --dir`.
    env = environment_for(schemas, None, path)
    code = run_terraform_test(path, env, list(terraform_args))
    if code:
        raise SystemExit(code)


@click.group()
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
    from ..offline.schema_import import VENDORED_DIR, import_schemas

    results = import_schemas(list(files), obj.root, into or VENDORED_DIR)
    for result in results:
        click.echo(f"{result.address}: {result.resources} resource and {result.data_sources} data source types -> {result.path}")
        if result.missing:
            click.echo(f"  warning: the dump has no schema for {', '.join(result.missing)} (used here)", err=True)
