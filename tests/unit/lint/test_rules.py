"""avdgen lint: clean on the rendered tree; each rule reports a broken case with file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.lint.rules import check_roundtrip, lint_project

from project_paths import REPO

MODULE = "modules/golden_image"


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / MODULE / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _findings(root: Path) -> list[str]:
    return [str(f) for f in lint_project(root)]


def test_rendered_tree_is_clean(project, avdgen):
    result = avdgen(project, "lint")
    assert result.exit_code == 0, result.output
    assert "0 finding(s)" in result.stderr


def test_fmt_rule_names_the_first_line_fmt_would_change(project):
    _edit(project, "main.tf", '  os_type                  = "Windows"', '  os_type = "Windows"')
    text = (project / MODULE / "main.tf").read_text()
    line = text.splitlines().index('  os_type = "Windows"') + 1
    assert line > 1
    assert f"{MODULE}/main.tf:{line}: fmt: not formatted as `terraform fmt` would" in _findings(project)


def test_parse_rule(project):
    _edit(project, "outputs.tf", 'output "gallery_id" {', 'output "gallery_id" {{')
    findings = _findings(project)
    assert any(f.startswith(f"{MODULE}/outputs.tf:") and ": parse: python-hcl2 cannot parse this file" in f for f in findings), findings


def test_roundtrip_rule():
    # python-hcl2 mangles an escaped quote right before an interpolation when writing back.
    findings = check_roundtrip("x.tf", 'output "o" {\n  value = "a \\"${var.x}\\" b"\n}\n')
    assert [f.rule for f in findings] == ["roundtrip"]
    assert check_roundtrip("x.tf", 'output "o" {\n  value = "a \'${var.x}\' b"\n}\n') == []


@pytest.mark.parametrize("old,new,message", [
    ("  type        = number\n  default     = 1\n", "  type        = string\n  default     = 1\n",
     "catalog-variable: replica_count: type is string, the catalog says number"),
    ('  default     = "1.0.0"', '  default     = "1.0.1"',
     'catalog-variable: image_version: default is "1.0.1", the catalog says "1.0.0"'),
    ('description = "Marketplace image offer of the build\'s source image."', 'description = "Marketplace image offer."',
     "catalog-variable: base_image_offer: description differs from the catalog"),
])
def test_catalog_variable_rule(project, old, new, message):
    _edit(project, "variables.tf", old, new)
    findings = _findings(project)
    assert any(f.startswith(f"{MODULE}/variables.tf:") and message in f for f in findings), findings


def test_catalog_variable_missing(project):
    _edit(project, "variables.tf", 'variable "run_cleanup_script" {', 'variable "run_cleanup" {')
    findings = _findings(project)
    assert f"{MODULE}/variables.tf:1: catalog-variable: variable 'run_cleanup_script' from the catalog is not declared" in findings
    assert any("unused-variable: variable 'run_cleanup' is declared but never used" in f for f in findings)
    assert any("undeclared-variable: var.run_cleanup_script is used but not declared" in f for f in findings)


def test_undeclared_variable_rule_names_the_line(project):
    _edit(project, "main.tf", "  tags                = var.tags\n}", "  tags                = var.tagz\n}")
    text = (project / MODULE / "main.tf").read_text()
    line = text[: text.index("var.tagz")].count("\n") + 1
    assert f"{MODULE}/main.tf:{line}: undeclared-variable: var.tagz is used but not declared" in _findings(project)


def test_unused_variable_rule(project):
    _edit(project, "locals.tf", "var.run_cleanup_script]", "false]")
    text = (project / MODULE / "variables.tf").read_text()
    line = text[: text.index('variable "run_cleanup_script"')].count("\n") + 1
    assert f"{MODULE}/variables.tf:{line}: unused-variable: variable 'run_cleanup_script' is declared but never used" in _findings(project)


def test_catalog_output_rules(project):
    _edit(project, "outputs.tf", 'output "template_name" {', 'output "template_nom" {')
    findings = _findings(project)
    assert f"{MODULE}/outputs.tf:1: catalog-output: output 'template_name' from the catalog is not declared" in findings
    assert any(f.endswith("catalog-output: output 'template_nom' is not in the catalog") for f in findings)


def test_lint_exit_code_1_on_findings(project, avdgen):
    _edit(project, "main.tf", '  os_type                  = "Windows"', '  os_type = "Windows"')
    result = avdgen(project, "lint")
    assert result.exit_code == 1
    assert "fmt: not formatted" in result.stdout


def test_lint_format_json(project, avdgen):
    _edit(project, "main.tf", '  os_type                  = "Windows"', '  os_type = "Windows"')
    result = avdgen(project, "lint", "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    line = (project / MODULE / "main.tf").read_text().splitlines().index('  os_type = "Windows"') + 1
    assert {"file": f"{MODULE}/main.tf", "line": line, "rule": "fmt", "message": "not formatted as `terraform fmt` would"} in findings
    assert all(set(f) == {"file", "line", "rule", "message"} for f in findings)
    clean = avdgen(REPO, "lint", "--format", "json")
    assert clean.exit_code == 0 and json.loads(clean.stdout) == []
