"""The plugin Terraform starts: a launcher in front of a warm, per-user provider server.

Terraform starts every provider plugin afresh for each command (and several times in one), and
a plugin that imports gRPC and loads a schema costs a Python start of a second or more. This
module is what the mirror's launcher runs instead (through the `AVDGEN_PYTHON` wrapper that
`offline_env` writes, as `python -S -P -c ...`): it imports only modules built into the
interpreter, so it starts in about the time of `python -S -c pass`, and it

1. finds the warm server for its provider (warm.py), keyed on everything the server cannot
   change once started: this checkout's code (paths, sizes and mtimes of its files, which is
   the version check against a server from an older checkout), the interpreter, the schema set
   (`AVDGEN_OFFLINE_SCHEMAS` and its files) and the cache directory;
2. starts it when there is none, under a lock so that racing launchers start one, after removing
   the socket a dead server left behind;
3. asks it for a fresh endpoint: a gRPC server of its own, on its own Unix socket, with its own
   provider configuration, its working directory and `AVDGEN_OFFLINE_*` variables (fixture
   overrides, the simulated cloud's file) taken from this launcher;
4. prints that endpoint as go-plugin's handshake line and lives exactly as long as it.

What go-plugin (github.com/hashicorp/go-plugin, client.go and server.go) asks of a plugin:
- the first stdout line is `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT` (client.go Start: split on
  `|`, the core protocol must be 1, the app protocol one Terraform offered, `unix` networks are
  dialled at ADDRESS, and CERT, base64 DER without padding, is the only server certificate the
  client trusts, loadServerCert);
- with AutoMTLS the client also sends PLUGIN_CLIENT_CERT and presents that certificate; Go's own
  plugin servers require it (server.go: RequireAndVerifyClientCert). Ours cannot (server.py:
  Terraform's P-521 certificate fits no signature algorithm BoringSSL offers), so the socket's
  permissions keep other users out instead: the runtime directory and each server's directory
  are 0700 and owned by us (checked on every start), and the sockets are created 0600;
- Kill() (client.go) calls GRPCController.Shutdown, closes the connection and waits up to two
  seconds for the process to exit before killing it, and it waits for the plugin's stdout and
  stderr to reach end of file before it counts the process as gone. So the server never inherits
  the launcher's stdout or stderr (it writes to `server.log` in its directory), and the launcher
  exits as soon as the server closes its connection, which it does on Shutdown or StopProvider.
  A launcher that is killed, or whose Terraform dies, ends its endpoint the same way.

`AVDGEN_OFFLINE_WARM=0` runs the plugin in-process again (server.py), one Python per plugin.
`AVDGEN_PLUGIN_IDLE_TIMEOUT` (seconds, default 300) is how long a server with no endpoint open
stays up; `AVDGEN_RUNTIME_DIR` moves the sockets (default `$XDG_RUNTIME_DIR/avdgen`, else
`/tmp/avdgen-<uid>`; Unix socket paths must stay under 108 bytes).
"""

import _socket
import fcntl
import os
import select
import stat
import sys

MAGIC_COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
PROTOCOL = "avdgen-warm/1"  # the launcher <-> warm server request format; in the key too
WARM_ENV = "AVDGEN_OFFLINE_WARM"
RUNTIME_ENV = "AVDGEN_RUNTIME_DIR"
FORWARDED_PREFIX = "AVDGEN_OFFLINE_"  # per-endpoint: fixture overrides, the cloud's file
_START_TIMEOUT = 50.0  # Terraform gives a plugin a minute to print its handshake
_ANSWER_TIMEOUT = 30.0  # a server that accepts but never answers (hung, or stopped with SIGSTOP)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../generator


class LaunchError(Exception):
    """Why no endpoint could be had; printed on stderr, which Terraform shows."""


def provider_name(path: str) -> str:
    """`azurerm` for `.../terraform-provider-azurerm_v4.79.0` (as server.provider_name)."""
    name = os.path.basename(path)
    if name.startswith("terraform-provider-"):
        name = name[len("terraform-provider-") :].split("_", 1)[0]
    return name


