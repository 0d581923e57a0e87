"""`terraform test` on the offline providers: `avdgen test PATH` and plain `terraform test` after
`avdgen offline env`, with and without mock_provider blocks (Terraform >= 1.7)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.harness.terraform_test import run_terraform_test
from generator.offline.launcher import stop_servers
from generator.offline.mirror import offline_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH"),
]

MAIN_TF = """
terraform {
  required_version = ">= 1.7"
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

variable "name" {
  type = string
  validation {
    condition     = startswith(var.name, "rg-")
    error_message = "name must start with rg-."
  }
}

variable "template_timeout" {
  type    = any
  default = 90
}

resource "azurerm_resource_group" "this" {
  name     = var.name
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "this" {
  name                = "id-${var.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
}

resource "azapi_resource" "template" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "it-${var.name}"
  parent_id = azurerm_resource_group.this.id
  location  = azurerm_resource_group.this.location
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }
  body = {
    properties = {
      buildTimeoutInMinutes = var.template_timeout
      source     = { type = "PlatformImage", publisher = "MicrosoftWindowsDesktop", offer = "office-365", sku = "win11-24h2-avd-m365", version = "latest" }
      distribute = [{ type = "ManagedImage", runOutputName = "out", location = "westeurope", imageId = "${azurerm_resource_group.this.id}/providers/Microsoft.Compute/images/img" }]
    }
  }
}

module "tags" {
  source = "../shared-tags" # a sibling directory: the private copy must sit beside the module
  name   = var.name
}

output "id" {
  value = azurerm_resource_group.this.id
}

output "principal_id" {
  value = azurerm_user_assigned_identity.this.principal_id
}

output "tags" {
  value = module.tags.tags
}
"""

TAGS_TF = """
variable "name" {
  type = string
}

output "tags" {
  value = { env = "test", owner = var.name }
}
"""

OFFLINE_TFTEST = """
provider "azurerm" {
  features {}
}

variables {
  name = "rg-tftest"
}

run "plans_the_configured_values" {
  command = plan

  assert {
    condition     = azurerm_resource_group.this.name == "rg-tftest"
    error_message = "planned name is ${azurerm_resource_group.this.name}"
  }

  assert {
    condition     = output.tags == { env = "test", owner = "rg-tftest" }
    error_message = "tags from the sibling module: ${jsonencode(output.tags)}"
  }
}

run "applies_with_simulated_values" {
  command = apply

  assert {
    condition     = output.id == "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-tftest"
    error_message = "applied id is ${output.id}"
  }

  assert {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", output.principal_id))
    error_message = "principal_id is not a GUID: ${output.principal_id}"
  }
}

run "rejects_a_name_without_the_prefix" {
  command = plan

  variables {
    name = "bad"
  }

  expect_failures = [var.name]
}
"""

MOCKED_TFTEST = """
mock_provider "azurerm" {
  mock_resource "azurerm_resource_group" {
    defaults = {
      id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/mocked"
    }
  }
}

mock_provider "azapi" {}

variables {
  name = "rg-mocked"
}

run "mock_defaults_replace_the_simulated_values" {
  command = apply

  assert {
    condition     = output.id == "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/mocked"
    error_message = "applied id is ${output.id}"
  }

  assert {
    condition     = output.tags.owner == "rg-mocked"
    error_message = "tags: ${jsonencode(output.tags)}"
  }
}
"""

# Under a mock, Terraform still has the real provider validate the configuration: azapi's body
# check against the embedded API types (a string where buildTimeoutInMinutes is an integer).
MOCKED_BUT_INVALID_TFTEST = """
mock_provider "azurerm" {}
mock_provider "azapi" {}

variables {
  name             = "rg-invalid"
  template_timeout = "ninety"
}

run "plan" {
  command = plan
}
"""

FAILING_TFTEST = """
provider "azurerm" {
  features {}
}

variables {
  name = "rg-failing"
}

