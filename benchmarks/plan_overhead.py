"""How much the offline provider adds to `terraform plan`, against Terraform's own floor and
against what a real (Go) provider costs.

    .venv/bin/python benchmarks/plan_overhead.py [--repeat 5] [--sizes 1,100,500] [--skip aws,dev,envs,cold,launcher]

Cases (rows):
    N            N azurerm_resource_group resources; floor: N `terraform_data`; aws: N aws_s3_bucket
    envs (41)    a ~40-resource graph across azurerm and azapi with references between resources,
                 shaped like an environment root; floor and aws: the same graph of terraform_data
                 resources and of S3 bucket resources
    envs/dev     the project's own envs/dev root (its modules copied beside it); floor:
                 terraform_data resources of the same count as its plan creates
Variants (columns), each `terraform plan` wall time:
    floor        terraform_data, no provider at all: Terraform's own cost
    spawned      plain terraform after `eval "$(avdgen offline env)"`: Terraform starts the plugins,
                 the launchers hand it endpoints of warm servers (launcher.py, warm.py); the servers'
                 own start, once per session, happens in the untimed warm-up plan
    reattached   the offline providers already running (reattach.py, what `avdgen plan` does)
    aws          the real hashicorp/aws provider (a Go binary Terraform spawns), offline with its
                 skip_* flags and fake keys: the stand-in for what a real provider costs
    cold         (envs/dev only) the spawned path without the warm servers, AVDGEN_OFFLINE_WARM=0:
                 a full Python plugin per start, as before them

Each configuration is initialised and planned once untimed; then --repeat rounds each plan every
variant of a row once, in an order that rotates round by round, so that a change in the load of
the machine falls on all variants alike; the table shows medians and their ratios, measured in
this one run. A "launcher" table times a plugin start to its handshake line.

Not part of `make test` (tests/unit/test_benchmark_smoke.py runs it with tiny sizes); needs
terraform on PATH and no network. The aws variant needs hashicorp/aws in a filesystem mirror
(--aws-mirror, default: the first of /opt/tf-plugins and Terraform's implied mirror directories
that holds it); without one the column is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.harness.plan import PLACEHOLDER, unset_secrets  # noqa: E402
from generator.offline.launcher import WARM_ENV, stop_servers  # noqa: E402
from generator.offline.mirror import install_mirror, offline_env, terraform_platform  # noqa: E402
from generator.offline.reattach import Providers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
COOKIE = {"TF_PLUGIN_MAGIC_COOKIE": "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"}
AWS_VERSION = "5.100.0"

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

AWS_TF = f"""terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "{AWS_VERSION}" }}
  }}
}}

# Offline: no credential, account, metadata or region look-ups; fake keys.
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "offline-benchmark-not-a-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}}
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


def s3_buckets(n: int) -> str:
    return AWS_TF + "".join(f'\nresource "aws_s3_bucket" "b{i}" {{\n  bucket = "avdgen-bench-{i}"\n}}\n' for i in range(n))


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


def envs_aws() -> str:
    """The envs graph's shape (a root object per stamp, four depending on it, the last on three
    of them) in S3 resources, which the AWS provider plans without calling AWS."""
    parts = [AWS_TF, '\nresource "aws_s3_bucket" "shared" {\n  bucket = "avdgen-bench-shared"\n}\n']
    for i in range(ENVS_STAMPS):
        parts.append(f"""
resource "aws_s3_bucket" "rg{i}" {{
  bucket = "avdgen-bench-rg-{i}"
}}

resource "aws_s3_bucket_versioning" "id{i}" {{
  bucket = aws_s3_bucket.rg{i}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_ownership_controls" "vnet{i}" {{
  bucket = aws_s3_bucket.rg{i}.id
  rule {{
    object_ownership = "BucketOwnerEnforced"
  }}
}}

resource "aws_s3_bucket_public_access_block" "snet{i}" {{
  bucket                  = aws_s3_bucket.rg{i}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_object" "template{i}" {{
  bucket  = aws_s3_bucket.rg{i}.id
  key     = "templates/it-{i}.json"
  content = jsonencode({{
    identity  = aws_s3_bucket_versioning.id{i}.id
    subnet    = aws_s3_bucket_public_access_block.snet{i}.id
    ownership = aws_s3_bucket_ownership_controls.vnet{i}.id
    image     = "${{aws_s3_bucket.shared.id}}/img-{i}"
  }})
}}
""")
    return "".join(parts)


