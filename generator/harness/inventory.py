"""Plan inventories, Fabric style: expected values (partial, by address), counts and outputs.

Semantics (cloud-foundation-fabric tests/fixtures.py):
- values: every expected key must be in the planned value; unlisted keys are ignored; lists must
  have equal length and are compared element by element, in order (so the order of AIB build
  steps is asserted); strings compare after strip; "__missing__" means the key must be absent.
- counts: exact per listed resource type; 0 means the type must not appear.
- outputs: exact; "__missing__" for an output unknown at plan time.
"""

from __future__ import annotations

from typing import Any

import yaml

from .plan import PlanSummary

MISSING = "__missing__"
# Values that change with the machine or carry no meaning for a reader.
IGNORED_ATTRIBUTES = {"timeouts"}


def _compare(expected: Any, actual: Any, where: str, problems: list[str]) -> None:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append(f"{where}: expected an object, planned {actual!r}")
            return
        for key, value in expected.items():
            if value == MISSING:
                if actual.get(key) is not None:
                    problems.append(f"{where}.{key}: expected absent, planned {actual[key]!r}")
            elif key not in actual:
                problems.append(f"{where}.{key}: expected {value!r}, but it is not planned (unknown until apply, or absent)")
            else:
                _compare(value, actual[key], f"{where}.{key}", problems)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            problems.append(f"{where}: expected {len(expected)} item(s), planned {actual!r}")
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            _compare(e, a, f"{where}[{i}]", problems)
    elif isinstance(expected, str) and isinstance(actual, str):
        if expected.strip() != actual.strip():
            problems.append(f"{where}: expected {expected!r}, planned {actual!r}")
    elif expected != actual:
        problems.append(f"{where}: expected {expected!r}, planned {actual!r}")


def check(inventory: dict[str, Any], summary: PlanSummary) -> list[str]:
    """Every difference between an inventory and a plan summary, one line each."""
    problems: list[str] = []
    for address, expected in (inventory.get("values") or {}).items():
        if address not in summary.values:
            problems.append(f"values: {address} is not in the plan")
        else:
            _compare(expected, summary.values[address], address, problems)
    for type_, count in (inventory.get("counts") or {}).items():
        if summary.counts.get(type_, 0) != count:
            problems.append(f"counts.{type_}: expected {count}, planned {summary.counts.get(type_, 0)}")
    for name, expected in (inventory.get("outputs") or {}).items():
        actual = summary.outputs.get(name, MISSING)
        actual = MISSING if actual == "__unknown__" else actual
        if actual != expected:
            problems.append(f"outputs.{name}: expected {expected!r}, got {actual!r}")
    return problems


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in IGNORED_ATTRIBUTES and v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def inventory_of(summary: PlanSummary) -> dict[str, Any]:
    """The inventory a plan satisfies: the starting point for a new or regenerated fixture."""
    return {
        "values": {address: _strip(values) for address, values in sorted(summary.values.items())},
        "counts": dict(sorted(summary.counts.items())),
        "outputs": {k: (MISSING if v == "__unknown__" else v) for k, v in sorted(summary.outputs.items())},
    }


def dump(inventory: dict[str, Any]) -> str:
    return yaml.safe_dump(inventory, sort_keys=False, allow_unicode=True, width=120)
