"""`terraform fmt` over rendered files in memory, and `terraform fmt -check` over the tree (for lint)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from ..errors import TerraformError
from ..terraform_binary import quiet_env, terraform_binary

FORMATTED_SUFFIXES = (".tf", ".tfvars")


def _formatted(path: PurePosixPath) -> bool:
    # backend.hcl.example is attributes only, like a tfvars file: fmt it under that name.
    return path.suffix in FORMATTED_SUFFIXES or path.name.endswith(".hcl.example")


# `terraform fmt` of a text depends on that text alone (and on whether fmt reads it as a .tf or
# a .tfvars file); a render formats mostly the same files as the last one, and each fmt process
# costs ~0.2 s of CPU, so texts already formatted in this process are not sent again.
_FORMATTED: dict[tuple[str, str], str] = {}
_FORMATTED_LIMIT = 4096


def _kind(path: PurePosixPath) -> str:
    return ".tf" if path.suffix == ".tf" else ".tfvars"


def fmt_files(files: dict[PurePosixPath, str], origin: dict[PurePosixPath, str] | None = None) -> dict[PurePosixPath, str]:
    """Return `files` with every Terraform file passed through `terraform fmt` (one process).

    `origin` maps a path to the template it came from, so a syntax error names the template.
    """
    targets = {p: t for p, t in files.items() if _formatted(p)}
    done = {p: _FORMATTED[(_kind(p), t)] for p, t in targets.items() if (_kind(p), t) in _FORMATTED}
    targets = {p: t for p, t in targets.items() if p not in done}
    if not targets:
        return {p: done.get(p, t) for p, t in files.items()}
    with tempfile.TemporaryDirectory(prefix="avdgen-fmt-") as tmp:
        def scratch(path: PurePosixPath) -> Path:
            return Path(tmp, path.with_name(path.name + ".tfvars") if path.name.endswith(".example") else path)

        for path, text in targets.items():
            dest = scratch(path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            [terraform_binary(), "fmt", "-recursive", "-list=false", "-no-color", tmp],
            capture_output=True, text=True, env=quiet_env(), check=False,
        )
        if proc.returncode != 0:
            message = proc.stderr.replace(tmp + "/", "")
            for path, template in (origin or {}).items():
                message = message.replace(str(path), f"{path} (from {template})")
            raise TerraformError("terraform fmt rejected rendered HCL (a template produced invalid syntax)", message.strip().splitlines())
        formatted = {p: scratch(p).read_text(encoding="utf-8") for p in targets}
    if len(_FORMATTED) > _FORMATTED_LIMIT:
        _FORMATTED.clear()
    _FORMATTED.update({(_kind(p), targets[p]): text for p, text in formatted.items()})
    formatted.update(done)
    return {p: formatted.get(p, t) for p, t in files.items()}


_DIAGNOSTIC_LINE = re.compile(r"expressions\.tf line (\d+)")


def first_invalid_expression(expressions: list[str]) -> tuple[int, str] | None:
    """(index, Terraform's message) of the first expression `terraform fmt` cannot parse, or
    None: one process for all of them, each in a `locals` block of its own."""
    lines, owner = [], []
    for i, expression in enumerate(expressions):
        block = f"locals {{\n  e{i} = {expression}\n}}\n".splitlines()
        lines += block
        owner += [i] * len(block)
    with tempfile.TemporaryDirectory(prefix="avdgen-fmt-") as tmp:
        Path(tmp, "expressions.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")
        proc = subprocess.run([terraform_binary(), "fmt", "-list=false", "-no-color", tmp], capture_output=True, text=True, env=quiet_env(), check=False)
    found = _DIAGNOSTIC_LINE.search(proc.stderr)
    if proc.returncode == 0 or not found:
        return None
    summary = next((line.removeprefix("Error: ").strip() for line in proc.stderr.splitlines() if line.startswith("Error: ")), "invalid HCL")
    detail = [line.strip() for line in proc.stderr.splitlines() if line.strip() and not line.startswith(("Error:", "  on ")) and not re.match(r"\s*\d+:", line)]
    return owner[min(int(found.group(1)), len(owner)) - 1], " ".join([summary + ":", *detail[:2]]) if detail else summary


def fmt_check(paths: list[str], cwd: Path) -> tuple[list[str], str]:
    """`terraform fmt -check` on files/dirs relative to cwd: (unformatted files, syntax errors)."""
    proc = subprocess.run(
        [terraform_binary(), "fmt", "-check", "-recursive", "-no-color", *paths],
        capture_output=True, text=True, env=quiet_env(), check=False, cwd=cwd,
    )
    unformatted = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    errors = proc.stderr.strip() if proc.returncode not in (0, 3) else ""
    return unformatted, errors
