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


@offline.command("env")
@click.option(
    "--schemas",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve each provider found in a *.schema.json here (e.g. real `terraform providers schema -json` "
    "dumps) instead of the vendored subset; other providers keep the vendored one.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the plugin mirror, CLI config and caches live. [default: $AVDGEN_CACHE_DIR or ~/.cache/avdgen]",
)
def env(schemas: Path | None, cache_dir: Path | None) -> None:
    """Print `export` lines for Terraform to use the offline provider.

    Use as: eval "$(avdgen offline env)"
    """
    if schemas is not None and not any(schemas.glob("*.schema.json")):
        raise click.BadParameter(f"directory {str(schemas)!r} has no *.schema.json file.", param_hint="'--schemas'")
    try:
        variables = offline_env(cache_dir, schemas)
    except OSError as e:
        raise click.BadParameter(
            f"cannot write to {e.filename or cache_dir}: {e.strerror}", param_hint="'--cache-dir'"
        ) from None
    for key, value in sorted(variables.items()):
        click.echo(f"export {key}={_shell_quote(value)}")
