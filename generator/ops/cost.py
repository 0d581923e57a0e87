"""Golden image cost estimate for one environment: per build and per month, from catalog/prices.yaml.

Pure arithmetic on an env profile's effective golden image settings (profile values, then the
`optional()` defaults of env.yaml's `golden_image` type, then the golden_image module's defaults).
Money is Decimal, rounded to cents only for display.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..catalog.load import env_profile, load_catalogs
from ..catalog.model import Catalog, Profile, profile_object
from ..catalog.source import check_schema, read_yaml
from ..errors import GeneratorError
from .pipelines import DEFAULT_SCHEDULE

PRICES_FILE = Path("catalog") / "prices.yaml"
STORAGE_TYPES = ("Standard_LRS", "Standard_ZRS", "Premium_LRS")


@cache
def prices_schema() -> dict[str, Any]:
    return json.loads(resources.files("generator.ops").joinpath("prices.schema.json").read_text())


def _dec(value: Any) -> Decimal:
    # str() first: Decimal(0.154) would carry the float's binary error into every product.
    return Decimal(str(value))


@dataclass(frozen=True)
class Assumptions:
    build_hours: Decimal
    windows_update_hours: Decimal
    image_size_gb: Decimal
    versions_kept: int
    builds_per_month: Decimal
    egress_gb_per_build: Decimal
    hours_per_month: Decimal
    deploy_minutes_marketplace: tuple[Decimal, Decimal]
    deploy_minutes_golden_image: tuple[Decimal, Decimal]


@dataclass(frozen=True)
class PriceTable:
    """catalog/prices.yaml. `where` is the file as errors name it; `vm_line` the line of vm_hourly."""

    where: str
    date: str
    currency: str
    source: str
    vm_hourly: dict[str, Decimal]
    build_os_disk_per_gb_month: Decimal
    image_storage_per_gb_month: dict[str, Decimal]
    internet_egress_per_gb: Decimal
    inter_region_transfer_per_gb: Decimal
    assumptions: Assumptions
    vm_line: int = 1

    def vm_price(self, size: str, wanted_by: str) -> Decimal:
        if size not in self.vm_hourly:
            raise GeneratorError(
                f"no price for VM size {size!r}",
                [f"{self.where}:{self.vm_line}: prices.vm_hourly: add {size} (wanted by {wanted_by}); priced sizes: {', '.join(sorted(self.vm_hourly))}"],
            )
        return self.vm_hourly[size]


def load_prices(root: Path) -> PriceTable:
    """Load and check catalog/prices.yaml; errors are `file:line: key.path: message`."""
    data, report = read_yaml(root / PRICES_FILE, root, "price table")
    check_schema(data, prices_schema(), report)
    report.raise_if_any("price table")
    prices, assumptions = data["prices"], data["assumptions"]
    low_high = lambda pair: (_dec(pair[0]), _dec(pair[1]))  # noqa: E731
    return PriceTable(
        where=report.where,
        date=data["date"],
        currency=data["currency"],
        source=data["source"].strip(),
        vm_hourly={size: _dec(p) for size, p in prices["vm_hourly"].items()},
        build_os_disk_per_gb_month=_dec(prices["build_os_disk_per_gb_month"]),
        image_storage_per_gb_month={k: _dec(v) for k, v in prices["image_storage_per_gb_month"].items()},
        internet_egress_per_gb=_dec(prices["internet_egress_per_gb"]),
        inter_region_transfer_per_gb=_dec(prices["inter_region_transfer_per_gb"]),
        assumptions=Assumptions(
            build_hours=_dec(assumptions["build_hours"]),
            windows_update_hours=_dec(assumptions["windows_update_hours"]),
            image_size_gb=_dec(assumptions["image_size_gb"]),
            versions_kept=assumptions["versions_kept"],
            builds_per_month=_dec(assumptions["builds_per_month"]),
            egress_gb_per_build=_dec(assumptions["egress_gb_per_build"]),
            hours_per_month=_dec(assumptions["hours_per_month"]),
            deploy_minutes_marketplace=low_high(assumptions["deploy_minutes_marketplace"]),
            deploy_minutes_golden_image=low_high(assumptions["deploy_minutes_golden_image"]),
        ),
        vm_line=report.line_of(("prices", "vm_hourly")),
    )


# --- effective settings -----------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What the estimate depends on, resolved for one environment."""

    env: str
    golden_image_enabled: bool
    image_strategy: str
    build_location: str
    regions: tuple[str, ...]
    replica_count: int
    storage_account_type: str
    build_vm_size: str
    os_disk_size_gb: Decimal
    install_windows_updates: bool
    session_hosts: int
    session_host_vm_size: str
    schedule: str  # the build pipelines' build.schedule: monthly | weekly
    keep_versions: int | None  # build.keep_versions: the pipelines prune to this many
    promoted_from: str | None = None  # the env whose versions this one copies (it builds nothing)
    source_region: str | None = None  # where that env builds: the copies come from there


