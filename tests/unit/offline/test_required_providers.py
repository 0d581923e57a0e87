"""Which providers a configuration requires, and which versions are served (providers.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.errors import GeneratorError
from generator.offline.mirror import install_mirror, offline_env
from generator.offline.providers import Resolved, module_dirs, requirements, resolve, source_address

ROOT = """
terraform {
  required_version = ">= 1.9"
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = ">= 3.116, < 5.0" }
    azapi = {
      source  = "Azure/azapi"   # a comment with { a brace
      version = "~> 2.4"
    }
    modtm = {
      source  = "azure/modtm"
      version = "~> 0.3"
    }
    # random = { source = "hashicorp/random", version = "= 0.0.1" } (commented out)
  }
}

locals {
  text = "required_providers { nope = {} } ${jsonencode({ a = "}" })}"
  doc  = <<-EOT
    resource "nonsense_thing" "x" {}
  EOT
}

module "pool" {
  source = "./modules/pool"
}

module "remote" {
  source  = "Azure/avm-res-x/azurerm"
  version = "0.1.0"
}

resource "random_uuid" "telemetry" {}
data "azurerm_client_config" "this" {}
resource "terraform_data" "builtin" {}
"""

POOL = """
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
    random = "~> 3.5"
  }
}

module "nested" {
  source = "../nested"
}
"""

NESTED_JSON = {
    "terraform": {"required_providers": {"time": {"source": "hashicorp/time", "version": ">= 0.9"}}},
    "resource": {"null_resource": {"n": {}}},
}


def _config(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "modules" / "pool").mkdir(parents=True)
    (root / "modules" / "nested").mkdir()
    (root / "main.tf").write_text(ROOT)
    (root / "modules" / "pool" / "main.tf").write_text(POOL)
    (root / "modules" / "nested" / "main.tf.json").write_text(json.dumps(NESTED_JSON))
    return root


def test_source_addresses():
    assert source_address("Azure/azapi") == "registry.terraform.io/azure/azapi"
    assert source_address("random") == "registry.terraform.io/hashicorp/random"
    assert source_address("example.com/Org/Thing") == "example.com/org/thing"


def test_requirements_of_the_root_and_its_local_modules(tmp_path):
    root = _config(tmp_path)
    assert [d.relative_to(root).as_posix() for d in module_dirs(root)] == [".", "modules/pool", "modules/nested"]
    found = {r.address.split("/", 1)[1]: r.constraint for r in requirements(root)}
    assert found == {
        "azure/azapi": "~> 2.4",
        "azure/modtm": "~> 0.3",
        "hashicorp/azurerm": ">= 3.116, < 5.0, ~> 4.0",
        "hashicorp/null": "",  # implied by a resource type, in JSON syntax
        "hashicorp/random": "~> 3.5",
        "hashicorp/time": ">= 0.9",
    }


def test_installed_modules_are_scanned_too(tmp_path):
    root = _config(tmp_path)
    installed = root / ".terraform" / "modules" / "remote"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text('resource "azuread_group" "g" {\n  display_name = "x"\n}\n')
    manifest = {"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "remote", "Source": "registry.terraform.io/Azure/avm-res-x/azurerm", "Version": "0.1.0", "Dir": ".terraform/modules/remote"}]}
    (root / ".terraform" / "modules" / "modules.json").write_text(json.dumps(manifest))
    assert "registry.terraform.io/hashicorp/azuread" in {r.address for r in requirements(root)}


def test_resolved_versions_satisfy_every_constraint(tmp_path):
    resolved = {(r.namespace, r.name): r.version for r in resolve(requirements(_config(tmp_path)))}
    assert resolved == {
        ("azure", "azapi"): "2.5.0",
        ("azure", "modtm"): "0.3.5",
        ("hashicorp", "azurerm"): "4.79.0",
        ("hashicorp", "null"): "3.2.4",
        ("hashicorp", "random"): "3.7.2",
        ("hashicorp", "time"): "0.13.1",
    }


def test_a_constraint_excluding_the_schema_version_gets_a_version_it_allows(tmp_path):
    (tmp_path / "main.tf").write_text('terraform {\n  required_providers {\n    azurerm = { source = "hashicorp/azurerm", version = "~> 3.110" }\n  }\n}\n')
    assert resolve(requirements(tmp_path)) == [Resolved("hashicorp", "azurerm", "3.110.0")]
    mirror = install_mirror(tmp_path / "cache", resolve(requirements(tmp_path)))
    assert (mirror / "registry.terraform.io/hashicorp/azurerm/3.110.0").is_dir()
    assert (mirror / "registry.terraform.io/hashicorp/azurerm/4.79.0").is_dir()  # the default stays


def test_a_provider_without_a_schema_is_refused_with_how_to_add_one(tmp_path):
    (tmp_path / "main.tf").write_text('resource "local_file" "f" {\n  filename = "x"\n}\n')
    with pytest.raises(GeneratorError) as failure:
        offline_env(tmp_path / "cache", None, tmp_path)
    message = str(failure.value)
    assert "provider registry.terraform.io/hashicorp/local has no schema" in message
    assert str(tmp_path / "main.tf") in message
    assert "terraform providers schema -json > local.schema.json" in message
    assert "avdgen schema import local.schema.json" in message and "--schemas DIR" in message


def test_a_schemas_dir_serves_another_provider(tmp_path):
    (tmp_path / "main.tf").write_text('terraform {\n  required_providers {\n    tls = { source = "hashicorp/tls", version = "~> 4.0" }\n  }\n}\n')
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "tls.schema.json").write_text(json.dumps({"format_version": "1.0", "provider_schemas": {"registry.terraform.io/hashicorp/tls": {"provider": {"version": 0, "block": {}}}}}))
    assert resolve(requirements(tmp_path), schemas) == [Resolved("hashicorp", "tls", "4.0.0")]
    env = offline_env(tmp_path / "cache", schemas, tmp_path)
    assert (Path(env["AVDGEN_CACHE_DIR"]) / "mirror/registry.terraform.io/hashicorp/tls/4.0.0").is_dir()


def test_contradicting_constraints_and_bad_syntax_are_reported(tmp_path):
    (tmp_path / "main.tf").write_text('terraform {\n  required_providers {\n    random = { source = "hashicorp/random", version = ">= 4.0, < 3.0" }\n  }\n}\n')
    with pytest.raises(GeneratorError, match=r"registry.terraform.io/hashicorp/random: no version satisfies all of its constraints \(>= 4.0, < 3.0\)"):
        resolve(requirements(tmp_path))
    (tmp_path / "main.tf").write_text('terraform {\n  required_providers {\n    random = { source = "hashicorp/random", version = "~> three" }\n  }\n}\n')
    with pytest.raises(GeneratorError, match=r"main.tf: version constraint for registry.terraform.io/hashicorp/random: 'three' is not a version"):
        requirements(tmp_path)


def test_a_provider_imported_into_the_vendored_set_is_served(tmp_path, monkeypatch):
    from generator.offline import schema as schema_module

    vendored = tmp_path / "vendored"
    shutil.copytree(schema_module.VENDORED_DIR, vendored)
    (vendored / "tls.schema.json").write_text(json.dumps({"format_version": "1.0", "provider_schemas": {"registry.terraform.io/hashicorp/tls": {"provider": {"version": 0, "block": {}}}}}))
    monkeypatch.setattr(schema_module, "VENDORED_DIR", vendored)
    (tmp_path / "main.tf").write_text('resource "tls_private_key" "k" {}\n')
    assert resolve(requirements(tmp_path)) == [Resolved("hashicorp", "tls", "1.0.0")]