class BenchmarkError(Exception):
    pass


def terraform(directory: Path, env: dict[str, str], *args: str) -> tuple[float, str]:
    elapsed, _, stdout = timed_terraform(directory, env, *args)
    return elapsed, stdout


def timed_terraform(directory: Path, env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of terraform and the plugins it waited for, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(["terraform", *args], cwd=directory, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise BenchmarkError(f"terraform {' '.join(args)} failed in {directory}:\n{err.read().decode()[-4000:]}")
        return elapsed, usage.ru_utime + usage.ru_stime, out.read().decode()


def process_cpu(pids: list[int]) -> float:
    """CPU seconds the processes have used so far (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


PLAN = ("plan", "-input=false", "-no-color", "-lock=false")


@dataclass
class Variant:
    directory: Path
    env: dict[str, str]
    servers: Callable[[], list[int]] = lambda: []  # provider processes Terraform does not wait for
    times: list[float] = field(default_factory=list)
    terraform_cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)

    def prepare(self) -> None:
        terraform(self.directory, self.env, "init", "-input=false", "-no-color")
        terraform(self.directory, self.env, *PLAN)  # untimed: warms OS caches, schema caches, servers

    def plan(self) -> None:
        servers = self.servers()
        before = process_cpu(servers)
        elapsed, cpu, _ = timed_terraform(self.directory, self.env, *PLAN)
        self.times.append(elapsed)
        self.terraform_cpu.append(cpu)
        self.server_cpu.append(process_cpu(servers) - before)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def write(directory: Path, hcl: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "main.tf").write_text(hcl)
    return directory


def find_aws_mirror(given: str | None) -> Path | None:
    candidates = [Path(given)] if given else [
        Path("/opt/tf-plugins"),
        Path.home() / ".terraform.d" / "plugins",
        Path.home() / ".local" / "share" / "terraform" / "plugins",
        Path("/usr/local/share/terraform/plugins"),
        Path("/usr/share/terraform/plugins"),
    ]
    for mirror in candidates:
        if (mirror / "registry.terraform.io" / "hashicorp" / "aws" / AWS_VERSION / terraform_platform()).is_dir():
            return mirror
    return None


def aws_cli_config(root: Path, mirror: Path) -> Path:
    path = root / "aws.tfrc"
    address = json.dumps("registry.terraform.io/hashicorp/aws")
    path.write_text(
        "disable_checkpoint = true\n\nprovider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n    include = [{address}]\n  }}\n"
        f"  direct {{\n    exclude = [{address}]\n  }}\n}}\n"
    )
    return path


def copy_dev(root: Path) -> Path:
    """envs/dev with the modules it sources (../../modules/...) beside it, as in the repository."""
    tree = root / "tree"
    ignore = shutil.ignore_patterns(".terraform*", "terraform.tfstate*", ".avdgen-*")
    for name in ("envs", "modules"):
        shutil.copytree(REPO / name, tree / name, ignore=ignore)
    return tree / "envs" / "dev"


def planned_count(directory: Path, env: dict[str, str]) -> int:
    terraform(directory, env, "plan", "-input=false", "-no-color", "-lock=false", "-out=count.tfplan")
    shown = json.loads(terraform(directory, env, "show", "-json", "count.tfplan")[1])
    (directory / "count.tfplan").unlink()
    return len(shown.get("resource_changes", []))


def launcher_times(root: Path, spawned: dict[str, str], repeat: int) -> list[tuple[str, float]]:
    """Median time from starting a plugin to its handshake line (the launcher is killed after it,
    and its endpoint ends with it), alternating with the alternatives it was chosen over."""
    mirror = install_mirror(Path(spawned["AVDGEN_CACHE_DIR"]))
    launcher = next(mirror.rglob("terraform-provider-azurerm_*"))
    python = sys.executable
    env = {**spawned, **COOKIE}
    variants = {
        "warm launcher (python -S, built-ins only) to handshake": ([str(launcher)], env),
        "cold plugin (python -m generator.offline.server) to handshake": ([str(launcher)], {**env, "AVDGEN_OFFLINE_WARM": "0"}),
        "python -S -c pass (an interpreter's floor)": ([python, "-S", "-c", "pass"], None),
        "python -c pass (with site: the venv's .pth files)": ([python, "-c", "pass"], None),
        "/bin/sh -c true (what a compiled launcher could approach)": (["/bin/sh", "-c", "true"], None),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    names = list(variants)
    for round_ in range(repeat):
        for name in names[round_ % len(names):] + names[: round_ % len(names)]:
            argv, handshake_env = variants[name]
            start = time.perf_counter()
            if handshake_env is None:
                subprocess.run(argv, check=True)
                times[name].append(time.perf_counter() - start)
                continue
            process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=handshake_env, cwd=root)
            line = process.stdout.readline()
            times[name].append(time.perf_counter() - start)
            process.kill()
            process.communicate()
            if not line.startswith(b"1|6|unix|"):
                raise BenchmarkError(f"{name}: no handshake line: {line!r}")
    return [(name, statistics.median(times[name])) for name in names]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run(["terraform", "version"], capture_output=True, text=True).stdout.splitlines()[0]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({model or platform.machine()}), load average {load}; {version}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per case (median shown)")
    parser.add_argument("--sizes", default="1,100,500", help="comma-separated resource counts")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out: aws, envs, dev, cold, launcher")
    parser.add_argument("--aws-mirror", help="a filesystem mirror holding hashicorp/aws " + AWS_VERSION)
    args = parser.parse_args()
    if shutil.which("terraform") is None:
        sys.exit("terraform is not on PATH")
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [int(s) for s in args.sizes.split(",") if s]
    aws_mirror = None if "aws" in skip else find_aws_mirror(args.aws_mirror)
    if "aws" not in skip and aws_mirror is None:
        print(f"note: hashicorp/aws {AWS_VERSION} not found in a filesystem mirror; no aws column", file=sys.stderr)

    before = machine()
    root = Path(tempfile.mkdtemp(prefix="avdgen-bench-"))
    runtime = root / "run"  # the warm servers of this run, stopped at the end
    providers = None
    try:
        base = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "AVDGEN_RUNTIME_DIR": str(runtime)}
        for name in ("TF_REATTACH_PROVIDERS", "TF_LOG", "AVDGEN_OFFLINE_WARM", "TF_PLUGIN_CACHE_DIR"):
            base.pop(name, None)
        spawned = {**base, **offline_env(root / "cache")}
        floor_env = dict(spawned)  # same CLI config; terraform_data needs no plugin
        start = time.perf_counter()
        providers = Providers.start(offline_env(root / "cache"))
        startup = time.perf_counter() - start
        reattached = {**base, **providers.env}
        aws_env = {**base, "TF_CLI_CONFIG_FILE": str(aws_cli_config(root, aws_mirror))} if aws_mirror else None

        cases: list[tuple[str, int, dict[str, Variant]]] = []

        def warm_pids() -> list[int]:
            return [int(p.read_text()) for p in runtime.glob("*/pid") if p.read_text().strip().isdigit()]

        def reattached_pids() -> list[int]:
            return [server.process.pid for server in providers.servers]

        def case(label: str, count: int, floor: str, offline: str | Path, aws: str | None, cold: bool = False) -> None:
            slug = label.replace("/", "-").split()[0]
            variants = {"floor": Variant(write(root / f"floor-{slug}", floor), floor_env)}
            if isinstance(offline, Path):  # a root to plan in place: one copy per variant
                variants["spawned"] = Variant(offline, spawned, warm_pids)
                copy = root / f"reattached-{slug}"
                shutil.copytree(offline.parents[1], copy)
                variants["reattached"] = Variant(copy / offline.parent.name / offline.name, reattached, reattached_pids)
            else:
                variants["spawned"] = Variant(write(root / f"spawned-{slug}", offline), spawned, warm_pids)
                variants["reattached"] = Variant(write(root / f"reattached-{slug}", offline), reattached, reattached_pids)
            if aws is not None and aws_env is not None:
                variants["aws"] = Variant(write(root / f"aws-{slug}", aws), aws_env)
            if cold and "cold" not in skip:  # the spawned path as it was: a full Python plugin per start
                copy = root / f"cold-{slug}"
                shutil.copytree(offline.parents[1], copy)
                variants["cold"] = Variant(copy / offline.parent.name / offline.name, {**spawned, WARM_ENV: "0"})
            cases.append((label, count, variants))

        for n in sizes:
            case(str(n), n, terraform_data(n), resource_groups(n), s3_buckets(n))
        if "envs" not in skip:
            case("envs (41)", 41, envs_floor(), envs_offline(), envs_aws())
        if "dev" not in skip:
            dev = copy_dev(root)
            secrets = unset_secrets(dev, [], spawned)
            for name in secrets:  # as `avdgen plan` fills them: an offline plan never reaches Azure
                for env in (spawned, reattached):
                    env[f"TF_VAR_{name}"] = PLACEHOLDER.format(name=name)
            terraform(dev, spawned, "init", "-input=false", "-no-color")
            count = planned_count(dev, spawned)
            case("envs/dev", count, terraform_data(count), dev, None, cold=True)

        rows = []
        cpu_rows = []
        for label, count, variants in cases:
            for variant in variants.values():
                variant.prepare()
            names = list(variants)
            for round_ in range(args.repeat):
                shift = round_ % len(names)
                for name in names[shift:] + names[:shift]:
                    variants[name].plan()
            rows.append((label, count, {name: v.median for name, v in variants.items()}))
            cpu_rows.append((label, {
                name: (statistics.median(v.terraform_cpu), statistics.median(v.server_cpu)) for name, v in variants.items()
            }))  # fmt: skip
            print(f"  measured {label}", file=sys.stderr, flush=True)
        launchers = [] if "launcher" in skip else launcher_times(root, spawned, max(args.repeat, 5) * 4)
    except BenchmarkError as error:
        sys.exit(str(error))
    finally:
        if providers is not None:
            providers.stop()
        stop_servers(str(runtime))
        shutil.rmtree(root, ignore_errors=True)

    print(f"terraform plan, median of {args.repeat} alternating rounds (seconds), measured in one run")
    print(f"machine at start: {before}")
    print(f"machine at end:   {machine()}")
    print(f"reattached servers started in {startup:.2f} s (once per session, not in the table)\n")
    header = (
        f"{'case':>10}  {'res.':>4}  {'floor':>6}  {'spawned':>7}  {'reattached':>10}  {'aws':>6}"
        f"  {'spawned/floor':>13}  {'reattached/floor':>16}  {'aws/floor':>9}"
    )
    print(header)
    print("-" * len(header))
    for label, count, medians in rows:
        floor = medians["floor"]
        aws = medians.get("aws")
        print(
            f"{label:>10}  {count:>4}  {floor:6.2f}  {medians['spawned']:7.2f}  {medians['reattached']:10.2f}  "
            + (f"{aws:6.2f}" if aws is not None else f"{'-':>6}")
            + f"  {medians['spawned'] / floor:12.2f}x  {medians['reattached'] / floor:15.2f}x  "
            + (f"{aws / floor:8.2f}x" if aws is not None else f"{'-':>9}")
        )
    print("\nwhere the time goes: CPU seconds, median (terraform = terraform and the plugin processes it")
    print("waited for: launchers, the aws provider; servers = the warm or reattached provider servers)")
    names = ["floor", "spawned", "reattached", "aws"]
    print(f"{'case':>10}  " + "  ".join(f"{n + ' terraform':>18}  {n + ' servers':>16}" for n in names[1:3]) + f"  {'floor terraform':>15}  {'aws terraform':>13}")
    for label, cpu in cpu_rows:
        line = f"{label:>10}  " + "  ".join(f"{cpu[n][0]:18.2f}  {cpu[n][1]:16.2f}" for n in names[1:3])
        line += f"  {cpu['floor'][0]:15.2f}  " + (f"{cpu['aws'][0]:13.2f}" if "aws" in cpu else f"{'-':>13}")
        print(line)
    for label, count, medians in rows:
        if "cold" in medians:
            print(f"\n{label}: cold spawned (AVDGEN_OFFLINE_WARM=0, a full plugin per start) {medians['cold']:.2f} s, "
                  f"{medians['cold'] / medians['floor']:.2f}x the floor, {medians['cold'] / medians['spawned']:.2f}x the warm path")  # fmt: skip
    if launchers:
        print("\nplugin start, median (milliseconds)")
        for name, seconds in launchers:
            print(f"  {seconds * 1000:7.1f}  {name}")


if __name__ == "__main__":
    main()
