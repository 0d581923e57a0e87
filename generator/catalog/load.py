"""Load a catalog YAML file, check it against its JSON Schema, and turn it into frozen dataclasses.

Every error names the file, the line and the key path (`catalog/x.yaml:42: variables.a.default: ...`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import yaml

from .errors import CatalogError

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Validation:
    condition: str
    error_message: str
    # A JSON Schema fragment mirroring `condition` for the tfvars schema (generator/tfvars_schema.py).
    json_schema: dict[str, Any] | None = None


@dataclass(frozen=True)
class Variable:
    name: str
    type: str
    description: str
    group: str
    has_default: bool
    default: Any = None
    nullable: bool | None = None
    sensitive: bool = False
    example: Any = None
    alias_of: str | None = None
    null_means: Any = None
    validations: tuple[Validation, ...] = ()
    json_schema: dict[str, Any] | None = None  # constraints no validation of this variable states

    @property
    def required(self) -> bool:
        return not self.has_default


@dataclass(frozen=True)
class Output:
    name: str
    description: str
    group: str
    value: str
    sensitive: bool = False


@dataclass(frozen=True)
class Profile:
    """catalog/envs/<name>.yaml: the values of one root configuration (envs/<name>)."""

    path: Path
    name: str
    description: str
    backend: dict[str, Any] | None
    tfvars: dict[str, Any]
    build: dict[str, Any] | None = None  # scheduled builds (generator/pipelines.py); None: the defaults


@dataclass(frozen=True)
class Catalog:
    path: Path
    module: str
    title: str
    settings: dict[str, Any]
    groups: tuple[str, ...]
    variables: tuple[Variable, ...]
    outputs: tuple[Output, ...]
    kind: str = "module"
    profiles: tuple[Profile, ...] = ()

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)

    @property
    def output_dirs(self) -> tuple[PurePosixPath, ...]:
        """Where this catalog renders: modules/<module>, or envs/<profile> for each profile."""
        if self.kind == "root":
            return tuple(PurePosixPath("envs") / p.name for p in self.profiles)
        return (PurePosixPath("modules") / self.module,)

    @property
    def aliases(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.alias_of)


# --- YAML with line numbers -------------------------------------------------------------------


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
                    [f"{where}:{key_node.start_mark.line + 1}: {_dotted(path) or '<top>'}: keys must be strings, not {key!r}"],
                )
            if key in out:
                raise CatalogError(
                    "invalid catalog",
                    [f"{where}:{key_node.start_mark.line + 1}: {_dotted((*path, key))}: duplicate key (first at line {lines[(*path, key)]})"],
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines, where)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines, where) for i, item in enumerate(node.value)]
    return _scalar(node)


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


def _line_of(path: KeyPath, lines: dict[KeyPath, int]) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


@cache
def catalog_schema() -> dict[str, Any]:
    return json.loads(resources.files("generator.schemas").joinpath("catalog.schema.json").read_text())


# --- HCL type vs default ----------------------------------------------------------------------

_COLLECTION = re.compile(r"^(list|set|map)\((.*)\)$", re.S)


def _default_fits(type_expr: str, value: Any) -> bool:
    """A shallow check that a YAML default fits an HCL type constraint (objects/tuples/any pass)."""
    t = type_expr.strip()
    if value is None or t == "any" or t.startswith(("object(", "tuple(", "optional(")):
        return True
    if t == "string":
        return isinstance(value, str)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "bool":
        return isinstance(value, bool)
    match = _COLLECTION.match(t)
    if not match:
        return True
    kind, inner = match.groups()
    if kind == "map":
        return isinstance(value, dict) and all(_default_fits(inner, v) for v in value.values())
    return isinstance(value, list) and all(_default_fits(inner, v) for v in value)


_KNOWN_TYPE = re.compile(r"^(string|number|bool|any|(list|set|map)\(.+\)|(object|tuple)\(.+\))$", re.S)


# --- loading ----------------------------------------------------------------------------------


class _Problems:
    """Collects `file:line: key.path: message` lines for one YAML file."""

    def __init__(self, where: str, lines: dict[KeyPath, int]):
        self.where, self.lines, self.items = where, lines, []

    def __call__(self, path: KeyPath, message: str) -> None:
        line = _line_of(path, self.lines)
        self.items.append((line, f"{self.where}:{line}: {_dotted(path) or '<top>'}: {message}"))

    def line_of(self, path: KeyPath) -> int:
        return _line_of(path, self.lines)

    def raise_if_any(self, what: str) -> None:
        if self.items:
            raise CatalogError(f"invalid {what}", [m for _, m in sorted(self.items)])


def read_yaml(path: Path, root: Path | None, what: str) -> tuple[Any, _Problems]:
    where = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
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
    return data, _Problems(where, lines)


def check_schema(data: Any, schema: dict[str, Any], report: _Problems) -> None:
    for error in jsonschema.Draft202012Validator(schema).iter_errors(data):
        where_error = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the unexpected key itself, not at the mapping that holds it.
            unexpected = [k for k in error.instance if k not in error.schema.get("properties", {})]
            where_error += tuple(unexpected[:1])
        report(where_error, _schema_message(error))


# `format: regex` in the metaschema makes a pattern that does not compile an error here.
_FRAGMENT_CHECK = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _check_fragment(fragment: dict[str, Any] | None, path: KeyPath, report: _Problems) -> None:
    """A `json_schema` must itself be a valid JSON Schema (2020-12)."""
    if fragment is None:
        return
    try:
        errors = _fragment_errors(json.dumps(fragment, sort_keys=True))
    except TypeError:  # a value JSON cannot hold (e.g. a YAML date): check it as it is
        errors = tuple((tuple(e.absolute_path), e.message) for e in _FRAGMENT_CHECK.iter_errors(fragment))
    for where, message in errors:
        report((*path, *where), f"not a valid JSON Schema: {message}")


@cache
def _fragment_errors(fragment_json: str) -> tuple[tuple[tuple[str | int, ...], str], ...]:
    # Checking against the meta-schema is most of a catalog load's time, and the same fragments
    # come back on every load (render, validate-vars, promote, each test): check each text once.
    return tuple((tuple(e.absolute_path), e.message) for e in _FRAGMENT_CHECK.iter_errors(json.loads(fragment_json)))


def load_catalog(path: Path, root: Path | None = None) -> Catalog:
    """Load and check one catalog file; raise CatalogError listing every problem found."""
    data, report = read_yaml(path, root, "catalog")
    check_schema(data, catalog_schema(), report)
    report.raise_if_any("catalog")

    groups = tuple(data["groups"])
    variables = []
    for name, spec in data["variables"].items():
        base: KeyPath = ("variables", name)
        if spec["group"] not in groups:
            report((*base, "group"), f"unknown group {spec['group']!r}; declare it under `groups` ({', '.join(groups)})")
        if not _KNOWN_TYPE.match(spec["type"].strip()):
            report((*base, "type"), f"{spec['type']!r} is not an HCL type constraint (string, number, bool, any, list(...), set(...), map(...), object(...), tuple(...))")
        elif "default" in spec and not _default_fits(spec["type"], spec["default"]):
            report((*base, "default"), f"{spec['default']!r} does not match type {spec['type']}")
        if spec.get("nullable") is False and spec.get("default", "") is None:
            report((*base, "nullable"), "a variable with default null cannot be nullable = false")
        for i, check in enumerate(spec.get("validations", [])):
            # Terraform < 1.9 only lets a validation refer to its own variable.
            if f"var.{name}" not in check["condition"]:
                report((*base, "validations", i, "condition"), f"must refer to var.{name}")
            _check_fragment(check.get("json_schema"), (*base, "validations", i, "json_schema"), report)
        _check_fragment(spec.get("json_schema"), (*base, "json_schema"), report)
        variables.append(
            Variable(
                name=name,
                type=spec["type"].strip(),
                description=spec["description"].strip(),
                group=spec["group"],
                has_default="default" in spec,
                default=spec.get("default"),
                nullable=spec.get("nullable"),
                sensitive=spec.get("sensitive", False),
                example=spec.get("example"),
                alias_of=spec.get("alias_of"),
                null_means=spec.get("null_means"),
                validations=tuple(Validation(c["condition"].strip(), c["error_message"].strip(), c.get("json_schema")) for c in spec.get("validations", [])),
                json_schema=spec.get("json_schema"),
            )
        )
    by_name = {v.name: v for v in variables}
    for v in variables:
        if not v.alias_of:
            continue
        target = by_name.get(v.alias_of)
        where_alias: KeyPath = ("variables", v.name, "alias_of")
        if target is None:
            report(where_alias, f"alias of unknown variable {v.alias_of!r}")
        elif target.alias_of:
            report(where_alias, f"{v.alias_of!r} is itself an alias; point at the canonical variable")
        elif target.type != v.type:
            report(where_alias, f"type {v.type} differs from {v.alias_of}'s type {target.type}")
        elif target.null_means is None:
            report(("variables", v.alias_of), f"needs `null_means` (the value used when {v.alias_of} and its alias {v.name} are both null)")
        elif v.default is not None or target.default is not None:
            # Both spellings default to null so the module can tell "unset" from "set", and
            # reject two different values instead of silently preferring one.
            report(where_alias, f"an alias and its variable must both default to null ({v.alias_of} and {v.name})")
    outputs = tuple(
        Output(name=name, description=spec["description"].strip(), group=spec["group"], value=spec["value"].strip(), sensitive=spec.get("sensitive", False))
        for name, spec in data["outputs"].items()
    )
    report.raise_if_any("catalog")
    catalog = Catalog(
        path=path,
        kind=data.get("kind", "module"),
        module=data["module"],
        title=data["title"],
        settings=data["settings"],
        groups=groups,
        variables=tuple(variables),
        outputs=outputs,
    )
    if catalog.kind == "root":
        profiles = tuple(load_profile(p, catalog, root) for p in sorted((path.parent / "envs").glob("*.yaml")))
        if not profiles:
            raise CatalogError(f"{report.where}: kind root needs at least one profile in {path.parent / 'envs'}")
        catalog = replace(catalog, profiles=profiles)
    return catalog


def _check_inside_values(tfvars: dict[str, Any], catalog: Catalog, report: _Problems) -> None:
    """What the checks above cannot see: inside object values (Terraform silently drops an
    attribute an object type does not declare, e.g. a misspelled golden_image setting) and the
    validations' mirrors, via the tfvars JSON Schema `avdgen render` generates."""
    from .tfvars_schema import catalog_schema as tfvars_schema  # tfvars_schema imports this module

    validator = jsonschema.Draft202012Validator(tfvars_schema(catalog, "profile"))
    for error in validator.iter_errors(tfvars):
        where = tuple(error.absolute_path)
        if not where or (len(where) == 1 and error.validator in ("type", "not")):
            continue  # top-level names, types and secrets are reported above
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            unexpected = [k for k in error.instance if k not in error.schema.get("properties", {})]
            report(("tfvars", *where, *unexpected[:1]), f"not a setting of {where[0]} (it would be silently dropped); allowed: {', '.join(sorted(error.schema.get('properties', {})))}")
            continue
        report(("tfvars", *where), _error_message(validator.schema, error))


