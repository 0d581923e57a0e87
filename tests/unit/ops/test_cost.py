"""`avdgen cost ENV`: the arithmetic, checked against cases worked by hand, and its errors.

The tests write their own price table (the shipped one's values on the day these were worked out),
so updating catalog/prices.yaml does not invalidate the hand-worked figures.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from generator.catalog.load import load_catalogs
from generator.catalog.hcl_types import optional_defaults
from generator.ops.cost import cents, estimate_env, load_prices

from project_paths import REPO

PRICES = """\
date: "2026-11-26"
currency: USD
source: Fixed prices for the hand-worked tests.
prices:
  vm_hourly:
    Standard_D2s_v3: 0.096
    Standard_D2s_v5: 0.096
    Standard_D4s_v5: 0.192
    Standard_D8s_v5: 0.384
  build_os_disk_per_gb_month: 0.154
  image_storage_per_gb_month:
    Standard_LRS: 0.05
    Standard_ZRS: 0.06
    Premium_LRS: 0.12
  internet_egress_per_gb: 0.087
  inter_region_transfer_per_gb: 0.02
assumptions:
  build_hours: 1.0
  windows_update_hours: 0.5
  image_size_gb: 127
  versions_kept: 3
  builds_per_month: 1
  egress_gb_per_build: 1
  hours_per_month: 730
  deploy_minutes_marketplace: [45, 90]
  deploy_minutes_golden_image: [5, 10]
"""


@pytest.fixture
def priced(project: Path) -> Path:
    (project / "catalog" / "prices.yaml").write_text(PRICES)
    return project


@pytest.fixture
def priced_building(building_prod: Path) -> Path:
    """prod building its own image (no promote_from) on Standard_D8s_v5: the seed's cost tables."""
    (building_prod / "catalog" / "prices.yaml").write_text(PRICES)
    _edit_profile(building_prod, "prod", golden_image={"build_vm_size": "Standard_D8s_v5"})
    return building_prod


def _edit_profile(root: Path, env: str, **tfvars) -> None:
    path = root / "catalog" / "envs" / f"{env}.yaml"
    data = yaml.safe_load(path.read_text())
    golden_image = tfvars.pop("golden_image", None)
    data["tfvars"].update(tfvars)
    if golden_image is not None:
        data["tfvars"]["golden_image"].update(golden_image)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _by_component(lines) -> dict[str, Decimal]:
    return {line.component: line.cost for line in lines}


def D(text: str) -> Decimal:
    return Decimal(text)


# --- hand-worked cases ------------------------------------------------------------------------


def test_prod_by_hand(priced_building: Path) -> None:
    priced = priced_building
    # prod: build VM Standard_D8s_v5, Windows Update on, build in eastus, replicated to eastus and
    # westus2 (2 regions, 1 other than the build region), 1 replica each, Standard_ZRS, 4 hosts.
    est = estimate_env(priced, "prod")
    assert est.settings.regions == ("eastus", "westus2")
    assert est.build_hours == D("1.5")  # 1.0 h + 0.5 h Windows Update

    build = _by_component(est.per_build)
    assert build["Temporary Build VM"] == D("0.576")  # 1.5 h x $0.384/h
    assert cents(build["Temporary Disk"]) == D("0.04")  # 127 GB x $0.154 x 1.5 h / 730 h = $0.040188
    assert build["Network Egress"] == D("0.087")  # 1 GB x $0.087/GB
    assert build["Replication"] == D("2.54")  # 127 GB x 1 other region x $0.02/GB
    assert build["AIB Service"] == 0
    # 0.576 + 0.040188 + 0.087 + 2.54 = 3.243188
    assert cents(est.per_build_total) == D("3.24")

    month = _by_component(est.monthly)
    assert month["Image Storage (latest version)"] == D("15.24")  # 127 GB x 2 regions x 1 replica x $0.06
    assert month["Snapshots/Versions"] == D("30.48")  # 127 GB x 2 older versions x 2 regions x 1 x $0.06
    assert month["Compute Gallery"] == 0
    assert cents(month["Builds"]) == D("3.24")  # 1 build x $3.243188
    # 15.24 + 30.48 + 3.243188 = 48.963188
    assert cents(est.monthly_total) == D("48.96")

    # 4 hosts x (45-5 .. 90-10) minutes = 160 .. 320 minutes; at $0.384/h: $1.024 .. $2.048.
    assert est.savings.minutes_saved == (D("160"), D("320"))
    assert [cents(c) for c in est.savings.compute_saved] == [D("1.02"), D("2.05")]


