"""How much the offline provider adds to `terraform plan`, against Terraform's own floor.

    .venv/bin/python benchmarks/plan_overhead.py [--repeat 3] [--sizes 1,10,100,500]

For each size N it writes two root configurations with the same graph: N azurerm_resource_group
resources (planned through the offline provider), and N `terraform_data` resources (built into
Terraform: no plugin at all, the floor). An "envs" row does the same for a ~40-resource graph
across azurerm and azapi with references between resources, shaped like an environment root.
Each configuration is initialised once, planned once untimed, then planned --repeat times; the
table shows the median wall time of `terraform plan`:

    floor       terraform_data, no provider
    spawned     offline provider started by Terraform (eval "$(avdgen offline env)")
    reattached  offline provider already running (generator/offline/reattach.py); the servers'
                own start-up, paid once per session, is printed separately

Not part of `make test`; needs terraform on PATH and no network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.offline.mirror import offline_env  # noqa: E402
from generator.offline.reattach import Providers  # noqa: E402

PROVIDERS_TF = """terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

provider "azurerm" {
  features {}
}
"""


def resource_groups(n: int) -> str:
    return PROVIDERS_TF + "".join(
        f'\nresource "azurerm_resource_group" "rg{i}" {{\n  name     = "rg-{i}"\n  location = "westeurope"\n}}\n'
        for i in range(n)
    )


def terraform_data(n: int) -> str:
    return "".join(
        f'\nresource "terraform_data" "rg{i}" {{\n  input = {{ name = "rg-{i}", location = "westeurope" }}\n}}\n'
        for i in range(n)
    )


ENVS_STAMPS = 8  # x 5 resources = 40, plus one data source


def envs_offline() -> str:
    parts = [PROVIDERS_TF, '\ndata "azurerm_client_config" "current" {}\n']
    for i in range(ENVS_STAMPS):
        parts.append(f"""
resource "azurerm_resource_group" "rg{i}" {{
  name     = "rg-avd-{i}"
  location = "westeurope"
}}

resource "azurerm_user_assigned_identity" "id{i}" {{
  name                = "id-aib-{i}"
  location            = azurerm_resource_group.rg{i}.location
  resource_group_name = azurerm_resource_group.rg{i}.name
}}

resource "azurerm_virtual_network" "vnet{i}" {{
  name                = "vnet-{i}"
  location            = azurerm_resource_group.rg{i}.location
  resource_group_name = azurerm_resource_group.rg{i}.name
  address_space       = ["10.{i}.0.0/16"]
}}

resource "azurerm_subnet" "snet{i}" {{
  name                 = "snet-{i}"
  resource_group_name  = azurerm_resource_group.rg{i}.name
  virtual_network_name = azurerm_virtual_network.vnet{i}.name
  address_prefixes     = ["10.{i}.1.0/24"]
}}

resource "azapi_resource" "template{i}" {{
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "it-{i}"
  parent_id = azurerm_resource_group.rg{i}.id
  location  = azurerm_resource_group.rg{i}.location
  identity {{
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.id{i}.id]
  }}
  body = {{
    properties = {{
      buildTimeoutInMinutes = 90
      vmProfile = {{ vnetConfig = {{ subnetId = azurerm_subnet.snet{i}.id }} }}
      customize = [{{ type = "PowerShell", name = "install", inline = ["Write-Host {i}"] }}]
      source    = {{ type = "PlatformImage", publisher = "MicrosoftWindowsDesktop", version = "latest" }}
      distribute = [{{ type = "ManagedImage", runOutputName = "out", location = "westeurope",
        imageId = "/subscriptions/${{data.azurerm_client_config.current.subscription_id}}/resourceGroups/rg-avd-{i}/providers/Microsoft.Compute/images/img-{i}" }}]
    }}
  }}
}}
""")
    return "".join(parts)


def envs_floor() -> str:
    parts = ['\nresource "terraform_data" "client_config" {\n  input = { subscription_id = "x" }\n}\n']
    for i in range(ENVS_STAMPS):
        parts.append(f"""