def _error_message(schema: dict[str, Any], error: jsonschema.ValidationError) -> str:
    """The catalog's own error_message (an `errorMessage` on the way to the failing keyword)."""
    message, node = None, schema
    for step in error.absolute_schema_path:
        if isinstance(node, dict):
            message = node.get("errorMessage", message)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return message or error.message


def _walk(value: Any, path: KeyPath):
    """(key path, value) for a value and everything inside it."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


@cache
def profile_schema() -> dict[str, Any]:
    return json.loads(resources.files("generator.schemas").joinpath("profile.schema.json").read_text())


def load_profile(path: Path, catalog: Catalog, root: Path | None = None) -> Profile:
    """Load an env profile and check its tfvars against the root catalog's variables."""
    data, report = read_yaml(path, root, "profile")
    check_schema(data, profile_schema(), report)
    report.raise_if_any("profile")
    variables = {v.name: v for v in catalog.variables}
    for key_path, value in _walk(data["tfvars"], ("tfvars",)):
        if not isinstance(value, (str, int, float, bool, type(None), list, dict)):
            # YAML reads 2026-01-01 as a date: a value tfvars cannot hold, and surely meant as text.
            report(key_path, f"{value!r} is a YAML {type(value).__name__}, not a string, number or bool: put it in quotes")
    for name, value in data["tfvars"].items():
        where: KeyPath = ("tfvars", name)
        variable = variables.get(name)
        if variable is None:
            report(where, f"{catalog.path.name} declares no variable {name!r}")
        elif variable.sensitive:
            report(where, f"{name} is sensitive: never put it in a tfvars file; pass TF_VAR_{name} or read it from Key Vault")
        elif not _default_fits(variable.type, value):
            report(where, f"{value!r} does not match type {variable.type}")
    for variable in catalog.variables:
        if variable.required and not variable.sensitive and variable.name not in data["tfvars"]:
            report(("tfvars",), f"required variable {variable.name!r} has no value")
    report.raise_if_any("profile")
    _check_inside_values(data["tfvars"], catalog, report)
    report.raise_if_any("profile")
    return Profile(path=path, name=path.stem, description=data["description"].strip(), backend=data.get("backend"), tfvars=data["tfvars"], build=data.get("build"))


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


