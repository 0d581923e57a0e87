"""The warm provider server behind the plugin launcher (launcher.py, warm.py): plugins started
the way Terraform starts them, one server per provider and key, an endpoint per plugin start."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import grpc
import pytest
from offline_helpers import FIXTURE_SCHEMAS

from generator.offline import launcher
from generator.offline.mirror import install_mirror, offline_env, terraform_platform
from generator.offline.proto import pb

COOKIE = {"TF_PLUGIN_MAGIC_COOKIE": "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"}


@pytest.fixture
def runtime():
    """A short private runtime directory (socket paths must stay under 108 bytes), its servers
    stopped afterwards."""
    directory = tempfile.mkdtemp(prefix="avw-")
    try:
        yield Path(directory)
    finally:
        for pid in launcher.stop_servers(directory):
            _wait_gone(pid)
        shutil.rmtree(directory, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def plugin_env(tmp_path: Path, runtime: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **offline_env(tmp_path / "cache", FIXTURE_SCHEMAS),
        **COOKIE,
        "AVDGEN_RUNTIME_DIR": str(runtime),
        **extra,
    }


def mirror_launcher(tmp_path: Path, provider: str) -> Path:
    versions = {"azurerm": "hashicorp/azurerm/4.79.0", "azapi": "azure/azapi/2.5.0", "time": "hashicorp/time/0.13.1"}
    mirror = install_mirror(tmp_path / "cache")
    version = versions[provider].rsplit("/", 1)[1]
    return mirror / "registry.terraform.io" / versions[provider] / terraform_platform() / f"terraform-provider-{provider}_v{version}"


class Plugin:
    """A plugin process started as Terraform starts it (the mirror's launcher, its environment),
    and a TLS gRPC channel to the endpoint its handshake names."""

    def __init__(self, path: Path, env: dict[str, str], cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            [str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd, text=True
        )
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"no handshake; stderr:\n{self.process.stderr.read()}")
        core, app, network, address, protocol, cert = line.strip().split("|")
        assert (core, app, network, protocol) == ("1", "6", "unix", "grpc")
        self.socket = Path(address)
        der = base64.b64decode(cert + "=" * (-len(cert) % 4))
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
        credentials = grpc.ssl_channel_credentials(root_certificates=(pem + "\n-----END CERTIFICATE-----\n").encode())
        self.channel = grpc.secure_channel(
            f"unix:{address}", credentials, options=[("grpc.ssl_target_name_override", "localhost")]
        )

    def call(self, service: str, method: str, request: bytes = b"") -> bytes:
        rpc = self.channel.unary_unary(f"/{service}/{method}", request_serializer=bytes, response_deserializer=bytes)
        return rpc(request, timeout=20)

    def schema(self) -> pb.GetProviderSchema.Response:
        raw = self.call("tfplugin6.Provider", "GetProviderSchema", pb.GetProviderSchema.Request().SerializeToString())
        return pb.GetProviderSchema.Response.FromString(raw)

    def close(self) -> None:
        self.channel.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()


def server_dirs(runtime: Path, provider: str) -> list[Path]:
    return sorted(runtime.glob(f"{provider}-*"))


def server_pid(runtime: Path, provider: str) -> int:
    (directory,) = server_dirs(runtime, provider)
    return int((directory / "pid").read_text())


def test_endpoints_share_one_server_and_each_ends_with_its_plugin(tmp_path, runtime):
    env = plugin_env(tmp_path, runtime)
    path = mirror_launcher(tmp_path, "azapi")
    first, second = Plugin(path, env), Plugin(path, env)
    try:
        assert first.socket != second.socket and first.socket.parent == second.socket.parent
        assert oct(first.socket.stat().st_mode & 0o777) == "0o600"
        assert oct(first.socket.parent.stat().st_mode & 0o777) == "0o700"
        assert oct(runtime.stat().st_mode & 0o777) == "0o700"
        assert "azapi_resource" in first.schema().resource_schemas
        assert "azapi_resource" in second.schema().resource_schemas
        pid = server_pid(runtime, "azapi")

        # go-plugin's Kill(): Shutdown, then up to 2 s for the process to exit before SIGKILL.
        started = time.monotonic()
        assert first.call("plugin.GRPCController", "Shutdown") == b""
        assert first.process.wait(timeout=5) == 0
        assert time.monotonic() - started < 2.0  # within Terraform's grace, so it is never SIGKILLed
        assert first.process.stdout.read() == ""  # the handshake was all it printed
        deadline = time.monotonic() + 5
        while first.socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not first.socket.exists()
        assert "azapi_resource" in second.schema().resource_schemas  # untouched by the other's end

        # A killed launcher (Terraform gave up on it, or died) ends its endpoint too.
        second.process.send_signal(signal.SIGKILL)
        second.process.wait(timeout=5)
        deadline = time.monotonic() + 5
        while second.socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not second.socket.exists()
        assert _alive(pid)  # the server stays for the next command
    finally:
        first.close()
        second.close()


def test_stop_provider_ends_the_endpoint(tmp_path, runtime):
    plugin = Plugin(mirror_launcher(tmp_path, "time"), plugin_env(tmp_path, runtime))
    try:
        assert pb.StopProvider.Response.FromString(plugin.call("tfplugin6.Provider", "StopProvider")).Error == ""
        assert plugin.process.wait(timeout=5) == 0  # as a spawned plugin exits on StopProvider
    finally:
        plugin.close()


def test_racing_launchers_start_one_server(tmp_path, runtime):
    env = plugin_env(tmp_path, runtime)
    path = mirror_launcher(tmp_path, "time")
    plugins: list[Plugin] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            plugins.append(Plugin(path, env))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors, errors
        assert len({p.socket for p in plugins}) == 6
        (directory,) = server_dirs(runtime, "time")
        assert (directory / "server.log").read_text().count("serving time") == 1
    finally:
        for plugin in plugins:
            plugin.close()


def test_a_dead_servers_socket_is_replaced(tmp_path, runtime):
    env = plugin_env(tmp_path, runtime)
    key = launcher.server_key("time", env, "terraform-provider-time_v0.13.1")
    directory = runtime / f"time-{key[:12]}"
    directory.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(directory / "ctl"))  # bound, never listening: what a killed server leaves
    stale.close()
    plugin = Plugin(mirror_launcher(tmp_path, "time"), env)
    try:
        assert plugin.socket.parent == directory
        assert "time_rotating" in plugin.schema().resource_schemas
    finally:
        plugin.close()


def test_a_request_for_other_code_is_refused(tmp_path, runtime):
    env = plugin_env(tmp_path, runtime)
    plugin = Plugin(mirror_launcher(tmp_path, "time"), env)  # starts the server
    try:
        ctl = plugin.socket.parent / "ctl"
        with socket.socket(socket.AF_UNIX) as conn:
            conn.connect(str(ctl))
            conn.sendall(launcher.request("0" * 64, "time", {}))
            reply = conn.makefile("rb").readline().decode()
        assert reply.startswith("ERR ") and "not time for 000000000000" in reply
    finally:
        plugin.close()


def test_the_key_follows_code_schemas_and_interpreter_but_not_per_run_overrides(tmp_path, monkeypatch):
    package = tmp_path / "generator"
    (package / "offline").mkdir(parents=True)
    (package / "offline" / "servicer.py").write_text("one\n")
    monkeypatch.setattr(launcher, "_PACKAGE", str(package))
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "x.schema.json").write_text("{}")
    base = {"AVDGEN_CACHE_DIR": "/c", "AVDGEN_OFFLINE_SCHEMAS": str(schemas)}
    key = launcher.server_key("azurerm", base)
    assert launcher.server_key("azurerm", {**base, "AVDGEN_OFFLINE_SUBSCRIPTION_ID": "x"}) == key
    assert launcher.server_key("azapi", base) != key
    assert launcher.server_key("azurerm", base, "terraform-provider-azurerm_v4.79.0") != launcher.server_key(
        "azurerm", base, "terraform-provider-azurerm_v4.80.0"
    )
    assert launcher.server_key("azurerm", {**base, "AVDGEN_OFFLINE_SCHEMAS": ""}) != key
    assert launcher.server_key("azurerm", {**base, "AVDGEN_CACHE_DIR": "/d"}) != key
    (schemas / "x.schema.json").write_text('{"changed": true}')
    assert launcher.server_key("azurerm", base) != key
    key = launcher.server_key("azurerm", base)
    (package / "offline" / "servicer.py").write_text("two, from a newer checkout\n")
    assert launcher.server_key("azurerm", base) != key
    key = launcher.server_key("azurerm", base)
    monkeypatch.setattr(sys, "executable", "/other/python")
    assert launcher.server_key("azurerm", base) != key


def test_a_server_that_does_not_answer_is_reported(tmp_path, runtime, monkeypatch):
    env = plugin_env(tmp_path, runtime)
    Plugin(mirror_launcher(tmp_path, "time"), env).close()  # starts the server
    pid = server_pid(runtime, "time")
    monkeypatch.setattr(launcher, "_ANSWER_TIMEOUT", 1.0)
    os.kill(pid, signal.SIGSTOP)  # accepts nothing, answers nothing
    try:
        with pytest.raises(launcher.LaunchError, match="did not answer in 1 s"):
            launcher.launch([str(mirror_launcher(tmp_path, "time"))], env)
    finally:
        os.kill(pid, signal.SIGCONT)


def test_an_idle_server_exits(tmp_path, runtime):
    env = plugin_env(tmp_path, runtime, AVDGEN_PLUGIN_IDLE_TIMEOUT="1")
    plugin = Plugin(mirror_launcher(tmp_path, "time"), env)
    pid = server_pid(runtime, "time")
    plugin.call("plugin.GRPCController", "Shutdown")
    plugin.close()
    assert _wait_gone(pid, timeout=15)
    (directory,) = server_dirs(runtime, "time")
    assert not (directory / "ctl").exists() and not (directory / "pid").exists()
    again = Plugin(mirror_launcher(tmp_path, "time"), env)  # the next start brings up another
    try:
        assert server_pid(runtime, "time") != pid
    finally:
        again.close()


def test_a_runtime_directory_others_can_enter_is_refused(tmp_path, runtime):
    runtime.chmod(0o755)
    result = subprocess.run(
        [str(mirror_launcher(tmp_path, "time"))], env=plugin_env(tmp_path, runtime), capture_output=True, text=True
    )
    assert result.returncode == 1 and result.stdout == ""
    assert f"{runtime} is not a private directory" in result.stderr and "AVDGEN_RUNTIME_DIR" in result.stderr


def test_a_server_that_cannot_start_is_reported(tmp_path, runtime):
    broken = tmp_path / "broken" / "grpc"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('no grpc in this test')\n")
    env = plugin_env(tmp_path, runtime)
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(broken.parent)])  # the launcher needs no grpc
    result = subprocess.run([str(mirror_launcher(tmp_path, "time"))], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert "the warm time provider server failed to start" in result.stderr
    assert "no grpc in this test" in result.stderr


def test_offline_stop_stops_the_servers(tmp_path, runtime, monkeypatch):
    from click.testing import CliRunner

    from generator.cli import cli

    plugin = Plugin(mirror_launcher(tmp_path, "time"), plugin_env(tmp_path, runtime))
    try:
        pid = server_pid(runtime, "time")
        monkeypatch.setenv("AVDGEN_RUNTIME_DIR", str(runtime))
        result = CliRunner().invoke(cli, ["offline", "stop"])
        assert result.exit_code == 0 and f"stopped 1 warm provider server in {runtime}" in result.output
        assert _wait_gone(pid)
        assert plugin.process.wait(timeout=5) == 0  # its plugin's connection closed with it
    finally:
        plugin.close()


def test_the_cold_path_still_serves(tmp_path, runtime):
    plugin = Plugin(mirror_launcher(tmp_path, "time"), plugin_env(tmp_path, runtime, AVDGEN_OFFLINE_WARM="0"))
    try:
        assert "time_rotating" in plugin.schema().resource_schemas
        assert not list(runtime.iterdir())  # no warm server involved
    finally:
        plugin.close()


CONFIG = """
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
  }
}

