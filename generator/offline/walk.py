"""Schema-driven walks over decoded object values (see wire.py for the value representation).

A path is a tuple of steps: ``str`` = attribute or block name, ``int`` = list index,
``Key(k)`` = map key, ``SET_ELEMENT`` = some element of a set (Terraform paths cannot address it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from .wire import UNKNOWN, CtyType

SET_ELEMENT = None


class Key(NamedTuple):
    key: str


Path = tuple[Any, ...]
AttrFn = Callable[[Path, dict[str, Any], Any], Any]


def _nested_block(attr: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    nested = attr["nested_type"]
    return nested.get("nesting_mode", "single"), {"attributes": nested.get("attributes", {})}


def transform(block: dict[str, Any], value: Any, fn: AttrFn, path: Path = ()) -> Any:
    """Rebuild an object value, replacing every attribute (in nested blocks and nested attribute
    objects too, innermost first) with ``fn(path, attribute_schema, value)``."""
    if not isinstance(value, dict):
        return value  # null or unknown object; Dyn-typed block lists stay opaque too
    out = dict(value)
    for name, attr in block.get("attributes", {}).items():
        v = value.get(name)
        if "nested_type" in attr:
            mode, inner = _nested_block(attr)
            v = _each(mode, inner, v, fn, path + (name,))
        out[name] = fn(path + (name,), attr, v)
    for name, nested in block.get("block_types", {}).items():
        out[name] = _each(nested["nesting_mode"], nested.get("block", {}), value.get(name), fn, path + (name,))
    return out


def _each(mode: str, block: dict[str, Any], v: Any, fn: AttrFn, path: Path) -> Any:
    if mode in ("single", "group"):
        return transform(block, v, fn, path)
    if mode == "map" and isinstance(v, dict):
        return {k: transform(block, x, fn, path + (Key(k),)) for k, x in v.items()}
    if mode in ("list", "set") and isinstance(v, list):
        return [transform(block, x, fn, path + (i if mode == "list" else SET_ELEMENT,)) for i, x in enumerate(v)]
    return v


def visit(block: dict[str, Any], value: Any, fn: Callable[[Path, dict[str, Any], Any], None]) -> None:
    """Call ``fn(path, attribute_schema, value)`` for every attribute, without rebuilding."""

    def keep(path: Path, attr: dict[str, Any], v: Any) -> Any:
        fn(path, attr, v)
        return v

    transform(block, value, keep)


# --- planning ---------------------------------------------------------------------------------


def mark_unknown(block: dict[str, Any], proposed: Any, prior: Any) -> Any:
    """Planned object from Terraform's proposed new one: a computed attribute still null in an
    object that did not exist before (the whole resource on create, or a new nested block)
    becomes unknown, as a real provider leaves it; everything else is kept as proposed (which
    already carries prior computed values on update)."""
    if not isinstance(proposed, dict):
        return proposed
    prior = prior if isinstance(prior, dict) else None
    out = dict(proposed)
    for name, attr in block.get("attributes", {}).items():
        v, before = proposed.get(name), (prior or {}).get(name)
        if v is None and prior is None and attr.get("computed"):
            out[name] = UNKNOWN
        elif "nested_type" in attr:
            mode, inner = _nested_block(attr)
            out[name] = _mark_each(mode, inner, v, before)
    for name, nested in block.get("block_types", {}).items():
        out[name] = _mark_each(
            nested["nesting_mode"], nested.get("block", {}), proposed.get(name), (prior or {}).get(name)
        )
    return out


def _mark_each(mode: str, block: dict[str, Any], v: Any, before: Any) -> Any:
    if mode in ("single", "group"):
        return mark_unknown(block, v, before)
    if mode == "map" and isinstance(v, dict):
        before = before if isinstance(before, dict) else {}
        return {k: mark_unknown(block, x, before.get(k)) for k, x in v.items()}
    if mode == "list" and isinstance(v, list):
        before = before if isinstance(before, list) else []
        return [mark_unknown(block, x, before[i] if i < len(before) else None) for i, x in enumerate(v)]
    if mode == "set" and isinstance(v, list):
        # Terraform has already matched set elements with prior ones and copied their computed
        # values over; an element equal to a prior one is old, any other is new.
        before = before if isinstance(before, list) else []
        return [mark_unknown(block, x, x if x in before else None) for x in v]
    return v


def fill_by_type(ty: CtyType, value: Any, make: Callable[[CtyType, Path], Any], path: Path = ()) -> Any:
    """Replace every unknown inside `value` of type `ty` with ``make(type, path)``."""
    if value is UNKNOWN:
        return make(ty, path)
    if value is None or ty.kind == "dynamic":
        return value
    if ty.kind in ("list", "set") and isinstance(value, list):
        return [fill_by_type(ty.elem, v, make, path + (i,)) for i, v in enumerate(value)]
    if ty.kind == "tuple" and isinstance(value, list):
        return [fill_by_type(t, v, make, path + (i,)) for i, (t, v) in enumerate(zip(ty.elems, value, strict=True))]
    if ty.kind == "map" and isinstance(value, dict):
        return {k: fill_by_type(ty.elem, v, make, path + (Key(k),)) for k, v in value.items()}
    if ty.kind == "object" and isinstance(value, dict):
        return {k: fill_by_type(t, value.get(k), make, path + (k,)) for k, t in ty.attrs.items()}
    return value


# --- validation -------------------------------------------------------------------------------


class Problem(NamedTuple):
    path: Path
    summary: str
    detail: str


def config_problems(block: dict[str, Any], config: Any, *, write_only_allowed: bool = False) -> list[Problem]:
    """What Terraform core does not check itself: values set for read-only (computed-only)
    attributes, and write-only values sent by a Terraform too old to keep them out of state."""
    problems: list[Problem] = []

    def check(path: Path, attr: dict[str, Any], v: Any) -> None:
        if v is None:
            return
        name = path[-1]
        if attr.get("computed") and not (attr.get("optional") or attr.get("required")):
            detail = f"Cannot set a value for {name!r}: the provider computes it. Remove the argument."
            problems.append(Problem(path, "Invalid Configuration for Read-Only Attribute", detail))
        if attr.get("write_only") and not write_only_allowed:
            detail = (
                f"{name!r} is write-only, which needs Terraform 1.11 or later; this Terraform would store it in state."
            )
            problems.append(Problem(path, "Write-only Attribute Not Allowed", detail))

    visit(block, config, check)
    return problems


def null_write_only(block: dict[str, Any], value: Any) -> Any:
    """Terraform 1.11 rejects plans and new states that carry write-only values."""
    return transform(block, value, lambda _p, attr, v: None if attr.get("write_only") else v)