def test_promoted_prod_by_hand(priced: Path) -> None:
    # prod copies dev's versions: no build VM, disk or egress; the copy travels from dev's region
    # (eastus) to prod's other region (westus2): 127 GB x 1 x $0.02 = $2.54 a promotion.
    est = estimate_env(priced, "prod")
    assert est.settings.promoted_from == "dev" and est.settings.source_region == "eastus"
    per = _by_component(est.per_build)
    assert per == {"Copy from dev": D("2.54"), "Image Builder build": 0}
    month = _by_component(est.monthly)
    assert month["Image Storage (latest version)"] == D("15.24")  # 127 GB x 2 regions x 1 replica x $0.06
    assert month["Promotions"] == D("2.54")  # assumptions.builds_per_month: 1
    assert "Builds" not in month
    # 15.24 + 30.48 + 2.54
    assert cents(est.monthly_total) == D("48.26")


def test_cost_of_a_promoted_env_says_so(avdgen, priced: Path) -> None:
    result = avdgen(priced, "cost", "prod")
    assert result.exit_code == 0, result.output
    assert "Golden image: copied from dev's versions (built in eastus), replicated to eastus, westus2" in result.output
    assert "### Promotion Costs (Per Promotion)" in result.output and "Build Costs" not in result.output
    assert "| **Total Per Promotion** | **$2.54** | |" in result.output


def test_dev_by_hand(priced: Path) -> None:
    # dev: no build_vm_size, so the module default Standard_D2s_v3; one region; Standard_LRS; 1 host.
    est = estimate_env(priced, "dev")
    assert est.settings.build_vm_size == "Standard_D2s_v3"
    assert est.settings.regions == ("eastus",)

    build = _by_component(est.per_build)
    assert build["Temporary Build VM"] == D("0.144")  # 1.5 h x $0.096/h
    assert cents(build["Temporary Disk"]) == D("0.04")  # $0.040188, as for prod
    assert build["Replication"] == 0  # a single region replicates nowhere
    # 0.144 + 0.040188 + 0.087 = 0.271188
    assert cents(est.per_build_total) == D("0.27")

    # dev's own build section: weekly builds (52/12 a month), keep_versions 4 (3 older versions).
    month = _by_component(est.monthly)
    assert month["Image Storage (latest version)"] == D("6.35")  # 127 GB x 1 x 1 x $0.05
    assert month["Snapshots/Versions"] == D("19.05")  # 127 GB x 3 older x 1 x 1 x $0.05
    assert cents(month["Builds"]) == D("1.18")  # 0.271188 x 52 / 12 = 1.175148
    # 6.35 + 19.05 + 1.175148 = 26.575148
    assert cents(est.monthly_total) == D("26.58")

    # 1 host x 40 .. 80 minutes; at $0.096/h: $0.064 .. $0.128.
    assert est.savings.minutes_saved == (D("40"), D("80"))
    assert [cents(c) for c in est.savings.compute_saved] == [D("0.06"), D("0.13")]


