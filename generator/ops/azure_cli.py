"""Running the Azure CLI for a day-2 operation: find `az`, run one command, show it as it runs."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Callable

from ..errors import GeneratorError


def az_path() -> str:
    found = shutil.which("az")
    if found is None:
        raise GeneratorError("az (the Azure CLI) is not on PATH: install it and `az login`, or leave out --run")
    return found


def runner(echo: Callable[[str], None]) -> Callable[[list[str]], tuple[int, str, str]]:
    """A function that runs an `az ...` argv (echoed as `+ az ...`) and gives (code, stdout, stderr)."""
    az = az_path()

    def run(argv: list[str]) -> tuple[int, str, str]:
        echo(f"+ {shlex.join(argv)}")
        done = subprocess.run([az, *argv[1:]], check=False, capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr

    return run
