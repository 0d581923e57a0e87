"""The pretend Azure world the offline provider answers from: identity, clock, location.

Every value is fixed (so plans and outputs can be asserted) and overridable by environment
variables; a provider block's `subscription_id`/`tenant_id`/`client_id` win over both, as they
do for the real providers.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

_NAMESPACE = uuid.UUID("6f1c3a52-0d7e-4f4c-9a51-a5d6e0ff0f11")  # for uuid5 GUIDs, fixed forever

DEFAULTS = {
    "subscription_id": "00000000-0000-0000-0000-000000000001",
    "tenant_id": "00000000-0000-0000-0000-000000000002",
    "client_id": "00000000-0000-0000-0000-000000000003",
    "object_id": "00000000-0000-0000-0000-000000000004",
    # Azure Image Builder's first-party service principal ("Azure Virtual Machine Image
    # Builder", app ID cf32a0cc-373c-47c9-9156-0db11f6a6dfc) in the pretend tenant.
    "image_builder_object_id": "00000000-0000-0000-0000-000000000005",
    "location": "westeurope",
    "now": "2025-01-01T00:00:00Z",
}


@dataclass(frozen=True)
class Fixture:
    subscription_id: str
    tenant_id: str
    client_id: str
    object_id: str
    image_builder_object_id: str
    location: str
    now: str  # RFC 3339, UTC

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Fixture:
        """Defaults, overridden by AVDGEN_OFFLINE_<FIELD> (e.g. AVDGEN_OFFLINE_SUBSCRIPTION_ID)
        in `environ` (default: this process's environment)."""
        environ = os.environ if environ is None else environ
        return cls(**{k: environ.get(f"AVDGEN_OFFLINE_{k.upper()}", v) for k, v in DEFAULTS.items()})

    def configured(self, provider_config: Any) -> Fixture:
        """This fixture with identity values set in the provider block."""
        if not isinstance(provider_config, dict):
            return self
        given = {
            k: provider_config[k]
            for k in ("subscription_id", "tenant_id", "client_id")
            if isinstance(provider_config.get(k), str) and provider_config[k]
        }
        return replace(self, **given)

    @property
    def subscription(self) -> str:
        return f"/subscriptions/{self.subscription_id}"

    def clock(self) -> datetime:
        return datetime.fromisoformat(self.now.replace("Z", "+00:00")).astimezone(UTC)


def guid(*parts: Any) -> str:
    """A GUID derived from `parts`: stable across runs and machines."""
    return str(uuid.uuid5(_NAMESPACE, "|".join(str(p) for p in parts)))


def digest(*parts: Any, length: int = 8) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:length]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
