"""The plugin process: go-plugin handshake, TLS, gRPC services and a clean exit."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import grpc
import pytest
from offline_helpers import FIXTURE_SCHEMAS

from generator.offline.proto import pb
from generator.offline.server import main, provider_name

COOKIE = {"TF_PLUGIN_MAGIC_COOKIE": "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"}


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("azurerm", "azurerm"),
        ("/m/registry.terraform.io/azure/azapi/2.5.0/linux_amd64/terraform-provider-azapi_v2.5.0", "azapi"),
        (".terraform/providers/x/terraform-provider-time_v0.13.1", "time"),
    ],
)
def test_provider_name(arg, expected):
    assert provider_name(arg) == expected


def test_refuses_to_run_outside_terraform(monkeypatch, capsys):
    monkeypatch.delenv("TF_PLUGIN_MAGIC_COOKIE", raising=False)
    assert main(["server", "azurerm"]) == 1
    assert "Terraform runs it" in capsys.readouterr().err


class Plugin:
    """A plugin process started the way Terraform starts it, and a gRPC channel to it."""

    def __init__(self, cache_dir: Path) -> None:
        env = dict(os.environ, **COOKIE, AVDGEN_CACHE_DIR=str(cache_dir), AVDGEN_OFFLINE_SCHEMAS=str(FIXTURE_SCHEMAS))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator.offline.server", "azapi"], stdout=subprocess.PIPE, env=env, text=True
        )
        self.handshake = self.process.stdout.readline().strip().split("|")
        core, app, network, address, protocol, cert = self.handshake
        assert (core, app, network, protocol) == ("1", "6", "unix", "grpc")
        self.socket = Path(address)
        der = base64.b64decode(cert + "=" * (-len(cert) % 4))
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
        credentials = grpc.ssl_channel_credentials(root_certificates=(pem + "\n-----END CERTIFICATE-----\n").encode())
        self.channel = grpc.secure_channel(
            f"unix:{address}", credentials, options=[("grpc.ssl_target_name_override", "localhost")]
        )

    def call(self, service: str, method: str, request: bytes) -> bytes:
        rpc = self.channel.unary_unary(f"/{service}/{method}", request_serializer=bytes, response_deserializer=bytes)
        return rpc(request, timeout=10)

    def close(self) -> int:
        self.channel.close()
        return self.process.wait(timeout=10)


def test_serves_over_tls_and_exits_on_shutdown(tmp_path):
    plugin = Plugin(tmp_path)
    try:
        raw = plugin.call("tfplugin6.Provider", "GetProviderSchema", pb.GetProviderSchema.Request().SerializeToString())
        response = pb.GetProviderSchema.Response.FromString(raw)
        assert "azapi_resource" in response.resource_schemas and not response.diagnostics
        assert plugin.call("plugin.GRPCController", "Shutdown", b"") == b""
    finally:
        assert plugin.close() == 0
    assert not plugin.socket.parent.exists()  # the socket directory is cleaned up
    assert len(list((tmp_path / "schemas").iterdir())) == 1  # schema cached for the next start


def test_stop_provider_exits_and_certificate_is_reused(tmp_path):
    first = Plugin(tmp_path)
    try:
        first.call("tfplugin6.Provider", "StopProvider", b"")
    finally:
        assert first.close() == 0
    second = Plugin(tmp_path)
    try:
        second.call("plugin.GRPCController", "Shutdown", b"")
    finally:
        assert second.close() == 0
    assert first.handshake[5] == second.handshake[5]  # cached, not regenerated per start
    assert oct((tmp_path / "plugin-tls.json").stat().st_mode & 0o777) == "0o600"
