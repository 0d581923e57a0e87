"""Provider schemas: `terraform providers schema -json` files -> tfplugin6 protobufs and cty types.

Terraform starts the plugin several times per command, and the reference azurerm dump is ~2 MB,
so a parsed schema is cached per file (keyed by path, size and mtime): the serialized
GetProviderSchema response plus each type's block as its own JSON text, decoded only when a
request for that type arrives.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from .proto import pb
from .wire import DYNAMIC, CtyType, list_of, map_of, object_of, parse_type, set_of

VENDORED_DIR = Path(__file__).parent / "schemas"
SCHEMAS_ENV = "AVDGEN_OFFLINE_SCHEMAS"

_BLOCK_NESTING = {
    "single": pb.Schema.NestedBlock.SINGLE,
    "group": pb.Schema.NestedBlock.GROUP,
    "list": pb.Schema.NestedBlock.LIST,
    "set": pb.Schema.NestedBlock.SET,
    "map": pb.Schema.NestedBlock.MAP,
}
_OBJECT_NESTING = {
    "single": pb.Schema.Object.SINGLE,
    "list": pb.Schema.Object.LIST,
    "set": pb.Schema.Object.SET,
    "map": pb.Schema.Object.MAP,
}
_ATTRIBUTE_FLAGS = ("required", "optional", "computed", "sensitive", "deprecated", "write_only")


class SchemaError(Exception):
    """A schema file is missing, unreadable or lacks the provider asked for."""


def server_capabilities() -> Any:
    # plan_destroy: PlanResourceChange handles a null proposed state (destroy plans).
    # get_provider_schema_optional: Terraform may reuse the schema it already holds instead of
    # asking every plugin instance again. MoveResourceState is not supported.
    return pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True)


# --- locating files ---------------------------------------------------------------------------


def _address_pattern(provider: str) -> re.Pattern[bytes]:
    return re.compile(rb'"(?:[^"/]+/)+' + re.escape(provider.encode()) + rb'"\s*:', re.IGNORECASE)


def schema_file(provider: str) -> Path:
    """The file to serve `provider` from: a `*.schema.json` in $AVDGEN_OFFLINE_SCHEMAS holding it,
    else the vendored `schemas/<provider>.schema.json`."""
    override = os.environ.get(SCHEMAS_ENV)
    if override:
        pattern = _address_pattern(provider)
        for path in sorted(Path(override).glob("*.schema.json")):
            with open(path, "rb") as f:
                if pattern.search(f.read()):
                    return path
    path = VENDORED_DIR / f"{provider}.schema.json"
    if not path.is_file():
        raise SchemaError(f"no schema for provider {provider!r}: {path} does not exist")
    return path


def provider_entry(doc: dict[str, Any], provider: str, source: Path | str) -> dict[str, Any]:
    """The `provider_schemas` entry whose address ends in `/<provider>` (case-insensitive)."""
    for address, entry in doc.get("provider_schemas", {}).items():
        if address.rsplit("/", 1)[-1].lower() == provider.lower():
            return entry
    raise SchemaError(f"{source}: no provider_schemas entry for {provider!r}")


# --- JSON -> protobuf -------------------------------------------------------------------------


def _attribute_proto(name: str, attr: dict[str, Any]) -> Any:
    msg = pb.Schema.Attribute(name=name, **{f: True for f in _ATTRIBUTE_FLAGS if attr.get(f)})
    if "nested_type" in attr:
        nested = attr["nested_type"]
        msg.nested_type.CopyFrom(
            pb.Schema.Object(
                attributes=[_attribute_proto(n, a) for n, a in sorted(nested.get("attributes", {}).items())],
                nesting=_OBJECT_NESTING[nested.get("nesting_mode", "single")],
                min_items=nested.get("min_items", 0),
                max_items=nested.get("max_items", 0),
            )
        )
    else:
        msg.type = parse_type(attr["type"]).json_bytes()
    _describe(msg, attr)
    return msg


def _describe(msg: Any, node: dict[str, Any]) -> None:
    if node.get("description"):
        msg.description = node["description"]
        if node.get("description_kind") == "markdown":
            msg.description_kind = 1  # tfplugin6.StringKind.MARKDOWN


def block_proto(block: dict[str, Any]) -> Any:
    msg = pb.Schema.Block(
        attributes=[_attribute_proto(n, a) for n, a in sorted(block.get("attributes", {}).items())],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=n,
                block=block_proto(b.get("block", {})),
                nesting=_BLOCK_NESTING[b["nesting_mode"]],
                min_items=b.get("min_items", 0),
                max_items=b.get("max_items", 0),
            )
            for n, b in sorted(block.get("block_types", {}).items())
        ],
        deprecated=bool(block.get("deprecated")),
    )
    _describe(msg, block)
    return msg


def schema_proto(schema: dict[str, Any]) -> Any:
    """A `{"version": n, "block": {...}}` entry as tfplugin6.Schema."""
    return pb.Schema(version=schema.get("version", 0), block=block_proto(schema.get("block", {})))


def provider_schema_response(entry: dict[str, Any], functions: dict[str, Any] | None = None) -> Any:
    """The GetProviderSchema response; `functions` (tfplugin6.Function by name) come from the
    code that implements them (`provider_functions`), whatever schema file is served."""
    return pb.GetProviderSchema.Response(
        provider=schema_proto(entry.get("provider", {})),
        resource_schemas={n: schema_proto(s) for n, s in entry.get("resource_schemas", {}).items()},
        data_source_schemas={n: schema_proto(s) for n, s in entry.get("data_source_schemas", {}).items()},
        server_capabilities=server_capabilities(),
        functions=functions or {},
    )


def provider_functions(provider: str) -> dict[str, Any]:
    """The provider functions `provider` serves (`functions.Function` by name): azapi's,
    azurerm's and modtm's; hashicorp/time's `rfc3339_parse` is not served."""
    if provider == "azapi":
        from .azapi_functions import FUNCTIONS
    elif provider == "azurerm":
        from .azurerm_functions import FUNCTIONS
    elif provider == "modtm":
        from .modtm_functions import FUNCTIONS
    else:
        return {}
    return {f.name: f for f in FUNCTIONS}


