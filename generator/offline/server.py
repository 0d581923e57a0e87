"""Serve one offline provider as a Terraform plugin (go-plugin over gRPC, protocol 6).

    python -m generator.offline.server <azurerm|azapi|time|path/to/terraform-provider-NAME_vX>
    python -m generator.offline.server --reattach <azurerm|azapi|time>

Terraform starts a plugin several times per command, so startup is kept short: only grpc and
protobuf are imported up front, the TLS certificate is generated once and cached, and the
schema is read from its cache (see schema.py) once the handshake is out.

With `--reattach` the server is long-lived instead (see reattach.py): it prints its
TF_REATTACH_PROVIDERS entry as one JSON line, serves every Terraform command and every
concurrent Terraform process that reattaches to it, and exits on SIGTERM or when its
parent process goes away; Terraform's StopProvider and Shutdown calls never end it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path

import grpc

from .mirror import default_cache_dir
from .proto import pb
from .schema import ProviderSchema, schema_file
from .servicer import ProviderServicer

# Terraform's go-plugin handshake: the cookie it sets, and the protocol versions it speaks.
_MAGIC_COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
_CORE_PROTOCOL, _APP_PROTOCOL = 1, 6
_RPCS = (
    "GetMetadata", "GetProviderSchema", "ValidateProviderConfig", "ValidateResourceConfig",
    "ValidateDataResourceConfig", "UpgradeResourceState", "ConfigureProvider", "ReadResource",
    "PlanResourceChange", "ApplyResourceChange", "ImportResourceState", "MoveResourceState",
    "ReadDataSource", "GetFunctions", "CallFunction", "StopProvider",
)  # fmt: skip
_CERT_LIFETIME = 30 * 86400


def provider_name(arg: str) -> str:
    """`azurerm`, or the provider a `terraform-provider-azurerm_v4.79.0` launcher stands for."""
    match = re.match(r"terraform-provider-([a-z0-9]+)(?:_|$)", Path(arg).name)
    return match.group(1) if match else arg


def _server_certificate(cache_dir: Path) -> tuple[bytes, bytes, bytes]:
    """(key PEM, certificate PEM, certificate DER) for localhost, cached until near expiry;
    generating one needs `cryptography`, whose import alone costs as much as the rest."""
    path = cache_dir / "plugin-tls.json"
    try:
        cached = json.loads(path.read_text())
        if cached["not_after"] > time.time() + 3600:
            return cached["key"].encode(), cached["cert"].encode(), base64.b64decode(cached["der"])
    except (OSError, ValueError, KeyError):
        pass
    key, cert, der = _new_certificate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds a private key
        with os.fdopen(fd, "w") as f:
            payload = {"not_after": time.time() + _CERT_LIFETIME - 60, "key": key.decode(), "cert": cert.decode()}
            json.dump({**payload, "der": base64.b64encode(der).decode()}, f)
        os.replace(tmp, path)
    except OSError:
        pass  # uncached only means slower starts
    return key, cert, der


def _new_certificate() -> tuple[bytes, bytes, bytes]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    # Shaped like the certificates go-plugin makes for AutoMTLS: self-signed CA for "localhost".
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(seconds=_CERT_LIFETIME))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


def _handlers(servicer: ProviderServicer, on_shutdown: Callable[[], None]) -> list[grpc.GenericRpcHandler]:
    def unary(name: str) -> grpc.RpcMethodHandler:
        messages = getattr(pb, name)
        return grpc.unary_unary_rpc_method_handler(
            getattr(servicer, name),
            request_deserializer=messages.Request.FromString,
            response_serializer=messages.Response.SerializeToString,
        )

    def shutdown(request: bytes, context: grpc.ServicerContext) -> bytes:
        on_shutdown()
        return b""  # plugin.Empty

    def stream_stdio(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        return iter(())  # the plugin never writes to stdout/stderr for Terraform to relay

    raw = {"request_deserializer": bytes, "response_serializer": bytes}
    provider = {n: unary(n) for n in _RPCS}
    provider["GetProviderSchema"] = grpc.unary_unary_rpc_method_handler(
        servicer.serialized_provider_schema,
        request_deserializer=pb.GetProviderSchema.Request.FromString,
        response_serializer=_serialized,
    )
    return [
        grpc.method_handlers_generic_handler("tfplugin6.Provider", provider),
        grpc.method_handlers_generic_handler(
            "plugin.GRPCController", {"Shutdown": grpc.unary_unary_rpc_method_handler(shutdown, **raw)}
        ),
        grpc.method_handlers_generic_handler(
            "plugin.GRPCStdio", {"StreamStdio": grpc.unary_stream_rpc_method_handler(stream_stdio, **raw)}
        ),
    ]


def _serialized(message: bytes) -> bytes:
    return message


def _warm(servicer: ProviderServicer) -> None:
    with contextlib.suppress(Exception):  # the first RPC needing the schema reports the problem
        _ = servicer.schema


def serve(provider: str) -> int:
    cache_dir = default_cache_dir()
    stop = threading.Event()
    servicer = ProviderServicer(lambda: ProviderSchema(provider, schema_file(provider), cache_dir), on_stop=stop.set)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), handlers=_handlers(servicer, stop.set))

    key, cert, der = _server_certificate(cache_dir)
    # Requiring Terraform's client certificate (PLUGIN_CLIENT_CERT) fails every handshake with
    # PEER_DID_NOT_RETURN_A_CERTIFICATE, apparently because that ECDSA P-521 certificate fits none
    # of the signature algorithms BoringSSL asks for. Server-side TLS is what go-plugin requires;
    # the socket sits in a private temporary directory.
    credentials = grpc.ssl_server_credentials([(key, cert)], require_client_auth=False)
    sock_dir = tempfile.mkdtemp(prefix="avdgen-plugin-")
    sock = os.path.join(sock_dir, "plugin.sock")
    try:
        server.add_secure_port(f"unix://{sock}", credentials)
        server.start()
        cert_b64 = base64.b64encode(der).decode().rstrip("=")
        print(f"{_CORE_PROTOCOL}|{_APP_PROTOCOL}|unix|{sock}|grpc|{cert_b64}", flush=True)
        # Read the schema while Terraform is still busy with its side of the connection.
        threading.Thread(target=_warm, args=(servicer,), daemon=True).start()
        parent = os.getppid()
        while not stop.wait(1.0):
            if os.getppid() != parent:  # Terraform died without shutting us down
                break
        server.stop(grace=1).wait()
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)
    return 0


def reattach_entry(address: str) -> dict[str, object]:
    """This process's value in TF_REATTACH_PROVIDERS, for a plain gRPC server at `address`
    (`host:port`). `Test: true` tells go-plugin that the process is not Terraform's: Terraform
    then neither kills it nor calls Shutdown when a command ends, and takes the protocol version
    as given. Reattached clients never speak TLS (go-plugin's AutoMTLS applies only to plugins
    it starts), so the server must be plain gRPC."""
    return {
        "Protocol": "grpc",
        "ProtocolVersion": _APP_PROTOCOL,
        "Pid": os.getpid(),
        "Test": True,
        "Addr": {"Network": "tcp", "String": address},
    }


def serve_reattached(provider: str) -> int:
    """Serve until SIGTERM or until the parent exits; print the reattach entry first.

    Loopback TCP rather than a unix socket: every Terraform provider instance (each command,
    each alias, each concurrent Terraform process) opens its own connection, and only a TCP
    peer address tells those connections apart, so each keeps its own provider configuration
    (see ProviderServicer.fixture). Loopback is unauthenticated, but the server keeps nothing
    a caller could read back except the identity values (subscription, tenant, client ids) a
    connection configured for itself, and changes nothing outside itself."""
    cache_dir = default_cache_dir()
    stop = threading.Event()
    # StopProvider asks to cancel in-flight operations: RPCs here finish in milliseconds, so
    # there is nothing to cancel, and the server must outlive the command that sent it.
    servicer = ProviderServicer(lambda: ProviderSchema(provider, schema_file(provider), cache_dir))
    # Concurrent Terraform processes each run up to 10 operations at once; the GIL serialises
    # the work anyway, the threads only keep slow callers from queueing behind each other.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), handlers=_handlers(servicer, lambda: None))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    # Ctrl-C reaches the whole process group: whoever started us decides when we stop (SIGTERM).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=_warm, args=(servicer,), daemon=True).start()
    print(json.dumps(reattach_entry(f"127.0.0.1:{port}")), flush=True)
    parent = os.getppid()
    while not stop.wait(0.5):
        if os.getppid() != parent:  # whoever started us is gone
            break
    server.stop(grace=1).wait()
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "--reattach":
        return serve_reattached(provider_name(argv[2]))
    if os.environ.get(_MAGIC_COOKIE[0]) != _MAGIC_COOKIE[1]:
        print("This is a Terraform provider plugin; Terraform runs it, not you.", file=sys.stderr)
        return 1
    if len(argv) < 2:
        print("usage: python -m generator.offline.server [--reattach] <provider-or-launcher-path>", file=sys.stderr)
        return 2
    # Ctrl-C reaches the whole process group; Terraform decides when its plugins stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return serve(provider_name(argv[1]))


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # Terraform waits for each plugin process to end; the interpreter's own teardown (gRPC core,
    # worker threads) would add ~30 ms per plugin start and there is nothing left to clean up.
    os._exit(code)
