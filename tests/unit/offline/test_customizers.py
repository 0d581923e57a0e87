"""Whether a PowerShell build step fails, as Packer runs it under Image Builder (customizers.py)."""

from __future__ import annotations

from generator.offline.customizers import run_customizers, step_exit_code

CHOCO = '& "$env:ProgramData\\chocolatey\\bin\\choco.exe" install {} --yes'
CHECK = "if ($LASTEXITCODE -notin 0, 3010) { exit $LASTEXITCODE }"


def _step(*lines: str, valid=None) -> dict:
    step = {"type": "PowerShell", "name": "s", "inline": list(lines)}
    if valid:
        step["validExitCodes"] = valid
    return step


def fails(match: str, code: int = 1) -> list[dict]:
    return [{"match": match, "exit_code": code}]


def test_only_the_last_native_exit_code_counts_without_checks():
    step = _step(CHOCO.format("googlechrome"), CHOCO.format("7zip"))
    assert step_exit_code(step, fails("install googlechrome")) == 0
    assert step_exit_code(step, fails("install 7zip")) == 1


def test_an_exit_code_check_stops_at_the_failed_program():
    step = _step(CHOCO.format("googlechrome"), CHECK, CHOCO.format("7zip"), CHECK)
    assert step_exit_code(step, fails("install googlechrome", 1603)) == 1603
    assert step_exit_code(step, fails("install googlechrome", 3010)) == 0  # a restart request is success
    assert step_exit_code(step, []) == 0


def test_a_failed_cmdlet_stops_the_script_only_with_error_action_stop():
    lines = ["Install-Module -Name 'Az.Accounts' -Force", "Install-Module -Name 'Az.Storage' -Force"]
    assert step_exit_code(_step(*lines), fails("Az.Accounts")) == 0
    assert step_exit_code(_step("$ErrorActionPreference = 'Stop'", *lines), fails("Az.Accounts")) == 1
    assert step_exit_code(_step("Install-Module -Name 'Az.Accounts' -ErrorAction Stop"), fails("Az.Accounts")) == 1


def test_error_action_stop_does_not_stop_on_a_native_exit_code():
    step = _step("$ErrorActionPreference = 'Stop'", CHOCO.format("googlechrome"), CHOCO.format("7zip"))
    assert step_exit_code(step, fails("install googlechrome")) == 0


def test_an_explicit_exit_ends_the_step():
    assert step_exit_code(_step("wevtutil el", "exit 0"), fails("wevtutil")) == 0


def test_a_build_fails_at_the_first_step_outside_its_valid_exit_codes():
    steps = [
        {"type": "WindowsUpdate", "name": "wu"},
        {**_step(CHOCO.format("a"), valid=[0, 3010]), "name": "packages"},
        {"type": "PowerShell", "name": "script", "scriptUri": "https://example.com/setup.ps1"},
    ]
    assert run_customizers(steps, []) is None
    assert "Customizer 'packages' exited with code 5" in run_customizers(steps, fails("install a", 5))
    assert "Customizer 'script' exited with code 1" in run_customizers(steps, fails("setup.ps1"))