# --- cty types implied by a schema ------------------------------------------------------------


def _has_dynamic(ty: CtyType) -> bool:
    if ty.kind == "dynamic":
        return True
    children = [ty.elem] if ty.elem else [*ty.attrs.values(), *ty.elems]
    return any(_has_dynamic(c) for c in children)


def nested_type_of(nested: dict[str, Any]) -> CtyType:
    """The cty type of a `nested_type` attribute (protocol 6 nested attributes)."""
    attrs = nested.get("attributes", {})
    obj = object_of(
        {n: attribute_type(a) for n, a in attrs.items()},
        frozenset(n for n, a in attrs.items() if a.get("optional") or a.get("computed")),
    )
    mode = nested.get("nesting_mode", "single")
    return {"single": obj, "list": list_of(obj), "set": set_of(obj), "map": map_of(obj)}[mode]


def attribute_type(attr: dict[str, Any]) -> CtyType:
    return nested_type_of(attr["nested_type"]) if "nested_type" in attr else parse_type(attr["type"])


def implied_type(block: dict[str, Any]) -> CtyType:
    """The object type Terraform decodes a block's configuration into (configschema.ImpliedType)."""
    attrs = {n: attribute_type(a) for n, a in block.get("attributes", {}).items()}
    for name, nested in block.get("block_types", {}).items():
        if name in attrs:
            continue  # invalid schema; Terraform likewise ignores the block
        obj = implied_type(nested.get("block", {}))
        mode = nested["nesting_mode"]
        if mode in ("single", "group"):
            attrs[name] = obj
        elif mode == "set":
            attrs[name] = set_of(obj)
        elif _has_dynamic(obj):
            # Lists/maps of blocks holding dynamic attributes decode to tuples/objects, whose
            # element types may differ, so their overall type is only known per value.
            attrs[name] = DYNAMIC
        else:
            attrs[name] = list_of(obj) if mode == "list" else map_of(obj)
    return object_of(attrs)


