"""avdgen validate-vars and the tfvars JSON Schemas generated from the catalogs (issue 5).

The schemas mirror each variable's validation; `test_mirrors_agree_with_terraform` evaluates every
HCL condition with `terraform console` on the same sample values and requires the same verdict.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from generator.catalog.load import load_catalogs
from generator.render.templates import has_header
from generator.terraform_binary import quiet_env, terraform_binary
from generator.catalog.hcl_types import type_schema
from generator.catalog.value_schema import CONDITION, VALIDATION_OF, allows_null, reads_other_variables
from generator.render.tfvars_schema import catalog_schema, render_schemas
from generator.lint.tfvars import Validator, ecma_regex, key_lines, read_tfvars
from generator.lint.tfvars_hcl import CONDITION_FUNCTIONS, evaluate_condition, parse_tfvars

from project_paths import REPO

DEV = REPO / "envs/dev/terraform.tfvars"
GOLDEN = REPO / "modules/golden_image/variables.schema.json"
FIXTURES = REPO / "tests/modules"

# (catalog module, variable, validation index): why its condition has no JSON Schema mirror. The
# schema carries such a condition as HCL (x-condition), which validate-vars evaluates itself.
NOT_EXPRESSIBLE = {
    ("env", "session_hosts", 3): "compares the number of session_hosts with session_host_count; "
    "JSON Schema cannot compare two values of the instance",
    ("env", "golden_image", 0): "compares golden_image.location and replication_regions with var.location; "
    "JSON Schema cannot compare two values of the instance",
    ("env", "session_host_subnet_prefix", 2): "checks that the prefix lies inside one of address_space's blocks; "
    "JSON Schema cannot compare two values of the instance",
    ("env", "golden_image_build_subnet_prefix", 1): "checks that the prefix lies inside one of address_space's blocks; "
    "JSON Schema cannot compare two values of the instance",
    ("env", "golden_image_build_subnet_prefix", 2): "compares the prefix with session_host_subnet_prefix; "
    "JSON Schema cannot compare two values of the instance",
    ("env", "golden_image_build_container_instance_subnet_prefix", 1): "checks that the prefix lies inside one of address_space's blocks; "
    "JSON Schema cannot compare two values of the instance",
}
# Mirrors that are exact except where noted (the differential test avoids these corners).
NOT_EXACT = {
    ("env", "address_space", 0): "IPv6 CIDRs are checked for characters and prefix length only (IPv4 exactly)",
    ("env", "session_host_subnet_prefix", 0): "IPv6 CIDRs are checked for characters and prefix length only (IPv4 exactly)",
    ("session-hosts", "admin_password", 0): "length() counts grapheme clusters, minLength/maxLength code points",
    ("golden_image", "script_uris", 0): "length() counts grapheme clusters, minLength code points",
    ("golden_image", "tags", 0): "length() counts grapheme clusters, maxLength code points",
    ("session-hosts", "tags", 0): "length() counts grapheme clusters, maxLength code points",
    ("env", "tags", 0): "length() counts grapheme clusters, maxLength code points",
    ("env", "session_host_name_prefix", 1): "session_host_count above 100 (refused by its own rule) is not mirrored",
    ("env", "golden_image_build_container_instance_subnet_prefix", 2): "mirrors only that the build subnet prefix is set; "
    "that the two (and the session hosts') prefixes differ compares two values of the instance",
    ("golden_image", "validation", 0): "the names' case-insensitive uniqueness is not mirrored",
    ("golden_image", "files", 0): "length() counts grapheme clusters, minLength code points",
    ("golden_image", "build_vm_identity_ids", 0): "distinct() compares lower-cased IDs, uniqueItems exact ones",
    ("golden_image", "avd_builtin_scripts", 5): "a teams_optimization or multimedia_redirection URI that is a list or an object passes the condition (tostring fails, the try() default is https://) and fails the mirror's type",
}


@pytest.fixture(scope="module")
def catalogs():
    return {c.module: c for c in load_catalogs(REPO)}


def _schema(path: Path) -> dict:
    return json.loads(path.read_text())


def _lines_of(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.M)
    assert match, pattern
    return text.count("\n", 0, match.start()) + 1


# --- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_committed_env_tfvars_are_clean(avdgen, env):
    result = avdgen(REPO, "validate-vars", env)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"envs/{env}/terraform.tfvars: OK" in result.stderr


def test_wrong_enum_bad_version_and_misspelled_variable_are_three_errors(avdgen, tmp_path):
    text = DEV.read_text()
    text = text.replace("host_pool_max_sessions = 6\n", 'host_pool_max_sessions = 6\nhost_pool_load_balancer_type = "Sideways"\n')
    text = text.replace('image_version         = "1.0.0"', 'image_version         = "1.1.0-beta"')
    text = text.replace("session_host_count          = 1", "sesion_host_count           = 1")
    bad = tmp_path / "terraform.tfvars"
    bad.write_text(text)
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        f"{bad}:{_lines_of(text, r'^host_pool_load_balancer_type')}: variable host_pool_load_balancer_type: "
        'host_pool_load_balancer_type must be "BreadthFirst" or "DepthFirst".',
        f"{bad}:{_lines_of(text, r'^  image_version')}: variable golden_image.image_version: "
        + _message("golden_image", "image_version"),
        f"{bad}:{_lines_of(text, r'^sesion_host_count')}: variable sesion_host_count: "
        "not a variable of this configuration; did you mean session_host_count?",
    ]
    assert "3 error(s)" in result.stderr


def _message(module: str, variable: str) -> str:
    return next(v for v in load_catalogs(REPO) if v.module == module).variable(variable).validations[0].error_message


def test_an_env_directory_and_a_sibling_schema_are_found(avdgen, tmp_path):
    assert avdgen(REPO, "validate-vars", str(REPO / "envs/prod")).exit_code == 0
    assert avdgen(REPO, "validate-vars", str(DEV)).exit_code == 0  # envs/dev/terraform.tfvars.schema.json beside it
    lonely = tmp_path / "x.tfvars"
    lonely.write_text('location = "eastus"\n')
    result = avdgen(REPO, "validate-vars", str(lonely))
    assert result.exit_code == 2 and "pass --schema FILE, --module NAME or --env NAME" in result.output


def test_json_tfvars(avdgen, tmp_path):
    values = hcl2.loads(DEV.read_text(), serialization_options=hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False))
    good = tmp_path / "terraform.tfvars.json"
    good.write_text(json.dumps(values, indent=2) + "\n")
    assert avdgen(REPO, "validate-vars", str(good), "--schema", str(REPO / "envs/dev/terraform.tfvars.schema.json")).exit_code == 0
    values["golden_image"]["replica_count"] = 11
    values["zones"] = ["1"]
    good.write_text(json.dumps(values, indent=2) + "\n")
    text = good.read_text()
    result = avdgen(REPO, "validate-vars", str(good), "--env", "dev")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{good}:{_lines_of(text, r'^    .replica_count')}: variable golden_image.replica_count: replica_count must be a whole number from 1 to 10.",
        f"{good}:{_lines_of(text, r'^  .zones')}: variable zones: not a variable of this configuration",
    ]


def test_missing_required_variable_and_wrong_type(avdgen, tmp_path):
    text = DEV.read_text().replace('environment                = "dev"\n', "").replace("host_pool_max_sessions = 6", 'host_pool_max_sessions = "6"')
    bad = tmp_path / "terraform.tfvars"
    bad.write_text(text)
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}:1: variable environment: required variable has no value",
        f'{bad}:{_lines_of(text, "^host_pool_max_sessions")}: variable host_pool_max_sessions: must be a number, not "6"',
    ]


def test_sensitive_variables_are_not_required_but_checked(tmp_path, avdgen):
    fixture = FIXTURES / "session-hosts/entra_id_zones.tfvars"
    assert avdgen(REPO, "validate-vars", str(fixture), "--module", "session-hosts").exit_code == 0
    short = tmp_path / "secrets.tfvars"
    short.write_text(fixture.read_text() + 'admin_password = "short"\n')
    result = avdgen(REPO, "validate-vars", str(short), "--module", "session-hosts")
    assert result.exit_code == 1 and "variable admin_password: admin_password must be 12-123 characters" in result.stdout


def test_checks_across_variables_name_the_validated_variable(avdgen, tmp_path):
    text = DEV.read_text().replace('session_host_image_strategy = "aib_gallery"', 'session_host_image_strategy = "manual_gallery"')
    text = text.replace("pilot_session_host_count    = 0", "pilot_session_host_count    = 2\nenable_golden_image = false").replace("enable_golden_image    = true\n", "")
    bad = tmp_path / "terraform.tfvars"
    bad.write_text(text)
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}:{_lines_of(text, '^session_host_image_strategy')}: variable session_host_image_strategy: "
        'session_host_image_strategy = "manual_gallery" needs manual_gallery_image_id.',
        f"{bad}:{_lines_of(text, '^pilot_session_host_count')}: variable pilot_session_host_count: "
        + _message("env", "pilot_session_host_count"),
    ]


def test_duplicates_nested_keys_and_expressions(avdgen, tmp_path):
    source = (
        'resource_group_name   = "avd-dev-rg"\n'
        'location              = "eastus"\n'
        'gallery_name          = "avd_golden_images"\n'
        'image_definition_name = "avd-win11-m365"\n'
        'image_template_name   = "avd-golden-image-template"\n'
        "replica_count         = 1 + 1 # a literal expression: 2\n"
        "inline_scripts = {\n"
        '  "10-ok" = ["echo"]\n'
        '  "bad key" = ["echo"]\n'
        "}\n"
        'location = "westus"\n'
    )
    path = tmp_path / "x.tfvars"
    path.write_text(source)
    result = avdgen(REPO, "validate-vars", str(path), "--module", "golden_image")
    assert result.stdout.splitlines() == [
        f'{path}:9: variable inline_scripts["bad key"]: {_message("golden_image", "inline_scripts")}',
        f"{path}:11: variable location: set twice (first at line 2); Terraform rejects the file",
    ]


_GOLDEN_REQUIRED = (
    'resource_group_name   = "avd-dev-rg"\n'
    'gallery_name          = "avd_golden_images"\n'
    'image_definition_name = "avd-win11-m365"\n'
    'image_template_name   = "avd-golden-image-template"\n'
)


def _golden(avdgen, tmp_path, text: str):
    path = tmp_path / "x.tfvars"
    path.write_text(_GOLDEN_REQUIRED + text)
    result = avdgen(REPO, "validate-vars", str(path), "--module", "golden_image")
    return path, result


def test_heredocs_are_read_as_terraform_reads_them():
    """Values checked against `terraform plan` of an output (Terraform 1.11): <<EOT keeps the
    last newline, <<-EOT drops the smallest indentation of the lines that are not blank."""
    text = (
        "o = <<-EOT\n    hi ${1 + 2}\n      there\n \n  $${x}\n    EOT\n"
        "p = <<EOT\n  keep\nEOT\n"
        "t = <<-EOT\n\ttab\n\t  x\n  EOT\n"
        "e = <<EOT\nEOT\n"
        "b = <<-EOT\n\n    x\n\n    EOT\n"
    )
    assert parse_tfvars(text).values == {"o": "  hi 3\n    there\n \n${x}\n", "p": "  keep\n", "t": "tab\n  x\n", "e": "", "b": "\nx\n\n"}


def test_literal_expressions_are_evaluated_as_terraform_does():
    text = (
        'a = { a = 1, a = 2, "q r" = "x\\n", (1) = true, null = 1 }\n'
        "b = [for x in [1, 2] : x * 2]\n"
        'c = "${1 + 1}"\n'
        'd = 1 + "2"\n'
        'e = true ? 1 : "a"\n'
        'f = "e\\u0301"\n'
        'g = "%{ if true }x%{ else }y%{ endif }"\n'
        "h = 0.1 + 0.2\n"
        "i = -7 % 3\n"
        "j = [1, 2][0]\n"
        'k = { a = 1 }.a\n'
        "m = 007\n"
        "n = 1e3\n"
        'r = "a$${x}b%%{y}"\n'
        's = 1 == "1"\n'
        "u = [{ a = 1 }, { a = 2 }][*].a\n"
    )
    assert parse_tfvars(text).values == {
        "a": {"a": 2, "q r": "x\n", "1": True, "null": 1}, "b": [2, 4], "c": 2, "d": 3, "e": "1", "f": "\u00e9", "g": "x",
        "h": 0.3, "i": -1, "j": 1, "k": 1, "m": 7, "n": 1000, "r": "a${x}b%{y}", "s": False, "u": [1, 2],
    }


def test_a_heredoc_value_keeps_its_newline(avdgen, tmp_path):
    path, result = _golden(avdgen, tmp_path, "location = <<EOT\neastus\nEOT\n")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{path}:5: variable location: {_message('golden_image', 'location')}"]
    path, result = _golden(avdgen, tmp_path, 'location = "eastus"\ninline_scripts = {\n  "10-x" = [<<-EOT\n    Write-Host hi\n    EOT\n  ]\n}\n')
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"${var.region}"', "Variables not allowed: a tfvars value cannot refer to var.region; write the value itself"),
        ("local.region", "Variables not allowed: a tfvars value cannot refer to local.region; write the value itself"),
        ('"east${local.n}"', "Variables not allowed: a tfvars value cannot refer to local.n; write the value itself"),
        ('lower("EASTUS")', "Function calls not allowed: a tfvars value cannot call lower(); write the value itself"),
        ('"${lower("EASTUS")}"', "Function calls not allowed: a tfvars value cannot call lower(); write the value itself"),
        # Terraform takes these; validate-vars does not evaluate them, and says so rather than pass them.
        ('"%{ for x in ["east", "us"] }${x}%{ endfor }"', "validate-vars cannot evaluate a %{ for } template directive here; write the value itself"),
        ('"east\\qus"', 'Invalid escape sequence: \\q (a string allows \\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN)'),
    ],
)
def test_references_and_function_calls_are_refused_at_their_line(avdgen, tmp_path, value, message):
    path, result = _golden(avdgen, tmp_path, f"location = {value}\n")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{path}:5: variable location: {message}"]


def test_a_reference_inside_an_object_names_its_attribute_and_line(avdgen, tmp_path):
    path, result = _golden(avdgen, tmp_path, 'location = "eastus"\ntags = {\n  a = "x"\n  b = var.b\n}\n')
    assert result.stdout.splitlines() == [f"{path}:8: variable tags.b: Variables not allowed: a tfvars value cannot refer to var.b; write the value itself"]


def test_an_expression_is_checked_by_its_value(avdgen, tmp_path):
    path, result = _golden(avdgen, tmp_path, 'location = "eastus"\nreplica_count = 10 + 5\n')
    assert result.stdout.splitlines() == [f"{path}:6: variable replica_count: {_message('golden_image', 'replica_count')}"]


def test_a_block_is_one_error_at_its_own_line(avdgen, tmp_path):
    text = DEV.read_text().replace("golden_image = {", "golden_image {")
    bad = tmp_path / "terraform.tfvars"
    bad.write_text(text)
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}:{_lines_of(text, '^golden_image {')}: variable golden_image: Blocks are not allowed here: set it as an attribute, golden_image = {{ ... }}"
    ]


def test_json_strings_are_literal_text(avdgen, tmp_path):
    """Terraform reads a .tfvars.json without an evaluation context: "${...}" is not a template."""
    values = {**parse_tfvars(_GOLDEN_REQUIRED).values, "location": "${var.region}"}
    path = tmp_path / "x.tfvars.json"
    path.write_text(json.dumps(values, indent=2) + "\n")
    result = avdgen(REPO, "validate-vars", str(path), "--module", "golden_image")
    assert result.stdout.splitlines() == [f"{path}:6: variable location: {_message('golden_image', 'location')}"]


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("broken.tfvars", 'location = "eastus"\ntags = {\n  a = [\n', "broken.tfvars:"),
        ("broken.tfvars.json", '{\n  "location": "eastus",\n}\n', "broken.tfvars.json:3:"),
    ],
)
def test_unparsable_file_is_exit_2_with_file_and_line(avdgen, tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text)
    result = avdgen(REPO, "validate-vars", str(path), "--module", "golden_image")
    assert result.exit_code == 2, result.output
    assert "invalid tfvars file" in result.stderr and where in result.stderr


def test_unknown_target_and_conflicting_options_are_exit_2(avdgen):
    result = avdgen(REPO, "validate-vars", "staging")
    assert result.exit_code == 2 and "envs: dev, prod" in result.stderr
    assert avdgen(REPO, "validate-vars", "dev", "--module", "golden_image", "--env", "dev").exit_code == 2



@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"type": "object", "properties": {"location": {"type": "text"}}}', "invalid schema"),
        (b'{"type": "object",\n "properties": }', "invalid schema"),
        (b'{"description": "caf\xe9"}', "not UTF-8 text"),
    ],
)
def test_a_broken_schema_is_exit_2_each_time(avdgen, tmp_path, content, message):
    """Checked schemas are remembered in-process; a broken one is never remembered as checked."""
    schema, values = tmp_path / "custom.schema.json", tmp_path / "x.tfvars"
    schema.write_bytes(content)
    values.write_text('location = "eastus"\n')
    for _ in range(2):
        result = avdgen(REPO, "validate-vars", str(values), "--schema", str(schema))
        assert result.exit_code == 2, result.output
        assert message in result.stderr and str(schema) in result.stderr
# --- the schemas ------------------------------------------------------------------------------------


def test_schemas_are_deterministic_sorted_and_committed(catalogs):
    first = render_schemas(list(catalogs.values()), REPO)
    assert first == render_schemas(list(catalogs.values()), REPO)
    assert sorted(map(str, first)) == [
        "envs/dev/terraform.tfvars.schema.json",
        "envs/prod/terraform.tfvars.schema.json",
        "modules/golden_image/variables.schema.json",
        "modules/session-hosts/variables.schema.json",
    ]
    for path, text in first.items():
        assert (REPO / path).read_text() == text, f"{path} is stale: run `make render`"
        assert has_header(text) and text.startswith('{"$comment": "Code generated by avdgen')
        data = json.loads(text)
        del data["$comment"]
        assert text.split("\n", 1)[1] == json.dumps(data, indent=2, sort_keys=True)[2:] + "\n"


def test_every_validation_is_mirrored_or_explained(catalogs):
    missing = []
    for catalog in catalogs.values():
        for variable in catalog.variables:
            for index, check in enumerate(variable.validations):
                key = (catalog.module, variable.name, index)
                if (check.json_schema is None) != (key in NOT_EXPRESSIBLE):
                    missing.append(key)
    assert not missing, "add a json_schema mirror, or list the validation in NOT_EXPRESSIBLE with the reason"


def test_patterns_are_portable_ecma_262():
    """No inline flags or shorthand classes, whose meaning differs between RE2, ECMA-262 and Python."""
    patterns = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern":
                    patterns.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in [*REPO.glob("modules/*/variables.schema.json"), *REPO.glob("envs/*/terraform.tfvars.schema.json")]:
        walk(_schema(path))
    assert len(patterns) > 40
    for pattern in patterns:
        assert not re.search(r"\(\?[a-zA-Z]|\\[dDwWsSbB]", pattern), pattern
        ecma_regex(pattern)


def test_ecma_patterns_end_at_the_end():
    assert not Validator({"pattern": "^a$"}).is_valid("a\n")  # Python's `$` would accept it
    assert Validator({"pattern": "^a$"}).is_valid("a")
    assert not Validator({"pattern": "^.$"}).is_valid("\n")
    assert not Validator({"pattern": "^\\w$"}).is_valid("é")


def test_type_constraints():
    assert type_schema("map(list(string))") == {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
    obj = type_schema('object({ publisher = string, version = optional(string, "latest"), n = optional(number) })')
    assert obj["required"] == ["publisher"] and obj["additionalProperties"] is False
    assert obj["properties"]["version"] == {"type": ["string", "null"], "default": "latest"}
    assert obj["properties"]["n"] == {"type": ["number", "null"]}
    assert type_schema("set(bool)") == {"type": "array", "items": {"type": "boolean"}}
    assert type_schema("any") == {}


def test_key_lines_follow_nesting():
    lines, duplicates = key_lines('a = 1\nb = {\n  c = [\n    "x",\n    { d = 2 },\n  ]\n}\n# a = "comment"\n')
    assert lines[("b", "c", 1)] == 5 and lines[("b", "c", 1, "d")] == 5 and lines[("b", "c", 0)] == 4
    assert duplicates == []


# --- the mirrors are faithful ------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["golden_image", "session-hosts"])
def test_invalid_values_fixture_is_rejected_value_by_value(avdgen, module):
    fixture = FIXTURES / module / "invalid_values.tfvars"
    result = avdgen(REPO, "validate-vars", str(fixture), "--module", module)
    assert result.exit_code == 1
    named = {re.match(r"^[^:]+:\d+: variable ([a-z_]+)", line).group(1) for line in result.stdout.splitlines()}
    assigned = set(read_tfvars(fixture, "fixture").values)
    assert named == assigned


@pytest.mark.parametrize(
    ("fixture", "module"),
    [
        ("golden_image/defaults.tfvars", "golden_image"),
        ("golden_image/all_customizations.tfvars", "golden_image"),
        ("golden_image/replication.tfvars", "golden_image"),
        ("golden_image/contributor_role.tfvars", "golden_image"),
        ("golden_image/date_version.tfvars", "golden_image"),
        ("golden_image/conflicting_image.tfvars", "golden_image"),
        ("golden_image/conflicting_spellings.tfvars", "golden_image"),
        ("golden_image/private_build.tfvars", "golden_image"),
        ("session-hosts/entra_id_zones.tfvars", "session-hosts"),
    ],
)
def test_plan_fixtures_pass(avdgen, fixture, module):
    result = avdgen(REPO, "validate-vars", str(FIXTURES / fixture), "--module", module)
    assert result.exit_code == 0, result.output


# Sample values for the differential test: valid and invalid, with the corners where RE2, ECMA-262
# and Python disagree (a trailing newline, Unicode case folding, Unicode spaces, leading zeros).
_GUID = "00000000-0000-0000-0000-000000000001"
_IDS = [
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g",
    "/SUBSCRIPTIONS/0000/resourcegroups/rg/PROVIDERS/microsoft.compute/GALLERIES/g",
    "/\u017fubscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/images/m",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g\n",
    "/subscriptions/x/galleries/y",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetwor\u212as/v/subnets/s",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s/x",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp",
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/",
    # Subscriptions are GUIDs; an image is a managed image, a gallery definition or version, or a
    # community or shared gallery's; disks, snapshots and VMs are not images.
    *(f"/subscriptions/{_GUID}/resourceGroups/rg/providers/{tail}" for tail in [
        "Microsoft.Compute/galleries/g", "Microsoft.Compute/galleries/g/images/d", "Microsoft.Compute/galleries/g/images/d/versions/1.2.0",
        "Microsoft.Compute/galleries/g/images/d/versions/latest", "microsoft.compute/GALLERIES/g/images/d/versions/LATEST",
        "Microsoft.Compute/galleries/g/images/d/versions/1.2", "Microsoft.Compute/galleries/g/images/d/versions/la\u017ftest",
        "Microsoft.Compute/images/m", "Microsoft.Compute/disks/osdisk", "Microsoft.Compute/snapshots/s", "Microsoft.Compute/virtualMachines/vm",
        "Microsoft.Network/virtualNetworks/v/subnets/s", "Microsoft.DesktopVirtualization/hostPools/hp",
    ]),
    f"/subscriptions/{_GUID.upper()}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d",
    f"/subscriptions/{_GUID[:-1]}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d",
    "/communityGalleries/cg-0000/images/d", "/communityGalleries/cg-0000/images/d/versions/1.0.0", "/sharedGalleries/sg/images/d/versions/latest",
    "/sharedGalleries/sg/images/d/versions/x", "/communityGalleries/cg/images/",
]
STRINGS = [
    "", " ", "\t", "\u0085", "\u00a0", "\u3000", "\ufeff", " x ", "a", "A", "e", "\u00e9", "eastus", "East US", "westus2",
    "1westus", "dev", "prod", "abcdefghij", "abcdefghijk", "avd-dev-rg", "bad/name.", "rg.", "(rg)", "a" * 90, "a" * 91,
    "avd_golden_images", "avd-golden-images", "-bad-", "a" * 80, "a" * 81, "a.b", "a_", "bad name", "a" * 64, "a" * 65,
    "a" * 128, "a" * 129, "a" * 20, "a" * 21, "ab", "a-", "A1", "1a", "abcdefghijklm", "abcdefghijklmn",
    "1.0.0", "2026.01.0", "1.1.0-beta", "1.0", "1.0.0.0", "01.002.0003", "2147483647.0.0", "2147483648.0.0",
    "0000002147483647.1.1", "1.99999999999.1", "1.0.0\n", "latest", "Latest", "22621.2861.231204", "V1", "V2", "v2", "V3",
    "MyCompany", "My Company", "AVD-GoldenImage", "Standard_LRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS", "Standard_GRS",
    "StandardSSD_LRS", "StandardSSD_ZRS", "Standard_D4s_v5", "D4s_v5", "Basic_A1", "large", "Standard_", "Standard_D4s v5",
    "ad", "entra_id", "AD", "Windows_Client", "Windows_Server", "None", "none", "https://x", "https://", "http://x",
    "HTTPS://x", "avdadmin", "Admin", "ADMINISTRATOR", "root", "guest1", "a.b-c_d", "Az.Accounts", "avd-sh", "1", "2", "3",
    "4", "BreadthFirst", "DepthFirst", "aib_gallery", "marketplace", "manual_gallery", "10.10.0.0/16", "10.10.1.0/24",
    "010.0.0.0/024", "0010.0.0.0/8", "256.0.0.0/8", "10.0.0.0/33", "10.0.0.0", "10.0.0/8", "::1/128", "fd00::/8",
    "2001:db8::/32", "::ffff:10.0.0.0/104", "1.2.3.4/32", "0.0.0.0/0", " 10.0.0.0/8", "10.0.0.0/8\n", *_IDS,
    # VM sizes: Generation 1 only, Premium Storage or not, other spellings.
    "Standard_A2_v2", "Standard_A8m_v2", "Standard_A7", "Standard_NC6", "Standard_NC24r", "Standard_NC6s_v3", "Standard_NV12",
    "Standard_NV6ads_A10_v5", "Standard_NC4as_T4_v3", "Standard_D4_v5", "Standard_D2_v2", "Standard_DS2_v2", "Standard_GS5",
    "Standard_M128", "Standard_M8-2ms_v2", "Standard_DC8_v2", "Standard_E4-2ads_v5", "Standard_E104i_v5", "standard_d4_v5",
    "Standard_B2ms", "Standard_F4", "Standard_H16r", "Basic_A0",
    # Domains, accounts, passwords, subnets, prefixes and template names.
    "corp.example.com", "corp", "-corp.com", "corp-.com", "a..b", "a.", "a" * 63 + ".com", "a" * 64 + ".com", ("a" * 62 + ".") * 4 + "abc",
    "CORP\\joiner", "joiner@corp.example.com", "svc-join", "j[o]in", "avdadmin.", "Test1", "support_388945a0", "ADMIN1", "john.",
    "offline-Placeholder-1", "alllowercase1234", "ALLUPPER_lower", "Abcdefghijkl", "abcdefghijk1!", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9ABCabc",
    "10.10.1.0/29", "10.10.1.0/30", "10.0.0.0/1", "10.0.0.0/2", "10.0.0.0/029", "1", "a-", "1-", "-tmpl", "_tmpl", ".tmpl", "t.mpl_",
]
NUMBERS = [-1, 0, 0.5, 1, 1.5, 2, 5, 6, 9, 10, 11, 27, 28, 99, 100, 240, 960, 961, 4095, 4096, 4095.5, 999999, 1000000, 5.0]
MAPS = {
    "map(list(string))": [{}, {"a": ["x"]}, {"10-x": ["a", "b"]}, {"bad key": ["x"]}, {"a": []}, {"a" * 64: ["x"]}, {"a" * 65: ["x"]}, {"-a": ["x"]}, {"\u00e9": ["x"]}],
    "map(string)": [{}, {"k": "a" * 64}, {"k": "A" * 64}, {"k": "0" * 63}, {"k": "https://x"}, {"k": "https://"}, {"k": "http://x"}, {"bad key": "https://x"}, {"k": "HTTPS://x"}, {"a" * 65: "https://x"},
                    # tags: names, values, counts
                    {"a/b": "x"}, {"a\\b": "x"}, {"a?": "x"}, {"<": ""}, {"50%": "x"}, {"R&D": "x"}, {"": ""}, {"Owner": "a/b?<>%&"},
                    {"a" * 512: "v"}, {"a" * 513: "v"}, {"k": "v" * 256}, {"k": "v" * 257},
                    {f"t{i}": "v" for i in range(50)}, {f"t{i}": "v" for i in range(51)},
                    {f"t{i}": "v" for i in range(47)}, {f"t{i}": "v" for i in range(48)},
                    {**{f"t{i}": "v" for i in range(48)}, "Environment": "x"}, {**{f"t{i}": "v" for i in range(49)}, "Environment": "x"},
                    {**{f"t{i}": "v" for i in range(47)}, "Environment": "x", "Workload": "y", "ManagedBy": "z"},
                    {**{f"t{i}": "v" for i in range(48)}, "Environment": "x", "Workload": "y", "ManagedBy": "z"}],
}
# Marketplace images, every attribute given (the version's default applies only through Terraform's
# variable handling, not in the console).
_IMAGE = {"publisher": "MicrosoftWindowsDesktop", "offer": "office-365", "sku": "win11-24h2-avd-m365", "version": "latest"}
MAPS['object({ publisher = string, offer = string, sku = string, version = optional(string, "latest") })'] = [
    _IMAGE, {**_IMAGE, "version": "26100.2894.250113"}, {**_IMAGE, "version": "Latest"}, {**_IMAGE, "version": "1.2"},
    {**_IMAGE, "version": "1.2.3\n"}, {**_IMAGE, "publisher": ""}, {**_IMAGE, "offer": " "}, {**_IMAGE, "sku": "\u00a0"},
    {**_IMAGE, "sku": " x "}, {**_IMAGE, "publisher": None},
]
# Hosts by name (every attribute given: Terraform fills absent optional ones before validating).
_HOST_NAMES = ["avd-sh-0", "a1", "a", "1a", "a-", "a" * 15, "a" * 16, "bad name", "avd_sh", "123", "0", "1-2", "-a", "a.b"]
MAPS["map(object({\n  image_id           = optional(string)\n  allow_new_sessions = optional(bool)\n}))"] = [
    {}, *({name: {"image_id": None, "allow_new_sessions": None}} for name in _HOST_NAMES),
    *({"avd-sh-0": {"image_id": i, "allow_new_sessions": True}} for i in _IDS),
]
MAPS["map(object({\n  image_version      = optional(string)\n  allow_new_sessions = optional(bool)\n}))"] = [
    {}, *({name: {"image_version": None, "allow_new_sessions": False}} for name in _HOST_NAMES),
    *({"avd-sh-0": {"image_version": v, "allow_new_sessions": None}} for v in ["1.2.0", "1.2", "latest", "2026.01.0", "1.0.0-beta", "", " 1.0.0"]),
]

# Copies by version name: keys and source IDs, every attribute given.
_VERSION_IDS = [i for i in _IDS if "/galleries/" in i] + [
    "/SUBSCRIPTIONS/0/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.COMPUTE/GALLERIES/g/IMAGES/d/VERSIONS/1.2.0",
    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.2",
    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/latest",
    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.2.0\n",
]
# Issue 11's objects, every attribute given (Terraform fills absent optional ones first).
MAPS['object({\n  on_customizer_error = optional(string, "cleanup")\n  on_validation_error = optional(string, "cleanup")\n})'] = [
    {"on_customizer_error": a, "on_validation_error": b} for a in ("cleanup", "abort", "Abort", "keep", "") for b in ("cleanup", "abort", "x")
]
MAPS["object({\n  kind = string\n  name = optional(string, null)\n})"] = [
    {"kind": k, "name": n} for k in ("CanNotDelete", "ReadOnly", "None", "cannotdelete", "") for n in (None, "keep")
]
_CHECKS = [
    {"name": "smoke", "inline": ["exit 0"], "script_uri": None, "sha256": None},
    {"name": "dl", "inline": None, "script_uri": "https://x/t.ps1", "sha256": "a" * 64},
    {"name": "dl", "inline": None, "script_uri": "https://x/t.ps1", "sha256": "A" * 64},
    {"name": "dl", "inline": None, "script_uri": "https://x/t.ps1", "sha256": None},
    {"name": "dl", "inline": None, "script_uri": "http://x/t.ps1", "sha256": "a" * 64},
    {"name": "dl", "inline": None, "script_uri": "https://", "sha256": "a" * 64},
    {"name": "both", "inline": ["exit 0"], "script_uri": "https://x/t.ps1", "sha256": "a" * 64},
    {"name": "neither", "inline": None, "script_uri": None, "sha256": None},
    {"name": "neither", "inline": None, "script_uri": None, "sha256": "a" * 64},
    {"name": "empty", "inline": [], "script_uri": None, "sha256": None},
    {"name": "summed", "inline": ["exit 0"], "script_uri": None, "sha256": "a" * 64},
    {"name": "bad name", "inline": ["exit 0"], "script_uri": None, "sha256": None},
    {"name": "a" * 65, "inline": ["exit 0"], "script_uri": None, "sha256": None},
]
MAPS["object({\n  source_validation_only         = optional(bool, false)\n  continue_distribute_on_failure = optional(bool, false)\n  in_vm_validations = optional(list(object({\n    name       = string\n    inline     = optional(list(string))\n    script_uri = optional(string)\n    sha256     = optional(string)\n  })), [])\n})"] = [
    {"source_validation_only": False, "continue_distribute_on_failure": True, "in_vm_validations": checks}
    for checks in ([], *([c] for c in _CHECKS), [_CHECKS[0], _CHECKS[1]])
]
_ASSIGNMENT = {"role_definition_id_or_name": "Reader", "principal_id": "1", "description": None, "skip_service_principal_aad_check": False,
               "condition": None, "condition_version": None, "delegated_managed_identity_resource_id": None, "principal_type": None}
MAPS["map(object({\n  role_definition_id_or_name             = string\n  principal_id                           = string\n  description                            = optional(string, null)\n  skip_service_principal_aad_check       = optional(bool, false)\n  condition                              = optional(string, null)\n  condition_version                      = optional(string, null)\n  delegated_managed_identity_resource_id = optional(string, null)\n  principal_type                         = optional(string, null)\n}))"] = [
    {}, *({"a": {**_ASSIGNMENT, "principal_type": p}} for p in (None, "User", "Group", "ServicePrincipal", "Robot", "user")),
    *({"a": {**_ASSIGNMENT, "condition": c, "condition_version": v}} for c in (None, "c") for v in (None, "2.0", "1.0")),
]

MAPS["map(object({\n  source_version_id   = string\n  exclude_from_latest = optional(bool)\n}))"] = [
    {}, *({v: {"source_version_id": _IDS[4], "exclude_from_latest": False}} for v in ["1.2.0", "1.2", "latest", "1.2.0\n", "01.2.3"]),
    *({"1.0.0": {"source_version_id": i, "exclude_from_latest": True}} for i in _VERSION_IDS),
]


# Issue 11's inputs: purchase plans, files and AVD's built-in scripts (typed `any`).
_PLAN = {"name": "p", "product": "o", "publisher": "x"}
MAPS['object({\n  name      = string\n  product   = string\n  publisher = string\n})'] = [
    _PLAN, {**_PLAN, "name": ""}, {**_PLAN, "product": " "}, {**_PLAN, "publisher": "\u00a0"}, {**_PLAN, "name": " x "},
]
_FILE = {"source_uri": "https://x/a.json", "destination": "C:\\Temp\\a.json", "sha256": None}
MAPS["map(object({\n  source_uri  = string\n  destination = string\n  sha256      = optional(string)\n}))"] = [
    {}, {"a": _FILE}, {"bad key": _FILE}, {"a": {**_FILE, "source_uri": "http://x"}}, {"a": {**_FILE, "sha256": "a" * 64}},
    {"a": {**_FILE, "sha256": "A" * 64}}, {"a": {**_FILE, "sha256": "a" * 63}}, {"a": {**_FILE, "sha256": ""}},
    *({"a": {**_FILE, "destination": d}} for d in ["C:\\", "C:\\Temp\\", "C:\\a.", "C:\\a ", "/tmp/a", "C:/a", "c:\\a\\b.txt", "C:\\a?b", "C:\\a\nb", "1:\\a", "C:a"]),
]
_UNC = "\\\\storage.file.core.windows.net\\profiles"
MAPS["any"] = [
    {}, {"colour": "blue"}, {"fslogix": {"vhd_locations": [_UNC]}}, {"fslogix": {"size": 1}}, {"fslogix": None}, {"fslogix": "x"},
    {"fslogix": {"vhd_locations": [_UNC, _UNC]}}, {"fslogix": {"vhd_locations": ["C:\\profiles"]}}, {"fslogix": {"vhd_locations": ["\\\\a\\'b"]}},
    {"fslogix": {"vhd_size_mb": 0}}, {"fslogix": {"vhd_size_mb": 1.5}}, {"fslogix": {"vhd_size_mb": 100}}, {"fslogix": {"installer_uri": "http://x"}},
    {"fslogix": {"kerberos": True}}, {"fslogix": {"kerberos": "true"}}, {"fslogix": {"kerberos": "yes"}},
    {"time_zone_redirection": True}, {"time_zone_redirection": "false"}, {"time_zone_redirection": "yes"}, {"time_zone_redirection": 1},
    {"rdp_shortpath": None}, {"disable_storage_sense": [True]},
    {"language_packs": ["de-DE"]}, {"language_packs": ["de-DE", "xx-XX"]}, {"language_packs": "de-DE"}, {"language_packs": []},
    {"language_packs": ["sr-Latn-RS", "nb-NO"]}, {"language_packs": ["DE-de"]}, {"default_language": "de-DE"}, {"default_language": "german"},
    {"default_language": ""}, {"default_language": None}, {"default_language": 5},
    {"screen_capture_protection": "client"}, {"screen_capture_protection": "client_and_server"}, {"screen_capture_protection": "server"},
    {"screen_capture_protection": ""}, {"screen_capture_protection": True},
    {"teams_optimization": {}}, {"teams_optimization": {"webrtc_installer_uri": "https://x/y.msi"}}, {"teams_optimization": {"webrtc_installer_uri": "http://x"}},
    {"teams_optimization": {"vc_redistributable_uri": "https://x/a b"}}, {"teams_optimization": {"vc_redistributable_uri": "https://x/'"}},
    {"teams_optimization": {"teams_bootstrapper_uri": None}}, {"teams_optimization": {"teams_bootstrapper_uri": 5}},
    {"multimedia_redirection": {"edge": False, "chrome": True}}, {"multimedia_redirection": {"chrome": "maybe"}},
    {"multimedia_redirection": {"vc_redistributable_uri": "ftp://x"}},
    {"session_timeouts": {"max_idle_minutes": 60}}, {"session_timeouts": {"max_idle_minutes": 1.5}}, {"session_timeouts": {"max_idle_minutes": -1}},
    {"session_timeouts": {"max_connection_minutes": 71583}}, {"session_timeouts": {"max_connection_minutes": 71582}}, {"session_timeouts": {"max_idle_minutes": "60"}},
    {"session_timeouts": {"end_session_on_limit": True, "max_idle_minutes": None}}, {"session_timeouts": {"end_session_on_limit": "no"}},
    {"office_apps": {"applications": ["Visio"]}}, {"office_apps": {"applications": []}}, {"office_apps": {"applications": ["Paint"]}},
    {"office_apps": {"applications": ["Word"], "action": "Remove", "version": "32"}}, {"office_apps": {"applications": ["Word"], "action": "Delete"}},
    {"office_apps": {"applications": ["Word"], "version": 64}}, {"office_apps": {"applications": ["Word"], "version": "16"}}, {"office_apps": {"action": "Add"}},
    {"remove_appx_packages": ["Microsoft.XboxApp"]}, {"remove_appx_packages": ["Microsoft.Xbox App"]}, {"remove_appx_packages": ["-x"]},
    {"windows_optimizations": ["All", "Edge"]}, {"windows_optimizations": ["Everything"]}, {"windows_optimizations": ["edge"]},
    [], "x",
]
_UAI = f"/subscriptions/{_GUID}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"


def _samples(variable) -> list[Any]:
    base = {"string": STRINGS, "number": NUMBERS}.get(variable.type)
    if base is None and variable.type == "list(string)":
        base = [[], ["a", "b"], *([s] for s in STRINGS), ["1", "4"], ["10.10.0.0/16", "bad"],
                [_UAI], [_UAI.lower()], [_UAI.replace("userAssignedIdentities", "userAssigned\u212aIdentities")], [_UAI, _UAI], [_UAI, _UAI + "2"]]
    if base is None:
        base = MAPS[variable.type]
    corner = {
        "address_space": lambda v: not any(":" in s for s in v),
        "session_host_subnet_prefix": lambda v: ":" not in v,
    }.get(variable.name, lambda v: True)
    samples = [v for v in base if corner(v)]
    return samples + ([None] if allows_null(variable) else [])


def _hcl(value: Any) -> str:
    """A one-line HCL literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_hcl, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_hcl(k)} = {_hcl(v)}" for k, v in value.items()) + "}"
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


