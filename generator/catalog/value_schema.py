"""The JSON Schema of the values a catalog's variables accept (issue 5).

What it says:
- one property per variable, typed from its HCL type constraint (hcl_types.py: list/set -> array,
  map -> object with additionalProperties, object({...}) -> properties with `optional(...)`
  attributes not required); null is allowed where Terraform would substitute a default or the
  catalog says the variable may be null (nullable = true, or default null);
- required: the variables without a default, except sensitive ones (they come from TF_VAR_...);
- additionalProperties false, so a misspelled variable is an error (Terraform only warns);
- each validation's `json_schema` mirror, with its `error_message` as `errorMessage` (which
  editors such as VS Code show). A mirror whose condition reads other variables constrains the
  whole object and sits in the top-level `allOf`, tagged with `x-validation-of`; a validation
  without a mirror sits there too, as its HCL condition (`x-condition`, for validate-vars);
- in a root catalog (the envs), a sensitive variable is refused outright.
Profiles are checked against it when they load (load.py); `avdgen render` writes it, with a
title, as each module's and env's tfvars schema (render/tfvars_schema.py).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import CatalogError
from .hcl_types import nullable_schema, type_schema
from .model import Catalog, Validation, Variable

VALIDATION_OF = "x-validation-of"  # on a top-level allOf entry: whose validation it mirrors
# On a top-level allOf entry: a validation JSON Schema cannot say (it compares two values), as its
# HCL condition, which `avdgen validate-vars` evaluates (lint/tfvars_hcl.py); other tools skip it.
CONDITION = "x-condition"

_VAR_REF = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)")


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
        schema = nullable_schema(schema)
    prop: dict[str, Any] = {"title": variable.name, "description": variable.description, **schema}
    if variable.has_default:
        prop["default"] = variable.default
    if variable.sensitive:
        prop["writeOnly"] = True
    own = mirrors(variable)
    if own:
        prop["allOf"] = own
    return prop


def mirrors(variable: Variable) -> list[dict[str, Any]]:
    """The JSON Schema fragments a value of `variable` must satisfy: its own `json_schema`, then
    each validation's mirror that reads no other variable (with its error message)."""
    found = [variable.json_schema] if variable.json_schema else []
    found += [
        {"errorMessage": check.error_message, **check.json_schema}
        for check in variable.validations
        if check.json_schema and not reads_other_variables(variable, check)
    ]
    return found


def values_schema(catalog: Catalog) -> dict[str, Any]:
    """What a set of values for one catalog's variables must satisfy (a tfvars file, a profile's
    tfvars): render/tfvars_schema.py adds the title and the generated-file header."""
    schema: dict[str, Any] = {
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
    ] + [
        {"errorMessage": check.error_message, VALIDATION_OF: v.name, CONDITION: check.condition}
        for v in catalog.variables
        for check in v.validations
        if not check.json_schema
    ]
    if across:
        schema["allOf"] = across
    return schema
