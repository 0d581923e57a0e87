"""The committed modules/ are the golden record: up to date, lint-clean, and true to the seed."""

from __future__ import annotations

import json
import re

import hcl2
import pytest

from generator.catalog.load import load_catalog
from generator.lint.rules import PLAIN

from project_paths import REPO, SEED

SEED_OUTPUTS = {
    "image_version_id", "gallery_image_version_id", "latest_image_reference", "gallery_id", "gallery_name",
    "image_definition_id", "template_name", "build_command_cli", "build_command_powershell",
}


def test_render_check_is_clean(avdgen):
    result = avdgen(REPO, "render", "--check")
    assert result.exit_code == 0, result.stderr + "\nRun `make render` and commit modules/."


def test_the_quick_starts_render_line_is_what_render_prints_on_a_fresh_clone(avdgen):
    """README's quick start shows `make render` on an up-to-date tree: the same count of files."""
    shown = re.search(r"^0 file\(s\) changed, (\d+) unchanged$", (REPO / "README.md").read_text(), re.M)
    assert shown, "README.md lost its quick-start render line"
    checked = avdgen(REPO, "render", "--check")
    assert f"0 file(s) out of date, {shown.group(1)} unchanged" in checked.stderr, checked.stderr


def test_lint_is_clean(avdgen):
    result = avdgen(REPO, "lint")
    assert result.exit_code == 0, result.output


def _declared(kind: str, filename: str) -> dict:
    data = hcl2.loads((REPO / "modules/golden_image" / filename).read_text(), serialization_options=PLAIN)
    return {label: body for entry in data.get(kind, []) for label, body in entry.items()}


def test_module_declares_the_seed_outputs_and_aliases():
    outputs = _declared("output", "outputs.tf")
    assert SEED_OUTPUTS | {"latest_image_version_reference", "template_id", "identity_id"} <= set(outputs)
    variables = _declared("variable", "variables.tf")
    assert {"build_vm_size", "gallery_image_storage_account_type", "vm_size", "storage_account_type"} <= set(variables)


def _seed_tables(text: str) -> dict[str, tuple[str, str, str]]:
    """{variable: (heading, type, default)} from the seed README's variable tables."""
    rows, heading = {}, None
    for line in text.split("## Quick Start")[0].splitlines():
        if line.startswith("### "):
            heading = line[4:].strip()
        match = re.match(r"\| `([a-z_]+)` \| .* \| `([^`]+)` \| (`[^`]*`|-) \| (Yes|No) \|$", line)
        if match:
            rows[match.group(1)] = (heading, match.group(2), match.group(3).strip("`"))
    return rows


# Seed defaults Azure no longer serves as the seed meant (the seed's value is still accepted).
DEFAULTS_CHANGED = {
    # Windows 11 22H2 Enterprise left servicing in October 2025: no more monthly updates, and the
    # Marketplace removes images after their end of servicing (issue 10).
    "base_image_sku": "win11-24h2-avd-m365",
}


@pytest.mark.skipif(not SEED.exists(), reason="the seed README (../shared/seed) is not beside this checkout")
def test_every_seed_variable_is_declared_as_the_seed_says():
    seed = _seed_tables(SEED.read_text())
    assert len(seed) == 29
    catalog = load_catalog(REPO / "catalog/golden_image.yaml", REPO)
    variables = _declared("variable", "variables.tf")
    for name, (heading, type_, default) in seed.items():
        variable = catalog.variable(name)
        assert variable.group == heading, name
        assert variable.type == type_, name
        assert name in variables, name
        if default == "-":
            assert variable.required, name
            continue
        expected = DEFAULTS_CHANGED.get(name, json.loads(default))
        # vm_size and storage_account_type default to null so their aliases can be told apart;
        # the module uses the seed's default when both spellings are null (null_means).
        effective = variable.null_means if variable.default is None and variable.null_means is not None else variable.default
        assert effective == expected, name