def test_other_build_region_replicas_premium_no_windows_update(priced_building: Path) -> None:
    priced = priced_building
    _edit_profile(
        priced,
        "prod",
        golden_image={
            "location": "westus2",
            "replication_regions": ["eastus", "westus2", "westeurope"],
            "replica_count": 2,
            "storage_account_type": "Premium_LRS",
            "install_windows_updates": False,
            "build_vm_size": "Standard_D4s_v5",
        },
        session_host_count=3,
        pilot_session_host_count=1,
        session_host_vm_size="Standard_D4s_v5",
    )
    est = estimate_env(priced, "prod")
    # The build region first, then replication_regions without the duplicate.
    assert est.settings.regions == ("westus2", "eastus", "westeurope")
    assert est.build_hours == D("1.0")

    build = _by_component(est.per_build)
    assert build["Temporary Build VM"] == D("0.192")  # 1.0 h x $0.192/h
    assert cents(build["Temporary Disk"]) == D("0.03")  # 127 x 0.154 x 1.0 / 730 = $0.026792
    assert build["Replication"] == D("5.08")  # 127 GB x 2 other regions x $0.02/GB
    # 0.192 + 0.026792 + 0.087 + 5.08 = 5.385792
    assert cents(est.per_build_total) == D("5.39")

    month = _by_component(est.monthly)
    assert month["Image Storage (latest version)"] == D("91.44")  # 127 GB x 3 regions x 2 replicas x $0.12
    assert month["Snapshots/Versions"] == D("182.88")  # 127 x 2 older x 6 replicas x $0.12
    # 91.44 + 182.88 + 5.385792 = 279.705792
    assert cents(est.monthly_total) == D("279.71")

    # 3 hosts + 1 pilot = 4 x 40 .. 80 = 160 .. 320 minutes; at $0.192/h: $0.512 .. $1.024.
    assert est.savings.session_hosts == 4
    assert [cents(c) for c in est.savings.compute_saved] == [D("0.51"), D("1.02")]


# --- the command ------------------------------------------------------------------------------


def test_cost_prod_prints_the_seed_tables(avdgen, priced_building: Path) -> None:
    priced = priced_building
    result = avdgen(priced, "cost", "prod")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "USD list prices of 2026-11-26 from catalog/prices.yaml" in out
    assert "### Build Costs (Per Build)" in out and "### Storage Costs (Monthly)" in out
    assert "| Component | Cost | Notes |" in out
    assert "| **Temporary Build VM** | $0.58 | Standard_D8s_v5 for 1.5 h" in out
    assert "| **Replication** | $2.54 |" in out
    assert "| **Total Per Build** | **$3.24** | |" in out
    assert "| **Image Storage (latest version)** | $15.24 |" in out
    assert "| **Snapshots/Versions** | $30.48 |" in out
    assert "| **Total Monthly** | **$48.96** | |" in out
    assert "### Cost Savings from Golden Images" in out
    assert "Savings for 4 session hosts (Standard_D8s_v5): 160-320 minutes" in out
    assert "$1.02-$2.05 of session host compute" in out


def test_cost_dev(avdgen, priced: Path) -> None:
    result = avdgen(priced, "cost", "dev")
    assert result.exit_code == 0, result.output
    assert "| **Total Per Build** | **$0.27** | |" in result.output
    assert "| **Total Monthly** | **$26.58** | |" in result.output
    assert "| **Builds** | $1.18 | 4.33 builds/month (weekly, 52/12) × $0.27 |" in result.output
    assert "3 older versions kept (keep last 4, build.keep_versions)" in result.output
    assert "| **Replication** | $0.00 | single region (eastus): no transfer |" in result.output


def test_marketplace_strategy_realises_no_saving(avdgen, priced: Path) -> None:
    _edit_profile(priced, "dev", session_host_image_strategy="marketplace")
    result = avdgen(priced, "cost", "dev")
    assert result.exit_code == 0, result.output
    assert "Not realised: session_host_image_strategy = marketplace" in result.output


# --- errors -----------------------------------------------------------------------------------


def test_unknown_env(avdgen, priced: Path) -> None:
    result = avdgen(priced, "cost", "staging")
    assert result.exit_code == 2
    assert "unknown env 'staging': no catalog/envs/staging.yaml (known: dev, prod)" in result.output


