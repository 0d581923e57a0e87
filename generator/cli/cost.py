"""`avdgen cost ENV`: the seed's cost tables for one environment, from catalog/prices.yaml."""

from __future__ import annotations

import click

from .cost import Estimate, Line, cents, estimate_env, money, plain_number

COST_EXIT_CODES = """\b
Exit codes:
  0  estimate printed
  2  unknown environment, a broken catalog or price table, or a VM size without a price"""


def _table(lines: tuple[Line, ...], total_label: str, total) -> list[str]:
    rows = ["| Component | Cost | Notes |", "|-----------|------|-------|"]
    rows += [f"| **{line.component}** | {money(line.cost)} | {line.notes} |" for line in lines]
    rows.append(f"| **{total_label}** | **{money(total)}** | |")
    return rows


def render_estimate(est: Estimate) -> str:
    s, p, a, sav = est.settings, est.prices, est.prices.assumptions, est.savings
    out = [
        f"Cost estimate for envs/{s.env}: {p.currency} list prices of {p.date} from {p.where} (approximate; update them there).",
        f"Golden image: built on {s.build_vm_size} in {s.build_location}, replicated to {', '.join(s.regions)}"
        f" ({s.replica_count} replica{'s' if s.replica_count != 1 else ''} each, {s.storage_account_type}).",
    ]
    if not s.golden_image_enabled:
        out.append(f"enable_golden_image = false in catalog/envs/{s.env}.yaml: nothing is built or stored, so there is no golden image cost.")
        return "\n".join(out) + "\n"
    out += ["", "### Build Costs (Per Build)", "", *_table(est.per_build, "Total Per Build", est.per_build_total)]
    out += ["", "### Storage Costs (Monthly)", "", *_table(est.monthly, "Total Monthly", est.monthly_total)]
    out += ["", "### Cost Savings from Golden Images", ""]
    (wo_lo, wo_hi), (w_lo, w_hi), (m_lo, m_hi), (c_lo, c_hi) = sav.minutes_per_vm_without, sav.minutes_per_vm_with, sav.minutes_saved, sav.compute_saved
    out += [
        f"- Without golden image (marketplace): {plain_number(wo_lo)}-{plain_number(wo_hi)} minutes per session host",
        f"- With golden image: {plain_number(w_lo)}-{plain_number(w_hi)} minutes per session host",
    ]
    hosts = f"{sav.session_hosts} session host{'s' if sav.session_hosts != 1 else ''}"
    if sav.realised:
        out.append(
            f"- Savings for {hosts} ({s.session_host_vm_size}): {plain_number(m_lo)}-{plain_number(m_hi)} minutes"
            f" ({plain_number(round(m_lo / 60, 1))}-{plain_number(round(m_hi / 60, 1))} hours) per rollout,"
            f" {money(c_lo)}-{money(c_hi)} of session host compute"
        )
    else:
        out.append(f"- Not realised: session_host_image_strategy = {s.image_strategy}, so the {hosts} do not deploy from the golden image")
    out += [
        "",
        f"Assumptions ({p.where}): {plain_number(a.build_hours)} h build + {plain_number(a.windows_update_hours)} h when Windows Update runs,"
        f" {plain_number(a.image_size_gb)} GB image; {est.versions_kept} versions kept, {plain_number(cents(est.builds_per_month))} build{'' if est.builds_per_month == 1 else 's'} a month"
        f" ({s.schedule} schedule{', build.keep_versions' if s.keep_versions else ''}).",
    ]
    return "\n".join(out) + "\n"


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
