"""Real `terraform init/plan/apply/plan` of a small hand-written root shaped like an Azure Verified
Module (azurerm, azapi, random, modtm, local sub-modules, the AVM telemetry pattern), through
`avdgen offline env` (spawned plugins) and `avdgen plan` (reattached servers); and what a user
sees for a provider that has no schema.

Slow (seconds per terraform command): `pytest -m slow tests/unit/offline/test_providers_e2e.py`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import tftest
from offline_helpers import REFERENCE_DIR

from generator.harness.plan import plan_config
from generator.offline.cloud import CLOUD_ENV
from generator.offline.mirror import install_for_config, offline_env
from generator.offline.reattach import reattached

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH"),
]

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

ROOT_TF = """
terraform {
  required_version = ">= 1.9, < 2.0"
  required_providers {
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.4"
    }
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 3.116, < 5.0"
    }
    modtm = {
      source  = "Azure/modtm"
      version = "~> 0.3"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5.0, < 4.0.0"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "enable_telemetry" {
  type    = bool
  default = true
}

variable "image_version" {
  type    = string
  default = "1.0.0"
}

# The AVM telemetry pattern (main.telemetry.tf of the AVM templates).
data "azapi_client_config" "telemetry" {
  count = var.enable_telemetry ? 1 : 0
}

data "modtm_module_source" "telemetry" {
  count       = var.enable_telemetry ? 1 : 0
  module_path = path.module
}

resource "random_uuid" "telemetry" {
  count = var.enable_telemetry ? 1 : 0
}

resource "modtm_telemetry" "telemetry" {
  count = var.enable_telemetry ? 1 : 0
  tags = {
    subscription_id = one(data.azapi_client_config.telemetry).subscription_id
    tenant_id       = one(data.azapi_client_config.telemetry).tenant_id
    module_source   = one(data.modtm_module_source.telemetry).module_source
    module_version  = one(data.modtm_module_source.telemetry).module_version
    random_id       = one(random_uuid.telemetry).result
  }
}

resource "random_string" "suffix" {
  length  = 6
  special = false
  upper   = false
}

resource "azurerm_resource_group" "this" {
  name     = "rg-avm-${random_string.suffix.result}"
  location = "westeurope"
}

module "identity" {
  source              = "./modules/identity"
  parent_id           = azurerm_resource_group.this.id
  name                = "id-avm-${random_string.suffix.result}"
  location            = azurerm_resource_group.this.location
}

module "pool" {
  source        = "./modules/pool"
  parent_id     = azurerm_resource_group.this.id
  principal_id  = module.identity.principal_id
  image_version = var.image_version
}

output "principal_id" {
  value = module.identity.principal_id
}

output "client_id" {
  value = module.identity.client_id
}

output "identity_type" {
  value = module.identity.type
}

output "suffix" {
  value = random_string.suffix.result
}

output "pets" {
  value = module.pool.pets
}

output "telemetry_id" {
  value = one(modtm_telemetry.telemetry[*].id)
}

output "module_source" {  # modtm's provider function; "" for a root module
  value = provider::modtm::module_source(path.module)
}
"""

IDENTITY_TF = """
terraform {
  required_providers {
    azapi = {
      source  = "Azure/azapi"
      version = ">= 2.0"
    }
  }
}

variable "parent_id" {
  type = string
}

variable "name" {
  type = string
}

variable "location" {
  type = string
}

resource "azapi_resource" "this" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31"
  name      = var.name
  parent_id = var.parent_id
  location  = var.location
  body      = {}

  response_export_values = {
    principal_id = "properties.principalId"
    client_id    = "properties.clientId"
    kind         = "type"
    missing      = "properties.nothingHere"
  }
}

output "principal_id" {
  value = azapi_resource.this.output.principal_id
}

output "client_id" {
  value = azapi_resource.this.output.client_id
}

output "type" {
  value = azapi_resource.this.output.kind
}
"""

POOL_TF = """
terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "~> 3.0"
    }
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
  }
}

variable "parent_id" {
  type = string
}

variable "principal_id" {
  type = string
}

variable "image_version" {
  type = string
}

# Two identical blocks: their names must still differ.
resource "random_pet" "first" {
  keepers = { image = var.image_version }
}

resource "random_pet" "second" {
  keepers = { image = var.image_version }
}

resource "azapi_resource" "lock" {
  type      = "Microsoft.Authorization/locks@2020-05-01"
  name      = "lock-${random_pet.first.id}"
  parent_id = var.parent_id
  body = {
    properties = {
      level = "CanNotDelete"
      notes = "for ${var.principal_id}"
    }
  }
}

