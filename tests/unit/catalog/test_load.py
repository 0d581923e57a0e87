"""Catalog loading: the real catalog loads; broken ones fail with file:line: key.path: message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.errors import CatalogError

from project_paths import REPO

GOOD = (REPO / "catalog" / "golden_image.yaml").read_text()
SEED_VARIABLES = {
    "resource_group_name", "location", "gallery_name", "image_definition_name", "image_template_name",
    "image_version", "base_image_publisher", "base_image_offer", "base_image_sku", "base_image_version",
    "hyper_v_generation", "image_publisher", "image_offer", "image_sku", "install_windows_updates",
    "powershell_modules", "inline_scripts", "script_uris", "chocolatey_packages",
    "restart_after_customization", "run_cleanup_script", "replication_regions", "replica_count",
    "storage_account_type", "exclude_from_latest", "build_timeout_minutes", "vm_size",
    "os_disk_size_gb", "tags",
}


def test_real_catalog_covers_the_seed():
    catalog = load_catalog(REPO / "catalog" / "golden_image.yaml", REPO)
    names = {v.name for v in catalog.variables}
    assert SEED_VARIABLES <= names
    assert {"build_vm_size", "gallery_image_storage_account_type"} <= names
    assert {v.name for v in catalog.variables if v.required} == {
        "resource_group_name", "location", "gallery_name", "image_definition_name", "image_template_name",
    }
    assert catalog.variable("image_version").default == "1.0.0"
    assert catalog.variable("build_vm_size").alias_of == "vm_size"
    assert {v.group for v in catalog.variables} == set(catalog.groups)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _load(tmp_path: Path, text: str) -> CatalogError:
    (tmp_path / "catalog").mkdir(exist_ok=True)
    path = tmp_path / "catalog" / "golden_image.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(path, tmp_path)
    return info.value


def _edit(old: str, new: str) -> str:
    assert GOOD.count(old) >= 1, old
    return GOOD.replace(old, new, 1)


# (id, edited text, the text whose line the error must point at, expected "key.path: message" part)
BROKEN = [
    (
        "default-type",
        _edit("    type: number\n    default: 1\n", "    type: number\n    default: one\n"),
        "default: one",
        "variables.replica_count.default: 'one' does not match type number",
    ),
    (
        "unknown-key",
        _edit("    default: MyCompany\n", "    defualt: MyCompany\n"),
        "defualt: MyCompany",
        "variables.image_publisher.defualt: Additional properties are not allowed ('defualt' was unexpected); allowed keys: alias_of",
    ),
    (
        "missing-type",
        _edit("  install_windows_updates:\n    group: Customization Configuration\n    type: bool\n", "  install_windows_updates:\n    group: Customization Configuration\n"),
        "  install_windows_updates:",
        "variables.install_windows_updates: 'type' is required",
    ),
    (
        "duplicate-key",
        _edit("  tags:\n", "  replica_count:\n    group: Replication & Advanced Settings\n    type: number\n    description: Again.\n  tags:\n"),
        "  replica_count:\n    group: Replication & Advanced Settings\n    type: number\n    description: Again.",
        "variables.replica_count: duplicate key (first at line",
    ),
    (
        "unknown-group",
        _edit("    group: Base Image Configuration\n    type: string\n    default: MicrosoftWindowsDesktop", "    group: Base Image\n    type: string\n    default: MicrosoftWindowsDesktop"),
        "group: Base Image\n",
        "variables.base_image_publisher.group: unknown group 'Base Image'; declare it under `groups`",
    ),
    (
        "bad-hcl-type",
        _edit("    type: bool\n    default: true\n    description: Install", "    type: boolean\n    default: true\n    description: Install"),
        "type: boolean",
        "variables.install_windows_updates.type: 'boolean' is not an HCL type constraint",
    ),
    (
        "validation-wrong-variable",
        _edit('contains(["V1", "V2"], var.hyper_v_generation)', 'contains(["V1", "V2"], var.image_version)'),
        '      - condition: >-\n          contains(["V1", "V2"], var.image_version)',
        "variables.hyper_v_generation.validations[0].condition: must refer to var.hyper_v_generation",
    ),
    (
        "alias-of-unknown",
        _edit("    alias_of: vm_size\n", "    alias_of: vm_sizes\n"),
        "alias_of: vm_sizes",
        "variables.build_vm_size.alias_of: alias of unknown variable 'vm_sizes'",
    ),
    (
        "description-not-a-sentence",
        _edit("    description: Marketplace image offer of the build's source image.\n", "    description: Marketplace image offer of the build's source image\n"),
        "description: Marketplace image offer of the build's source image\n",
        "variables.base_image_offer.description: \"Marketplace image offer of the build's source image\" must be a sentence ending with a period",
    ),
    (
        "bad-variable-name",
        _edit("  tags:\n", "  Tags:\n"),
        "variables:\n",
        "variables: 'Tags' does not match",
    ),
    (
        "output-without-value",
        _edit("    value: local.run_output_name\n", ""),
        "  run_output_name:\n    group: Additional Outputs",
        "outputs.run_output_name: 'value' is required",
    ),
    (
        "yaml-syntax",
        _edit("  tags:\n    group:", "  tags:\n   group:"),
        "    type: map(string)\n    default: {}\n    nullable: false\n    description: Tags applied",  # where YAML notices
        "<yaml>: mapping values are not allowed",
    ),
]


@pytest.mark.parametrize("text,needle,expected", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_catalog_names_file_line_and_key(tmp_path, text, needle, expected):
    error = _load(tmp_path, text)
    details = "\n".join(error.details)
    assert f"catalog/golden_image.yaml:" in details
    assert expected in details, details
    line = _line_of(text, needle)
    assert any(d.startswith(f"catalog/golden_image.yaml:{line}: ") and expected.split(":")[0] in d for d in error.details), (line, details)


def test_alias_default_must_be_null(tmp_path):
    # Without a duplicate key: the alias itself defaults to a value.
    text = GOOD.replace("    alias_of: storage_account_type\n    description:", "    alias_of: storage_account_type\n    description:", 1)
    text = re.sub(r"(  gallery_image_storage_account_type:\n    group: [^\n]+\n    type: string\n)    default: null\n", r"\1    default: Standard_LRS\n", text)
    error = _load(tmp_path, text)
    assert "variables.gallery_image_storage_account_type.alias_of: an alias and its variable must both default to null" in str(error)


def test_empty_catalog(tmp_path):
    error = _load(tmp_path, "")
    assert "catalog/golden_image.yaml:1: <top>: the file is empty" in str(error)


def test_all_problems_reported_at_once(tmp_path):
    text = _edit("    default: MyCompany\n", "    defualt: MyCompany\n").replace("    alias_of: vm_size\n", "    alias_of: nope\n")
    text = text.replace("    type: number\n    default: 1\n", "    type: number\n    default: one\n", 1)
    error = _load(tmp_path, text)
    # Schema problems are reported together; semantic ones follow once the schema passes.
    assert len([d for d in error.details if "defualt" in d or "'one'" in d]) == 1
    assert "defualt" in str(error)


# --- env profiles (catalog/envs/<env>.yaml against catalog/env.yaml) ----------------------------

DEV = (REPO / "catalog" / "envs" / "dev.yaml").read_text()


def _load_env(tmp_path: Path, profile_text: str) -> CatalogError:
    (tmp_path / "catalog" / "envs").mkdir(parents=True)
    (tmp_path / "catalog" / "env.yaml").write_text((REPO / "catalog" / "env.yaml").read_text())
    (tmp_path / "catalog" / "envs" / "dev.yaml").write_text(profile_text)
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path / "catalog" / "env.yaml", tmp_path)
    return info.value


def test_real_profiles_load():
    catalog = load_catalog(REPO / "catalog" / "env.yaml", REPO)
    assert [p.name for p in catalog.profiles] == ["dev", "prod"]
    assert [str(d) for d in catalog.output_dirs] == ["envs/dev", "envs/prod"]
    assert catalog.profiles[1].backend["type"] == "azurerm"


@pytest.mark.parametrize("edit,needle,expected", [
    (("  session_host_count: 1\n", "  session_host_count: 1\n  session_hosts: 3\n"), "  session_hosts: 3",
     "tfvars.session_hosts: env.yaml declares no variable 'session_hosts'"),
    (("  session_host_count: 1\n", "  session_host_count: 1\n  admin_password: hunter2hunter2\n"), "  admin_password:",
     "tfvars.admin_password: admin_password is sensitive: never put it in a tfvars file; pass TF_VAR_admin_password"),
    (("  session_host_count: 1\n", "  session_host_count: two\n"), "  session_host_count: two",
     "tfvars.session_host_count: 'two' does not match type number"),
    (("  location: eastus\n", ""), "tfvars:", "tfvars: required variable 'location' has no value"),
    (("backend: null\n", "backend: {type: s3}\n"), "backend:", "backend: {'type': 's3'} is not valid"),
    (("    image_version: 1.0.0\n", "    image_version: 2026-01-01\n"), "    image_version: 2026-01-01",
     "tfvars.golden_image.image_version: datetime.date(2026, 1, 1) is a YAML date, not a string, number or bool: put it in quotes"),
    (("    chocolatey_packages:", "    chocolately_packages:"), "    chocolately_packages:",
     "tfvars.golden_image.chocolately_packages: not a setting of golden_image (it would be silently dropped)"),
    (("    image_version: 1.0.0\n", "    image_version: 1.1.0-beta\n"), "    image_version: 1.1.0-beta",
     "tfvars.golden_image.image_version: image_version must be three dot-separated whole numbers"),
], ids=["unknown-variable", "secret-in-tfvars", "wrong-type", "missing-required", "bad-backend", "unquoted-date", "typo-inside-object", "bad-version-inside-object"])
def test_broken_profile_names_file_line_and_variable(tmp_path, edit, needle, expected):
    text = DEV.replace(*edit, 1)
    assert text != DEV
    error = _load_env(tmp_path, text)
    line = _line_of(text, needle)
    assert f"catalog/envs/dev.yaml:{line}: {expected}" in str(error), str(error)


def test_env_golden_image_object_defaults_are_the_module_defaults():
    """envs/*/main.tf passes every attribute of var.golden_image to the module, so an attribute's
    `optional(...)` default replaces the module's own default: they must be the same value."""
    from generator.tfvars_schema import type_schema

    module = load_catalog(REPO / "catalog/golden_image.yaml", REPO)
    env = load_catalog(REPO / "catalog/env.yaml", REPO)
    feeds = {"storage_account_type": "gallery_image_storage_account_type"}
    attributes = type_schema(env.variable("golden_image").type)["properties"]
    wired = (REPO / "templates/env/main.tf.j2").read_text()
    compared = 0
    for attribute, schema in attributes.items():
        variable = module.variable(feeds.get(attribute, attribute))
        assert re.search(rf"^  {variable.name} += .*\bvar\.golden_image\.{attribute}\b", wired, re.M), f"{attribute} is not passed on"
        if "default" in schema and variable.has_default and attribute != "storage_account_type":
            assert schema["default"] == variable.default, attribute
            compared += 1
    assert compared >= 20
