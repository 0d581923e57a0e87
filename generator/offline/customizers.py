"""Whether an Image Builder build's customizers succeed, given the commands a scenario says fail.

Image Builder runs each customizer through Packer, and fails the build only on a step's exit
code ("VM Image Builder fails the build if the scripts or inline commands fail with errors
(nonzero exit codes)", image-builder-troubleshoot.md). Packer's PowerShell provisioner writes a
step's inline lines into one script and runs `&'<script>'; exit $LastExitCode`
(hashicorp/packer provisioner/powershell/provisioner.go, `extractScript` and the default
execute command), then compares that code with `validExitCodes` (default [0]). So, in Windows
PowerShell 5.1:

- a native program that fails (choco, msiexec) sets $LASTEXITCODE and the script goes on;
  only the script's *last* native exit code, or an explicit `exit`, decides the step;
- a cmdlet that fails (Install-Module, Invoke-Expression) writes a non-terminating error and
  the script goes on with $LASTEXITCODE unchanged, unless `$ErrorActionPreference = 'Stop'`
  (or `-ErrorAction Stop`) makes the error terminating, which fails the step (exit 1);
- `$ErrorActionPreference = 'Stop'` does not stop on a native program's exit code (that needs
  PowerShell 7.3's $PSNativeCommandUseErrorActionPreference), hence explicit checks such as
  `if ($LASTEXITCODE -notin 0, 3010) { exit $LASTEXITCODE }`.

The model reads the lines our modules generate; a failure is `{"match": text, "exit_code": N}`
(Cloud.fail_when): a line or script URI containing `text` fails.
"""

from __future__ import annotations

import re
from typing import Any

_STOP = re.compile(r"\$ErrorActionPreference\s*=\s*['\"]Stop['\"]", re.I)
_ERROR_ACTION_STOP = re.compile(r"-ErrorAction\s+['\"]?Stop\b", re.I)
_EXIT = re.compile(r"^\s*exit\s+(-?\d+)\s*$", re.I)
# `if ($LASTEXITCODE -notin 0, 3010) { exit $LASTEXITCODE }`, `if ($LASTEXITCODE -ne 0) { exit ... }`
_CHECK = re.compile(r"^\s*if\s*\(\s*\$LASTEXITCODE\s+(-notin|-ne)\s+([0-9,\s]+)\)\s*\{\s*(?:throw\b[^}]*|exit\s+(\$LASTEXITCODE|-?\d+))\s*\}", re.I)
# A native program call: `& "...exe" ...`, `choco ...`, `msiexec ...`, `something.exe ...`
_NATIVE = re.compile(r"^\s*(&\s*|\.\\|[A-Za-z]:\\)|^\s*(choco|msiexec|winget|dism|reg|sc|wevtutil|cmd|powershell)(\.exe)?\b|\.exe['\"]?\s", re.I)
_FAILS_WITH = "Failed while waiting for packerizer: Microservice has failed: Failed while processing request: Error when executing packerizer: Packer build command has failed: exit status 1."


def _failure_for(text: str, failures: list[dict[str, Any]]) -> int | None:
    for failure in failures:
        if failure["match"] in text:
            return int(failure.get("exit_code", 1))
    return None


def step_exit_code(step: dict[str, Any], failures: list[dict[str, Any]]) -> int:
    """The exit code Packer sees for one PowerShell customizer."""
    if step.get("scriptUri"):
        code = _failure_for(step["scriptUri"], failures)
        return 0 if code is None else code
    stop = False
    last_native: int | None = None
    for line in step.get("inline") or []:
        if _STOP.search(line):
            stop = True
        if (exit_match := _EXIT.match(line)) is not None:
            return int(exit_match.group(1))
        if (check := _CHECK.match(line)) is not None:
            allowed = {int(x) for x in re.findall(r"-?\d+", check.group(2))}
            if last_native is not None and last_native not in allowed:
                if check.group(3) is None:
                    return 1  # throw: a terminating error
                return last_native if check.group(3).startswith("$") else int(check.group(3))
            continue
        code = _failure_for(line, failures)
        if _NATIVE.search(line):
            last_native = code if code is not None else 0
        elif code is not None and (stop or _ERROR_ACTION_STOP.search(line)):
            return 1  # a terminating error ends the script
    return last_native or 0


def run_customizers(customize: list[dict[str, Any]], failures: list[dict[str, Any]], kind: str = "Customizer") -> str | None:
    """None if every step succeeds, else the build's failure message naming the first failed step.
    In-VM validations (`validate.inVMValidations`) run the same way (kind "Validator")."""
    for step in customize:
        if step.get("type") != "PowerShell":
            continue
        code = step_exit_code(step, failures)
        if code not in (step.get("validExitCodes") or [0]):
            return f"{_FAILS_WITH} {kind} '{step.get('name', '')}' exited with code {code}; see customization.log in the staging resource group."
    return None