resource "terraform_data" "rg{i}" {{
  input = {{ name = "rg-avd-{i}", location = "westeurope" }}
}}

resource "terraform_data" "id{i}" {{
  input = {{ name = "id-aib-{i}", location = terraform_data.rg{i}.output.location, rg = terraform_data.rg{i}.output.name }}
}}

resource "terraform_data" "vnet{i}" {{
  input = {{ name = "vnet-{i}", rg = terraform_data.rg{i}.output.name, address_space = ["10.{i}.0.0/16"] }}
}}

resource "terraform_data" "snet{i}" {{
  input = {{ name = "snet-{i}", rg = terraform_data.rg{i}.output.name, vnet = terraform_data.vnet{i}.output.name }}
}}

resource "terraform_data" "template{i}" {{
  input = {{
    name     = "it-{i}"
    parent   = terraform_data.rg{i}.id
    identity = [terraform_data.id{i}.id]
    body = {{
      subnet    = terraform_data.snet{i}.id
      customize = [{{ type = "PowerShell", name = "install", inline = ["Write-Host {i}"] }}]
      image     = "/subscriptions/${{terraform_data.client_config.output.subscription_id}}/img-{i}"
    }}
  }}
}}
""")
    return "".join(parts)


def terraform(directory: Path, env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        ["terraform", *args], cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"terraform {' '.join(args)} failed in {directory}:\n{result.stderr}")
    return elapsed


def timed_plans(root: Path, name: str, hcl: str, env: dict[str, str], repeat: int) -> float:
    directory = root / name
    directory.mkdir()
    (directory / "main.tf").write_text(hcl)
    terraform(directory, env, "init", "-input=false", "-no-color")
    plan = ("plan", "-input=false", "-no-color", "-lock=false")
    terraform(directory, env, *plan)  # untimed: warms OS caches and the schema cache
    return statistics.median(terraform(directory, env, *plan) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed plans per configuration (median shown)")
    parser.add_argument("--sizes", default="1,10,100,500", help="comma-separated resource counts")
    args = parser.parse_args()
    if shutil.which("terraform") is None:
        sys.exit("terraform is not on PATH")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    cases = [(str(n), terraform_data(n), resource_groups(n)) for n in sizes]
    cases.append(("envs (41)", envs_floor(), envs_offline()))

    root = Path(tempfile.mkdtemp(prefix="avdgen-bench-"))
    try:
        base = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        base.pop("TF_REATTACH_PROVIDERS", None)
        spawned = {**base, **offline_env(root / "cache")}
        floor_env = dict(spawned)  # same CLI config; terraform_data needs no plugin
        start = time.perf_counter()
        providers = Providers.start(offline_env(root / "cache"))
        startup = time.perf_counter() - start
        try:
            reattached = {**base, **providers.env}
            rows = []
            for label, floor_hcl, offline_hcl in cases:
                slug = label.split()[0]
                floor = timed_plans(root, f"floor-{slug}", floor_hcl, floor_env, args.repeat)
                spawn = timed_plans(root, f"spawned-{slug}", offline_hcl, spawned, args.repeat)
                attach = timed_plans(root, f"reattached-{slug}", offline_hcl, reattached, args.repeat)
                rows.append((label, floor, spawn, attach))
                print(f"  measured {label}", file=sys.stderr, flush=True)
        finally:
            providers.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"terraform plan, median of {args.repeat} (seconds); reattached servers started in {startup:.2f} s\n")
    header = f"{'N':>10}  {'floor':>7}  {'spawned':>8}  {'reattached':>10}  {'spawned/floor':>13}  {'reattached/floor':>16}"
    print(header)
    print("-" * len(header))
    for label, floor, spawn, attach in rows:
        print(f"{label:>10}  {floor:7.2f}  {spawn:8.2f}  {attach:10.2f}  {spawn / floor:12.2f}x  {attach / floor:15.2f}x")


if __name__ == "__main__":
    main()
