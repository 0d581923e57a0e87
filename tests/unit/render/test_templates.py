"""Rendering: deterministic, headed, formatted; HCL literals; terraform-docs tables; one template."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from generator.render import docs
from generator.catalog.model import Catalog, Output, Validation, Variable
from generator.errors import TemplateError
from generator.hcl import hcl_literal, hcl_string
from generator.ops.tree import render_project
from generator.render.templates import has_header, render_module

from project_paths import REPO


def test_rendering_twice_is_byte_identical():
    first = render_project(REPO).files
    second = render_project(REPO).files
    assert first == second
    assert set(first) >= {PurePosixPath(f"modules/golden_image/{n}") for n in (
        "terraform.tf", "variables.tf", "locals.tf", "main.tf", "outputs.tf", "README.md",
        "examples/minimal/main.tf", "examples/production/main.tf")}


def test_every_rendered_file_has_the_header():
    for path, text in render_project(REPO).files.items():
        assert has_header(text), path
        assert "DO NOT EDIT" in text.splitlines()[0]


@pytest.mark.parametrize("value,expected", [
    (None, "null"),
    (True, "true"),
    (127, "127"),
    ("a\"b\\c", '"a\\"b\\\\c"'),
    ("${not.interpolated} %{if}", '"$${not.interpolated} %%{if}"'),
    ([], "[]"),
    (["a", 1], '["a", 1]'),
    ({}, "{}"),
    ({"Environment": "Dev", "cost-center": "1", "with space": "x"}, '{\n  Environment = "Dev"\n  cost-center = "1"\n  "with space" = "x"\n}'),
])
def test_hcl_literal(value, expected):
    assert hcl_literal(value) == expected


def test_hcl_string_is_json_escaped():
    assert hcl_string("tab\tnew\nline") == '"tab\\tnew\\nline"'


def _variable(name: str, **kw) -> Variable:
    base = dict(type="string", description="A thing.", group="G", has_default=True, default=None)
    return Variable(name=name, **{**base, **kw})


def test_docs_inputs_table_follows_terraform_docs():
    table = docs.inputs_table([
        _variable("zeta", default={"env": "dev"}, type="map(string)", description="Tags | applied to `a_b`, not_here."),
        _variable("alpha_name", has_default=False, description="Required one."),
        _variable("beta", default=None),
    ])
    lines = table.splitlines()
    assert lines[:4] == ["## Inputs", "", "| Name | Description | Type | Default | Required |", "| ---- | ----------- | ---- | ------- | :------: |"]
    assert lines[4] == '| <a name="input_alpha_name"></a> [alpha\\_name](#input\\_alpha\\_name) | Required one. | `string` | n/a | yes |'
    assert lines[5] == '| <a name="input_beta"></a> [beta](#input\\_beta) | A thing. | `string` | `null` | no |'
    assert lines[6] == ('| <a name="input_zeta"></a> [zeta](#input\\_zeta) | Tags \\| applied to `a_b`, not\\_here. | `map(string)` '
                        '| <pre>{<br/>  "env": "dev"<br/>}</pre> | no |')


def test_docs_outputs_table():
    table = docs.outputs_table([Output("b_out", "Second.", "G", "x"), Output("a", "First.", "G", "y")])
    assert table.splitlines()[2:] == [
        "| Name | Description |", "| ---- | ----------- |",
        '| <a name="output_a"></a> [a](#output\\_a) | First. |',
        '| <a name="output_b_out"></a> [b\\_out](#output\\_b\\_out) | Second. |',
    ]


def _tiny_catalog(tmp_path: Path) -> Catalog:
    return Catalog(
        path=tmp_path / "catalog" / "tiny.yaml", module="tiny", title="Tiny", settings={}, groups=("G",),
        variables=(
            _variable("size", type="number", default=2, validations=(Validation("var.size > 0", "size must be positive."),)),
            _variable("name", has_default=False),
        ),
        outputs=(Output("name_out", "The name.", "G", "var.name", sensitive=True),),
    )


def test_variables_and_outputs_templates_with_a_tiny_model(tmp_path):
    (tmp_path / "templates" / "tiny").mkdir(parents=True)
    for name in ("variables.tf.j2", "outputs.tf.j2"):
        (tmp_path / "templates" / "tiny" / name).write_text((REPO / "templates" / "_module" / name).read_text())
    files = render_module(_tiny_catalog(tmp_path), tmp_path / "templates")
    variables = files[PurePosixPath("modules/tiny/variables.tf")].split("\n", 1)[1]
    assert variables == (
        "# Inputs, from catalog/tiny.yaml: required first, then alphabetical.\n\n"
        'variable "name" {\n  type = string\n  description = "A thing."\n}\n\n'
        'variable "size" {\n  type = number\n  default = 2\n  description = "A thing."\n\n'
        '  validation {\n    condition     = var.size > 0\n    error_message = "size must be positive."\n  }\n}\n'
    )
    outputs = files[PurePosixPath("modules/tiny/outputs.tf")].split("\n", 1)[1]
    assert outputs == (
        "# Outputs, from catalog/tiny.yaml.\n\n"
        'output "name_out" {\n  description = "The name."\n  value       = var.name\n  sensitive   = true\n}\n'
    )


def test_undefined_template_name_is_a_clear_error(tmp_path):
    (tmp_path / "templates" / "tiny").mkdir(parents=True)
    (tmp_path / "templates" / "tiny" / "main.tf.j2").write_text("x = {{ catalog.no_such_thing }}\n")
    with pytest.raises(TemplateError, match=r"templates/tiny/main.tf.j2: .*no_such_thing"):
        render_module(_tiny_catalog(tmp_path), tmp_path / "templates")


def test_template_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "templates" / "tiny").mkdir(parents=True)
    (tmp_path / "templates" / "tiny" / "main.tf.j2").write_text("ok\n{% if %}\n")
    with pytest.raises(TemplateError, match=r"templates/tiny/main.tf.j2:2: "):
        render_module(_tiny_catalog(tmp_path), tmp_path / "templates")