def resolve_settings(profile: Profile, env_catalog: Catalog, golden_image: Catalog) -> Settings:
    source = next((p for p in env_catalog.profiles if p.name == profile.promote_from), None)
    source_region = None
    if source is not None:
        source_region = profile_object(env_catalog, source, "golden_image").get("location") or source.tfvars.get("location")

    def tfvar(name: str) -> Any:
        return profile.tfvars[name] if name in profile.tfvars else env_catalog.variable(name).default

    image = profile_object(env_catalog, profile, "golden_image")
    location = tfvar("location")
    build_location = image.get("location") or location
    os_disk = image.get("os_disk_size_gb") or golden_image.variable("os_disk_size_gb").default  # 0: the source's size
    build = profile.build or {}
    return Settings(
        env=profile.name,
        golden_image_enabled=bool(tfvar("enable_golden_image")),
        image_strategy=tfvar("session_host_image_strategy"),
        build_location=build_location,
        regions=tuple(dict.fromkeys([build_location, *image["replication_regions"]])),
        replica_count=int(image["replica_count"]),
        storage_account_type=image["storage_account_type"] or golden_image.variable("storage_account_type").null_means,
        build_vm_size=image["build_vm_size"] or golden_image.variable("vm_size").null_means,
        os_disk_size_gb=_dec(os_disk),
        install_windows_updates=bool(image["install_windows_updates"]),
        session_hosts=int(tfvar("session_host_count")) + int(tfvar("pilot_session_host_count")),
        session_host_vm_size=tfvar("session_host_vm_size"),
        schedule=build.get("schedule", DEFAULT_SCHEDULE),
        keep_versions=build.get("keep_versions"),
        promoted_from=profile.promote_from,
        source_region=source_region,
    )


# --- the estimate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    component: str
    cost: Decimal
    notes: str


@dataclass(frozen=True)
class Savings:
    """Session host deployment time (and its compute) saved by deploying from the golden image."""

    session_hosts: int
    realised: bool
    minutes_per_vm_without: tuple[Decimal, Decimal]
    minutes_per_vm_with: tuple[Decimal, Decimal]
    minutes_saved: tuple[Decimal, Decimal]
    compute_saved: tuple[Decimal, Decimal]


@dataclass(frozen=True)
class Estimate:
    settings: Settings
    prices: PriceTable
    build_hours: Decimal
    per_build: tuple[Line, ...]
    monthly: tuple[Line, ...]
    savings: Savings

    @property
    def versions_kept(self) -> int:
        return versions_kept(self.settings, self.prices.assumptions)

    @property
    def builds_per_month(self) -> Decimal:
        return builds_per_month(self.settings, self.prices.assumptions)

    @property
    def per_build_total(self) -> Decimal:
        return sum((line.cost for line in self.per_build), Decimal(0))

    @property
    def monthly_total(self) -> Decimal:
        return sum((line.cost for line in self.monthly), Decimal(0))


def versions_kept(s: Settings, a: Assumptions) -> int:
    """The profile's build.keep_versions (what its pipelines prune to), else the table's assumption."""
    return s.keep_versions or a.versions_kept


def builds_per_month(s: Settings, a: Assumptions) -> Decimal:
    """52/12 on a weekly schedule, else the table's assumption (the seed's monthly build: 1)."""
    return Decimal(52) / 12 if s.schedule == "weekly" else a.builds_per_month


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    return f"${cents(amount):,}"


def plain_number(value: Decimal) -> str:
    """1.50 -> 1.5, 127 -> 127: numbers in notes as a person writes them."""
    return format(value.normalize(), "f")


