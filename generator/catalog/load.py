"""Load the catalog: every catalog/*.yaml checked against its JSON Schema, cross-checked, frozen.

Every error names the file, the line and the key path (`catalog/x.yaml:42: variables.a.default: ...`).
A variable of a root catalog (the envs) may take its facts from the module it feeds instead of
repeating them (`from_module`, see `_from_module`), so each type, default and validation is
written once.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import CatalogError, GeneratorError
from ..hcl import hcl_literal
from .model import Catalog, Output, Profile, Validation, Variable
from .source import KeyPath, Problems, check_schema, dotted, read_yaml
from .value_schema import mirrors, reads_other_variables, values_schema


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding both catalog/ and templates/."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "catalog").is_dir() and (candidate / "templates").is_dir():
            return candidate
    raise GeneratorError(f"no avdgen project at or above {here} (looked for catalog/ and templates/); pass --root")


@cache
def catalog_schema() -> dict[str, Any]:
    return json.loads(resources.files("generator.catalog").joinpath("schemas/catalog.schema.json").read_text())


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


# `format: regex` in the metaschema makes a pattern that does not compile an error here.
_FRAGMENT_CHECK = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _check_fragment(fragment: dict[str, Any] | None, path: KeyPath, report: Problems) -> None:
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


def load_catalog(path: Path, root: Path | None = None, loaded: dict[Path, Catalog] | None = None) -> Catalog:
    """Load and check one catalog file; raise CatalogError listing every problem found.

    `loaded` caches catalogs by path: a `from_module` reference loads the module's catalog from
    the same folder once."""
    loaded = {} if loaded is None else loaded
    if path.resolve() in loaded:
        return loaded[path.resolve()]
    data, report = read_yaml(path, root, "catalog")
    check_schema(data, catalog_schema(), report)
    report.raise_if_any("catalog")

    groups = tuple(data["groups"])
    variables = []
    for name, spec in data["variables"].items():
        base: KeyPath = ("variables", name)
        if "from_module" in spec:
            spec = _from_module(name, spec, path, root, loaded, report)
            if spec is None:
                continue
        elif "type" not in spec:
            report(base, "'type' is required")
            continue
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
    _check_output_references(data["outputs"], by_name, report)
    outputs = tuple(
        Output(name=name, description=spec["description"].strip(), group=spec["group"], value=spec["value"].strip(), sensitive=spec.get("sensitive", False), depends_on=tuple(spec.get("depends_on", ())))
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
        profile_files = sorted((path.parent / "envs").glob("*.yaml"))
        _check_env_names(profile_files, root)
        profiles = tuple(load_profile(p, catalog, root) for p in profile_files)
        if not profiles:
            raise CatalogError(f"{report.where}: kind root needs at least one profile in {path.parent / 'envs'}")
        _check_promotions(profiles, root)
        catalog = replace(catalog, profiles=profiles)
    loaded[path.resolve()] = catalog
    return catalog


# An env's name becomes envs/<env>/, workflow and pipeline file names and GitHub environment
# names, and is what promote_from refers to (profile.schema.json's pattern for it).
ENV_NAME = re.compile(r"^[a-z][a-z0-9]{1,9}$")


def _check_env_names(files: list[Path], root: Path | None) -> None:
    wrong = [f for f in files if not ENV_NAME.match(f.stem)]
    if wrong:
        shown = [str(f.relative_to(root)) if root and f.is_relative_to(root) else str(f) for f in wrong]
        raise CatalogError(
            "env profile names must be 2-10 lowercase letters and digits, starting with a letter (^[a-z][a-z0-9]{1,9}$): "
            "the name becomes envs/<env>/ and the pipelines' file names",
            [f"{where}: {f.stem!r} is not a valid env name; rename the file" for where, f in zip(shown, wrong)],
        )


# Settings of the azurerm backend that are credentials (Terraform's azurerm backend docs: pass
# them as ARM_ACCESS_KEY, ARM_SAS_TOKEN, ARM_CLIENT_SECRET, ... instead): backend.hcl.example is
# committed, so none of them may be in a profile's backend.example.
BACKEND_SECRETS = frozenset({"access_key", "sas_token", "client_secret", "client_certificate", "client_certificate_password", "oidc_token", "oidc_request_token"})
_SECRET_WORD = re.compile(r"secret|password|token")


def _check_backend(backend: dict[str, Any] | None, report: Problems) -> None:
    for key in ((backend or {}).get("example") or {}):
        if key in BACKEND_SECRETS or (_SECRET_WORD.search(key) and not key.endswith(("_path", "_url", "_id"))):
            env = f"ARM_{key.upper()}"
            report(("backend", "example", key), f"{key} is a credential: never put it in backend.hcl.example, which is committed; set {env} in the environment (or use use_azuread_auth / use_oidc)")


_VAR_REFERENCE = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)")


def _check_output_references(outputs: dict[str, Any], variables: dict[str, Variable], report: Problems) -> None:
    """An output's value may read only variables the catalog declares (Terraform would refuse the
    module with "Reference to undeclared input variable" at the rendered line)."""
    for name, spec in outputs.items():
        for match in _VAR_REFERENCE.finditer(spec["value"]):
            if match.group(1) not in variables:
                known = difflib.get_close_matches(match.group(1), variables, n=1)
                hint = f"; did you mean var.{known[0]}?" if known else ""
                report(("outputs", name, "value"), f"refers to var.{match.group(1)}, which this catalog does not declare{hint}")


def expression_sites(root: Path) -> list[tuple[str, str]]:
    """(`file:line: key.path`, HCL expression) of every validation condition and output value in
    the catalogs: where a syntax error that `terraform fmt` finds in rendered text came from."""
    sites = []
    for path in sorted((root / "catalog").glob("*.yaml")):
        if path.name in NOT_MODULE_CATALOGS:
            continue
        data, report = read_yaml(path, root, "catalog")
        if not isinstance(data, dict):
            continue
        for name, spec in (data.get("variables") or {}).items():
            for i, check in enumerate((spec or {}).get("validations") or []):
                if isinstance(check, dict) and isinstance(check.get("condition"), str):
                    key = ("variables", name, "validations", i, "condition")
                    sites.append((f"{report.where}:{report.line_of(key)}: {dotted(key)}", check["condition"].strip()))
        for name, spec in (data.get("outputs") or {}).items():
            if isinstance(spec, dict) and isinstance(spec.get("value"), str):
                key = ("outputs", name, "value")
                sites.append((f"{report.where}:{report.line_of(key)}: {dotted(key)}", spec["value"].strip()))
    return sites


# --- facts taken from the module a variable feeds -------------------------------------------------


def _from_module(name: str, spec: dict[str, Any], path: Path, root: Path | None, loaded: dict[Path, Catalog], report: Problems) -> dict[str, Any] | None:
    """`spec` with the facts `from_module` refers to filled in, or None (reported) when it cannot be.

    Without `attributes`, the variable takes the type and the validations of the module variable
    it feeds (`variable`, default the same name); validations that read other module variables
    stay with the module, which checks them at plan. With `attributes`, the variable is an object
    whose attributes each take the type, the default (a required module variable stays required
    unless `optional: true`; `use_null_means: true` takes the value the module uses for null)
    and the validations' JSON Schema mirrors of the module variable they feed.
    """
    base: KeyPath = ("variables", name, "from_module")
    ref = spec["from_module"]
    if "type" in spec:
        report(("variables", name, "type"), "from_module gives the type: remove `type`")
        return None
    module = _sibling(ref["module"], path, root, loaded, report, (*base, "module"))
    if module is None:
        return None
    attributes = ref.get("attributes")
    if attributes is None:
        source = _module_variable(module, ref.get("variable", name), report, (*base, "variable" if "variable" in ref else "module"))
        if source is None:
            return None
        own_var = re.compile(rf"\bvar\.{re.escape(source.name)}\b")
        # The message names the variable the user sets (session_host_name_prefix, not vm_name_prefix).
        own_name = re.compile(rf"(?<![\w.]){re.escape(source.name)}\b")
        taken = [
            {"condition": own_var.sub(f"var.{name}", c.condition), "error_message": own_name.sub(name, c.error_message), **({"json_schema": c.json_schema} if c.json_schema else {})}
            for c in source.validations
            if not reads_other_variables(source, c)
        ]
        return {**spec, "type": source.type, "validations": taken + list(spec.get("validations", []))}
    if "json_schema" in spec:
        report(("variables", name, "json_schema"), "from_module.attributes gives the attributes' JSON Schema: remove `json_schema`")
        return None
    lines: list[tuple[str, str]] = []
    properties: dict[str, Any] = {}
    for attribute, how in attributes.items():
        how = how or {}
        where: KeyPath = (*base, "attributes", attribute)
        source = _module_variable(module, how.get("variable", attribute), report, where)
        if source is None:
            continue
        lines.append((attribute, _attribute_type(module, source, how, report, where)))
        if found := mirrors(source):
            properties[attribute] = {"allOf": found}
    width = max((len(a) for a, _ in lines), default=0)
    type_text = "object({\n" + "".join(f"  {a:<{width}} = {t}\n" for a, t in lines) + "})"
    return {**spec, "type": type_text, **({"json_schema": {"properties": properties}} if properties else {})}


def _attribute_type(module: Catalog, source: Variable, how: dict[str, Any], report: Problems, where: KeyPath) -> str:
    """The HCL type of an object attribute that feeds module variable `source`."""
    if how.get("use_null_means"):
        canonical = module.variable(source.alias_of) if source.alias_of else source
        if canonical.null_means is None:
            report((*where, "use_null_means"), f"{module.module}'s {canonical.name} has no null_means")
            return f"optional({source.type})"
        return f"optional({source.type}, {hcl_literal(canonical.null_means)})"
    if how.get("optional") or (source.has_default and source.default is None):
        return f"optional({source.type})"
    if source.has_default:
        return f"optional({source.type}, {hcl_literal(source.default)})"
    return source.type


def _sibling(module: str, path: Path, root: Path | None, loaded: dict[Path, Catalog], report: Problems, where: KeyPath) -> Catalog | None:
    candidate = path.parent / f"{module}.yaml"
    if candidate.resolve() == path.resolve():
        report(where, "a catalog cannot take facts from itself")
        return None
    if not candidate.is_file():
        known = sorted(f.stem for f in path.parent.glob("*.yaml") if f.name not in NOT_MODULE_CATALOGS and f != path)
        report(where, f"no module catalog {module!r} beside this file (known: {', '.join(known) or 'none'})")
        return None
    catalog = load_catalog(candidate, root, loaded)
    if catalog.kind != "module":
        report(where, f"{module!r} is not a module catalog (kind {catalog.kind})")
        return None
    return catalog


def _module_variable(module: Catalog, name: str, report: Problems, where: KeyPath) -> Variable | None:
    found = next((v for v in module.variables if v.name == name), None)
    if found is None:
        report(where, f"{module.module} has no variable {name!r}")
    elif found.sensitive:
        report(where, f"{module.module}'s {name} is sensitive: pass it as a variable of its own")
        return None
    return found


def _check_promotions(profiles: tuple[Profile, ...], root: Path | None) -> None:
    """`promote_from` names another env that builds its golden image, and the promoted versions
    include the one the env pins."""
    by_name = {p.name: p for p in profiles}
    for profile in profiles:
        versions = profile.tfvars.get("golden_image_promoted_versions") or []
        data, report = read_yaml(profile.path, root, "profile")
        if profile.promote_from is None:
            if versions:
                report(("tfvars", "golden_image_promoted_versions"), "promoted versions need `promote_from: <env>` in the profile (the env they are copied from)")
            report.raise_if_any("profile")
            continue
        source = by_name.get(profile.promote_from)
        where: KeyPath = ("promote_from",)
        if profile.build is not None:
            report(("build",), f"{profile.name} builds nothing (promote_from: {profile.promote_from}): its scheduled builds would have no template; remove `build`")
        if source is None or source is profile:
            known = ", ".join(p.name for p in profiles if p is not profile) or "none"
            report(where, f"{profile.promote_from!r} is not another env (envs: {known})")
        elif source.promote_from is not None:
            report(where, f"{source.name} promotes from {source.promote_from} itself: promote from the env that builds")
        elif source.tfvars.get("enable_golden_image") is False or "golden_image" not in source.tfvars:
            report(where, f"{source.name} builds no golden image (enable_golden_image or golden_image)")
        pinned = str((profile.tfvars.get("golden_image") or {}).get("image_version", "1.0.0"))
        if profile.tfvars.get("enable_golden_image", True) and pinned not in versions:
            report(("tfvars", "golden_image", "image_version"), f"{pinned} is pinned but not among golden_image_promoted_versions ({', '.join(versions) or 'none'}): promote it (avdgen promote --from {profile.promote_from} --to {profile.name} {pinned})")
        report.raise_if_any("profile")


def _check_inside_values(tfvars: dict[str, Any], catalog: Catalog, report: Problems) -> None:
    """What the checks above cannot see: inside object values (Terraform silently drops an
    attribute an object type does not declare, e.g. a misspelled golden_image setting) and the
    validations' mirrors, via the catalog's values schema (the tfvars JSON Schema `avdgen render` writes)."""
    validator = jsonschema.Draft202012Validator(values_schema(catalog))
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
    return json.loads(resources.files("generator.catalog").joinpath("schemas/profile.schema.json").read_text())


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
    _check_backend(data.get("backend"), report)
    for variable in catalog.variables:
        if variable.required and not variable.sensitive and variable.name not in data["tfvars"]:
            report(("tfvars",), f"required variable {variable.name!r} has no value")
    report.raise_if_any("profile")
    _check_inside_values(data["tfvars"], catalog, report)
    report.raise_if_any("profile")
    return Profile(
        path=path, name=path.stem, description=data["description"].strip(), backend=data.get("backend"), tfvars=data["tfvars"],
        build=data.get("build"), promote_from=data.get("promote_from"), rollout=data.get("rollout"),
    )


NOT_MODULE_CATALOGS = frozenset({"prices.yaml", "pipelines.yaml"})


def load_catalogs(root: Path) -> list[Catalog]:
    """Every module catalog under root/catalog (env profiles live in catalog/envs/)."""
    # Profiles are in catalog/envs/, not globbed; prices.yaml is `avdgen cost`'s table (generator/ops/cost.py),
    # pipelines.yaml the CI pipelines' pinned actions (generator/ops/pipelines.py).
    files = sorted(f for f in (root / "catalog").glob("*.yaml") if f.name not in NOT_MODULE_CATALOGS)
    if not files:
        raise CatalogError(f"no catalog files in {root / 'catalog'}")
    loaded: dict[Path, Catalog] = {}
    return [load_catalog(f, root, loaded) for f in files]


def root_catalog(catalogs: list[Catalog]) -> Catalog:
    """The catalog of the env root configurations (kind: root)."""
    for catalog in catalogs:
        if catalog.kind == "root":
            return catalog
    raise CatalogError("no root catalog (kind: root) with env profiles in catalog/")


def env_profile(catalogs: list[Catalog], env: str) -> tuple[Catalog, Profile]:
    """The root catalog and the profile of env `env`, or an error naming the envs there are."""
    catalog = root_catalog(catalogs)
    for profile in catalog.profiles:
        if profile.name == env:
            return catalog, profile
    known = ", ".join(p.name for p in catalog.profiles)
    raise CatalogError(f"unknown env {env!r}: no catalog/envs/{env}.yaml (known: {known})")
