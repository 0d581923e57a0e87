"""Check a request body against azapi's embedded Bicep type definitions (types.json), as azapi
does at plan time when schema_validation_enabled is true: unknown properties, missing required
ones, read-only ones set, wrong primitive types, enum values, patterns and ranges."""

from __future__ import annotations

import re
from typing import Any

REQUIRED, READ_ONLY = 1, 2


class Types:
    def __init__(self, types: list[dict[str, Any]]):
        self.types = types

    def resource(self, name: str) -> dict[str, Any]:
        """The ObjectType of a resource type such as `Microsoft.X/y@2024-02-01`."""
        for entry in self.types:
            if entry["$type"] == "ResourceType" and entry["name"] == name:
                return self._deref(entry["body"])
        raise KeyError(name)

    def _deref(self, ref: dict[str, Any]) -> dict[str, Any]:
        return self.types[int(ref["$ref"].rsplit("/", 1)[1])]

    def check(self, type_: dict[str, Any], value: Any, path: str = "") -> list[str]:
        kind = type_["$type"]
        where = path or "<body>"
        if kind == "AnyType":
            return []
        if kind == "StringType":
            if not isinstance(value, str):
                return [f"{where}: expected a string, got {value!r}"]
            problems = []
            if "pattern" in type_ and not re.search(type_["pattern"], value):
                problems.append(f"{where}: {value!r} does not match {type_['pattern']}")
            if len(value) < type_.get("minLength", 0) or len(value) > type_.get("maxLength", len(value)):
                problems.append(f"{where}: length {len(value)} out of range")
            return problems
        if kind == "StringLiteralType":
            return [] if value == type_["value"] else [f"{where}: expected {type_['value']!r}, got {value!r}"]
        if kind == "IntegerType":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
                return [f"{where}: expected an integer, got {value!r}"]
            if value < type_.get("minValue", value) or value > type_.get("maxValue", value):
                return [f"{where}: {value} outside {type_.get('minValue')}..{type_.get('maxValue')}"]
            return []
        if kind == "BooleanType":
            return [] if isinstance(value, bool) else [f"{where}: expected a bool, got {value!r}"]
        if kind == "UnionType":
            options = [self._deref(e) for e in type_["elements"]]
            if any(not self.check(option, value, path) for option in options):
                return []
            allowed = [o.get("value", o["$type"]) for o in options]
            return [f"{where}: {value!r} is none of {allowed}"]
        if kind == "ArrayType":
            if not isinstance(value, list):
                return [f"{where}: expected an array, got {value!r}"]
            item = self._deref(type_["itemType"])
            return [p for i, v in enumerate(value) for p in self.check(item, v, f"{path}[{i}]")]
        if kind == "DiscriminatedObjectType":
            if not isinstance(value, dict):
                return [f"{where}: expected an object, got {value!r}"]
            tag = value.get(type_["discriminator"])
            if tag not in type_["elements"]:
                return [f"{where}.{type_['discriminator']}: {tag!r} is none of {sorted(type_['elements'])}"]
            element = self._deref(type_["elements"][tag])
            merged = {"$type": "ObjectType", "properties": {**type_.get("baseProperties", {}), **element["properties"]}}
            return self.check(merged, value, path)
        if kind == "ObjectType":
            return self._check_object(type_, value, path)
        return [f"{where}: unsupported type {kind}"]

    def _check_object(self, type_: dict[str, Any], value: Any, path: str) -> list[str]:
        where = path or "<body>"
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        problems = []
        properties = type_.get("properties", {})
        extra = type_.get("additionalProperties")
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if key in properties:
                if properties[key].get("flags", 0) & READ_ONLY:
                    problems.append(f"{child}: is read-only")
                else:
                    problems += self.check(self._deref(properties[key]["type"]), item, child)
            elif extra is not None:
                problems += self.check(self._deref(extra), item, child)
            else:
                problems.append(f"{child}: is not expected here (allowed: {sorted(properties)})")
        for key, prop in properties.items():
            if prop.get("flags", 0) & REQUIRED and not prop.get("flags", 0) & READ_ONLY and key not in value:
                problems.append(f"{path + '.' if path else ''}{key}: is required")
        return problems
