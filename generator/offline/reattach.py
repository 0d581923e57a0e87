"""Long-lived offline providers that Terraform reattaches to instead of starting its own.

Terraform starts every provider afresh for each command (validate, plan, show, apply each start
all of them, once per provider block), and a Python start costs well over 100 ms. With
`TF_REATTACH_PROVIDERS` naming already-running servers, Terraform connects to those instead:

    with serving(schemas_dir) as env:          # env: offline_env(...) + TF_REATTACH_PROVIDERS
        subprocess.run(["terraform", "plan"], env=os.environ | env)

What Terraform does with reattached ("unmanaged") providers:
- `terraform init` neither installs nor locks them: the lock file lists only the providers it
  did install. A directory initialised with the variable set plans with it set; one initialised
  without it (from the mirror) plans either way, since the lock entries of reattached providers
  are ignored while the variable is set.
- The reattach entries say `"Test": true`, so Terraform never kills the servers nor calls
  go-plugin's Shutdown when a command ends; StopProvider (sent on Ctrl-C) does not stop them.
- Every provider instance of every command opens its own connection, so concurrent Terraform
  processes can share one set, and provider configuration stays per instance.

Unlike spawned plugins, the servers read their environment once, when started: the schema set
(`schemas_dir`, or AVDGEN_OFFLINE_SCHEMAS) and AVDGEN_OFFLINE_* fixture overrides apply to every
command served; changing them in Terraform's environment afterwards changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from .cloud import CLOUD_ENV
from .mirror import HOSTNAME, PROVIDERS, offline_env

REATTACH_ENV = "TF_REATTACH_PROVIDERS"
_START_TIMEOUT = 30.0


class ReattachError(RuntimeError):
    """A provider server failed to start."""


@contextlib.contextmanager
def serving(schemas_dir: Path | None = None, cache_dir: Path | None = None) -> Iterator[dict[str, str]]:
    """Start one server per offline provider; yield the variables Terraform needs to use them
    (offline_env's plus TF_REATTACH_PROVIDERS); stop the servers on exit."""
    with reattached(offline_env(cache_dir, schemas_dir)) as env:
        yield env


@contextlib.contextmanager
def reattached(env: Mapping[str, str], names: Iterable[tuple[str, str]] | None = None) -> Iterator[dict[str, str]]:
    """Start the servers (one per (namespace, name) in `names`, default PROVIDERS) with `env`
    (an offline_env) over this process's environment; yield `env` plus TF_REATTACH_PROVIDERS."""
    providers = Providers.start(env, names=names)
    try:
        yield providers.env
    finally:
        providers.stop()


class Server:
    """One provider server process and its TF_REATTACH_PROVIDERS entry."""

    def __init__(self, address: str, process: subprocess.Popen[str], stderr: IO[bytes] | None) -> None:
        self.address = address  # e.g. registry.terraform.io/hashicorp/azurerm
        self.process = process
        self.stderr = stderr  # None: the server writes to ours
        self.entry: dict[str, object] = {}

    def errors(self) -> str:
        """What the server wrote to stderr (tracebacks of failed RPCs or of its start)."""
        if self.stderr is None or self.stderr.closed:
            return ""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")


class Providers:
    """A running set of servers (one per offline provider) and Terraform's env to use them;
    for callers that cannot hold a `with` block open (e.g. a pytest session)."""

    def __init__(self, env: Mapping[str, str], servers: list[Server]) -> None:
        self.servers = servers
        self.env = {**env, REATTACH_ENV: reattach_value(servers)}

    @classmethod
    def start(
        cls, env: Mapping[str, str], inherit_stderr: bool = False, names: Iterable[tuple[str, str]] | None = None
    ) -> Providers:
        return cls(env, start_servers(env, inherit_stderr, names))

    def stop(self) -> None:
        stop_servers(self.servers)


def serve_until_stopped(env: Mapping[str, str], announce: Callable[[dict[str, str]], None]) -> None:
    """`avdgen offline serve`: start the servers (ReattachError if one fails), hand Terraform's
    variables to `announce`, and serve until Ctrl-C or SIGTERM."""
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    # One simulated cloud for everything these servers apply (cloud.py), unless one is given.
    if CLOUD_ENV not in env and CLOUD_ENV not in os.environ and env.get("AVDGEN_CACHE_DIR"):
        env = {**env, CLOUD_ENV: str(Path(env["AVDGEN_CACHE_DIR"]) / "offline-cloud.json")}
    # Tracebacks of failed RPCs (each also a diagnostic in Terraform's output) show here.
    providers = Providers.start(env, inherit_stderr=True)
    try:
        announce(providers.env)
        with contextlib.suppress(KeyboardInterrupt):
            while not done.wait(1.0):
                pass
    finally:
        providers.stop()


def start_servers(
    env: Mapping[str, str], inherit_stderr: bool = False, names: Iterable[tuple[str, str]] | None = None
) -> list[Server]:
    """Start the servers (`names`: (namespace, name) pairs, default PROVIDERS) at once and wait
    for each to announce itself. Their stderr goes to private temporary files (as a spawned
    plugin's goes to Terraform's debug log), unless `inherit_stderr`. A provider not started
    here is spawned by Terraform from the mirror as usual."""
    full_env = {**os.environ, **env}
    full_env.pop(REATTACH_ENV, None)
    python = full_env.get("AVDGEN_PYTHON") or sys.executable
    servers = []
    try:
        for namespace, name in [(ns, n) for ns, n, _ in PROVIDERS] if names is None else names:
            stderr = None if inherit_stderr else tempfile.TemporaryFile()
            try:
                process = subprocess.Popen(
                    [python, "-m", "generator.offline.server", "--reattach", name],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    env=full_env,
                    text=True,
                )
            except BaseException:
                if stderr is not None:
                    stderr.close()
                raise
            servers.append(Server(f"{HOSTNAME}/{namespace}/{name}", process, stderr))
        deadline = time.monotonic() + _START_TIMEOUT
        for server in servers:
            server.entry = _announcement(server, deadline)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def _announcement(server: Server, deadline: float) -> dict[str, object]:
    stdout = server.process.stdout
    assert stdout is not None
    ready, _, _ = select.select([stdout], [], [], max(0.0, deadline - time.monotonic()))
    line = stdout.readline() if ready else ""
    try:
        entry = json.loads(line)
        assert isinstance(entry, dict) and entry.get("Addr")
    except (ValueError, AssertionError):
        code = server.process.poll()
        if code is None and ready and not line:
            # End of output: the process is exiting; wait for it, or its code races the reap.
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        state = "timed out" if code is None else f"exited with code {code}"
        errors = server.errors().strip()
        raise ReattachError(
            f"offline provider server for {server.address} {state} before announcing itself"
            + (f":\n{errors[-2000:]}" if errors else "")
        ) from None
    return entry


def reattach_value(servers: list[Server]) -> str:
    return json.dumps({s.address: s.entry for s in servers}, separators=(",", ":"))


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        if server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                server.process.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        if server.process.stdout:
            server.process.stdout.close()
        if server.stderr:
            server.stderr.close()