def test_vm_size_without_price(avdgen, priced_building: Path) -> None:
    priced = priced_building
    _edit_profile(priced, "prod", golden_image={"build_vm_size": "Standard_E4s_v5"})
    result = avdgen(priced, "cost", "prod")
    assert result.exit_code == 2
    assert "no price for VM size 'Standard_E4s_v5'" in result.output
    # The price table's line of vm_hourly, and the profile line that asks for the size.
    assert "catalog/prices.yaml:5: prices.vm_hourly: add Standard_E4s_v5" in result.output
    assert "wanted by golden_image.build_vm_size at catalog/envs/prod.yaml:" in result.output


def test_broken_price_table_names_file_line_and_key(avdgen, priced: Path) -> None:
    text = PRICES.replace("internet_egress_per_gb: 0.087", "internet_egress_per_gb: -1").replace('date: "2026-11-26"\n', "")
    (priced / "catalog" / "prices.yaml").write_text(text)
    result = avdgen(priced, "cost", "prod")
    assert result.exit_code == 2
    assert "invalid price table" in result.output
    assert "catalog/prices.yaml:1: <top>: 'date' is required" in result.output
    assert "catalog/prices.yaml:14: prices.internet_egress_per_gb: -1 is less than the minimum of 0" in result.output


# --- the shipped table and catalogs -----------------------------------------------------------


def test_shipped_price_table_loads_and_prices_every_size_in_use() -> None:
    prices = load_prices(REPO)
    assert prices.currency == "USD" and prices.date
    catalogs = {c.module: c for c in load_catalogs(REPO)}
    env, golden_image = catalogs["env"], catalogs["golden_image"]
    sizes = {golden_image.variable("vm_size").null_means, env.variable("session_host_vm_size").default}
    for profile in env.profiles:
        sizes.add(profile.tfvars.get("session_host_vm_size"))
        sizes.add(profile.tfvars["golden_image"].get("build_vm_size"))
    assert sorted(sizes - {None} - set(prices.vm_hourly)) == []


def test_prices_yaml_is_not_a_module_catalog() -> None:
    assert "prices" not in {c.module for c in load_catalogs(REPO)}


def test_optional_defaults_read_from_the_env_catalog() -> None:
    env = next(c for c in load_catalogs(REPO) if c.kind == "root")
    defaults = optional_defaults(env.variable("golden_image").type)
    assert defaults["replication_regions"] == []
    assert defaults["replica_count"] == 1
    assert defaults["storage_account_type"] == "Standard_LRS"
    assert defaults["install_windows_updates"] is True
    assert defaults["location"] is None and defaults["build_vm_size"] is None


def test_without_a_build_section_the_table_assumptions_apply(avdgen, priced: Path) -> None:
    # No build section: the pipelines' defaults (monthly, no pruning), so the price table's
    # versions_kept (3) and builds_per_month (1) are the figures.
    path = priced / "catalog" / "envs" / "dev.yaml"
    path.write_text(path.read_text().split("\nbuild:\n")[0] + "\n")
    month = _by_component(estimate_env(priced, "dev").monthly)
    assert month["Snapshots/Versions"] == D("12.70")  # 127 GB x 2 older x 1 x 1 x $0.05
    assert cents(month["Builds"]) == D("0.27")  # 1 build x $0.2711877
    result = avdgen(priced, "cost", "dev")
    assert "| **Builds** | $0.27 | 1 build/month (monthly) × $0.27 |" in result.output
    assert "3 versions kept, 1 build a month (monthly schedule)." in result.output


def test_the_golden_image_os_disk_size_is_priced(priced: Path) -> None:
    _edit_profile(priced, "dev", golden_image={"os_disk_size_gb": 256})
    build = _by_component(estimate_env(priced, "dev").per_build)
    assert cents(build["Temporary Disk"]) == D("0.08")  # 256 GB x $0.154 x 1.5 h / 730 h = $0.081008
