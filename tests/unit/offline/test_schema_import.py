"""avdgen schema import: real dumps trimmed to the types in use; bad input changes nothing."""

from __future__ import annotations

import json

import pytest

from generator.offline.schema import VENDORED_DIR
from project_paths import REFERENCE, REPO

ADDRESS = "registry.terraform.io/hashicorp/azurerm"


def _dump(tmp_path, name="dump.json"):
    block = {"attributes": {"name": {"type": "string", "required": True}}}
    doc = {"format_version": "1.0", "provider_schemas": {ADDRESS: {
        "provider": {"version": 0, "block": {"block_types": {"features": {"nesting_mode": "list", "block": {}}}}},
        "resource_schemas": {t: {"version": 0, "block": block} for t in ("azurerm_resource_group", "azurerm_shared_image", "azurerm_kubernetes_cluster")},
        "data_source_schemas": {"azurerm_client_config": {"version": 0, "block": block}},
    }}}
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_import_trims_to_types_in_use(tmp_path, avdgen):
    result = avdgen(REPO, "schema", "import", str(_dump(tmp_path)), "--into", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "out/azurerm.schema.json").read_text())["provider_schemas"][ADDRESS]
    assert sorted(written["resource_schemas"]) == ["azurerm_resource_group", "azurerm_shared_image"]  # no AKS
    assert sorted(written["data_source_schemas"]) == ["azurerm_client_config"]
    assert "features" in written["provider"]["block"]["block_types"]
    # Types the modules use but the dump lacks are named, not silently dropped.
    assert "warning: the dump has no schema for" in result.stderr and "azurerm_role_assignment" in result.stderr


def test_a_provider_new_to_the_offline_providers_is_imported_whole(tmp_path, avdgen):
    block = {"attributes": {"id": {"type": "string", "computed": True}}}
    doc = {"format_version": "1.0", "provider_schemas": {"registry.terraform.io/hashicorp/tls": {
        "provider": {"version": 0, "block": {}},
        "resource_schemas": {"tls_private_key": {"version": 1, "block": block}},
        "data_source_schemas": {"tls_certificate": {"version": 0, "block": block}},
    }}}
    (tmp_path / "tls.json").write_text(json.dumps(doc))
    result = avdgen(REPO, "schema", "import", str(tmp_path / "tls.json"), "--into", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "out/tls.schema.json").read_text())["provider_schemas"]["registry.terraform.io/hashicorp/tls"]
    assert list(written["resource_schemas"]) == ["tls_private_key"] and list(written["data_source_schemas"]) == ["tls_certificate"]


def test_bad_file_exits_2_and_writes_nothing(tmp_path, avdgen):
    bad = tmp_path / "bad.json"
    bad.write_text('{"provider_schemas": [1,\n')
    result = avdgen(REPO, "schema", "import", str(_dump(tmp_path)), str(bad), "--into", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{bad}:2: not JSON" in result.stderr
    assert not (tmp_path / "out").exists()
    bad.write_text('{"resource_schemas": {}}')
    result = avdgen(REPO, "schema", "import", str(bad), "--into", str(tmp_path / "out"))
    assert result.exit_code == 2 and "no `provider_schemas` object" in result.stderr


def test_import_of_the_real_dumps_covers_the_vendored_types(tmp_path, avdgen):
    if not (REFERENCE / "azurerm.schema.json").is_file():
        pytest.skip(f"real provider schema dumps not found in {REFERENCE}")
    files = [str(REFERENCE / "azurerm.schema.json"), str(REFERENCE / "azapi.schema.json")]
    assert avdgen(REPO, "schema", "import", *files, "--into", str(tmp_path)).exit_code == 0
    for name in ("azurerm", "azapi"):
        ours = next(iter(json.loads((VENDORED_DIR / f"{name}.schema.json").read_text())["provider_schemas"].values()))
        imported = next(iter(json.loads((tmp_path / f"{name}.schema.json").read_text())["provider_schemas"].values()))
        real = next(iter(json.loads((REFERENCE / f"{name}.schema.json").read_text())["provider_schemas"].values()))
        for kind in ("resource_schemas", "data_source_schemas"):
            assert set(imported[kind]) == set(ours[kind]), (name, kind)
            assert all(imported[kind][t] == real[kind][t] for t in imported[kind])
