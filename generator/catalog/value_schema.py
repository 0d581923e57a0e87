"""JSON Schemas for tfvars files, generated from the catalogs (issue 5).

One schema per rendered configuration, next to it: `modules/<module>/variables.schema.json` for
each module catalog and `envs/<env>/terraform.tfvars.schema.json` for each profile of the root
catalog (the same variables in every env, so the env files differ only in their title). Editors
can map a `*.tfvars.json` onto them; `avdgen validate-vars` (validate_vars.py) checks HCL and JSON
tfvars against them.

What a schema says:
- one property per variable, typed from its HCL type constraint (list/set -> array, map -> object
  with additionalProperties, object({...}) -> properties with `optional(...)` attributes not
  required); null is allowed where Terraform would substitute a default or the catalog says the
  variable may be null (nullable = true, or default null);
- required: the variables without a default, except sensitive ones (they come from TF_VAR_...);
- additionalProperties false, so a misspelled variable is an error (Terraform only warns);
- each validation's `json_schema` mirror, with its `error_message` as `errorMessage` (which
  editors such as VS Code show). A mirror whose condition reads other variables constrains the
  whole file and sits in the top-level `allOf`, tagged with `x-validation-of`.
Types are checked as written: Terraform would convert "3" to a number; the schema asks for 3.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from .artifact import Artifact
from .catalog import Catalog, Validation, Variable
from .errors import CatalogError
from .render import header_for

DIALECT = "https://json-schema.org/draft/2020-12/schema"
MODULE_SCHEMA = "variables.schema.json"
ENV_SCHEMA = "terraform.tfvars.schema.json"
VALIDATION_OF = "x-validation-of"  # on a top-level allOf entry: whose validation it mirrors

_VAR_REF = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)")


# --- HCL type constraints -> JSON Schema --------------------------------------------------------

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
                attribute = _nullable(self.type())  # null (or absent) means the default
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


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:  # any
        return schema
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [{"type": "null"}, schema]}


def type_schema(type_expr: str) -> dict[str, Any]:
    """The JSON Schema of an HCL type constraint; ValueError when it is not one."""
    return _TypeParser(type_expr).parse()


# --- catalog -> schema ----------------------------------------------------------------------------


def reads_other_variables(variable: Variable, validation: Validation) -> bool:
    return bool(set(_VAR_REF.findall(validation.condition)) - {variable.name})


def allows_null(variable: Variable) -> bool:
    return variable.nullable is True or (variable.has_default and variable.default is None)


def _property(variable: Variable) -> dict[str, Any]:
    try:
        schema = type_schema(variable.type)
    except ValueError as exc:
        raise CatalogError(f"variable {variable.name}: cannot turn type {variable.type!r} into JSON Schema: {exc}") from None
    if allows_null(variable):
        schema = _nullable(schema)
    prop: dict[str, Any] = {"title": variable.name, "description": variable.description, **schema}
    if variable.has_default:
        prop["default"] = variable.default
    if variable.sensitive:
        prop["writeOnly"] = True
    mirrors = [variable.json_schema] if variable.json_schema else []
    mirrors += [
        {"errorMessage": check.error_message, **check.json_schema}
        for check in variable.validations
        if check.json_schema and not reads_other_variables(variable, check)
    ]
    if mirrors:
        prop["allOf"] = mirrors
    return prop


def catalog_schema(catalog: Catalog, title: str) -> dict[str, Any]:
    """The schema of a tfvars file for one catalog's variables (without the `$comment` header)."""
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "title": title,
        "description": (
            f"{catalog.title}: the variables of catalog/{catalog.path.name}, for a tfvars file (HCL or JSON). "
            "Generated by `avdgen render`; check a file with `avdgen validate-vars`."
        ),
        "type": "object",
        "properties": {v.name: _property(v) for v in catalog.variables},
        "additionalProperties": False,
    }
    if catalog.kind == "root":
        # An env's tfvars never holds a secret (the env profiles refuse them too).
        for v in catalog.variables:
            if v.sensitive:
                schema["properties"][v.name]["allOf"] = [*schema["properties"][v.name].get("allOf", []), {
                    "errorMessage": f"{v.name} is sensitive: never write it in a tfvars file; set TF_VAR_{v.name} or read it from Key Vault.",
                    "not": {},
                }]
    required = sorted(v.name for v in catalog.variables if v.required and not v.sensitive)
    if required:
        schema["required"] = required
    across = [
        {"errorMessage": check.error_message, VALIDATION_OF: v.name, **check.json_schema}
        for v in catalog.variables
        for check in v.validations
        if check.json_schema and reads_other_variables(v, check)
    ]
    if across:
        schema["allOf"] = across
    return schema


def dumps(schema: dict[str, Any], header: str) -> str:
    """Sorted, indented JSON whose first line carries the generated-file header as `$comment`
    (JSON has no comments; write.has_header looks at the first line)."""
    body = json.dumps(schema, indent=2, sort_keys=True)
    return "{" + '"$comment": ' + json.dumps(header) + ",\n" + body[2:] + "\n"


def schema_paths(catalog: Catalog) -> list[PurePosixPath]:
    """Where a catalog's tfvars schemas go: one per output directory."""
    name = ENV_SCHEMA if catalog.kind == "root" else MODULE_SCHEMA
    return [out / name for out in catalog.output_dirs]


def render_schemas(catalogs: list[Catalog], root: Path) -> dict[PurePosixPath, str]:
    files = {}
    for catalog in catalogs:
        source = f"catalog/{catalog.path.name}"
        for path in schema_paths(catalog):
            title = f"{path.parent}/terraform.tfvars" if catalog.kind == "root" else f"Inputs of {path.parent}"
            header = header_for(path, source).removeprefix("# ").rstrip("\n")
            files[path] = dumps(catalog_schema(catalog, title), header)
    return files


# The files live in modules/<module>/ and envs/<env>/, which render already manages; envs/ is named
# here so a schema left behind by a removed profile is deleted too.
TFVARS_SCHEMAS = Artifact(PurePosixPath("envs"), render_schemas)
