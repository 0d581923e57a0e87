"""The simulated Azure behind the offline provider's apply: what exists, and a clock.

One cloud is one JSON file (`AVDGEN_OFFLINE_CLOUD`, else `.terraform/avdgen-offline-cloud.json`
in the directory Terraform runs in). It outlives a `terraform apply`: every provider process
(azurerm, azapi, time, each spawned or reattached) reads and writes the same file, under an
exclusive lock, so a VM extension applied by azurerm registers a session host that azapi then
PATCHes, and a second apply finds what the first created. Deleting Terraform's state leaves the
cloud as it is, as deleting state leaves Azure as it is.

What it keeps:
- resources by ARM ID (case-insensitive, as ARM IDs are), each with its ARM type, body and the
  service's own state (an Image Builder template's lastRunStatus, say);
- a clock: the fixture's time plus an offset that tests (and simulated waits: time_sleep,
  azapi's retries) move forward; scheduled events (a build finishing, an agent registering)
  happen when the clock passes them;
- what the scenario says will fail (a command a build runs, see customizers.py);
- a log of every request, for assertions (`DELETE .../sessionHosts/h1 -> 200`).

The rules each service applies to a request are in services.py (`services.request`); this
module only stores and moves the clock. `Cloud.session(path, now)` is the one way in, for the
provider and for tests (simulator.py wraps it with az-like verbs).
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

CLOUD_ENV = "AVDGEN_OFFLINE_CLOUD"
DEFAULT_CLOUD = Path(".terraform") / "avdgen-offline-cloud.json"
ARM = "https://management.azure.com"
LOG_KEPT = 2000  # requests remembered, newest last

# What happens when a scheduled event is due, by kind: filled in by services.py, which owns them.
EVENTS: dict[str, Any] = {}


def cloud_path(environ: dict[str, str] | None = None) -> Path:
    """Where this process's cloud lives: $AVDGEN_OFFLINE_CLOUD, else beside Terraform's data."""
    environ = os.environ if environ is None else environ
    given = environ.get(CLOUD_ENV)
    return Path(given) if given else Path.cwd() / DEFAULT_CLOUD


class AzureError(Exception):
    """An ARM error response: HTTP status, error code and message, as the service sends them."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    def response(self, method: str, resource_id: str, api_version: str | None = None) -> str:
        """The text of the error as azapi shows it: azcore's ResponseError (method and URL, status,
        error code, the JSON body), sdk/azcore/runtime/errors.go in azure-sdk-for-go."""
        url = f"{ARM}{resource_id}" + (f"?api-version={api_version}" if api_version else "")
        rule = "-" * 80
        body = json.dumps({"error": {"code": self.code, "message": self.message}}, indent=2)
        return (
            f"{method} {url}\n{rule}\nRESPONSE {self.status}: {self.status} {_REASONS.get(self.status, '')}\n"
            f"ERROR CODE: {self.code}\n{rule}\n{body}\n{rule}\n"
        )


_REASONS = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict"}


def not_found(resource_id: str) -> AzureError:
    # ARM's answer for a resource that does not exist (the type's provider may word it its own way).
    return AzureError(404, "ResourceNotFound", f"The Resource '{arm_type(resource_id)}/{resource_id.rsplit('/', 1)[-1]}' was not found.")


def arm_type(resource_id: str) -> str:
    """`Microsoft.Compute/galleries/images` for `.../providers/Microsoft.Compute/galleries/g/images/i`."""
    if "/providers/" not in resource_id:
        parts = resource_id.strip("/").split("/")
        return "Microsoft.Resources/resourceGroups" if len(parts) >= 4 and parts[2].lower() == "resourcegroups" else "Microsoft.Resources/subscriptions"
    namespace, *rest = resource_id.rsplit("/providers/", 1)[1].split("/")
    return "/".join([namespace, *rest[0::2]])


