"""YAML with the line of every key, and problems reported as `file:line: key.path: message`.

Every catalog file (module catalogs, env profiles, the price table) is read through `read_yaml`
and checked with `check_schema`, so all their errors look alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..errors import CatalogError
from ..textfile import read_text

KeyPath = tuple[str | int, ...]


# libyaml's parser when PyYAML was built with it: same nodes and marks, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(node: yaml.Node) -> Any:
    # The composer already resolved the tag (int, bool, null, ...): construct it directly rather
    # than serialising and re-parsing each scalar (that was most of a render's time).
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _to_python(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], where: str) -> Any:
    """Build plain Python data from a composed YAML node, recording each key path's line.

    PyYAML keeps the last of two duplicate keys silently; a catalog must not lose a value, so
    duplicates are an error here.
    """
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, str):
                raise CatalogError(
                    "invalid catalog",
                    [f"{where}:{key_node.start_mark.line + 1}: {dotted(path) or '<top>'}: keys must be strings, not {key!r}"],
                )
            if key in out:
                raise CatalogError(
                    "invalid catalog",
                    [f"{where}:{key_node.start_mark.line + 1}: {dotted((*path, key))}: duplicate key (first at line {lines[(*path, key)]})"],
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines, where)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines, where) for i, item in enumerate(node.value)]
    return _scalar(node)


def dotted(path: KeyPath) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


def _line_of(path: KeyPath, lines: dict[KeyPath, int]) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


class Problems:
    """Collects `file:line: key.path: message` lines for one YAML file."""

    def __init__(self, where: str, lines: dict[KeyPath, int]):
        self.where, self.lines, self.items = where, lines, []

    def __call__(self, path: KeyPath, message: str) -> None:
        line = _line_of(path, self.lines)
        self.items.append((line, f"{self.where}:{line}: {dotted(path) or '<top>'}: {message}"))

    def line_of(self, path: KeyPath) -> int:
        return _line_of(path, self.lines)

    def raise_if_any(self, what: str) -> None:
        if self.items:
            raise CatalogError(f"invalid {what}", [m for _, m in sorted(self.items)])


def read_yaml(path: Path, root: Path | None, what: str) -> tuple[Any, "Problems"]:
    where = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    try:
        text = read_text(path, where)
    except OSError as exc:
        raise CatalogError(f"cannot read {what} {where}: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"invalid {what}", [f"{where}:{line}: <yaml>: {problem}"]) from None
    if node is None:
        raise CatalogError(f"invalid {what}", [f"{where}:1: <top>: the file is empty"])
    lines: dict[KeyPath, int] = {}
    data = _to_python(node, (), lines, where)
    return data, Problems(where, lines)


def check_schema(data: Any, schema: dict[str, Any], report: Problems) -> None:
    for error in jsonschema.Draft202012Validator(schema).iter_errors(data):
        where_error = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the unexpected key itself, not at the mapping that holds it.
            unexpected = [k for k in error.instance if k not in error.schema.get("properties", {})]
            where_error += tuple(unexpected[:1])
        report(where_error, _schema_message(error))


def _schema_message(error: jsonschema.ValidationError) -> str:
    """jsonschema's messages, made to say what is allowed."""
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message}; allowed keys: {', '.join(allowed)}" if allowed else error.message
    if error.validator == "pattern" and error.schema.get("pattern", "").startswith("^\\S[\\s\\S]*"):
        return f"{error.instance!r} must be a sentence ending with a period"
    return error.message