run "expects_another_location" {
  command = plan

  assert {
    condition     = azurerm_resource_group.this.location == "northeurope"
    error_message = "the group is in ${azurerm_resource_group.this.location}"
  }
}
"""


def module(tmp_path: Path, tests: dict[str, str]) -> Path:
    (tmp_path / "shared-tags").mkdir()
    (tmp_path / "shared-tags" / "main.tf").write_text(TAGS_TF)
    directory = tmp_path / "module"
    (directory / "tests").mkdir(parents=True)
    (directory / "main.tf").write_text(MAIN_TF)
    for name, text in tests.items():
        (directory / "tests" / name).write_text(text)
    return directory


def avdgen_test(*args: str):
    return CliRunner().invoke(cli, ["test", *args], catch_exceptions=False)


def test_avdgen_test_runs_plan_apply_expect_failures_and_mocks(tmp_path, capfd):
    directory = module(tmp_path, {"offline.tftest.hcl": OFFLINE_TFTEST, "mocked.tftest.hcl": MOCKED_TFTEST})
    result = avdgen_test(str(directory), "-no-color")
    out = capfd.readouterr().out  # terraform test writes to the terminal itself
    assert result.exit_code == 0, out + result.output
    for line in (
        "tests/offline.tftest.hcl... pass",
        "run \"plans_the_configured_values\"... pass",
        "run \"applies_with_simulated_values\"... pass",
        "run \"rejects_a_name_without_the_prefix\"... pass",
        "tests/mocked.tftest.hcl... pass",
        "run \"mock_defaults_replace_the_simulated_values\"... pass",
    ):
        assert line in out, out
    assert "Success! 4 passed, 0 failed." in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module", "shared-tags"]  # the copy is gone
    assert not (directory / ".terraform").exists() and not (directory / ".terraform.lock.hcl").exists()


def test_a_failing_assertion_fails_the_command(tmp_path, capfd):
    directory = module(tmp_path, {"failing.tftest.hcl": FAILING_TFTEST})
    result = avdgen_test(str(directory), "-no-color")
    out = capfd.readouterr()
    assert result.exit_code == 1
    assert "the group is in westeurope" in out.out + out.err
    assert "0 passed, 1 failed" in out.out


def test_the_provider_still_validates_under_a_mock(tmp_path, capfd):
    directory = module(tmp_path, {"invalid.tftest.hcl": MOCKED_BUT_INVALID_TFTEST})
    result = avdgen_test(str(directory), "-no-color")
    out = capfd.readouterr()
    assert result.exit_code == 1
    assert "buildTimeoutInMinutes" in out.out + out.err, out


def test_filter_and_other_arguments_reach_terraform_test(tmp_path, capfd):
    directory = module(tmp_path, {"offline.tftest.hcl": OFFLINE_TFTEST, "failing.tftest.hcl": FAILING_TFTEST})
    result = avdgen_test(str(directory), "-filter=tests/offline.tftest.hcl", "-no-color")
    out = capfd.readouterr().out
    assert result.exit_code == 0, out
    assert "failing.tftest.hcl" not in out and "3 passed, 0 failed" in out


def test_nothing_to_test_is_a_clear_error(tmp_path):
    directory = module(tmp_path, {})
    result = CliRunner().invoke(cli, ["test", str(directory)])
    assert result.exit_code == 2
    assert f"{directory}: no *.tftest.hcl files in it or in its tests/ directory" in result.output


def test_init_failure_is_reported(tmp_path):
    directory = module(tmp_path, {"offline.tftest.hcl": OFFLINE_TFTEST})
    shutil.rmtree(tmp_path / "shared-tags")  # the module's sibling source is gone
    result = CliRunner().invoke(cli, ["test", str(directory)])
    assert result.exit_code == 2
    assert f"terraform init failed in a copy of {directory}" in result.output and "shared-tags" in result.output


def test_plain_terraform_test_after_offline_env(tmp_path):
    """What a user types: eval "$(avdgen offline env)"; terraform init; terraform test (the
    spawned path: the mirror's launchers and the warm servers behind them)."""
    directory = module(tmp_path, {"offline.tftest.hcl": OFFLINE_TFTEST, "mocked.tftest.hcl": MOCKED_TFTEST})
    runtime = tempfile.mkdtemp(prefix="avt-")
    env = {
        **os.environ,
        **offline_env(tmp_path / "cache"),
        "AVDGEN_RUNTIME_DIR": runtime,
        "CHECKPOINT_DISABLE": "1",
    }
    env.pop("AVDGEN_OFFLINE_CLOUD")  # beside .terraform, as for a user
    try:
        for args in (["init", "-input=false", "-no-color"], ["test", "-no-color"]):
            result = subprocess.run(["terraform", *args], cwd=directory, env=env, capture_output=True, text=True)
            assert result.returncode == 0, result.stdout + result.stderr
        assert "Success! 4 passed, 0 failed." in result.stdout
    finally:
        stop_servers(runtime)
        shutil.rmtree(runtime, ignore_errors=True)


def test_run_terraform_test_needs_a_module(tmp_path):
    from generator.errors import GeneratorError

    with pytest.raises(GeneratorError, match="no .tf files"):
        run_terraform_test(tmp_path, {}, [])


PINNED_RANDOM_TF = """
terraform {
  required_providers {
    random = { source = "hashicorp/random", version = "~> 3.6.0" }
  }
}

resource "random_string" "suffix" {
  length  = 6
  special = false
}
"""

PINNED_RANDOM_TFTEST = """
run "suffix_has_its_length" {
  command = apply

  assert {
    condition     = length(random_string.suffix.result) == 6
    error_message = "the suffix is ${random_string.suffix.result}"
  }
}
"""


def test_avdgen_test_serves_the_versions_the_module_requires(tmp_path, capfd, monkeypatch):
    """A constraint the vendored default (random 3.7.2) does not meet is served, as by
    `offline env --dir`: the module's required_providers decide the mirror."""
    monkeypatch.setenv("AVDGEN_CACHE_DIR", str(tmp_path / "cache"))
    directory = tmp_path / "pinned"
    (directory / "tests").mkdir(parents=True)
    (directory / "main.tf").write_text(PINNED_RANDOM_TF)
    (directory / "tests" / "suffix.tftest.hcl").write_text(PINNED_RANDOM_TFTEST)
    result = avdgen_test(str(directory), "-no-color")
    out = capfd.readouterr()
    assert result.exit_code == 0, out.out + out.err + result.output
    assert "Success! 1 passed, 0 failed." in out.out
