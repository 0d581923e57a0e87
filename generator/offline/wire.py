"""cty types and values on the wire: msgpack and JSON, as Terraform's go-cty encodes them.

Python representation of a value of a given type:

* null -> ``None``; unknown (anywhere, any type) -> the ``UNKNOWN`` singleton
* string -> ``str``; bool -> ``bool``; number -> ``int``, ``float`` or ``Decimal``
* list, set, tuple -> ``list``; map, object -> ``dict``
* a value in a ``dynamic`` slot -> ``Dyn(type, value)``, because re-encoding needs its real type

Numbers: cty sends integers as ints, exact float64 values as floats and everything else as
decimal strings (e.g. ``0.1``). Strings become ``Decimal`` so that a value goes back exactly as
it came; otherwise Terraform would see a planned ``0.1`` that differs from the configured one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgpack

# go-cty msgpack extension codes: 0 = unknown, 12 = unknown with refinements (Terraform >= 1.6).
_EXT_UNKNOWN = 0
_EXT_REFINED_UNKNOWN = 12
_INT64 = range(-(2**63), 2**63)

PRIMITIVES = ("string", "number", "bool", "dynamic")
_COLLECTIONS = ("list", "set", "map")


class _Unknown:
    """The one unknown value; compares equal only to itself."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:  # copy/deepcopy/pickle keep the singleton
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class CtyType:
    """A cty type: ``kind`` is a primitive name or list/set/map/object/tuple."""

    kind: str
    elem: CtyType | None = None  # list, set, map
    attrs: dict[str, CtyType] = field(default_factory=dict)  # object
    optional: frozenset[str] = frozenset()  # object attributes marked optional (type constraints)
    elems: tuple[CtyType, ...] = ()  # tuple

    def to_json(self) -> Any:
        if self.kind in PRIMITIVES:
            return self.kind
        if self.kind in _COLLECTIONS:
            return [self.kind, self.elem.to_json()]
        if self.kind == "tuple":
            return ["tuple", [t.to_json() for t in self.elems]]
        obj = ["object", {k: t.to_json() for k, t in self.attrs.items()}]
        if self.optional:
            obj.append(sorted(self.optional))
        return obj

    def json_bytes(self) -> bytes:
        return json.dumps(self.to_json(), separators=(",", ":")).encode()


STRING, NUMBER, BOOL, DYNAMIC = (CtyType(k) for k in PRIMITIVES)
_PRIMITIVE_TYPES = {t.kind: t for t in (STRING, NUMBER, BOOL, DYNAMIC)}


def list_of(t: CtyType) -> CtyType:
    return CtyType("list", elem=t)


def set_of(t: CtyType) -> CtyType:
    return CtyType("set", elem=t)


def map_of(t: CtyType) -> CtyType:
    return CtyType("map", elem=t)


def object_of(attrs: dict[str, CtyType], optional: frozenset[str] = frozenset()) -> CtyType:
    return CtyType("object", attrs=dict(attrs), optional=frozenset(optional))


def tuple_of(elems: list[CtyType]) -> CtyType:
    return CtyType("tuple", elems=tuple(elems))


def parse_type(spec: Any) -> CtyType:
    """Parse cty's JSON type notation, given parsed (``["list","string"]``) or as JSON text."""
    if isinstance(spec, bytes) or (isinstance(spec, str) and spec not in _PRIMITIVE_TYPES):
        try:
            spec = json.loads(spec)
        except ValueError:
            raise ValueError(f"invalid cty type {spec!r}") from None
    if isinstance(spec, str) and spec in _PRIMITIVE_TYPES:
        return _PRIMITIVE_TYPES[spec]
    if isinstance(spec, list) and len(spec) >= 2:
        kind, arg = spec[0], spec[1]
        if kind in _COLLECTIONS and len(spec) == 2:
            return CtyType(kind, elem=parse_type(arg))
        if kind == "tuple" and len(spec) == 2 and isinstance(arg, list):
            return tuple_of([parse_type(t) for t in arg])
        if kind == "object" and isinstance(arg, dict) and len(spec) in (2, 3):
            optional = frozenset(spec[2]) if len(spec) == 3 else frozenset()
            if not optional <= arg.keys():
                raise ValueError(f"optional attributes {sorted(optional - arg.keys())} not in object type")
            return object_of({k: parse_type(t) for k, t in arg.items()}, optional)
    raise ValueError(f"invalid cty type {spec!r}")


