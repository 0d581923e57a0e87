"""Plain helpers for the offline provider tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.offline.fixture import DEFAULTS, Fixture
from generator.offline.proto import pb
from generator.offline.schema import ProviderSchema
from generator.offline.servicer import ProviderServicer
from generator.offline.wire import CtyType, from_msgpack, to_msgpack

from project_paths import REFERENCE

FIXTURE_SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
# Real `terraform providers schema -json` dumps, next to the repository in CI; read, never copied.
REFERENCE_DIR = REFERENCE


def make_servicer(provider: str, fixture: Fixture | None = None) -> ProviderServicer:
    """A servicer on the fixture schemas, answering from `fixture` (default: the built-in one)."""
    path = FIXTURE_SCHEMAS / f"{provider}.schema.json"
    return ProviderServicer(lambda: ProviderSchema(provider, path), fixture=fixture or Fixture(**DEFAULTS))


def dv(value: Any, ty: CtyType) -> Any:
    return pb.DynamicValue(msgpack=to_msgpack(value, ty))


def undv(dynamic_value: Any, ty: CtyType) -> Any:
    return from_msgpack(dynamic_value.msgpack, ty)
