"""`avdgen cost ENV`: the seed's cost tables for one environment, from catalog/prices.yaml."""

from __future__ import annotations

import click

from ..ops.cost import estimate_env, render_estimate

COST_EXIT_CODES = """\b
Exit codes:
  0  estimate printed
  2  unknown environment, a broken catalog or price table, or a VM size without a price"""


@click.command("cost", epilog=COST_EXIT_CODES)
@click.argument("env")
@click.pass_obj
def cost(obj, env: str) -> None:
    """Estimate the golden image's cost for catalog/envs/ENV.yaml: per build and per month.

    Prices and assumptions come from catalog/prices.yaml (dated list prices; edit them there),
    except where the env's profile says: its build.schedule (weekly: 52/12 builds a month) and
    build.keep_versions (the versions kept) replace the table's builds_per_month and
    versions_kept.
    """
    click.echo(render_estimate(estimate_env(obj.root, env)), nl=False)