NOT_MODULE_CATALOGS = frozenset({"prices.yaml"})


def load_catalogs(root: Path) -> list[Catalog]:
    """Every module catalog under root/catalog (env profiles live in catalog/envs/)."""
    # Profiles are in catalog/envs/, not globbed; prices.yaml is `avdgen cost`'s table (generator/cost.py).
    files = sorted(f for f in (root / "catalog").glob("*.yaml") if f.name not in NOT_MODULE_CATALOGS)
    if not files:
        raise CatalogError(f"no catalog files in {root / 'catalog'}")
    return [load_catalog(f, root) for f in files]


def root_catalog(catalogs: list[Catalog]) -> Catalog:
    """The catalog of the env root configurations (kind: root)."""
    for catalog in catalogs:
        if catalog.kind == "root":
            return catalog
    raise CatalogError("no root catalog (kind: root) with env profiles in catalog/")


_OPTIONAL = re.compile(r"^\s*(\w+)\s*=\s*optional\((.*)\)\s*,?\s*$", re.M)


def optional_defaults(type_expr: str) -> dict[str, Any]:
    """`{attr: default}` from an HCL `object({ a = optional(t, default) ... })`, one attribute a line."""
    defaults: dict[str, Any] = {}
    for name, inner in _OPTIONAL.findall(type_expr):
        depth, split = 0, None
        for i, char in enumerate(inner):
            depth += char in "([{"
            depth -= char in ")]}"
            if char == "," and depth == 0:
                split = i
                break
        # The defaults env.yaml uses ([], {}, 1, true, "Standard_LRS") are JSON literals too.
        defaults[name] = None if split is None else json.loads(inner[split + 1 :].strip())
    return defaults


def profile_object(catalog: Catalog, profile: Profile, name: str) -> dict[str, Any]:
    """An object variable as the profile sets it, with its `optional(...)` attribute defaults
    filled in: what Terraform will see, so commands need not repeat the catalog's defaults."""
    return optional_defaults(catalog.variable(name).type) | (profile.tfvars.get(name) or {})


def env_profile(catalogs: list[Catalog], env: str) -> tuple[Catalog, Profile]:
    """The root catalog and the profile of env `env`, or an error naming the envs there are."""
    catalog = root_catalog(catalogs)
    for profile in catalog.profiles:
        if profile.name == env:
            return catalog, profile
    known = ", ".join(p.name for p in catalog.profiles)
    raise CatalogError(f"unknown env {env!r}: no catalog/envs/{env}.yaml (known: {known})")
