"""Catalog loading: the real catalog loads; broken ones fail with file:line: key.path: message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
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
    assert "catalog/golden_image.yaml:" in details
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
    for name in ("env.yaml", "golden_image.yaml", "session-hosts.yaml"):  # env.yaml takes facts from the modules
        (tmp_path / "catalog" / name).write_text((REPO / "catalog" / name).read_text())
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
    (("  session_host_count: 1\n", "  session_host_count: 1\n  session_host_total: 3\n"), "  session_host_total: 3",
     "tfvars.session_host_total: env.yaml declares no variable 'session_host_total'"),
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


def test_env_golden_image_attributes_are_passed_to_the_variables_they_take_facts_from():
    """Each golden_image attribute takes its type, default and validations from the module
    variable `from_module` names: envs/*/main.tf must pass it to exactly that variable."""
    import yaml

    spec = yaml.safe_load((REPO / "catalog/env.yaml").read_text())["variables"]["golden_image"]["from_module"]
    wired = (REPO / "templates/env/main.tf.j2").read_text()
    for attribute, how in spec["attributes"].items():
        variable = (how or {}).get("variable", attribute)
        assert re.search(rf"^  {variable} += .*\bvar\.golden_image\.{attribute}\b", wired, re.M), f"{attribute} is not passed to {variable}"
    assert len(spec["attributes"]) >= 25


# --- from_module: an env variable takes its facts from the module variable it feeds --------------


def _project_catalogs(tmp_path: Path) -> Path:
    (tmp_path / "catalog" / "envs").mkdir(parents=True)
    for path in [*(REPO / "catalog").glob("*.yaml"), *(REPO / "catalog" / "envs").glob("*.yaml")]:
        (tmp_path / path.relative_to(REPO)).write_text(path.read_text())
    return tmp_path / "catalog"


def test_env_golden_image_follows_the_module_catalog(tmp_path):
    """One source per fact: a default or a validation changed in golden_image.yaml is what the
    env's golden_image object and its JSON Schema mirror say, with no copy to update."""
    from generator.catalog.hcl_types import optional_defaults
    from generator.catalog.value_schema import values_schema

    catalog = _project_catalogs(tmp_path)
    module = catalog / "golden_image.yaml"
    text = module.read_text()
    assert "    default: 1\n    description: Replicas of the image" in text
    text = text.replace("    default: 1\n    description: Replicas of the image", "    default: 2\n    description: Replicas of the image", 1)
    text = text.replace("replica_count must be a whole number from 1 to 10.", "replica_count must be a whole number from 1 to 10 (edited).", 1)
    module.write_text(text)
    env = load_catalog(catalog / "env.yaml", tmp_path)
    golden_image = env.variable("golden_image")
    assert optional_defaults(golden_image.type)["replica_count"] == 2
    assert f"  {'replica_count':<41} = optional(number, 2)\n" in golden_image.type  # aligned to image_builder_service_principal_object_id
    mirror = values_schema(env)["properties"]["golden_image"]["allOf"][0]["properties"]["replica_count"]
    assert mirror["allOf"][0]["errorMessage"] == "replica_count must be a whole number from 1 to 10 (edited)."


def test_env_golden_image_attribute_kinds():
    """Required module variables stay required, `optional: true` makes one null by default, and
    `use_null_means` defaults to the value the module uses for null."""
    from generator.catalog.hcl_types import type_schema

    env = load_catalog(REPO / "catalog/env.yaml", REPO)
    module = load_catalog(REPO / "catalog/golden_image.yaml", REPO)
    schema = type_schema(env.variable("golden_image").type)
    assert set(schema["required"]) == {"gallery_name", "image_definition_name", "image_template_name"}
    assert "default" not in schema["properties"]["location"] and "location" not in schema["required"]
    assert schema["properties"]["storage_account_type"]["default"] == module.variable("storage_account_type").null_means
    assert schema["properties"]["image_version"]["default"] == module.variable("image_version").default


def test_scalar_from_module_takes_type_and_validations(tmp_path):
    catalog = _project_catalogs(tmp_path)
    hosts = catalog / "session-hosts.yaml"
    text = hosts.read_text()
    old = 'location must be a lowercase Azure region name without spaces, such as "eastus".'
    assert old in text
    hosts.write_text(text.replace(old, 'location must be a lowercase region name (edited).', 1))
    location = load_catalog(catalog / "env.yaml", tmp_path).variable("location")
    assert location.type == "string"
    assert [v.error_message for v in location.validations] == ["location must be a lowercase region name (edited)."]
    assert all("var.location" in v.condition for v in location.validations)


def test_scalar_from_module_renames_the_variable_in_conditions(tmp_path):
    catalog = _project_catalogs(tmp_path)
    env = catalog / "env.yaml"
    text = env.read_text()
    old = "  session_host_count:\n    group: Session Hosts\n    type: number\n"
    assert old in text
    env.write_text(text.replace(old, "  session_host_count:\n    group: Session Hosts\n    from_module: { module: session-hosts, variable: vm_count }\n", 1))
    count = load_catalog(env, tmp_path).variable("session_host_count")
    hosts = load_catalog(catalog / "session-hosts.yaml", tmp_path).variable("vm_count")
    assert count.type == hosts.type
    assert len(count.validations) == len(hosts.validations) + 1  # the module's, then the env's own
    assert "var.session_host_count" in count.validations[0].condition and "var.vm_count" not in count.validations[0].condition


@pytest.mark.parametrize("old,new,needle,expected", [
    ("    from_module:\n      module: golden_image\n", "    from_module:\n      module: golden_images\n", "      module: golden_images",
     "variables.golden_image.from_module.module: no module catalog 'golden_images' beside this file (known: golden_image, session-hosts)"),
    ("        image_sku:\n", "        image_skus:\n", "        image_skus:",
     "variables.golden_image.from_module.attributes.image_skus: golden_image has no variable 'image_skus'"),
    ("        image_version:\n", "        image_version: { use_null_means: true }\n", "        image_version: {",
     "variables.golden_image.from_module.attributes.image_version.use_null_means: golden_image's image_version has no null_means"),
    ("    from_module: { module: session-hosts }\n    description: Azure region", "    type: string\n    from_module: { module: session-hosts }\n    description: Azure region", "    type: string\n    from_module",
     "variables.location.type: from_module gives the type: remove `type`"),
    ("    from_module: { module: session-hosts }\n    description: Azure region", "    from_module: { module: env }\n    description: Azure region", "    from_module: { module: env }",
     "variables.location.from_module.module: a catalog cannot take facts from itself"),
    ("        run_cleanup_script:\n", "        run_cleanup_script:\n        admin_password: { variable: domain_admin_password }\n", "        admin_password:",
     "variables.golden_image.from_module.attributes.admin_password: golden_image has no variable 'domain_admin_password'"),
    ("    from_module: { module: session-hosts }\n    description: Azure region", "    description: Azure region", "  location:\n",
     "variables.location: 'type' is required"),
], ids=["unknown-module", "unknown-variable", "no-null-means", "type-and-from-module", "itself", "unknown-renamed-variable", "no-type"])
def test_broken_from_module_names_file_line_and_key(tmp_path, old, new, needle, expected):
    catalog = _project_catalogs(tmp_path)
    env = catalog / "env.yaml"
    text = env.read_text()
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    env.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(env, tmp_path)
    assert f"catalog/env.yaml:{_line_of(text, needle)}: {expected}" in str(info.value), str(info.value)
