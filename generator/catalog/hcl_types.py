"""HCL type constraints as JSON Schema, e.g. `map(object({ a = optional(string, "x") }))`.

What the tfvars schemas are built from (value_schema.py), and where an object type's
`optional(...)` attribute defaults are read (model.profile_object). Types are checked as
written: Terraform would convert "3" to a number; the schema asks for 3.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<punct>[(){}\[\]=,:]))')
_PRIMITIVES = {"string": {"type": "string"}, "number": {"type": "number"}, "bool": {"type": "boolean"}, "any": {}}


class _TypeParser:
    """Recursive descent over an HCL type constraint, e.g. `map(object({ a = optional(string, "x") }))`."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match:
                raise ValueError(f"unexpected {text[pos:].strip()[:20]!r}")
            kind = match.lastgroup or "punct"
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.at = 0

    def _peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise ValueError("unexpected end")
        kind, value = self.tokens[self.at]
        if expected is not None and value != expected:
            raise ValueError(f"expected {expected!r}, found {value!r}")
        self.at += 1
        return kind, value

    def parse(self) -> dict[str, Any]:
        schema = self.type()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self._peek()!r} after the type")
        return schema

    def type(self) -> dict[str, Any]:
        kind, name = self._take()
        if kind == "name" and name in _PRIMITIVES:
            return dict(_PRIMITIVES[name])
        if kind != "name" or name not in ("list", "set", "map", "object", "tuple"):
            raise ValueError(f"unknown type {name!r}")
        self._take("(")
        if name in ("list", "set"):
            # A set from a tfvars list silently drops duplicates, so no uniqueItems.
            schema: dict[str, Any] = {"type": "array", "items": self.type()}
        elif name == "map":
            schema = {"type": "object", "additionalProperties": self.type()}
        elif name == "tuple":
            schema = self._tuple()
        else:
            schema = self._object()
        self._take(")")
        return schema

    def _tuple(self) -> dict[str, Any]:
        self._take("[")
        items = []
        while self._peek() != "]":
            items.append(self.type())
            if self._peek() == ",":
                self._take(",")
        self._take("]")
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}

    def _object(self) -> dict[str, Any]:
        self._take("{")
        properties, required = {}, []
        while self._peek() != "}":
            kind, name = self._take()
            if kind == "string":
                name = json.loads(name)
            self._take("=")
            if self._peek() == "optional" and self.tokens[self.at + 1][1] == "(":
                self._take("optional")
                self._take("(")
                attribute = nullable_schema(self.type())  # null (or absent) means the default
                if self._peek() == ",":
                    self._take(",")
                    attribute["default"] = self.literal()
                self._take(")")
            else:
                attribute = self.type()
                required.append(name)
            properties[name] = attribute
            if self._peek() == ",":
                self._take(",")
        self._take("}")
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        if required:
            schema["required"] = sorted(required)
        return schema

    def literal(self) -> Any:
        """An optional attribute's default: a literal (strings, numbers, bools, null, [], {})."""
        kind, value = self._take()
        if kind in ("string", "number"):
            return json.loads(value)
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        if value == "[":
            items = []
            while self._peek() != "]":
                items.append(self.literal())
                if self._peek() == ",":
                    self._take(",")
            self._take("]")
            return items
        if value == "{":
            mapping = {}
            while self._peek() != "}":
                key_kind, key = self._take()
                if self._peek() in ("=", ":"):
                    self._take()
                mapping[json.loads(key) if key_kind == "string" else key] = self.literal()
                if self._peek() == ",":
                    self._take(",")
            self._take("}")
            return mapping
        raise ValueError(f"{value!r} is not a literal")


def nullable_schema(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:  # any
        return schema
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [{"type": "null"}, schema]}


def type_schema(type_expr: str) -> dict[str, Any]:
    """The JSON Schema of an HCL type constraint; ValueError when it is not one."""
    return _TypeParser(type_expr).parse()


def optional_defaults(type_expr: str) -> dict[str, Any]:
    """`{attr: default}` for the `optional(...)` attributes of an HCL `object({...})` type
    (None where an optional attribute has no default)."""
    schema = type_schema(type_expr)
    required = set(schema.get("required", ()))
    return {name: prop.get("default") for name, prop in schema.get("properties", {}).items() if name not in required}