def runtime_dir(environ) -> str:
    if environ.get(RUNTIME_ENV):
        return environ[RUNTIME_ENV]
    xdg = environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return os.path.join(xdg, "avdgen")
    return os.path.join("/tmp", f"avdgen-{os.getuid()}")


def private_dir(path: str) -> str:
    """`path`, created 0700 if missing; a LaunchError unless it is a directory (not a link) that
    only we can enter, as a socket there is then reachable by no other user."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as error:
        raise LaunchError(f"cannot create {path}: {error.strerror} (set {RUNTIME_ENV} to a directory of yours)") from None
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise LaunchError(
            f"{path} is not a private directory (owner uid {st.st_uid}, mode {stat.filemode(st.st_mode)}): the provider's "
            f"sockets need a directory only you can enter; remove it, or set {RUNTIME_ENV} to another"
        )
    return path


def _digest(text: str) -> str:
    try:
        from _sha256 import sha256  # Python 3.11 (built in: no OpenSSL to load)
    except ImportError:
        try:
            from _sha2 import sha256  # Python 3.12+
        except ImportError:
            from hashlib import sha256
    return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _file_stats(directory: str, recurse: bool, suffix: str = "") -> list[str]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if recurse and d != "__pycache__")
        for name in sorted(files):
            if name.endswith(suffix) and not name.endswith(".pyc"):
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                found.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
        if not recurse:
            break
    return found


def server_key(provider: str, environ, plugin: str = "") -> str:
    """What selects a warm server: equal keys can share one. Everything a server fixes when it
    starts is in it, the plugin's file name too (`terraform-provider-NAME_vVERSION`: one server
    per provider version); what may differ per endpoint (AVDGEN_OFFLINE_* overrides, cwd) is not."""
    schemas = environ.get("AVDGEN_OFFLINE_SCHEMAS", "")
    parts = [PROTOCOL, sys.executable, _PACKAGE, provider, plugin, schemas, environ.get("AVDGEN_CACHE_DIR", "")]
    parts += _file_stats(os.path.join(_PACKAGE, "offline"), recurse=True)
    parts += _file_stats(_PACKAGE, recurse=False, suffix=".py")  # errors.py & co. (offline imports them)
    if schemas:
        parts += _file_stats(schemas, recurse=False, suffix=".schema.json")
    return _digest("\0".join(parts))


def request(key: str, provider: str, environ) -> bytes:
    """One endpoint request: NUL-separated fields, ended by an empty one."""
    cwd = os.getcwd()
    forwarded = {k: v for k, v in environ.items() if k.startswith(FORWARDED_PREFIX)}
    # A relative simulated-cloud path means this run's directory, not the server's.
    if forwarded.get("AVDGEN_OFFLINE_CLOUD"):
        forwarded["AVDGEN_OFFLINE_CLOUD"] = os.path.join(cwd, forwarded["AVDGEN_OFFLINE_CLOUD"])
    fields = [PROTOCOL, key, provider, cwd]
    fields += [f"{k}={v}" for k, v in sorted(forwarded.items())]
    return "\0".join(fields).encode("utf-8", "surrogateescape") + b"\0\0"


def _connect(path: str):
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None
    except OSError as error:
        sock.close()
        raise LaunchError(f"cannot connect to {path}: {error.strerror}") from None
    return sock


def _read_line(sock) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            return b""  # the server went away (it was retiring): try again
        data += chunk
    return data


def _log_tail(directory: str) -> str:
    try:
        with open(os.path.join(directory, "server.log"), "rb") as f:
            return f.read()[-3000:].decode(errors="replace").strip()
    except OSError:
        return ""


def _spawn(directory: str, provider: str, key: str, environ, plugin: str) -> None:
    """Start the warm server for `plugin` (the plugin's file name, as server.py is given it),
    detached (own session, no stdio of ours), and wait until it listens; a LaunchError with its
    log if it does not."""
    read_end, write_end = os.pipe()
    log = os.open(os.path.join(directory, "server.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    python = sys.executable
    # -P, and / as its working directory: the server outlives this Terraform run and serves
    # others, so nothing in Terraform's working directory (a grpc/ of the configuration's own,
    # say) may be imported by it, nor any relative path resolved against it (each endpoint
    # request carries its own working directory).
    argv = [python, "-P", "-m", "generator.offline.warm", plugin, directory, key, str(write_end)]
    env = {k: v for k, v in environ.items() if k not in ("PLUGIN_CLIENT_CERT", MAGIC_COOKIE[0])}
    pid = os.fork()
    if pid == 0:  # the child forks the server and exits at once, so no one waits for the server
        try:
            os.setsid()  # Ctrl-C in Terraform's terminal is not for it
            if os.fork() == 0:
                os.close(read_end)
                devnull = os.open(os.devnull, os.O_RDWR)
                os.dup2(devnull, 0)
                os.dup2(devnull, 1)
                os.dup2(log, 2)
                os.set_inheritable(write_end, True)
                os.chdir("/")
                os.execve(python, argv, env)
        finally:
            os._exit(127)
    os.close(write_end)
    os.close(log)
    os.waitpid(pid, 0)
    ready, _, _ = select.select([read_end], [], [], _START_TIMEOUT)
    answer = os.read(read_end, 64) if ready else b""
    os.close(read_end)
    if answer != b"ready\n":
        state = "did not start in time" if not ready else "failed to start"
        tail = _log_tail(directory)
        raise LaunchError(f"the warm {provider} provider server {state}" + (f":\n{tail}" if tail else ""))


def _endpoint_connection(directory: str, provider: str, key: str, environ, plugin: str):
    ctl = os.path.join(directory, "ctl")
    sock = _connect(ctl)
    if sock is not None:
        return sock
    lock = os.open(os.path.join(directory, "lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # racing launchers: the first starts it, the rest find it
        sock = _connect(ctl)
        if sock is not None:
            return sock
        try:
            os.unlink(ctl)  # a dead server's socket
        except FileNotFoundError:
            pass
        _spawn(directory, provider, key, environ, plugin)
        sock = _connect(ctl)
        if sock is None:
            raise LaunchError(f"the warm {provider} provider server started but does not accept connections at {ctl}")
        return sock
    finally:
        os.close(lock)  # releases the lock


def _cold(argv: list[str]) -> None:
    """The in-process plugin (one Python with gRPC per plugin start)."""
    os.execv(sys.executable, [sys.executable, "-m", "generator.offline.server", *argv])


def launch(argv: list[str], environ) -> int:
    if environ.get(MAGIC_COOKIE[0]) != MAGIC_COOKIE[1]:
        os.write(2, b"This is a Terraform provider plugin; Terraform runs it, not you.\n")
        return 1
    if not argv:
        os.write(2, b"usage: the launcher takes the plugin's path (its $0)\n")
        return 2
    if environ.get(WARM_ENV, "1") == "0":
        _cold(argv)
    plugin = os.path.basename(argv[0])
    provider = provider_name(plugin)
    key = server_key(provider, environ, plugin)
    directory = private_dir(os.path.join(private_dir(runtime_dir(environ)), f"{provider}-{key[:12]}"))
    if len(os.path.join(directory, "99999-9999.sock")) > 100:
        raise LaunchError(f"{directory}: too long a path for Unix sockets; set {RUNTIME_ENV} to a shorter directory")
    message = request(key, provider, environ)
    for _ in range(3):
        sock = _endpoint_connection(directory, provider, key, environ, plugin)
        sock.settimeout(_ANSWER_TIMEOUT)
        try:
            sock.sendall(message)
            line = _read_line(sock)
        except TimeoutError:
            sock.close()
            raise LaunchError(
                f"the warm {provider} provider server in {directory} did not answer in {_ANSWER_TIMEOUT:.0f} s; "
                "see server.log there, or stop it (avdgen offline stop)"
            ) from None
        except OSError:
            line = b""
        sock.settimeout(None)
        if not line:  # the server retired between our connect and its accept: start another
            sock.close()
            continue
        if not line.startswith(b"1|"):
            raise LaunchError(line.decode(errors="replace").strip())
        os.write(1, line)
        return _hold(sock)
    raise LaunchError(f"the warm {provider} provider server in {directory} kept closing the connection; see server.log there")


def _hold(sock) -> int:
    """Live as long as the endpoint: until the server closes the connection (Shutdown,
    StopProvider, or it died) or Terraform, our parent, is gone."""
    import _signal

    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # Terraform decides when its plugins stop
    parent = os.getppid()
    while True:
        ready, _, _ = select.select([sock], [], [], 1.0)
        if ready:
            try:
                if not sock.recv(4096):
                    return 0
            except OSError:
                return 0
        elif os.getppid() != parent:
            return 0


def stop_servers(runtime: str) -> list[int]:
    """SIGTERM the warm servers under `runtime` (each `<provider>-<key>/pid`); their pids."""
    import signal

    stopped = []
    for name in sorted(os.listdir(runtime)) if os.path.isdir(runtime) else []:
        directory = os.path.join(runtime, name)
        try:
            with open(os.path.join(directory, "pid")) as f:
                pid = int(f.read().strip())
            # Only a live server of that directory: a crashed one's pid may be another process's now.
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if directory.encode() not in f.read().split(b"\0"):
                    continue
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            continue
        stopped.append(pid)
    return stopped


def _precompile() -> None:
    """Write the bytecode of what the launcher imports, even under PYTHONDONTWRITEBYTECODE (which
    stops writing, not reading): compiling them on every plugin start costs more than the rest."""
    import importlib.util
    import py_compile

    for source in (os.path.join(_PACKAGE, "__init__.py"), os.path.join(_PACKAGE, "offline", "__init__.py"), __file__):
        cached = importlib.util.cache_from_source(source)
        try:
            if os.stat(cached).st_mtime >= os.stat(source).st_mtime:
                continue
        except OSError:
            pass
        try:
            py_compile.compile(source, cfile=cached, doraise=True)
        except (OSError, py_compile.PyCompileError):
            pass  # a read-only checkout: slower starts only


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def plugin_python(cache_dir: str, python: str) -> str:
    """Write (idempotently) and return the `AVDGEN_PYTHON` that offline_env hands Terraform: a
    shell wrapper for `python` that runs the mirror's `-m generator.offline.server PATH` (the
    launcher's fixed bytes, hashed into lock files) as this light launcher instead, with
    `-S` (no site: the venv's .pth files import more than the launcher needs) and `-P` (the
    working directory stays off sys.path); anything else (`--reattach`, or WARM off) runs
    `python` as it is."""
    text = (
        "#!/bin/sh\n"
        "# Written by avdgen offline env (generator/offline/launcher.py); rewritten when it changes.\n"
        f'if [ "$1" = -m ] && [ "$2" = generator.offline.server ] && [ "$3" != --reattach ] && [ "${{{WARM_ENV}:-1}}" != 0 ]; then\n'
        "  shift 2\n"
        f"  exec {_sh_quote(python)} -S -P -c 'from generator.offline.launcher import main; main()' \"$@\"\n"
        "fi\n"
        f'exec {_sh_quote(python)} "$@"\n'
    )
    _precompile()
    path = os.path.join(cache_dir, f"plugin-python-{_digest(python)[:12]}")
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text and os.access(path, os.X_OK):
                return path
    except OSError:
        pass
    os.makedirs(cache_dir, exist_ok=True)
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path


def main() -> None:
    try:
        code = launch(sys.argv[1:], os.environ)
    except LaunchError as error:
        os.write(2, f"avdgen offline provider: {error}\n".encode(errors="replace"))
        code = 1
    os._exit(code)