def _substitute(condition: str, values: dict[str, Any]) -> str:
    return re.sub(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)", lambda m: f"({_hcl(values[m.group(1)])})", condition)


def _terraform_says(conditions: list[str], tmp_path: Path) -> list[bool]:
    """Each condition's value, from one `terraform console` (a validation that errors fails)."""
    # Console reads at most 64 KiB a line, so the conditions go into a configuration's locals.
    (tmp_path / "main.tf").write_text("locals {\n  verdicts = [\n" + "".join(f"    try({c}, false),\n" for c in conditions) + "  ]\n}\n")
    proc = subprocess.run([terraform_binary(), "console"], input="jsonencode(local.verdicts)\n", capture_output=True, text=True, cwd=tmp_path, env=quiet_env(), check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_mirrors_agree_with_terraform(catalogs, tmp_path):
    """Each mirrored validation, on every sample value: the schema's verdict is Terraform's."""
    cases = []  # (key, value, HCL condition, schema)
    for catalog in catalogs.values():
        schema = catalog_schema(catalog, catalog.module)
        for variable in catalog.variables:
            checks = [c for c in variable.validations if c.json_schema and not reads_other_variables(variable, c)]
            if not checks:
                continue
            condition = " && ".join(f"({c.condition})" for c in checks)
            prop = schema["properties"][variable.name]
            for value in _samples(variable):
                cases.append(((catalog.module, variable.name), value, _substitute(condition, {variable.name: value}), prop))
    verdicts = _terraform_says([c for _, _, c, _ in cases], tmp_path)
    wrong = [
        f"{key} {value!r}: terraform {said}, schema {not said}"
        for (key, value, _, prop), said in zip(cases, verdicts)
        if Validator(prop).is_valid(value) != said
    ]
    assert len(cases) > 3000
    assert not wrong, "\n".join(wrong[:40])


def test_checks_across_variables_agree_with_terraform(catalogs, tmp_path):
    env = catalogs["env"]
    schema = _schema(REPO / "envs/dev/terraform.tfvars.schema.json")
    entries = {}
    for variable in env.variables:
        for check in variable.validations:
            if check.json_schema and reads_other_variables(variable, check):
                entry = next(e for e in schema["allOf"] if e["errorMessage"] == check.error_message)
                assert entry[VALIDATION_OF] == variable.name
                entries[check.condition] = entry
    assert len(entries) == 8  # 7, plus the container instance subnet's need for a build subnet (issue 11)
    defaults = {v.name: v.default for v in env.variables if v.has_default}
    cases = []
    for strategy in (..., "aib_gallery", "marketplace", "manual_gallery"):
        for enabled in (..., True, False):
            for manual in (..., None, "/subscriptions/x"):
                for pilot in (..., 0, 1, 9, 10, 1.5, -1):
                    for generation in ("V1", "V2"):  # golden_image is required; its attribute defaults to V2
                        for hosts in (..., {}, {"h-0": {"image_version": None, "allow_new_sessions": False}}, {"h-0": {"image_version": "1.2.0", "allow_new_sessions": None}}):
                            golden_image = {"gallery_name": "g", "image_definition_name": "d", "image_template_name": "t", "hyper_v_generation": generation}
                            given = {k: v for k, v in {"session_host_image_strategy": strategy, "enable_golden_image": enabled,
                                                       "manual_gallery_image_id": manual, "pilot_session_host_count": pilot,
                                                       "golden_image": golden_image, "session_hosts": hosts}.items() if v is not ...}
                            for condition, entry in entries.items():
                                cases.append((given, _substitute(condition, {**defaults, **given}), entry))
    golden_image = {"gallery_name": "g", "image_definition_name": "d", "image_template_name": "t", "hyper_v_generation": "V2"}
    for domain in (..., None, "corp.example.com", ""):
        for joiner in (..., None, "svc-join"):
            given = {k: v for k, v in {"domain_name": domain, "domain_admin_username": joiner, "golden_image": golden_image}.items() if v is not ...}
            for condition, entry in entries.items():
                cases.append((given, _substitute(condition, {**defaults, **given}), entry))
    for prefix in (..., "abcdefghijkl", "abcdefghijklm"):  # the VM name lengths: 12 and 13 characters
        for pilot in (..., 0, 1):
            for count in (..., 10, 11):
                for hosts in (..., {}, {"h-0": {"image_version": None, "allow_new_sessions": None}}):
                    given = {k: v for k, v in {"session_host_name_prefix": prefix, "pilot_session_host_count": pilot, "session_host_count": count,
                                               "session_hosts": hosts, "golden_image": golden_image}.items() if v is not ...}
                    for condition, entry in entries.items():
                        cases.append((given, _substitute(condition, {**defaults, **given}), entry))
    verdicts = _terraform_says([c for _, c, _ in cases], tmp_path)
    wrong = [f"{given}: {entry['errorMessage']}: terraform {said}" for (given, _, entry), said in zip(cases, verdicts) if Validator(entry).is_valid(given) != said]
    assert not wrong, "\n".join(wrong[:20])


def test_the_name_prefix_length_check_agrees_with_terraform(catalogs, tmp_path):
    """session_host_name_prefix against session_host_count, session_hosts and the pilot: each name
    "<prefix>-<n>" and "<prefix>p-<n>" fits in 15 characters."""
    env = catalogs["env"]
    (check,) = [c for c in env.variable("session_host_name_prefix").validations if reads_other_variables(env.variable("session_host_name_prefix"), c)]
    entry = next(e for e in _schema(REPO / "envs/dev/terraform.tfvars.schema.json")["allOf"] if e["errorMessage"] == check.error_message)
    defaults = {v.name: v.default for v in env.variables if v.has_default}
    cases = []
    for prefix in (..., "a" * 11, "a" * 12, "a" * 13, "a" * 14):
        for count in (..., 1, 2, 10, 10.5, 11, 99, 100, 0, -3):
            for hosts in (..., {}, {"h-0": {"image_version": None, "allow_new_sessions": None}}):
                for pilot in (..., 0, 1, 9, 1.5):
                    given = {k: v for k, v in {"session_host_name_prefix": prefix, "session_host_count": count, "session_hosts": hosts,
                                               "pilot_session_host_count": pilot}.items() if v is not ...}
                    cases.append((given, _substitute(check.condition, {**defaults, **given})))
    verdicts = _terraform_says([c for _, c in cases], tmp_path)
    wrong = [f"{given}: terraform {said}" for (given, _), said in zip(cases, verdicts) if Validator(entry).is_valid(given) != said]
    assert not wrong, "\n".join(wrong[:20])
    assert verdicts.count(False) > 50 and verdicts.count(True) > 50


def test_a_broken_mirror_is_a_catalog_error_with_its_line(project, avdgen):
    path = project / "catalog/golden_image.yaml"
    text = path.read_text()
    old = "        json_schema: { pattern: '^[a-z][a-z0-9]*$' }\n"
    assert old in text
    path.write_text(text.replace(old, "        json_schema: { pattern: '^[a-z(' }\n", 1))
    line = _lines_of(path.read_text(), r"\^\[a-z\(")
    result = avdgen(project, "render", "--check")
    assert result.exit_code == 2
    assert f"catalog/golden_image.yaml:{line}: variables.location.validations[0].json_schema.pattern: not a valid JSON Schema" in result.stderr


def test_a_secret_in_an_env_tfvars_is_refused(tmp_path, avdgen):
    tfvars = tmp_path / "terraform.tfvars"
    tfvars.write_text((REPO / "envs/dev/terraform.tfvars").read_text() + 'admin_password = "hunter2hunter2"\n')
    line = tfvars.read_text().count("\n")
    result = avdgen(REPO, "validate-vars", str(tfvars), "--env", "dev")
    assert result.exit_code == 1
    assert f"{tfvars}:{line}: variable admin_password: admin_password is sensitive: never write it in a tfvars file" in result.stdout


# --- an env's values meet the rules of the modules they feed -------------------------------------


def _profile_line(project: Path, env: str, key: str) -> int:
    return _lines_of((project / f"catalog/envs/{env}.yaml").read_text(), rf"^  {key}:")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("session_host_name_prefix", "-avd", "session_host_name_prefix must be 1-13 characters of letters, digits and '-', starting with a letter or digit."),
        ("session_host_vm_size", "D2s_v5", 'session_host_vm_size must be an Azure VM size name such as "Standard_D4s_v5".'),
    ],
)
def test_a_rendered_env_value_the_module_rejects_names_the_profile_line(project, avdgen, variable, value, message):
    """The env schema carries the rules of the module variables the env's values feed (here the
    session hosts' vm_name_prefix and vm_size); a rendered env's error says where to fix it."""
    tfvars = project / "envs/dev/terraform.tfvars"
    text = re.sub(rf'^({variable} +)= ".*"$', rf'\1= "{value}"', tfvars.read_text(), flags=re.M)
    tfvars.write_text(text)
    result = avdgen(project, "validate-vars", "dev")
    assert result.exit_code == 1
    line, origin = _lines_of(text, rf"^{variable} "), _profile_line(project, "dev", variable)
    assert result.stdout.splitlines() == [
        f"envs/dev/terraform.tfvars:{line}: variable {variable}: {message} (set in catalog/envs/dev.yaml:{origin}: edit it there and run `avdgen render`)"
    ]


