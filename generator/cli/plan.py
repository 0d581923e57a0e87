"""`avdgen offline ...`: set up a shell to run Terraform with the offline provider."""

from __future__ import annotations

from pathlib import Path

import click

from .mirror import offline_env


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


@click.group("offline")
def offline() -> None:
    """The offline provider that stands in for azurerm, azapi and time."""


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


def environment_for(schemas: Path | None, cache_dir: Path | None) -> dict[str, str]:
    """offline_env, with bad options as click errors (exit 2) naming the option."""
    if schemas is not None and not any(schemas.glob("*.schema.json")):
        raise click.BadParameter(f"directory {str(schemas)!r} has no *.schema.json file.", param_hint="'--schemas'")
    try:
        return offline_env(cache_dir, schemas)
    except OSError as e:
        raise click.BadParameter(
            f"cannot write to {e.filename or cache_dir}: {e.strerror}", param_hint="'--cache-dir'"
        ) from None


@offline.command("env")
@_provider_options
def env(schemas: Path | None, cache_dir: Path | None) -> None:
    """Print `export` lines for Terraform to use the offline provider.

    Use as: eval "$(avdgen offline env)"
    """
    variables = environment_for(schemas, cache_dir)
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
    import contextlib
    import signal
    import threading

    from .reattach import Providers, ReattachError

    variables = environment_for(schemas, cache_dir)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        # Tracebacks of failed RPCs (each also a diagnostic in Terraform's output) show here.
        providers = Providers.start(variables, inherit_stderr=True)
    except ReattachError as e:
        raise click.ClickException(str(e)) from None
    try:
        for key, value in sorted(providers.env.items()):
            click.echo(f"export {key}={_shell_quote(value)}")
        click.echo("# serving; Ctrl-C to stop", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            while not done.wait(1.0):
                pass
    finally:
        providers.stop()
