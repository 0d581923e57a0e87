"""Where the test suite's time goes: Terraform's own CPU, by command, against everything else.

    .venv/bin/python benchmarks/suite_profile.py [PYTEST ARGS...]     # default: the whole suite

Runs pytest (with the project's addopts, so two workers) once, with `terraform` replaced by a
small wrapper that runs the real binary and records each command's CPU time (user + system of
the process and the plugins it waits for, from wait4). Prints:

    wall and CPU of the whole run (pytest, its workers, the provider servers, every child)
    Terraform's CPU per command (plan, apply, show, fmt, ...): count, total, per command
    the reattached offline provider servers' CPU (sampled from /proc)
    the rest: Python (the tests themselves, spawned avdgen CLIs)
    the slowest test files (pytest --durations, summed by file)

Not part of `make test`. One run: the shares are what to read, the seconds move with the load.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs the real terraform, forwards SIGINT/SIGTERM to it (the interrupt tests send them), and
# appends "<command> <cpu seconds>" to the log. `-S`: no site import, so it adds ~15 ms a command.
WRAPPER = '''#!{python} -S
import os, signal, sys
# Written into the wrapper, not read from the environment: tests run terraform with environments
# of their own making, and PATH alone reaches the wrapper then.
real, log = {real!r}, {log!r}
if os.path.realpath(real) == os.path.realpath(sys.argv[0]):
    sys.exit("suite_profile: the real terraform is this wrapper")
pid = os.fork()
if pid == 0:
    os.execv(real, [real, *sys.argv[1:]])
for signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(signum, lambda s, _f: os.kill(pid, s))
while True:
    try:
        _, status, usage = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
command = next((a for a in sys.argv[1:] if not a.startswith("-")), "?")
with open(log, "a") as out:
    out.write(f"{{command}} {{usage.ru_utime + usage.ru_stime:.4f}}\\n")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)  # killed by signal N: 128 + N, as a shell reports it
'''

_TICKS = os.sysconf("SC_CLK_TCK")


class ServerSampler(threading.Thread):
    """The reattached provider servers live as long as a pytest worker and are not Terraform's
    children: their CPU is read from /proc twice a second, the last reading per process kept."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()
        self.root = 0  # the pytest process: only its descendants count (not other checkouts' servers)

    def _descends(self, stat: list[str]) -> bool:
        parent = int(stat[1])
        while parent > 1:
            if parent == self.root:
                return True
            try:
                parent = int(Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                return False
        return False

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    if b"generator.offline.server" not in (entry / "cmdline").read_bytes():
                        continue
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(entry.name) not in self.cpu and not self._descends(fields):
                    continue
                self.cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICKS


_DURATION = re.compile(r"^([0-9.]+)s (?:call|setup|teardown)\s+(\S+?)::")


def main(argv: list[str]) -> int:
    # Run from inside a profiled run (the smoke test), TERRAFORM is the outer wrapper: profile
    # the real binary, not the wrapper, which would then run itself.
    real = os.environ.get("AVDGEN_PROFILE_TERRAFORM") or os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not real:
        print("terraform not found on PATH", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="avdgen-suite-profile-") as tmp:
        bin_dir, log = Path(tmp, "bin"), Path(tmp, "terraform.log")
        bin_dir.mkdir()
        wrapper = bin_dir / "terraform"
        wrapper.write_text(WRAPPER.format(python=sys.executable, real=os.path.realpath(real), log=str(log)))
        wrapper.chmod(0o755)
        log.touch()
        # AVDGEN_PROFILE_TERRAFORM: the real binary, for a profiler run inside this one.
        env = {**os.environ, "TERRAFORM": str(wrapper), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               "AVDGEN_PROFILE_TERRAFORM": os.path.realpath(real)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=0", *argv]
        print("+", " ".join(command), file=sys.stderr)
        sampler = ServerSampler()
        start = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        sampler.root = process.pid
        sampler.start()
        output = []
        for line in process.stdout:
            output.append(line)
            if not _DURATION.match(line):
                sys.stderr.write(line)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - start
        sampler.stop.set()
        sampler.join()
        total_cpu = usage.ru_utime + usage.ru_stime
        by_command: dict[str, list[float]] = collections.defaultdict(list)
        for entry in log.read_text().splitlines():
            name, cpu = entry.rsplit(" ", 1)
            by_command[name].append(float(cpu))

    terraform_cpu = sum(sum(v) for v in by_command.values())
    print(f"\nwall {wall:.0f} s, CPU {total_cpu:.0f} s (pytest, its workers and every process they started)")
    print(f"\n{'terraform':<12} {'commands':>8} {'CPU s':>8} {'s/command':>10} {'share':>6}")
    for name, cpus in sorted(by_command.items(), key=lambda kv: -sum(kv[1])):
        print(f"{name:<12} {len(cpus):>8} {sum(cpus):>8.1f} {sum(cpus) / len(cpus):>10.3f} {sum(cpus) / total_cpu:>6.0%}")
    print(f"{'all':<12} {sum(map(len, by_command.values())):>8} {terraform_cpu:>8.1f} {'':>10} {terraform_cpu / total_cpu:>6.0%}")
    servers = sum(sampler.cpu.values())
    rest = total_cpu - terraform_cpu - servers
    print(f"{'providers':<12} {len(sampler.cpu):>8} {servers:>8.1f} {'':>10} {servers / total_cpu:>6.0%}"
          "  (reattached offline provider servers; spawned ones count in their terraform command)")
    print(f"{'the rest':<12} {'':>8} {rest:>8.1f} {'':>10} {rest / total_cpu:>6.0%}  (Python: the tests themselves, spawned avdgen CLIs)")

    per_file: dict[str, float] = collections.Counter()
    for line in output:
        match = _DURATION.match(line)
        if match:
            per_file[match.group(2)] += float(match.group(1))
    print("\nslowest test files (seconds of worker time):")
    for name, seconds in sorted(per_file.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {seconds:7.1f}  {name}")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"\npytest exited {code}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