def test_a_profile_value_the_module_rejects_is_refused_at_render(project, avdgen):
    profile = project / "catalog/envs/dev.yaml"
    profile.write_text(profile.read_text().replace("session_host_name_prefix: avd-dev-sh", "session_host_name_prefix: avd-dev-sh-long"))
    result = avdgen(project, "render", "--check")
    assert result.exit_code == 2
    line = _profile_line(project, "dev", "session_host_name_prefix")
    assert f"catalog/envs/dev.yaml:{line}: tfvars.session_host_name_prefix: session_host_name_prefix must be 1-13 characters" in result.stderr


@pytest.mark.parametrize(
    ("given", "ok"),
    [
        ({"session_host_name_prefix": "abcdefghijklm"}, True),  # 13 characters, one host: abcdefghijklm-0
        ({"session_host_name_prefix": "abcdefghijklm", "session_host_count": 11}, False),  # abcdefghijklm-10
        ({"session_host_name_prefix": "abcdefghijkl", "session_host_count": 11}, True),
        ({"session_host_name_prefix": "abcdefghijklm", "pilot_session_host_count": 1}, False),  # pilot prefix abcdefghijklmp
    ],
)
def test_session_host_names_fit_fifteen_characters(avdgen, tmp_path, given, ok):
    bad = tmp_path / "terraform.tfvars"
    values = {**read_tfvars(DEV, "dev").values, **given}
    bad.write_text("".join(f"{k} = {_hcl(v)}\n" for k, v in values.items()))
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert (result.exit_code == 0) == ok, result.output
    if not ok:
        assert "variable session_host_name_prefix: session_host_name_prefix is too long for Windows' 15-character computer names" in result.stdout