def estimate(settings: Settings, prices: PriceTable, origins: dict[str, str] | None = None) -> Estimate:
    """The estimate; `origins` says where build_vm_size and session_host_vm_size came from (for errors)."""
    a = prices.assumptions
    s = settings
    origins = origins or {}
    build_hours = a.build_hours + (a.windows_update_hours if s.install_windows_updates else Decimal(0))
    # A promoted env runs no build VM: its size needs no price.
    vm_rate = Decimal(0) if s.promoted_from else prices.vm_price(s.build_vm_size, origins.get("build_vm_size", "golden_image.build_vm_size"))
    host_rate = prices.vm_price(s.session_host_vm_size, origins.get("session_host_vm_size", "session_host_vm_size"))
    hours_note = f"{plain_number(a.build_hours)} h build" + (f" + {plain_number(a.windows_update_hours)} h Windows Update" if s.install_windows_updates else "")
    other_regions = [r for r in s.regions if r != s.build_location]
    storage_rate = prices.image_storage_per_gb_month[s.storage_account_type]
    replicas = s.replica_count * len(s.regions)
    replica_note = f"{len(s.regions)} region{'s' if len(s.regions) != 1 else ''} × {s.replica_count} replica{'s' if s.replica_count != 1 else ''}"

    per_build = (
        Line("Temporary Build VM", vm_rate * build_hours, f"{s.build_vm_size} for {plain_number(build_hours)} h ({hours_note}) at ${plain_number(vm_rate)}/h"),
        Line(
            "Temporary Disk",
            s.os_disk_size_gb * prices.build_os_disk_per_gb_month * build_hours / a.hours_per_month,
            f"{plain_number(s.os_disk_size_gb)} GB Premium SSD for {plain_number(build_hours)} h at ${plain_number(prices.build_os_disk_per_gb_month)}/GB-month ({plain_number(a.hours_per_month)} h)",
        ),
        Line("Network Egress", a.egress_gb_per_build * prices.internet_egress_per_gb, f"{plain_number(a.egress_gb_per_build)} GB at ${plain_number(prices.internet_egress_per_gb)}/GB: script downloads, package installs"),
        Line(
            "Replication",
            a.image_size_gb * len(other_regions) * prices.inter_region_transfer_per_gb,
            (f"{plain_number(a.image_size_gb)} GB to {len(other_regions)} other region{'s' if len(other_regions) != 1 else ''} ({', '.join(other_regions)}) at ${plain_number(prices.inter_region_transfer_per_gb)}/GB" if other_regions else f"single region ({s.build_location}): no transfer"),
        ),
        Line("AIB Service", Decimal(0), "FREE (no separate charge)"),
    )
    if s.promoted_from:
        # Nothing is built here: a promotion copies the source env's version into this gallery,
        # transferring it from the source's region to each target region elsewhere.
        copied_to = [r for r in s.regions if r != s.source_region]
        per_build = (
            Line(
                f"Copy from {s.promoted_from}",
                a.image_size_gb * len(copied_to) * prices.inter_region_transfer_per_gb,
                (f"{plain_number(a.image_size_gb)} GB from {s.source_region} to {len(copied_to)} region{'s' if len(copied_to) != 1 else ''} ({', '.join(copied_to)}) at ${plain_number(prices.inter_region_transfer_per_gb)}/GB"
                 if copied_to else f"same region as {s.promoted_from} ({s.source_region}): no transfer"),
            ),
            Line("Image Builder build", Decimal(0), f"none here: {s.env} copies the versions {s.promoted_from} built and tested"),
        )
    build_total = sum((line.cost for line in per_build), Decimal(0))
    # The profile's own retention and schedule where it has them, else the table's assumptions.
    kept, builds = versions_kept(s, a), builds_per_month(s, a)
    kept_from = "build.keep_versions" if s.keep_versions else "assumptions.versions_kept"
    older = kept - 1
    schedule_note = "weekly, 52/12" if s.schedule == "weekly" else "monthly"
    monthly = (
        Line(
            "Image Storage (latest version)",
            a.image_size_gb * replicas * storage_rate,
            f"{plain_number(a.image_size_gb)} GB × {replica_note} at ${plain_number(storage_rate)}/GB-month ({s.storage_account_type})",
        ),
        Line(
            "Snapshots/Versions",
            a.image_size_gb * older * replicas * storage_rate,
            f"{older} older version{'s' if older != 1 else ''} kept (keep last {kept}, {kept_from}), same replicas",
        ),
        Line("Compute Gallery", Decimal(0), "FREE (no separate charge)"),
        (Line("Promotions", builds * build_total, f"{plain_number(cents(builds))} promotion{'' if builds == 1 else 's'}/month (assumptions.builds_per_month) × {money(build_total)}")
         if s.promoted_from else
         Line("Builds", builds * build_total, f"{plain_number(cents(builds))} build{'' if builds == 1 else 's'}/month ({schedule_note}) × {money(build_total)}")),
    )

    without, with_ = a.deploy_minutes_marketplace, a.deploy_minutes_golden_image
    saved = tuple(s.session_hosts * (w - g) for w, g in zip(without, with_))
    realised = s.golden_image_enabled and s.image_strategy == "aib_gallery"
    savings = Savings(
        session_hosts=s.session_hosts,
        realised=realised,
        minutes_per_vm_without=without,
        minutes_per_vm_with=with_,
        minutes_saved=saved,  # type: ignore[arg-type]
        compute_saved=tuple(m / 60 * host_rate for m in saved),  # type: ignore[arg-type]
    )
    return Estimate(settings, prices, build_hours, per_build, monthly, savings)