output "pets" {
  value = [random_pet.first.id, random_pet.second.id]
}
"""


def write_root(directory: Path) -> Path:
    (directory / "modules" / "identity").mkdir(parents=True)
    (directory / "modules" / "pool").mkdir()
    (directory / "main.tf").write_text(ROOT_TF)
    (directory / "modules" / "identity" / "main.tf").write_text(IDENTITY_TF)
    (directory / "modules" / "pool" / "main.tf").write_text(POOL_TF)
    return directory


def _done_when(root: Path, env: dict[str, str]) -> dict[str, object]:
    """The issue's check, as a user types it: init, plan, apply, then a plan that finds nothing."""
    full = {**_base_env(), **env}
    for command in (["init", "-input=false"], ["plan", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        run = subprocess.run(["terraform", *command, "-no-color"], cwd=root, env=full, capture_output=True, text=True)
        assert run.returncode == 0, (command, run.stdout[-3000:], run.stderr[-3000:])
    replan = subprocess.run(["terraform", "plan", "-detailed-exitcode", "-input=false", "-no-color"], cwd=root, env=full, capture_output=True, text=True)
    assert replan.returncode == 0 and "No changes." in replan.stdout, (replan.stdout[-3000:], replan.stderr[-3000:])
    shown = subprocess.run(["terraform", "output", "-json"], cwd=root, env=full, capture_output=True, text=True, check=True)
    return {name: value["value"] for name, value in json.loads(shown.stdout).items()}


def _check_outputs(outputs: dict[str, object]) -> None:
    assert GUID.match(outputs["principal_id"]) and GUID.match(outputs["client_id"])
    assert outputs["principal_id"] != outputs["client_id"]
    assert outputs["identity_type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert re.fullmatch(r"[a-z0-9]{6}", outputs["suffix"])
    first, second = outputs["pets"]
    assert re.fullmatch(r"[a-z]+-[a-z]+", first) and re.fullmatch(r"[a-z]+-[a-z]+", second) and first != second
    assert GUID.match(outputs["telemetry_id"])
    assert outputs["module_source"] == ""


def test_avm_shaped_root_through_offline_env(tmp_path):
    # What `eval "$(avdgen offline env)"` in the root gives: Terraform spawns every plugin itself.
    root = write_root(tmp_path / "root")
    _check_outputs(_done_when(root, offline_env(tmp_path / "cache", None, root)))


@pytest.mark.parametrize("schemas", ["vendored", "reference"])
def test_avm_shaped_root_reattached(tmp_path, schemas):
    reference = schemas == "reference"
    if reference and not (REFERENCE_DIR / "azurerm.schema.json").is_file():
        pytest.skip(f"reference schema dumps not found in {REFERENCE_DIR}")
    root = write_root(tmp_path / "root")
    # azurerm and azapi from the real dumps, random and modtm from the vendored subsets
    env = offline_env(tmp_path / "cache", REFERENCE_DIR if reference else None, root)
    needed = [(p.namespace, p.name) for p in install_for_config(env, root)]
    with reattached({**env, CLOUD_ENV: str(tmp_path / "cloud.json")}, needed) as env:
        tf = tftest.TerraformTest(root, env=env)
        tf.setup()
        plan = tf.plan(output=True)
        identity = plan.resource_changes["module.identity.azapi_resource.this"]["change"]
        assert identity["actions"] == ["create"] and identity["after_unknown"]["output"]  # unknown at plan, as azapi
        suffix = plan.resource_changes["random_string.suffix"]["change"]["after"]
        assert (suffix["special"], suffix["upper"], suffix["lower"], suffix["numeric"]) == (False, False, True, True)
        tf.apply()
        _check_outputs(tf.output())
        replan = tf.plan(output=True)
        assert {c["change"]["actions"][0] for c in replan.resource_changes.values()} == {"no-op"}

        # keepers changed: both pets are replaced, and what depends on them, nothing else.
        (root / "new.tfvars").write_text('image_version = "2.0.0"\n')
        plan = tf.plan(output=True, tf_var_file=str(root / "new.tfvars"))
        actions = {a: c["change"]["actions"] for a, c in plan.resource_changes.items() if c["change"]["actions"] != ["no-op"]}
        assert actions == {
            "module.pool.random_pet.first": ["delete", "create"],
            "module.pool.random_pet.second": ["delete", "create"],
            "module.pool.azapi_resource.lock": ["delete", "create"],  # its name holds the pet
        }


def test_avm_shaped_root_through_avdgen_plan(tmp_path):
    root = write_root(tmp_path / "root")
    # plan_config scans the root, installs what it needs and starts reattached servers for it.
    summary, _ = plan_config(root, offline_env(tmp_path / "cache"), apply=True)
    assert summary.counts["random_pet"] == 2 and summary.counts["modtm_telemetry"] == 1
    _check_outputs(summary.outputs)


UNKNOWN_PROVIDER_TF = """
terraform {
  required_providers {
    local = {
      source  = "hashicorp/local"
      version = "~> 2.5"
    }
  }
}

resource "local_file" "f" {
  filename = "x.txt"
  content  = "x"
}
"""


def test_a_provider_without_a_schema_fails_before_or_at_init(tmp_path, avdgen):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(UNKNOWN_PROVIDER_TF)
    ours = "provider registry.terraform.io/hashicorp/local has no schema for the offline providers to serve"

    # `avdgen offline env` in (or --dir) that root refuses, naming it and how to add a schema.
    result = avdgen(tmp_path, "offline", "env", "--cache-dir", str(tmp_path / "cache"), "--dir", str(root))
    assert result.exit_code == 2 and ours in result.stderr and "avdgen schema import local.schema.json" in result.stderr
    assert result.stdout == ""  # nothing for `eval` to export

    # `avdgen plan` refuses before terraform init.
    result = avdgen(tmp_path, "plan", str(root))
    assert result.exit_code == 2 and ours in result.stderr and "terraform init failed" not in result.stderr

    # Plain terraform with an env made elsewhere: init fails naming the provider and the mirror,
    # and never goes to the registry.
    env = offline_env(tmp_path / "cache")
    init = subprocess.run(["terraform", "init", "-input=false", "-no-color"], cwd=root, env={**_base_env(), **env}, capture_output=True, text=True)
    message = " ".join(init.stderr.split())
    assert init.returncode == 1
    assert "provider registry.terraform.io/hashicorp/local was not found in any of the search locations" in message
    mirror = Path(env["AVDGEN_CACHE_DIR"]) / "mirror"
    assert str(mirror) in message and "avdgen schema import" in (mirror / "README.txt").read_text()


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AVDGEN_"))}