def test_a_value_of_the_wrong_type_is_one_error(avdgen, tmp_path):
    """Not also the validations' mirrors, which only make sense for the right type."""
    text = DEV.read_text() + "admin_username = 5\n"
    bad = tmp_path / "terraform.tfvars"
    bad.write_text(text)
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert result.stdout.splitlines() == [f"{bad}:{text.count(chr(10))}: variable admin_username: must be a string, not 5"]


# --- what JSON Schema cannot say ---------------------------------------------------------------


def _conditions() -> list[dict]:
    return [e for e in _schema(REPO / "envs/dev/terraform.tfvars.schema.json")["allOf"] if CONDITION in e]


def test_conditions_without_a_mirror_travel_in_the_schema(catalogs):
    entries = _conditions()
    assert sorted((e[VALIDATION_OF], e[CONDITION]) for e in entries) == sorted(
        (variable, catalogs[module].variable(variable).validations[index].condition) for module, variable, index in NOT_EXPRESSIBLE
    )
    for entry in entries:  # every function they call is one validate-vars evaluates
        assert set(re.findall(r"\b([a-z_]+)\(", entry[CONDITION])) <= set(CONDITION_FUNCTIONS) | {"try", "can"}, entry[CONDITION]  # try/can: the evaluator's own


def test_conditions_are_evaluated_as_terraform_does(catalogs, tmp_path):
    env = catalogs["env"]
    defaults = {v.name: v.default for v in env.variables if v.has_default}
    golden = {"gallery_name": "g", "image_definition_name": "d", "image_template_name": "t", "location": None, "replication_regions": []}
    cases = []
    for entry in _conditions():
        for strategy in ("aib_gallery", "marketplace"):
            for location in ("eastus", "westus2"):
                for golden_location in (None, "", "eastus", "westus2"):
                    for regions in ([], ["eastus"], ["westus2", "eastus"], ["westus2"]):
                        for count, hosts in ((1, {}), (2, {}), (2, {"a": {}}), (2, {"a": {}, "b": {}}), (3, {"a": {}, "b": {}}), (1, {"a": {}, "b": {}})):
                            given = {**defaults, "session_host_image_strategy": strategy, "location": location, "session_host_count": count,
                                     "session_hosts": hosts, "golden_image": {**golden, "location": golden_location, "replication_regions": regions}}
                            cases.append((entry[CONDITION], given))
    verdicts = _terraform_says([_substitute(c, given) for c, given in cases], tmp_path)
    wrong = [f"{c} on {given}: terraform {said}" for (c, given), said in zip(cases, verdicts) if evaluate_condition(c, given)[0] != said]
    assert len(cases) > 700
    assert not wrong, "\n".join(wrong[:10])