@dataclass(frozen=True)
class Dyn:
    """A value held in a ``dynamic`` slot, with the concrete type it travels with."""

    type: CtyType
    value: Any


def infer_type(value: Any) -> CtyType:
    """The cty type Terraform would infer for a plain Python value (dicts are objects)."""
    if isinstance(value, Dyn):
        return value.type
    if value is None or value is UNKNOWN:
        return DYNAMIC
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float, Decimal)):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return tuple_of([infer_type(v) for v in value])
    if isinstance(value, dict):
        return object_of({k: infer_type(v) for k, v in value.items()})
    raise TypeError(f"cannot infer a cty type for {type(value).__name__}")


def dyn(value: Any) -> Dyn:
    """Wrap a plain Python value for a dynamic slot, inferring its type."""
    return value if isinstance(value, Dyn) else Dyn(infer_type(value), value)


# --- decoding (shared by msgpack and JSON after their own parsing) -----------------------------


def _number(raw: Any) -> int | float | Decimal:
    if isinstance(raw, bool):
        raise ValueError("bool given for number")
    if isinstance(raw, (int, float, Decimal)):
        return raw
    if isinstance(raw, (str, bytes)):
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            return int(text)
        except ValueError:
            return Decimal(text)
    raise ValueError(f"{type(raw).__name__} given for number")


def _decode(raw: Any, ty: CtyType, dynamic: Any) -> Any:
    """Turn parsed msgpack/JSON data into a Python cty value; ``dynamic`` decodes dynamic slots."""
    if raw is UNKNOWN or raw is None:
        return raw
    if ty.kind == "dynamic":
        return dynamic(raw)
    if ty.kind == "string":
        if isinstance(raw, bytes):
            return raw.decode()
        if not isinstance(raw, str):
            raise ValueError(f"{type(raw).__name__} given for string")
        return raw
    if ty.kind == "number":
        return _number(raw)
    if ty.kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError(f"{type(raw).__name__} given for bool")
        return raw
    if ty.kind in ("list", "set"):
        return [_decode(v, ty.elem, dynamic) for v in _expect(raw, list, ty)]
    if ty.kind == "tuple":
        items = _expect(raw, list, ty)
        if len(items) != len(ty.elems):
            raise ValueError(f"tuple of {len(ty.elems)} elements given {len(items)}")
        return [_decode(v, t, dynamic) for v, t in zip(items, ty.elems, strict=True)]
    if ty.kind == "map":
        return {_key(k): _decode(v, ty.elem, dynamic) for k, v in _expect(raw, dict, ty).items()}
    # Objects are decoded leniently: attributes missing from the data are null and unknown ones
    # are dropped, because state written under an older schema version arrives this way too.
    obj = {_key(k): v for k, v in _expect(raw, dict, ty).items()}
    return {name: _decode(obj.get(name), aty, dynamic) for name, aty in ty.attrs.items()}


def _expect(raw: Any, pytype: type, ty: CtyType) -> Any:
    if not isinstance(raw, pytype):
        raise ValueError(f"{type(raw).__name__} given for {ty.kind}")
    return raw


def _key(k: Any) -> str:
    return k.decode() if isinstance(k, bytes) else k


# --- msgpack ----------------------------------------------------------------------------------


def _ext_hook(code: int, data: bytes) -> Any:
    if code in (_EXT_UNKNOWN, _EXT_REFINED_UNKNOWN):
        return UNKNOWN  # refinements (e.g. "not null", string prefix) are dropped
    raise ValueError(f"unexpected msgpack extension type {code}")


def _msgpack_dynamic(raw: Any) -> Any:
    # cty writes a dynamic slot as [type JSON bytes, value encoded with that type].
    if not (isinstance(raw, list) and len(raw) == 2):
        raise ValueError("dynamic value must be a [type, value] pair")
    ty = parse_type(raw[0])
    return Dyn(ty, _decode(raw[1], ty, _msgpack_dynamic))


def from_msgpack(data: bytes, ty: CtyType) -> Any:
    raw = msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False)
    return _decode(raw, ty, _msgpack_dynamic)


