"""The warm provider server behind the plugin launcher (launcher.py): one process per provider
and key, serving every plugin start Terraform makes, each on an endpoint of its own.

    python -m generator.offline.warm <plugin-file-name> <directory> <key> <ready-fd>

Started by a launcher (never by hand), in a private directory: it listens on `<directory>/ctl`
(0600; the directory is 0700), writes `ready` to the launcher's pipe, and answers each launcher
connection with a fresh gRPC server on `<directory>/<pid>-<n>.sock` and the go-plugin handshake
line for it. Each endpoint has its own ProviderServicer, so a provider configuration (one per
provider block, per command, per Terraform process) never reaches another endpoint; what they
share is what cannot differ between them: the schema, loaded once, and the cached types.

An endpoint ends when Terraform calls GRPCController.Shutdown or StopProvider (as a spawned
plugin exits then), or when its launcher's connection closes (Terraform killed it). The server
exits once no endpoint has been open for AVDGEN_PLUGIN_IDLE_TIMEOUT seconds (default 300), or on
SIGTERM. RPC tracebacks go to `<directory>/server.log` (a spawned plugin's go to TF_LOG).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import signal
import socket
import sys
import threading
import time
from concurrent import futures
from typing import Any

import grpc

from .cloud import CLOUD_ENV, DEFAULT_CLOUD
from .fixture import Fixture
from .launcher import FORWARDED_PREFIX, PROTOCOL
from .mirror import default_cache_dir
from .schema import ProviderSchema, schema_file
from .server import _APP_PROTOCOL, _CORE_PROTOCOL, _handlers, _server_certificate, provider_name
from .servicer import ProviderServicer

IDLE_ENV = "AVDGEN_PLUGIN_IDLE_TIMEOUT"
_DEFAULT_IDLE = 300.0
_REQUEST_TIMEOUT = 10.0


class Endpoint:
    """One plugin start: a gRPC server on its own socket, alive while its launcher is."""

    def __init__(self, warm: WarmServer, conn: socket.socket, path: str, servicer: ProviderServicer) -> None:
        self.warm, self.conn, self.path = warm, conn, path
        self._ended = threading.Event()
        self.server = grpc.server(warm.pool, handlers=_handlers(servicer, self.end))
        self.server.add_secure_port(f"unix://{path}", warm.credentials)
        os.chmod(path, 0o600)  # gRPC binds here; the umask (077) already leaves others out

    def end(self) -> None:
        """Shutdown or StopProvider: close the launcher's connection, so it exits (Terraform
        waits for that), which also wakes `watch`."""
        if not self._ended.is_set():
            self._ended.set()
            with contextlib.suppress(OSError):
                self.conn.shutdown(socket.SHUT_RDWR)

    def watch(self) -> None:
        with contextlib.suppress(OSError):
            while self.conn.recv(4096):
                pass  # launchers send nothing after the request
        self.end()
        # A second for the RPC that ended us (Shutdown) to answer.
        self.server.stop(grace=1).wait()
        self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        self.warm.release()


class WarmServer:
    def __init__(self, provider: str, directory: str, key: str, idle_timeout: float) -> None:
        self.provider, self.directory, self.key, self.idle_timeout = provider, directory, key, idle_timeout
        self.cache_dir = default_cache_dir()
        key_pem, cert_pem, der = _server_certificate(self.cache_dir)
        # Server-side TLS only, as server.py explains; the 0700 directory keeps others out.
        self.credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
        self.cert_b64 = base64.b64encode(der).decode().rstrip("=")
        # Concurrent Terraform processes each run up to 10 operations at once (as reattach.py).
        self.pool = futures.ThreadPoolExecutor(max_workers=32)
        self._schema: ProviderSchema | None = None
        self._schema_lock = threading.Lock()
        self._types: dict[Any, Any] = {}
        self._count_lock = threading.Lock()
        self._open = 0
        self._serial = 0
        self._idle_since = time.monotonic()
        self.ctl = os.path.join(directory, "ctl")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.ctl)
        os.chmod(self.ctl, 0o600)
        self.listener.listen(64)
        self.listener.settimeout(1.0)

    def schema(self) -> ProviderSchema:
        with self._schema_lock:
            if self._schema is None:
                self._schema = ProviderSchema(self.provider, schema_file(self.provider), self.cache_dir)
            return self._schema

    def release(self) -> None:
        with self._count_lock:
            self._open -= 1
            if not self._open:
                self._idle_since = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        threading.Thread(target=self._warm, daemon=True).start()
        while not stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                with self._count_lock:
                    idle = not self._open and time.monotonic() - self._idle_since > self.idle_timeout
                if idle and self._retire():
                    return
                continue
            with self._count_lock:
                self._open += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()
        self._retire()

    def _warm(self) -> None:
        with contextlib.suppress(Exception):  # the first RPC needing the schema reports it
            self.schema()

    def _retire(self) -> bool:
        """Stop listening, under the launchers' lock so none starts a server meanwhile; a
        launcher whose connection was still queued reads end of file and starts a new one."""
        lock = os.open(os.path.join(self.directory, "lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with self._count_lock:
                if self._open and not _stopping.is_set():
                    return False
            with contextlib.suppress(OSError):
                os.unlink(self.ctl)  # ours: while we listened, no launcher could start another
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self.directory, "pid"))
            self.listener.close()
            return True
        finally:
            os.close(lock)

    def _serve(self, conn: socket.socket) -> None:
        try:
            endpoint = self._endpoint(conn)
        except Exception as exc:  # a reply the launcher prints, never a hang
            with contextlib.suppress(OSError):
                conn.sendall(f"ERR warm provider server: {type(exc).__name__}: {exc}\n".encode())
            conn.close()
            self.release()
            return
        if endpoint is None:
            conn.close()
            self.release()
            return
        endpoint.server.start()
        try:
            conn.sendall(f"{_CORE_PROTOCOL}|{_APP_PROTOCOL}|unix|{endpoint.path}|grpc|{self.cert_b64}\n".encode())
        except OSError:
            endpoint.end()
        endpoint.watch()

    def _endpoint(self, conn: socket.socket) -> Endpoint | None:
        conn.settimeout(_REQUEST_TIMEOUT)
        data = b""
        while not data.endswith(b"\0\0"):
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        conn.settimeout(None)
        fields = data[:-2].decode("utf-8", "surrogateescape").split("\0")
        if len(fields) < 4 or fields[0] != PROTOCOL:
            raise ValueError(f"not a {PROTOCOL} request")
        protocol, key, provider, cwd, *pairs = fields
        if key != self.key or provider != self.provider:
            # The launcher runs other code (or another provider) than this server was started for.
            raise ValueError(f"this server serves {self.provider} for key {self.key[:12]}, not {provider} for {key[:12]}")
        environ = dict(p.split("=", 1) for p in pairs if "=" in p and p.startswith(FORWARDED_PREFIX))
        # The simulated cloud lives beside Terraform's data unless named (cloud.cloud_path).
        environ.setdefault(CLOUD_ENV, os.path.join(cwd, DEFAULT_CLOUD))
        ended: list[Endpoint] = []  # StopProvider ends the endpoint, as it ends a spawned plugin
        servicer = ProviderServicer(
            self.schema,
            fixture=Fixture.from_env(environ),
            on_stop=lambda: ended[0].end(),
            environ=environ,
            types=self._types,
        )
        with self._count_lock:
            self._serial += 1
            path = os.path.join(self.directory, f"{os.getpid()}-{self._serial}.sock")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        ended.append(Endpoint(self, conn, path, servicer))
        return ended[0]


_stopping = threading.Event()


def main(argv: list[str]) -> int:
    # The plugin's file name (terraform-provider-NAME_vVERSION), as server.py is given its path.
    provider, directory, key, ready_fd = provider_name(argv[1]), argv[2], argv[3], int(argv[4])
    os.umask(0o077)
    try:
        idle = float(os.environ.get(IDLE_ENV) or _DEFAULT_IDLE)
    except ValueError:
        idle = _DEFAULT_IDLE
    warm = WarmServer(provider, directory, key, idle)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: _stopping.set())
    with open(os.path.join(directory, "pid"), "w") as f:
        f.write(f"{os.getpid()}\n")
    os.write(ready_fd, b"ready\n")
    os.close(ready_fd)
    print(f"serving {provider} for key {key[:12]} as pid {os.getpid()}", file=sys.stderr, flush=True)
    warm.run(_stopping)
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stderr.flush()
    os._exit(code)  # endpoints' threads need no teardown