@pytest.mark.parametrize(
    ("change", "variable", "condition"),
    [
        ({"session_host_count": 2, "session_hosts": {"avd-dev-sh-0": {}}}, "session_hosts", "length(var.session_hosts) == 0"),
        ({"golden_image": {**read_tfvars(DEV, "dev").values["golden_image"], "location": "westus2"}}, "golden_image", "golden_image.location"),
    ],
)
def test_checks_json_schema_cannot_say_are_evaluated(avdgen, tmp_path, change, variable, condition):
    values = {**read_tfvars(DEV, "dev").values, **change}
    text = "".join(f"{k} = {_hcl(v)}\n" for k, v in values.items())
    bad = tmp_path / "terraform.tfvars"
    bad.write_text(text)
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    message = next(c.error_message for c in catalogs_of("env").variable(variable).validations if condition in c.condition)
    assert result.stdout.splitlines() == [f"{bad}:{_lines_of(text, '^' + variable + ' ')}: variable {variable}: {message}"]


def catalogs_of(module: str):
    return next(c for c in load_catalogs(REPO) if c.module == module)


def test_an_env_without_promote_from_refuses_promoted_versions_as_its_plan_does(avdgen, tmp_path):
    schema = _schema(REPO / "envs/dev/terraform.tfvars.schema.json")
    checks = [e for e in schema["allOf"] if e[VALIDATION_OF].startswith("golden_image_promot")]
    assert len(checks) == 2
    assert f'error_message = {json.dumps(checks[0]["errorMessage"])}' in (REPO / "envs/dev/main.tf").read_text()
    assert not any(e[VALIDATION_OF].startswith("golden_image_promot") for e in _schema(REPO / "envs/prod/terraform.tfvars.schema.json")["allOf"])
    bad = tmp_path / "terraform.tfvars"
    bad.write_text(DEV.read_text() + 'golden_image_promoted_versions = ["1.2.0"]\n')
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert result.stdout.splitlines() == [f"{bad}:{bad.read_text().count(chr(10))}: variable golden_image_promoted_versions: {checks[0]['errorMessage']}"]