def estimate_env(root: Path, env: str) -> Estimate:
    """Load the catalogs and the price table, and estimate catalog/envs/<env>.yaml."""
    catalogs = load_catalogs(root)
    env_catalog, profile = env_profile(catalogs, env)
    golden_image = next((c for c in catalogs if c.module == "golden_image"), None)
    if golden_image is None:
        raise GeneratorError("avdgen cost needs catalog/golden_image.yaml")
    prices = load_prices(root)
    settings = resolve_settings(profile, env_catalog, golden_image)
    if settings.storage_account_type not in prices.image_storage_per_gb_month:
        raise GeneratorError(
            f"no image storage price for {settings.storage_account_type!r}",
            [f"{prices.where}: prices.image_storage_per_gb_month has {', '.join(prices.image_storage_per_gb_month)}"],
        )
    # Where each priced size comes from, for a missing-price error: the profile's line, or the default.
    _, report = read_yaml(profile.path, root, "profile")
    image_vars = profile.tfvars.get("golden_image", {})
    origins = {
        "build_vm_size": (
            f"golden_image.build_vm_size at {report.where}:{report.line_of(('tfvars', 'golden_image', 'build_vm_size'))}"
            if image_vars.get("build_vm_size")
            else f"the golden_image module's default build VM ({report.where} sets no golden_image.build_vm_size)"
        ),
        "session_host_vm_size": (
            f"session_host_vm_size at {report.where}:{report.line_of(('tfvars', 'session_host_vm_size'))}"
            if "session_host_vm_size" in profile.tfvars
            else f"the default session_host_vm_size ({report.where} sets none)"
        ),
    }
    return estimate(settings, prices, origins)


# --- the report `avdgen cost` prints ------------------------------------------------------------


def _table(lines: tuple[Line, ...], total_label: str, total) -> list[str]:
    rows = ["| Component | Cost | Notes |", "|-----------|------|-------|"]
    rows += [f"| **{line.component}** | {money(line.cost)} | {line.notes} |" for line in lines]
    rows.append(f"| **{total_label}** | **{money(total)}** | |")
    return rows


def render_estimate(est: Estimate) -> str:
    s, p, a, sav = est.settings, est.prices, est.prices.assumptions, est.savings
    made = f"copied from {s.promoted_from}'s versions (built in {s.source_region})" if s.promoted_from else f"built on {s.build_vm_size} in {s.build_location}"
    out = [
        f"Cost estimate for envs/{s.env}: {p.currency} list prices of {p.date} from {p.where} (approximate; update them there).",
        f"Golden image: {made}, replicated to {', '.join(s.regions)}"
        f" ({s.replica_count} replica{'s' if s.replica_count != 1 else ''} each, {s.storage_account_type}).",
    ]
    if not s.golden_image_enabled:
        out.append(f"enable_golden_image = false in catalog/envs/{s.env}.yaml: nothing is built or stored, so there is no golden image cost.")
        return "\n".join(out) + "\n"
    if s.promoted_from:
        out += ["", "### Promotion Costs (Per Promotion)", "", *_table(est.per_build, "Total Per Promotion", est.per_build_total)]
    else:
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