provider "azurerm" {
  features {}
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


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_concurrent_terraform_runs_keep_their_own_configuration_and_environment(tmp_path, runtime):
    """Plain terraform after `avdgen offline env`: two processes at once, each with its own
    AVDGEN_OFFLINE_SUBSCRIPTION_ID, share the warm servers and see only their own values."""
    subscriptions = ["aaaaaaaa-0000-0000-0000-000000000000", "bbbbbbbb-0000-0000-0000-000000000000"]
    outputs: dict[str, dict] = {}
    errors: list[str] = []
    base = {**plugin_env(tmp_path, runtime), "CHECKPOINT_DISABLE": "1"}
    for name in [*COOKIE, "TF_REATTACH_PROVIDERS", "AVDGEN_OFFLINE_CLOUD"]:  # the cloud: beside each .terraform
        base.pop(name, None)

    def run(subscription: str) -> None:
        directory = tmp_path / subscription[:4]
        directory.mkdir()
        (directory / "main.tf").write_text(CONFIG)
        env = {**base, "AVDGEN_OFFLINE_SUBSCRIPTION_ID": subscription}
        steps = (
            ["init", "-input=false"],
            ["apply", "-input=false", "-auto-approve"],
            ["plan", "-input=false", "-detailed-exitcode"],  # 0: "No changes", read back from its cloud
            ["output", "-json"],
        )
        for args in steps:
            result = subprocess.run(["terraform", *args, "-no-color"], cwd=directory, env=env, capture_output=True, text=True)
            if result.returncode:
                errors.append(f"terraform {args[0]} ({subscription}) exited {result.returncode}:\n{result.stdout}{result.stderr}")
                return
        outputs[subscription] = json.loads(result.stdout)

    threads = [threading.Thread(target=run, args=(s,)) for s in subscriptions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, "\n".join(errors)
    for subscription in subscriptions:
        values = outputs[subscription]
        assert values["subscription_id"]["value"] == subscription
        assert values["other_subscription_id"]["value"] == "99999999-0000-0000-0000-000000000000"
        assert values["group_id"]["value"] == f"/subscriptions/{subscription}/resourceGroups/rg"
        # Each run's simulated cloud lives beside its own .terraform (the launcher's cwd).
        assert (tmp_path / subscription[:4] / ".terraform" / "avdgen-offline-cloud.json").is_file()
    assert len(server_dirs(runtime, "azurerm")) == 1  # one warm server served both
    (directory,) = server_dirs(runtime, "azurerm")
    assert sorted(p.name for p in directory.iterdir()) == ["ctl", "lock", "pid", "server.log"]  # endpoints gone


def test_a_server_started_from_a_directory_imports_nothing_from_it_and_does_not_live_in_it(tmp_path, runtime):
    """The server outlives the Terraform run that started it and serves others: a package in
    that run's directory shadowing one it imports must not be imported, and its working
    directory is not that run's."""
    work = tmp_path / "work"
    (work / "grpc").mkdir(parents=True)
    (work / "grpc" / "__init__.py").write_text("raise SystemExit('shadowed grpc was imported')\n")
    plugin = Plugin(mirror_launcher(tmp_path, "time"), plugin_env(tmp_path, runtime), cwd=work)
    try:
        assert plugin.schema().provider.block is not None
        pid = server_pid(runtime, "time")
        assert os.readlink(f"/proc/{pid}/cwd") == "/"
    finally:
        plugin.close()


def test_a_relative_cloud_path_is_the_runs_own_directory(tmp_path, runtime):
    assert launcher.request("k", "time", {"AVDGEN_OFFLINE_CLOUD": "rel-cloud.json"}).split(b"\0")[4] == (
        f"AVDGEN_OFFLINE_CLOUD={os.path.join(os.getcwd(), 'rel-cloud.json')}".encode()
    )
