"""Fidelity and well-formedness checks for the offline provider schema subsets.

The files under ``generator/offline/schemas/`` are hand-authored from the
providers' public documentation (and provider source where the docs are
ambiguous about Optional/Computed).  They use the layout printed by
``terraform providers schema -json`` (descriptions omitted).

Two groups of tests live here:

* Structural tests that always run: the files load as JSON, only use keys
  Terraform's schema JSON uses, every attribute carries a combination of
  required/optional/computed that Terraform accepts, and so on.
* Fidelity tests that compare the subsets against real ``terraform providers
  schema -json`` dumps, when they are available next to the repository in
  ``<repo>/../shared/reference``.  The dumps are only *read* here; nothing is
  copied from them.  If they are missing the tests are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from project_paths import REFERENCE, REPO

REPO_ROOT = REPO
SCHEMA_DIR = REPO_ROOT / "generator" / "offline" / "schemas"
REFERENCE_DIR = REFERENCE

# our file name -> provider address key inside it
SUBSETS = {
    "azurerm.schema.json": "registry.terraform.io/hashicorp/azurerm",
    "azapi.schema.json": "registry.terraform.io/azure/azapi",
    "time.schema.json": "registry.terraform.io/hashicorp/time",
    "random.schema.json": "registry.terraform.io/hashicorp/random",
    "null.schema.json": "registry.terraform.io/hashicorp/null",
    "modtm.schema.json": "registry.terraform.io/azure/modtm",
    "azuread.schema.json": "registry.terraform.io/hashicorp/azuread",
}

# Subsets that have a reference dump with the same file name.
REFERENCED = ("azurerm.schema.json", "azapi.schema.json")

# Types that must be present in the subsets (what the generator renders).
EXPECTED_TYPES = {
    "azurerm.schema.json": {
        "resource_schemas": {
            "azurerm_resource_group",
            "azurerm_shared_image_gallery",
            "azurerm_shared_image",
            "azurerm_shared_image_version",
            "azurerm_user_assigned_identity",
            "azurerm_role_definition",
            "azurerm_role_assignment",
            "azurerm_virtual_network",
            "azurerm_subnet",
            "azurerm_network_interface",
            "azurerm_windows_virtual_machine",
            "azurerm_virtual_machine_extension",
            "azurerm_virtual_desktop_host_pool",
            "azurerm_virtual_desktop_host_pool_registration_info",
            "azurerm_virtual_desktop_application_group",
            "azurerm_virtual_desktop_workspace",
            "azurerm_virtual_desktop_workspace_application_group_association",
            "azurerm_key_vault_secret",
        },
        "data_source_schemas": {
            "azurerm_client_config",
            "azurerm_resource_group",
            "azurerm_shared_image_gallery",
            "azurerm_shared_image",
            "azurerm_key_vault_secret",
            "azurerm_subnet",
        },
    },
    "azapi.schema.json": {
        "resource_schemas": {"azapi_resource", "azapi_update_resource", "azapi_resource_action"},
        "data_source_schemas": {"azapi_client_config", "azapi_resource"},
    },
    "time.schema.json": {
        "resource_schemas": {"time_rotating", "time_sleep", "time_static", "time_offset"},
        "data_source_schemas": set(),
    },
    "random.schema.json": {
        "resource_schemas": {"random_string", "random_password", "random_pet", "random_uuid", "random_integer", "random_id", "random_shuffle"},
        "data_source_schemas": set(),
    },
    "null.schema.json": {"resource_schemas": {"null_resource"}, "data_source_schemas": {"null_data_source"}},
    "modtm.schema.json": {"resource_schemas": {"modtm_telemetry"}, "data_source_schemas": {"modtm_module_source"}},
    "azuread.schema.json": {
        "resource_schemas": {"azuread_group", "azuread_group_member", "azuread_application", "azuread_service_principal"},
        "data_source_schemas": {"azuread_user", "azuread_users", "azuread_group", "azuread_service_principal", "azuread_client_config"},
    },
}

# Places where the subset is deliberately partial: the azurerm `features`
# block has ~20 sub-blocks; we author only the ones the generator may emit.
PARTIAL_OK = {
    ("azurerm.schema.json", "provider", "features"),
}
REQUIRED_FEATURE_BLOCKS = {"virtual_machine", "resource_group", "key_vault"}

TOP_KEYS = {"format_version", "provider_schemas"}
PROVIDER_KEYS = {"provider", "resource_schemas", "data_source_schemas"}
SCHEMA_KEYS = {"version", "block"}
BLOCK_KEYS = {"attributes", "block_types", "deprecated"}
ATTR_KEYS = {"type", "nested_type", "required", "optional", "computed", "sensitive", "deprecated", "write_only"}
NESTED_TYPE_KEYS = {"attributes", "nesting_mode", "min_items", "max_items"}
BLOCK_TYPE_KEYS = {"nesting_mode", "block", "min_items", "max_items"}
BLOCK_NESTING = {"single", "list", "set", "map", "group"}
ATTR_NESTING = {"single", "list", "set", "map"}
FLAG_KEYS = ("required", "optional", "computed", "sensitive", "write_only", "deprecated")
ALLOWED_FLAG_COMBOS = {
    frozenset({"required"}),
    frozenset({"optional"}),
    frozenset({"computed"}),
    frozenset({"optional", "computed"}),
}


# --------------------------------------------------------------------------- helpers


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _ours(name: str) -> dict[str, Any]:
    return _load(SCHEMA_DIR / name)["provider_schemas"][SUBSETS[name]]


def _reference(name: str) -> dict[str, Any]:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference schema dumps not available at {REFERENCE_DIR.resolve()}")
    path = REFERENCE_DIR / name
    if not path.is_file():
        pytest.skip(f"reference dump {path.resolve()} is missing")
    schemas = _load(path)["provider_schemas"]
    addr = SUBSETS[name]
    for key, value in schemas.items():
        if key.lower() == addr:
            return value
    pytest.fail(f"{path.name}: provider address {addr} not found (has {sorted(schemas)})")


def _valid_cty_type(t: Any) -> bool:
    if t in ("string", "number", "bool", "dynamic"):
        return True
    if isinstance(t, list) and len(t) == 2:
        kind, inner = t
        if kind in ("list", "set", "map"):
            return _valid_cty_type(inner)
        if kind == "object" and isinstance(inner, dict):
            return all(_valid_cty_type(v) for v in inner.values())
    if isinstance(t, list) and len(t) == 3 and t[0] == "object":
        # object with optional attributes: ["object", {...}, ["opt", ...]]
        return isinstance(t[1], dict) and all(_valid_cty_type(v) for v in t[1].values())
    if isinstance(t, list) and len(t) == 2 and t[0] == "tuple":
        return all(_valid_cty_type(v) for v in t[1])
    return False


def _flags(attr: dict[str, Any]) -> dict[str, bool]:
    return {k: bool(attr.get(k, False)) for k in FLAG_KEYS}


# --------------------------------------------------------------------------- structure


def _check_attributes(attrs: dict[str, Any], where: str, problems: list[str]) -> None:
    for name, attr in attrs.items():
        here = f"{where}.{name}"
        extra = set(attr) - ATTR_KEYS
        if extra:
            problems.append(f"{here}: unexpected keys {sorted(extra)}")
        for flag in FLAG_KEYS:
            if flag in attr and attr[flag] is not True:
                problems.append(f"{here}: flag {flag} must be literally true when present")
        combo = frozenset(k for k in ("required", "optional", "computed") if attr.get(k))
        if combo not in ALLOWED_FLAG_COMBOS:
            problems.append(f"{here}: invalid required/optional/computed combination {sorted(combo)}")
        if attr.get("write_only") and attr.get("computed"):
            problems.append(f"{here}: write_only attributes cannot be computed")
        has_type, has_nested = "type" in attr, "nested_type" in attr
        if has_type == has_nested:
            problems.append(f"{here}: exactly one of type / nested_type is required")
        if has_type and not _valid_cty_type(attr["type"]):
            problems.append(f"{here}: invalid cty type {attr['type']!r}")
        if has_nested:
            nt = attr["nested_type"]
            extra = set(nt) - NESTED_TYPE_KEYS
            if extra:
                problems.append(f"{here}.nested_type: unexpected keys {sorted(extra)}")
            if nt.get("nesting_mode") not in ATTR_NESTING:
                problems.append(f"{here}.nested_type: invalid nesting_mode {nt.get('nesting_mode')!r}")
            _check_attributes(nt.get("attributes", {}), here, problems)


def _check_block(block: dict[str, Any], where: str, problems: list[str]) -> None:
    extra = set(block) - BLOCK_KEYS
    if extra:
        problems.append(f"{where}: unexpected block keys {sorted(extra)}")
    attrs = block.get("attributes", {})
    blocks = block.get("block_types", {})
    clash = set(attrs) & set(blocks)
    if clash:
        problems.append(f"{where}: names used both as attribute and block: {sorted(clash)}")
    _check_attributes(attrs, where, problems)
    for name, bt in blocks.items():
        here = f"{where}.{name}"
        extra = set(bt) - BLOCK_TYPE_KEYS
        if extra:
            problems.append(f"{here}: unexpected block_type keys {sorted(extra)}")
        mode = bt.get("nesting_mode")
        if mode not in BLOCK_NESTING:
            problems.append(f"{here}: invalid nesting_mode {mode!r}")
        for k in ("min_items", "max_items"):
            if k in bt and (not isinstance(bt[k], int) or bt[k] < 0):
                problems.append(f"{here}: {k} must be a non-negative int")
        if bt.get("max_items") and bt.get("min_items", 0) > bt["max_items"]:
            problems.append(f"{here}: min_items > max_items")
        if mode in ("single", "group", "map") and ("min_items" in bt or "max_items" in bt):
            problems.append(f"{here}: min/max_items only make sense for list/set blocks")
        if "block" not in bt:
            problems.append(f"{here}: missing block")
        else:
            _check_block(bt["block"], here, problems)


@pytest.mark.parametrize("name", sorted(SUBSETS))
def test_subset_is_wellformed(name: str) -> None:
    path = SCHEMA_DIR / name
    raw = path.read_text(encoding="utf-8")
    doc = json.loads(raw)
    problems: list[str] = []

    if set(doc) != TOP_KEYS:
        problems.append(f"top-level keys {sorted(doc)} != {sorted(TOP_KEYS)}")
    if doc.get("format_version") != "1.0":
        problems.append("format_version must be '1.0'")
    provs = doc.get("provider_schemas", {})
    if list(provs) != [SUBSETS[name]]:
        problems.append(f"provider_schemas keys {list(provs)} != [{SUBSETS[name]!r}]")
    prov = provs.get(SUBSETS[name], {})
    extra = set(prov) - PROVIDER_KEYS
    if extra:
        problems.append(f"unexpected provider keys {sorted(extra)}")

    if "provider" not in prov:
        problems.append("missing provider schema")
    schemas = [("provider", prov.get("provider", {}))]
    for kind in ("resource_schemas", "data_source_schemas"):
        schemas += [(f"{kind}.{t}", s) for t, s in sorted(prov.get(kind, {}).items())]
    for where, schema in schemas:
        extra = set(schema) - SCHEMA_KEYS
        if extra:
            problems.append(f"{where}: unexpected schema keys {sorted(extra)}")
        if not isinstance(schema.get("version"), int):
            problems.append(f"{where}: version must be an int")
        _check_block(schema.get("block", {}), where, problems)

    for kind, expected in EXPECTED_TYPES[name].items():
        missing = expected - set(prov.get(kind, {}))
        if missing:
            problems.append(f"{kind}: missing {sorted(missing)}")

    # sorted keys at every level (authoring convention; keeps diffs small)
    def _sorted(obj: Any, where: str) -> None:
        if isinstance(obj, dict):
            if list(obj) != sorted(obj):
                problems.append(f"{where}: keys not sorted")
            for k, v in obj.items():
                _sorted(v, f"{where}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                _sorted(v, f"{where}[{i}]")

    _sorted(doc, name)

    assert not problems, f"{name}: {len(problems)} structural problem(s):\n  " + "\n  ".join(problems)


# The plugin framework adds no implicit `id`: modtm's module_source data source declares only
# module_path, module_source and module_version (internal/provider/module_source_data_source.go).
NO_ID = {("modtm.schema.json", "modtm_module_source")}


def test_resources_have_id_and_timeouts_shape() -> None:
    """Every resource/data source declares `id`; `timeouts`, where present, is a
    single-nested block of optional strings (as SDKv2 and the plugin framework emit)."""
    problems: list[str] = []
    for name in SUBSETS:
        prov = _ours(name)
        for kind in ("resource_schemas", "data_source_schemas"):
            for t, schema in prov.get(kind, {}).items():
                block = schema["block"]
                if "id" not in block.get("attributes", {}) and (name, t) not in NO_ID:
                    problems.append(f"{name}:{t}: no id attribute")
                timeouts = block.get("block_types", {}).get("timeouts")
                if timeouts is None:
                    continue
                if timeouts["nesting_mode"] != "single":
                    problems.append(f"{name}:{t}: timeouts nesting_mode {timeouts['nesting_mode']}")
                for op, attr in timeouts["block"].get("attributes", {}).items():
                    if op not in ("create", "read", "update", "delete"):
                        problems.append(f"{name}:{t}: unexpected timeouts.{op}")
                    if attr != {"optional": True, "type": "string"}:
                        problems.append(f"{name}:{t}: timeouts.{op} is {attr}")
    assert not problems, "\n".join(problems)


def test_azurerm_features_block_present() -> None:
    provider = _ours("azurerm.schema.json")["provider"]["block"]
    features = provider["block_types"]["features"]
    assert features["nesting_mode"] == "list"
    missing = REQUIRED_FEATURE_BLOCKS - set(features["block"].get("block_types", {}))
    assert not missing, f"features block lacks {sorted(missing)}"


# --------------------------------------------------------------------------- fidelity


class _Comparer:
    def __init__(self) -> None:
        self.diffs: list[str] = []
        self.missing: list[str] = []  # present in reference, absent in ours
        self.checks = 0

    def check(self, ok: bool, message: str) -> None:
        self.checks += 1
        if not ok:
            self.diffs.append(message)

    def attributes(self, ours: dict[str, Any], ref: dict[str, Any], where: str, partial: bool) -> None:
        for name, attr in sorted(ours.items()):
            here = f"{where}.{name}"
            if name not in ref:
                self.check(False, f"{here}: attribute not in reference")
                continue
            r = ref[name]
            self.check(_flags(attr) == _flags(r), f"{here}: flags ours={_on(attr)} ref={_on(r)}")
            if "type" in r or "type" in attr:
                self.check(attr.get("type") == r.get("type"),
                           f"{here}: type ours={json.dumps(attr.get('type'))} ref={json.dumps(r.get('type'))}")
            if "nested_type" in r or "nested_type" in attr:
                ont, rnt = attr.get("nested_type"), r.get("nested_type")
                if ont is None or rnt is None:
                    self.check(False, f"{here}: nested_type present on one side only")
                    continue
                for k in ("nesting_mode", "min_items", "max_items"):
                    self.check(ont.get(k) == rnt.get(k), f"{here}: nested_type.{k} ours={ont.get(k)} ref={rnt.get(k)}")
                self.attributes(ont.get("attributes", {}), rnt.get("attributes", {}), here, partial)
        if not partial:
            for name in sorted(set(ref) - set(ours)):
                self.missing.append(f"{where}.{name}")

    def block(self, ours: dict[str, Any], ref: dict[str, Any], where: str, partial_paths: set[str]) -> None:
        partial = where in partial_paths
        self.attributes(ours.get("attributes", {}), ref.get("attributes", {}), where, partial)
        rblocks = ref.get("block_types", {})
        for name, bt in sorted(ours.get("block_types", {}).items()):
            here = f"{where}.{name}"
            if name not in rblocks:
                self.check(False, f"{here}: block not in reference")
                continue
            rb = rblocks[name]
            for k in ("nesting_mode", "min_items", "max_items"):
                self.check(bt.get(k) == rb.get(k), f"{here}: {k} ours={bt.get(k)} ref={rb.get(k)}")
            self.block(bt["block"], rb["block"], here, partial_paths)
        if not partial:
            for name in sorted(set(rblocks) - set(ours.get("block_types", {}))):
                self.missing.append(f"{where}.{name} (block)")


def _on(attr: dict[str, Any]) -> str:
    return "+".join(k for k in FLAG_KEYS if attr.get(k)) or "-"


def _compare(name: str) -> _Comparer:
    ours, ref = _ours(name), _reference(name)
    cmp = _Comparer()
    partial_paths = {f"provider.{p}" for (n, kind, p) in PARTIAL_OK if n == name and kind == "provider"}
    cmp.block(ours["provider"]["block"], ref["provider"]["block"], "provider", partial_paths)
    for kind in ("resource_schemas", "data_source_schemas"):
        for t, schema in sorted(ours.get(kind, {}).items()):
            where = f"{kind}.{t}"
            rschema = ref.get(kind, {}).get(t)
            if rschema is None:
                cmp.check(False, f"{where}: type not in reference")
                continue
            cmp.check(schema["version"] == rschema.get("version", 0),
                      f"{where}: schema version ours={schema['version']} ref={rschema.get('version', 0)}")
            label = t if kind == "resource_schemas" else f"data.{t}"
            cmp.block(schema["block"], rschema["block"], label, set())
    return cmp


@pytest.mark.parametrize("name", REFERENCED)
def test_subset_matches_reference(name: str) -> None:
    """Everything we declare exists in the real dump with identical type, flags,
    nesting mode, min/max items and schema version."""
    cmp = _compare(name)
    print(f"{name}: {cmp.checks} checks against the reference dump")
    assert not cmp.diffs, (
        f"{name}: {len(cmp.diffs)} of {cmp.checks} checks differ from the reference dump:\n  "
        + "\n  ".join(cmp.diffs)
    )


@pytest.mark.parametrize("name", REFERENCED)
def test_subset_is_complete_for_covered_types(name: str) -> None:
    """Every argument/attribute/block the real provider has for a covered type is
    present in our subset (except where the subset is deliberately partial)."""
    cmp = _compare(name)
    assert not cmp.missing, (
        f"{name}: {len(cmp.missing)} attribute(s)/block(s) of covered types are missing:\n  "
        + "\n  ".join(cmp.missing)
    )
