"""The simulated cloud from outside Terraform: what an operator does with `az` between applies.

Scenario tests (and fixtures that need a world that exists before the apply) drive the cloud the
offline providers apply to with these verbs, so a scenario reads like the real runbook:

    azure = SimulatedAzure(workspace.cloud)
    azure.image_builder_run("avd-dev-rg", "avd-golden-image-dev")    # az image builder run
    azure.advance(minutes=90)                                        # the build takes a while
    azure.image_builder_show("avd-dev-rg", "avd-golden-image-dev")   # lastRunStatus: Succeeded

Every verb is one locked session on the cloud file, like one `az` command against Azure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from . import services
from .cloud import Cloud, Record, iso
from .fixture import Fixture

TEMPLATES = "Microsoft.VirtualMachineImages/imageTemplates"


class SimulatedAzure:
    def __init__(self, path: Path | str, now: datetime | None = None):
        self.path = Path(path)
        self.base_now = now or Fixture.from_env().clock()

    @contextmanager
    def _session(self) -> Iterator[Cloud]:
        with Cloud.session(self.path, self.base_now) as cloud:
            yield cloud

    def _template_id(self, resource_group: str, name: str) -> str:
        return f"/subscriptions/{_subscription()}/resourceGroups/{resource_group}/providers/{TEMPLATES}/{name}"

    # --- the clock ----------------------------------------------------------------------------------

    def now(self) -> datetime:
        with self._session() as cloud:
            return cloud.now()

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> None:
        """Let time pass in the cloud: builds finish, agents register, tokens expire."""
        with self._session() as cloud:
            cloud.advance(timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds).total_seconds())

    # --- what the scenario says about the world ----------------------------------------------------

    def fail_when(self, match: str, exit_code: int = 1) -> None:
        """Any command a build runs that contains `match` fails (e.g. one Chocolatey package)."""
        with self._session() as cloud:
            cloud.fail_when(match, exit_code)

    def host_pool(self, host_pool_id: str, registration_token: str, expires_in: timedelta = timedelta(days=7)) -> None:
        """A host pool made elsewhere, with a registration token its agents can use."""
        with self._session() as cloud:
            if cloud.find(host_pool_id) is None:
                cloud.store(Record(host_pool_id, services.HOST_POOLS, {"id": host_pool_id, "properties": {}}, {"created": iso(cloud.now())}))
            services.set_registration(cloud, host_pool_id, registration_token, iso(cloud.now() + expires_in))

    def image_version(self, version_id: str, regions: list[str], exclude_from_latest: bool = False) -> None:
        """A gallery image version built before (by an earlier build, or another team)."""
        with self._session() as cloud:
            cloud.store(Record(version_id, services.GALLERY_VERSIONS, {
                "id": version_id,
                "name": version_id.rsplit("/", 1)[1],
                "properties": {
                    "provisioningState": "Succeeded",
                    "publishingProfile": {"targetRegions": [{"name": r} for r in regions], "excludeFromLatest": exclude_from_latest, "publishedDate": iso(cloud.now())},
                },
            }, {"created": iso(cloud.now())}))

    def setting(self, name: str, value: Any) -> None:
        """Tune the simulation, e.g. `registration_seconds` (how long an agent takes to register)."""
        with self._session() as cloud:
            cloud.data["settings"][name] = value

    # --- az image builder ------------------------------------------------------------------------------

    def image_builder_run(self, resource_group: str, name: str) -> None:
        """`az image builder run --resource-group RG --name NAME --no-wait`."""
        with self._session() as cloud:
            services.request(cloud, "POST", self._template_id(resource_group, name) + "/run", {}, "2024-02-01")

    def image_builder_cancel(self, resource_group: str, name: str) -> None:
        """`az image builder cancel --resource-group RG --name NAME`."""
        with self._session() as cloud:
            services.request(cloud, "POST", self._template_id(resource_group, name) + "/cancel", {}, "2024-02-01")

    def image_builder_show(self, resource_group: str, name: str) -> dict[str, Any]:
        """`az image builder show --resource-group RG --name NAME`: the template as Azure returns it."""
        with self._session() as cloud:
            body = services.request(cloud, "GET", self._template_id(resource_group, name), None, "2024-02-01")
            record = cloud.find(self._template_id(resource_group, name))
            status = body["properties"].get("lastRunStatus")
            if status and status.get("runState") == "Running":
                status["runSubState"] = services.run_sub_state(cloud, record)
            return body

    def image_builder_list(self, resource_group: str) -> list[dict[str, Any]]:
        with self._session() as cloud:
            prefix = f"/subscriptions/{_subscription()}/resourceGroups/{resource_group}/".lower()
            return [r.body for r in cloud.of_type(TEMPLATES) if r.id.lower().startswith(prefix)]

    # --- az sig ---------------------------------------------------------------------------------------

    def sig_image_version_list(self, resource_group: str, gallery: str, definition: str) -> list[dict[str, Any]]:
        """`az sig image-version list ...`: the versions of an image definition."""
        definition_id = f"/subscriptions/{_subscription()}/resourceGroups/{resource_group}/providers/Microsoft.Compute/galleries/{gallery}/images/{definition}"
        with self._session() as cloud:
            return [r.body for r in cloud.children(definition_id, services.GALLERY_VERSIONS)]

    def sig_image_version_delete(self, resource_group: str, gallery: str, definition: str, version: str) -> None:
        """`az sig image-version delete ... --gallery-image-version VERSION`."""
        version_id = f"/subscriptions/{_subscription()}/resourceGroups/{resource_group}/providers/Microsoft.Compute/galleries/{gallery}/images/{definition}/versions/{version}"
        with self._session() as cloud:
            services.request(cloud, "DELETE", version_id, None, "2024-03-03")

    # --- AVD ------------------------------------------------------------------------------------------

    def register_session_host(self, host_pool_id: str, name: str, vm_id: str) -> None:
        """What a VM's AVD agent does when it registers: the host's record appears in the pool."""
        with self._session() as cloud:
            services.agent_registered(cloud, {"host_pool": host_pool_id, "host": name, "vm": vm_id})

    def users_sign_in(self, host_pool_id: str, host: str, count: int, stay_minutes: float | None = None) -> list[str]:
        """`count` users sign in to session host `host` (its name in the pool); each signs out
        after `stay_minutes` (None: not until logged off). Returns the user session IDs."""
        with self._session() as cloud:
            return services.users_sign_in(cloud, f"{host_pool_id}/sessionHosts/{host}", count, None if stay_minutes is None else stay_minutes * 60)

    def host_comes_up(self, name: str, status: str) -> None:
        """The VM `name`'s AVD agent will register with `status` (e.g. NeedsAssistance) instead of Available."""
        with self._session() as cloud:
            unhealthy = dict(cloud.setting("unhealthy_hosts", {}))
            unhealthy[name.lower()] = status
            cloud.data["settings"]["unhealthy_hosts"] = unhealthy

    def messages(self) -> list[dict[str, Any]]:
        """What `sendMessage` sent to users, oldest first: `{"session", "messageTitle", "messageBody", "at"}`."""
        with self._session() as cloud:
            return list(cloud.data.get("messages", []))

    def session_hosts(self, host_pool_id: str) -> list[dict[str, Any]]:
        """`GET .../hostPools/HP/sessionHosts`: the host pool's registrations."""
        with self._session() as cloud:
            return [r.body for r in cloud.children(host_pool_id, services.SESSION_HOSTS)]

    # --- what was asked of Azure ---------------------------------------------------------------------

    def requests(self, method: str | None = None, containing: str = "") -> list[dict[str, Any]]:
        """The request log, oldest first: `{"at", "method", "id", "status", "code"}`."""
        with self._session() as cloud:
            return [e for e in cloud.data["log"] if (method is None or e["method"] == method) and containing.lower() in e["id"].lower()]

    def resources(self, resource_type: str) -> list[dict[str, Any]]:
        with self._session() as cloud:
            return [r.body for r in cloud.of_type(resource_type)]

    def resource(self, resource_id: str) -> dict[str, Any] | None:
        """`az resource show --ids ID`: the resource's body, or None when it does not exist."""
        with self._session() as cloud:
            found = cloud.find(resource_id)
            return None if found is None else found.body

    def delete(self, resource_id: str) -> None:
        """`az resource delete --ids ID`: raises AzureError where the service (or a lock) refuses."""
        with self._session() as cloud:
            services.request(cloud, "DELETE", resource_id)


def _subscription() -> str:
    return os.environ.get("AVDGEN_OFFLINE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-000000000001")