def test_format_json_lists_the_errors_for_ci(project, avdgen):
    tfvars = project / "envs/dev/terraform.tfvars"
    text = tfvars.read_text().replace('"avd-dev-sh"', '"-avd-dev-sh"').replace("host_pool_max_sessions = 6", 'host_pool_max_sessions = "six"')
    tfvars.write_text(text)
    result = avdgen(project, "validate-vars", "dev", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"file": "envs/dev/terraform.tfvars", "line": _lines_of(text, "^host_pool_max_sessions"), "variable": "host_pool_max_sessions",
         "message": 'must be a number, not "six"', "origin": f"catalog/envs/dev.yaml:{_profile_line(project, 'dev', 'host_pool_max_sessions')}"},
        {"file": "envs/dev/terraform.tfvars", "line": _lines_of(text, "^session_host_name_prefix"), "variable": "session_host_name_prefix",
         "message": _message("env", "session_host_name_prefix"), "origin": f"catalog/envs/dev.yaml:{_profile_line(project, 'dev', 'session_host_name_prefix')}"},
    ]
    clean = avdgen(REPO, "validate-vars", "dev", "--format", "json")
    assert clean.exit_code == 0 and json.loads(clean.stdout) == []
    bad_input = avdgen(REPO, "validate-vars", "staging", "--format", "json")
    assert bad_input.exit_code == 2 and bad_input.stdout == ""


def test_a_null_object_attribute_takes_its_default_as_in_terraform(avdgen, tmp_path):
    golden_image = {**read_tfvars(DEV, "dev").values["golden_image"], "hyper_v_generation": None, "replica_count": None}
    bad = tmp_path / "terraform.tfvars"
    bad.write_text("".join(f"{k} = {_hcl(v)}\n" for k, v in {**read_tfvars(DEV, "dev").values, "golden_image": golden_image}.items()))
    result = avdgen(REPO, "validate-vars", str(bad), "--env", "dev")
    assert result.exit_code == 0, result.output
