"""The catalog as frozen dataclasses: variables, outputs, env profiles. Built by load.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .hcl_types import optional_defaults


@dataclass(frozen=True)
class Validation:
    condition: str
    error_message: str
    # A JSON Schema fragment mirroring `condition` for the tfvars schema (value_schema.py).
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
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """catalog/envs/<name>.yaml: the values of one root configuration (envs/<name>)."""

    path: Path
    name: str
    description: str
    backend: dict[str, Any] | None
    tfvars: dict[str, Any]
    build: dict[str, Any] | None = None  # scheduled builds (generator/ops/pipelines.py); None: the defaults
    promote_from: str | None = None  # the env whose published golden image versions this one copies
    rollout: dict[str, Any] | None = None  # how `avdgen rollout` moves the hosts (generator/ops/rollout.py); None: no pipeline


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


def profile_object(catalog: Catalog, profile: Profile, name: str) -> dict[str, Any]:
    """An object variable as the profile sets it, with its `optional(...)` attribute defaults
    filled in: what Terraform will see, so commands need not repeat the catalog's defaults."""
    return optional_defaults(catalog.variable(name).type) | (profile.tfvars.get(name) or {})
