"""Terraform's version constraint syntax: parse `~> 4.0, != 4.2.1`, match versions, pick one.

The rules, from Terraform's "Version Constraints" page
(https://developer.hashicorp.com/terraform/language/expressions/version-constraints):

* a constraint is a comma-separated list of conditions, all of which must hold;
* operators: `=` (or none): exactly this version; `!=`: any but this one; `>`, `>=`, `<`, `<=`:
  comparisons; `~>`: only the rightmost given component may grow (`~> 1.2` means `>= 1.2, < 2.0`,
  `~> 1.2.0` means `>= 1.2.0, < 1.3.0`);
* a version may omit trailing components, which count as zero (`1.2` is `1.2.0`);
* "A prerelease version can be selected only by an exact version constraint (the `=` operator or
  no operator). Prerelease versions do not match inexact operators such as `>=`, `~>`, etc."
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_CONDITION = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$")


class ConstraintError(ValueError):
    """A version or constraint string that is not in Terraform's syntax."""


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: str = ""
    given: int = 3  # how many numeric components the text had (for `~>`)

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION.match(text.strip())
        if not match:
            raise ConstraintError(f"{text!r} is not a version (expected e.g. 1.2.3)")
        major, minor, patch, pre = match.groups()
        given = 1 + (minor is not None) + (patch is not None)
        return cls(int(major), int(minor or 0), int(patch or 0), pre or "", given)

    def _key(self) -> tuple:
        # Semver precedence: a prerelease sorts before its release; identifiers compare
        # numerically when numeric, else as text, numeric ones first.
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease.split(".")) if self.prerelease else ()
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        numbers = [self.major, self.minor, self.patch][: max(self.given, 1)] if not self.prerelease else [self.major, self.minor, self.patch]
        return ".".join(map(str, numbers)) + (f"-{self.prerelease}" if self.prerelease else "")


@dataclass(frozen=True)
class Condition:
    op: str
    version: Version

    def matches(self, v: Version) -> bool:
        if self.op == "=":
            return v == self.version
        if v.prerelease:  # only an exact condition selects a prerelease
            return False
        if self.op == "!=":
            return v != self.version
        if self.op == ">":
            return v > self.version
        if self.op == ">=":
            return v >= self.version
        if self.op == "<":
            return v < self.version
        if self.op == "<=":
            return v <= self.version
        # "~>": at least the version, below the next step of the next-to-rightmost component.
        base = self.version
        if base.given >= 3:
            upper = Version(base.major, base.minor + 1, 0)
        else:  # `~> 1.2` and `~> 1` both allow any later 1.x
            upper = Version(base.major + 1, 0, 0)
        return base <= v < upper

    def candidates(self) -> list[Version]:
        """Versions near this condition's edge that satisfy it (for picking a version)."""
        v = Version(self.version.major, self.version.minor, self.version.patch, self.version.prerelease)
        if self.op in ("=", ">=", "<=", "~>"):
            return [v]
        if self.op == ">":
            return [Version(v.major, v.minor, v.patch + 1)]
        if self.op == "<":
            if v.patch:
                return [Version(v.major, v.minor, v.patch - 1)]
            if v.minor:
                return [Version(v.major, v.minor - 1, 0)]
            return [Version(v.major - 1, 0, 0)] if v.major else []
        return []  # "!=" says nothing about what is allowed

    def __str__(self) -> str:
        return f"{self.op} {self.version}"


def parse_constraint(text: str) -> list[Condition]:
    """`">= 3.5.0, < 4.0.0"` as conditions; an empty string allows any version."""
    conditions = []
    for part in text.split(","):
        if not part.strip():
            if text.strip():
                raise ConstraintError(f"{text!r}: empty condition between commas")
            continue
        match = _CONDITION.match(part)
        if not match:
            raise ConstraintError(f"{part.strip()!r} is not a version condition (expected e.g. \"~> 1.2\")")
        op, version = match.groups()
        conditions.append(Condition(op or "=", Version.parse(version)))
    return conditions


def allows(conditions: list[Condition], version: Version | str) -> bool:
    v = Version.parse(version) if isinstance(version, str) else version
    return all(c.matches(v) for c in conditions)


def pick(conditions: list[Condition], preferred: Version | str | None = None) -> Version | None:
    """A version satisfying every condition: `preferred` (the version a schema describes) when
    it does, else the highest of the versions the conditions name (or step next to), else None.
    No conditions: `preferred`, or 1.0.0."""
    if isinstance(preferred, str):
        preferred = Version.parse(preferred)
    if preferred is not None and allows(conditions, preferred):
        return preferred
    if not conditions:
        return Version(1, 0, 0)
    found = [v for c in conditions for v in c.candidates() if allows(conditions, v)]
    return max(found) if found else None
