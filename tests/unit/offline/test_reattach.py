"""Long-lived providers Terraform reattaches to (TF_REATTACH_PROVIDERS): they outlive every
command, serve concurrent Terraform processes, and keep each provider configuration to itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import pytest
from offline_helpers import FIXTURE_SCHEMAS

from generator.offline.proto import pb
from generator.offline.reattach import REATTACH_ENV, serving
from generator.harness.plan import plan_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH"),
]

CONFIG = """
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

provider "azurerm" {
  features {}
  subscription_id = "%s"
}

provider "azurerm" {
  alias = "other"
  features {}
  subscription_id = "99999999-0000-0000-0000-000000000000"
}

data "azurerm_client_config" "current" {}

data "azurerm_client_config" "other" {
  provider = azurerm.other
}

resource "azurerm_resource_group" "this" {
  name     = "rg"
  location = "westeurope"
}

resource "azapi_resource" "template" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "it"
  parent_id = azurerm_resource_group.this.id
  body      = { properties = { buildTimeoutInMinutes = 60 } }

  schema_validation_enabled = false # a stand-in body: these tests are about the servers
}

output "subscription_id" {
  value = data.azurerm_client_config.current.subscription_id
}

output "other_subscription_id" {
  value = data.azurerm_client_config.other.subscription_id
}

output "group_id" {
  value = azurerm_resource_group.this.id
}
"""
SUBSCRIPTION_A = "aaaaaaaa-0000-0000-0000-000000000000"
SUBSCRIPTION_B = "bbbbbbbb-0000-0000-0000-000000000000"


def terraform(directory: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["terraform", *args, "-no-color"], cwd=directory, env={**os.environ, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, f"terraform {' '.join(args)}:\n{result.stderr}"
    return result.stdout


def root(tmp_path: Path, name: str, subscription: str) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "main.tf").write_text(CONFIG % subscription)
    return directory


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_survives_every_command_and_serves_concurrent_plans(tmp_path):
    with serving(FIXTURE_SCHEMAS, tmp_path / "cache") as env:
        entries = json.loads(env[REATTACH_ENV])
        assert set(entries) == {
            "registry.terraform.io/hashicorp/azurerm",
            "registry.terraform.io/azure/azapi",
            "registry.terraform.io/hashicorp/time",
        }
        pids = [e["Pid"] for e in entries.values()]

        first = root(tmp_path, "first", SUBSCRIPTION_A)
        terraform(first, env, "init", "-input=false")
        assert not (first / ".terraform.lock.hcl").exists()  # reattached providers are unmanaged
        terraform(first, env, "validate")
        terraform(first, env, "plan", "-input=false", "-out=tfplan")
        shown = json.loads(terraform(first, env, "show", "-json", "tfplan"))
        assert {c["address"] for c in shown["resource_changes"]} == {"azurerm_resource_group.this", "azapi_resource.template"}
        terraform(first, env, "apply", "-input=false", "tfplan")
        assert "No changes" in terraform(first, env, "plan", "-input=false")
        # The servers share one simulated cloud: free the names for the concurrent roots below.
        terraform(first, env, "destroy", "-input=false", "-auto-approve")

        # What Terraform sends on Ctrl-C, and what go-plugin sends a plugin it owns at exit.
        channel = grpc.insecure_channel(entries["registry.terraform.io/hashicorp/azurerm"]["Addr"]["String"])
        stop = channel.unary_unary("/tfplugin6.Provider/StopProvider", request_serializer=bytes, response_deserializer=bytes)
        assert pb.StopProvider.Response.FromString(stop(b"", timeout=10)).Error == ""
        channel.unary_unary("/plugin.GRPCController/Shutdown", request_serializer=bytes, response_deserializer=bytes)(
            b"", timeout=10
        )
        channel.close()
        assert all(alive(pid) for pid in pids)

        # Two Terraform processes at once, each with its own provider configurations.
        roots = {SUBSCRIPTION_A: root(tmp_path, "a", SUBSCRIPTION_A), SUBSCRIPTION_B: root(tmp_path, "b", SUBSCRIPTION_B)}
        outputs: dict[str, dict] = {}
        errors: list[BaseException] = []

        def apply(subscription: str, directory: Path) -> None:
            try:
                terraform(directory, env, "init", "-input=false")
                terraform(directory, env, "apply", "-input=false", "-auto-approve")
                outputs[subscription] = json.loads(terraform(directory, env, "output", "-json"))
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=apply, args=item) for item in roots.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        for subscription, values in outputs.items():
            assert values["subscription_id"]["value"] == subscription
            assert values["other_subscription_id"]["value"] == "99999999-0000-0000-0000-000000000000"
            assert values["group_id"]["value"] == f"/subscriptions/{subscription}/resourceGroups/rg"
        assert all(alive(pid) for pid in pids)
    assert not any(alive(pid) for pid in pids)


def test_plan_config_reattaches(tmp_path):
    from generator.offline.mirror import offline_env

    config = root(tmp_path, "config", SUBSCRIPTION_A)
    summary, _ = plan_config(config, offline_env(tmp_path / "cache", FIXTURE_SCHEMAS), apply=True)
    assert summary.counts == {"azurerm_resource_group": 1, "azapi_resource": 1}
    assert summary.outputs["subscription_id"] == SUBSCRIPTION_A


def test_serve_command_prints_the_environment_and_stops_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", "from generator.cli import main; main()", "offline", "serve",
         "--schemas", str(FIXTURE_SCHEMAS), "--cache-dir", str(tmp_path / "cache")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        exports = {}
        for line in process.stdout:
            key, _, value = line.removeprefix("export ").strip().partition("=")
            exports[key] = value.strip("'")
            if key == REATTACH_ENV:
                break
        assert {"TF_CLI_CONFIG_FILE", "AVDGEN_OFFLINE_SCHEMAS", REATTACH_ENV} <= exports.keys()
        pids = [e["Pid"] for e in json.loads(exports[REATTACH_ENV]).values()]
        assert all(alive(pid) for pid in pids)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0, process.stderr.read()
    assert not any(alive(pid) for pid in pids)


def test_a_server_that_cannot_start_is_reported(tmp_path):
    from generator.offline.mirror import offline_env
    from generator.offline.reattach import ReattachError, reattached

    env = {**offline_env(tmp_path / "cache"), "AVDGEN_PYTHON": shutil.which("false") or "/bin/false"}
    with pytest.raises(ReattachError, match="exited with code 1 before announcing itself"):
        with reattached(env):
            pass
