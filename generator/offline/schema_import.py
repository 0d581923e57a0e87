"""`avdgen schema import`: replace the vendored schema subset with real provider schemas.

A user with internet runs `terraform providers schema -json > dump.json` in any configuration
that uses the providers, then imports the dump. Each provider in it is trimmed to the resource
and data source types in use (those the vendored subset covers, plus any the rendered modules/
and envs/ declare) and written as `<name>.schema.json` over the vendored file. A provider with
no vendored subset and no types in use is written whole: that is how a provider a user's own
root needs (say hashicorp/tls) becomes one the offline providers serve.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GeneratorError
from .schema import VENDORED_DIR

_DECLARED = re.compile(r'^\s*(resource|data)\s+"([a-z0-9_]+)"', re.M)


@dataclass(frozen=True)
class Imported:
    address: str
    path: Path
    resources: int
    data_sources: int
    missing: tuple[str, ...]  # types in use that the dump does not have


def types_in_use(root: Path) -> tuple[set[str], set[str]]:
    """Resource and data source types declared in the rendered modules/ and envs/."""
    resources, data_sources = set(), set()
    for folder in ("modules", "envs"):
        for tf in (root / folder).rglob("*.tf") if (root / folder).is_dir() else ():
            if any(part.startswith(".") for part in tf.relative_to(root).parts):
                continue
            for kind, type_ in _DECLARED.findall(tf.read_text(encoding="utf-8")):
                (resources if kind == "resource" else data_sources).add(type_)
    return resources, data_sources


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GeneratorError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise GeneratorError(f"{path}:{exc.lineno}: not JSON ({exc.msg}); expected `terraform providers schema -json` output") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("provider_schemas"), dict):
        raise GeneratorError(f"{path}: no `provider_schemas` object; expected `terraform providers schema -json` output")
    return doc


def import_schemas(files: list[Path], root: Path, into: Path = VENDORED_DIR) -> list[Imported]:
    """Trim every provider in `files` to the types in use and write it into `into`."""
    used_resources, used_data = types_in_use(root)
    planned: list[tuple[str, Path, dict[str, Any], tuple[str, ...]]] = []
    for file in files:
        doc = _load(file)
        for address, entry in doc["provider_schemas"].items():
            name = address.rsplit("/", 1)[-1]
            target = into / f"{name}.schema.json"
            keep_resources, keep_data = set(used_resources), set(used_data)
            covered_before = False
            for covered in {VENDORED_DIR / target.name, target}:
                if covered.exists():
                    covered_before = True
                    current = next(iter(json.loads(covered.read_text())["provider_schemas"].values()))
                    keep_resources |= set(current.get("resource_schemas", {}))
                    keep_data |= set(current.get("data_source_schemas", {}))
            prefix = f"{name}_"
            wanted_r = {t for t in keep_resources if t.startswith(prefix)}
            wanted_d = {t for t in keep_data if t.startswith(prefix)}
            resources = entry.get("resource_schemas", {})
            data_sources = entry.get("data_source_schemas", {})
            if not covered_before and not wanted_r and not wanted_d:
                # A provider new to the offline providers (one a user's root needs): all of it.
                wanted_r, wanted_d = set(resources), set(data_sources)
            trimmed = {
                "provider": entry.get("provider", {"version": 0, "block": {}}),
                "resource_schemas": {t: resources[t] for t in sorted(wanted_r) if t in resources},
                "data_source_schemas": {t: data_sources[t] for t in sorted(wanted_d) if t in data_sources},
            }
            missing = tuple(sorted((wanted_r - set(resources)) | {f"data.{t}" for t in wanted_d - set(data_sources)}))
            document = {"format_version": doc.get("format_version", "1.0"), "provider_schemas": {address: trimmed}}
            planned.append((address, target, document, missing))
    if not planned:
        raise GeneratorError("the given files hold no provider schemas")
    # Check everything before writing anything.
    into.mkdir(parents=True, exist_ok=True)
    results = []
    for address, target, document, missing in planned:
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(target)
        entry = document["provider_schemas"][address]
        results.append(Imported(address, target, len(entry["resource_schemas"]), len(entry["data_source_schemas"]), missing))
    return results