# --- a provider's schema, cached --------------------------------------------------------------

_KINDS = ("resource", "data")
_SECTIONS = {"resource": "resource_schemas", "data": "data_source_schemas"}


class ProviderSchema:
    """One provider's schema, loaded from a file (through the cache when possible)."""

    def __init__(self, provider: str, path: Path, cache_dir: Path | None = None) -> None:
        self.provider = provider
        self.path = path
        data = self._read_cache(cache_dir) if cache_dir else None
        if data is None:
            data = self._build()
            if cache_dir:
                self._write_cache(cache_dir, data)
        self._response_bytes: bytes = data["response"]
        self._provider_json: bytes = data["provider"]
        self._types: dict[str, dict[str, bytes]] = {k: data[k] for k in _KINDS}

    def type_names(self, kind: str) -> list[str]:
        return sorted(self._types[kind])

    def response(self) -> Any:
        return pb.GetProviderSchema.Response.FromString(self._response_bytes)

    def response_bytes(self) -> bytes:
        """The serialized GetProviderSchema response (the reference azurerm one is ~1 MB, and
        parsing it only to serialize it again costs ~10 ms per call)."""
        return self._response_bytes

    def block(self, kind: str, type_name: str) -> dict[str, Any]:
        """The block JSON of a resource (`kind="resource"`) or data source (`"data"`)."""
        return _parse_entry(self._entry_json(kind, type_name))["block"]

    def provider_block(self) -> dict[str, Any]:
        return _parse_entry(self._provider_json).get("block", {})

    def _entry_json(self, kind: str, type_name: str) -> bytes:
        try:
            return self._types[kind][type_name]
        except KeyError:
            what = "resource type" if kind == "resource" else "data source"
            raise SchemaError(f"{self.path}: provider {self.provider!r} has no {what} {type_name!r}") from None

    def _build(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise SchemaError(f"cannot read schema file {self.path}: {e}") from None
        entry = provider_entry(doc, self.provider, self.path)
        functions = {name: f.proto() for name, f in provider_functions(self.provider).items()}
        return {
            "response": provider_schema_response(entry, functions).SerializeToString(),
            "provider": _compact(entry.get("provider", {})),
            **{k: {n: _compact(s) for n, s in entry.get(_SECTIONS[k], {}).items()} for k in _KINDS},
        }

    def _cache_file(self, cache_dir: Path) -> Path:
        # Keyed by the schema file, the code that shapes what is cached (the functions' modules
        # too: their signatures are in the response), and Python (marshal).
        stamps = [self.path.resolve(), self.provider, sys.version_info[:2]]
        here = Path(__file__).parent
        for p in (self.path, Path(__file__), here / "proto.py", *sorted(here.glob("*functions.py"))):
            st = p.stat()
            stamps += [st.st_size, st.st_mtime_ns]
        key = hashlib.sha256(repr(stamps).encode()).hexdigest()[:20]
        return cache_dir / "schemas" / f"{self.provider}-{key}.marshal"

    def _read_cache(self, cache_dir: Path) -> dict[str, Any] | None:
        try:
            return marshal.loads(self._cache_file(cache_dir).read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def _write_cache(self, cache_dir: Path, data: dict[str, Any]) -> None:
        target = self._cache_file(cache_dir)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(marshal.dumps(data))
            os.replace(tmp, target)  # concurrent plugin instances may race; last one wins
        except OSError:
            tmp.unlink(missing_ok=True)  # an unwritable cache only costs speed


def _compact(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, separators=(",", ":")).encode()


@cache
def _parse_entry(text: bytes) -> dict[str, Any]:
    return json.loads(text)