def _msgpack_number(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("bool given for number")
    if isinstance(v, int):
        return v if v in _INT64 else str(v)
    if isinstance(v, float):
        return v
    if isinstance(v, Decimal):
        return format(v, "f")
    raise ValueError(f"{type(v).__name__} given for number")


def _to_msgpack_raw(v: Any, ty: CtyType) -> Any:
    if v is UNKNOWN:
        return msgpack.ExtType(_EXT_UNKNOWN, b"")
    if ty.kind == "dynamic":
        if v is None:
            return None
        d = dyn(v)
        return [d.type.json_bytes(), _to_msgpack_raw(d.value, d.type)]
    if v is None:
        return None
    if isinstance(v, Dyn):  # nested inside a Python-built dynamic payload; its type is in ty
        v = v.value
    if ty.kind == "string":
        return _expect(v, str, ty)
    if ty.kind == "number":
        return _msgpack_number(v)
    if ty.kind == "bool":
        return _expect(v, bool, ty)
    if ty.kind in ("list", "set"):
        return [_to_msgpack_raw(x, ty.elem) for x in _expect(v, list, ty)]
    if ty.kind == "tuple":
        if len(_expect(v, list, ty)) != len(ty.elems):
            raise ValueError(f"tuple of {len(ty.elems)} elements given {len(v)}")
        return [_to_msgpack_raw(x, t) for x, t in zip(v, ty.elems, strict=True)]
    if ty.kind == "map":
        return {k: _to_msgpack_raw(x, ty.elem) for k, x in sorted(_expect(v, dict, ty).items())}
    obj = _expect(v, dict, ty)
    extra = obj.keys() - ty.attrs.keys()
    if extra:
        raise ValueError(f"unexpected attributes {sorted(extra)}")
    return {k: _to_msgpack_raw(obj.get(k), t) for k, t in sorted(ty.attrs.items())}


def to_msgpack(value: Any, ty: CtyType) -> bytes:
    return msgpack.packb(_to_msgpack_raw(value, ty), use_bin_type=True)


# --- JSON (ctyjson: DynamicValue.json and raw state) ------------------------------------------


def _json_dynamic(raw: Any) -> Any:
    # ctyjson writes a dynamic slot as {"value": ..., "type": ...}.
    if not (isinstance(raw, dict) and raw.keys() == {"value", "type"}):
        raise ValueError('dynamic value must be an object with "value" and "type"')
    ty = parse_type(raw["type"])
    return Dyn(ty, _decode(raw["value"], ty, _json_dynamic))


def from_json(data: bytes | str, ty: CtyType) -> Any:
    return _decode(json.loads(data, parse_float=Decimal), ty, _json_dynamic)


def _json_text(v: Any, ty: CtyType) -> str:
    if v is UNKNOWN:
        raise ValueError("unknown values cannot be encoded as JSON")
    if ty.kind == "dynamic":
        if v is None:
            return "null"
        d = dyn(v)
        return f'{{"value":{_json_text(d.value, d.type)},"type":{json.dumps(d.type.to_json(), separators=(",", ":"))}}}'
    if v is None:
        return "null"
    if isinstance(v, Dyn):
        v = v.value
    if ty.kind == "string":
        return json.dumps(_expect(v, str, ty))
    if ty.kind == "number":
        n = _msgpack_number(v)
        return n if isinstance(n, str) else json.dumps(n)
    if ty.kind == "bool":
        return "true" if _expect(v, bool, ty) else "false"
    if ty.kind in ("list", "set"):
        return "[" + ",".join(_json_text(x, ty.elem) for x in _expect(v, list, ty)) + "]"
    if ty.kind == "tuple":
        if len(_expect(v, list, ty)) != len(ty.elems):
            raise ValueError(f"tuple of {len(ty.elems)} elements given {len(v)}")
        return "[" + ",".join(_json_text(x, t) for x, t in zip(v, ty.elems, strict=True)) + "]"
    if ty.kind == "map":
        items = sorted(_expect(v, dict, ty).items())
        return "{" + ",".join(f"{json.dumps(k)}:{_json_text(x, ty.elem)}" for k, x in items) + "}"
    obj = _expect(v, dict, ty)
    extra = obj.keys() - ty.attrs.keys()
    if extra:
        raise ValueError(f"unexpected attributes {sorted(extra)}")
    items = sorted(ty.attrs.items())
    return "{" + ",".join(f"{json.dumps(k)}:{_json_text(obj.get(k), t)}" for k, t in items) + "}"


def to_json(value: Any, ty: CtyType) -> bytes:
    return _json_text(value, ty).encode()