def plain(value: Any) -> Any:
    """`value` with only JSON types (the wire's Decimals become numbers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@dataclass
class Record:
    id: str
    type: str  # ARM type, e.g. Microsoft.VirtualMachineImages/imageTemplates
    body: dict[str, Any]  # what was sent, plus what the service computed (read-only properties)
    service: dict[str, Any]  # the service's own bookkeeping, never returned as such

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "body": self.body, "service": self.service}


class Cloud:
    """One loaded cloud. Mutate it inside `session`; it is written back when the block ends."""

    def __init__(self, data: dict[str, Any], base_now: datetime, fixture: Any = None):
        self.data = data
        # The pretend identity of the provider that opened the session (a warm server serves
        # runs with different AVDGEN_OFFLINE_* overrides); None: this process's (fixture.py).
        self.fixture = fixture
        # The clock starts once, when the cloud is made: every process then agrees on it, even
        # one started with another AVDGEN_OFFLINE_NOW.
        data.setdefault("epoch", iso(base_now))
        self.base_now = datetime.fromisoformat(data["epoch"].replace("Z", "+00:00"))
        data.setdefault("clock_offset_seconds", 0)
        data.setdefault("resources", {})
        data.setdefault("events", [])
        data.setdefault("failures", [])
        data.setdefault("log", [])
        data.setdefault("settings", {})

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def session(cls, path: Path, base_now: datetime, fixture: Any = None) -> Iterator[Cloud]:
        """The cloud at `path`, locked against every other process for the block; saved after."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                text = path.read_text(encoding="utf-8") if path.exists() else ""
                cloud = cls(json.loads(text) if text.strip() else {}, base_now, fixture)
                cloud.settle()
                yield cloud
                tmp = path.with_name(f".{path.name}.{os.getpid()}")
                tmp.write_text(json.dumps(cloud.data, indent=1, sort_keys=True), encoding="utf-8")
                os.replace(tmp, path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # --- clock and events ---------------------------------------------------------------------

    def now(self) -> datetime:
        return self.base_now + timedelta(seconds=self.data["clock_offset_seconds"])

    def advance(self, seconds: float) -> None:
        """Let simulated time pass; whatever was due in that time happens, in order."""
        target = self.data["clock_offset_seconds"] + seconds
        for event in sorted(self.data["events"], key=lambda e: e["at"]):
            if event["at"] <= target and event in self.data["events"]:
                self.data["clock_offset_seconds"] = max(self.data["clock_offset_seconds"], event["at"])
                self._fire(event)
        self.data["clock_offset_seconds"] = target

    def settle(self) -> None:
        """Fire the events already due (another process may have moved the clock)."""
        self.advance(0)

    def schedule(self, after_seconds: float, kind: str, **details: Any) -> None:
        self.data["events"].append({"at": self.data["clock_offset_seconds"] + after_seconds, "kind": kind, **details})

    def _fire(self, event: dict[str, Any]) -> None:
        self.data["events"].remove(event)
        EVENTS[event["kind"]](self, event)

    # --- resources ----------------------------------------------------------------------------

    def find(self, resource_id: str) -> Record | None:
        entry = self.data["resources"].get(resource_id.lower())
        return Record(**copy.deepcopy(entry)) if entry else None

    def store(self, record: Record) -> None:
        self.data["resources"][record.id.lower()] = copy.deepcopy(record.to_json())

    def remove(self, resource_id: str) -> None:
        self.data["resources"].pop(resource_id.lower(), None)

    def children(self, resource_id: str, child_type: str | None = None) -> list[Record]:
        """Resources below `resource_id` (optionally only of one ARM type)."""
        prefix = resource_id.lower().rstrip("/") + "/"
        found = [Record(**copy.deepcopy(r)) for key, r in sorted(self.data["resources"].items()) if key.startswith(prefix)]
        return [r for r in found if child_type is None or r.type.lower() == child_type.lower()]

    def of_type(self, resource_type: str) -> list[Record]:
        return [Record(**copy.deepcopy(r)) for _, r in sorted(self.data["resources"].items()) if r["type"].lower() == resource_type.lower()]

    # --- the request log ----------------------------------------------------------------------------

    def log(self, method: str, resource_id: str, status: int, code: str | None) -> None:
        self.data["log"].append({"at": round(self.data["clock_offset_seconds"], 3), "method": method, "id": resource_id, "status": status, "code": code})
        del self.data["log"][:-LOG_KEPT]

    # --- what the scenario says will fail ---------------------------------------------------------

    def failing(self) -> list[dict[str, Any]]:
        return list(self.data["failures"])

    def fail_when(self, match: str, exit_code: int = 1) -> None:
        """Make any build command containing `match` fail with `exit_code` (see customizers.py)."""
        self.data["failures"].append({"match": match, "exit_code": exit_code})

    def serial(self, key: str) -> int:
        """How many values were generated for `key` before (0, 1, ...), counting this one: the
        provider protocol never names a resource's address, so identical configurations of a
        random_pet at two addresses tell themselves apart by this (generic.py)."""
        serials = self.data.setdefault("serials", {})
        serials[key] = serials.get(key, 0) + 1
        return serials[key] - 1

    def setting(self, name: str, default: Any) -> Any:
        return self.data["settings"].get(name, default)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
