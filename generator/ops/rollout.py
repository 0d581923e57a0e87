"""`avdgen rollout`: move an env's session hosts to its golden image version a batch at a time,
without dropping a user: the seed's "Roll Out Golden Image to Session Hosts" (Strategies 2 and
3), with the knobs platform teams know from Azure/AVDSessionHostReplacer (batch size, drain
grace period, forced logoff).

Each step is one edit of the profile's `session_hosts` (catalog/envs/<env>.yaml), a re-render and
a `terraform apply` in envs/<env>; between steps the host pool is read with `az rest` (the AVD
REST API, 2024-04-03: no CLI extension needed). With surge (the default), a batch is:

    add     new hosts on the version                 -> wait until each is Available
    drain   the batch's old hosts (no new sessions)  -> wait until their sessions end
    remove  the old hosts (their registrations first, then the VMs: no ghosts)

so the hosts taking new sessions never drop below session_host_count. Without surge the old
hosts are drained and then replaced in place (capacity drops by a batch). An env with a pilot
(pilot_session_host_count) moves the pilot first and stops until it is validated.

Nothing but the profile and Azure hold the progress: where an interrupted rollout stands is
read from them, so running it again resumes (a half-applied step is finished first).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from ..catalog.load import load_catalogs
from ..errors import GeneratorError
from .profile_edit import set_block_mapping, set_value
from .promotion import Change, Env, current_hosts, find_env, parse_version, pin
from .terraform_cli import TerraformCli

ARM = "https://management.azure.com"
AVD_API_VERSION = "2024-04-03"  # Microsoft.DesktopVirtualization, as the session-hosts module uses it
# A session host status that will not become Available by waiting (SessionHostProperties.status,
# desktopvirtualization 2024-04-03): stop at once.
FAILED_STATUSES = frozenset({"UpgradeFailed", "NotJoinedToDomain", "DomainTrustRelationshipLost", "FSLogixNotHealthy", "NeedsAssistance"})
DEFAULT_MESSAGE = "This desktop is being updated. Please save your work and sign out; sign in again to continue on an updated desktop."
HOST_MODULES = ("module.session_hosts.", "module.session_hosts_pilot[")


class RolloutError(GeneratorError):
    """The rollout cannot start: bad input, or the env is not in a state to roll out."""


class RolloutStopped(GeneratorError):
    """The rollout stopped on the way (an unhealthy host, users still signed in, a failed
    apply); what is done stays done, and running it again resumes."""

    exit_code = 1


# --- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    batch: int
    surge: bool = True
    health_timeout_minutes: int = 30
    drain_timeout_minutes: int = 60
    force_logoff: bool = False
    logoff_message: str = DEFAULT_MESSAGE
    logoff_grace_minutes: int = 5
    poll_seconds: int = 30


def parse_batch(value: int | str, capacity: int) -> int:
    """A count, or a percentage of the capacity rounded down (at least 1)."""
    text = str(value).strip()
    match = re.fullmatch(r"([1-9][0-9]?|100)%", text)
    if match:
        return max(1, capacity * int(match.group(1)) // 100)
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise RolloutError(f"--batch {value!r}: give a number of hosts (e.g. 1) or a percentage of session_host_count (e.g. 25%)")


def settings_for(env: Env, capacity: int, batch: str | None = None, surge: bool | None = None) -> Settings:
    """The profile's `rollout` settings, with the command line's batch and surge over them."""
    given = dict(env.profile.rollout or {})
    given.pop("github", None)
    given.pop("azure_devops", None)
    chosen = parse_batch(batch if batch is not None else given.pop("batch", 1), capacity)
    given.pop("batch", None)
    settings = Settings(batch=chosen, **given)
    return replace(settings, surge=settings.surge if surge is None else surge)


# --- the fleet, as the profile describes it --------------------------------------------------------


def _number(name: str) -> int:
    found = re.search(r"([0-9]+)$", name)
    return int(found.group(1)) if found else -1


def ordered(names) -> list[str]:
    return sorted(names, key=lambda n: (_number(n), n))


@dataclass(frozen=True)
class Fleet:
    """The session hosts by name, each `{image_version, allow_new_sessions?}`, and the pilot's version."""

    hosts: dict[str, dict]
    pilot_version: str | None

    def on(self, version: str) -> list[str]:
        return ordered(n for n, h in self.hosts.items() if h.get("image_version") == version)

    def not_on(self, version: str) -> list[str]:
        return ordered(n for n, h in self.hosts.items() if h.get("image_version") != version)

    def drained(self) -> list[str]:
        return ordered(n for n, h in self.hosts.items() if h.get("allow_new_sessions") is False)


@dataclass(frozen=True)
class Step:
    kind: str  # pilot | add | drain | remove | replace
    hosts: tuple[str, ...]

    def describe(self, version: str) -> str:
        names = ", ".join(self.hosts)
        return {
            "pilot": f"pilot: replace {names} with hosts on {version} (drained: no users), then wait until they are Available",
            "add": f"add {names} on {version}",
            "drain": f"drain {names} (no new sessions)",
            "remove": f"remove {names}: the registration, then the VM",
            "replace": f"replace {names} with hosts of the same name on {version}",
        }[self.kind]


def next_step(fleet: Fleet, version: str, settings: Settings, capacity: int, prefix: str, pilots: tuple[str, ...]) -> Step | None:
    """The step after the state `fleet` is in; None when every host runs `version`."""
    if pilots and fleet.pilot_version != version:
        return Step("pilot", pilots)
    old = fleet.not_on(version)
    if not old:
        return None
    drained = [n for n in fleet.drained() if n in old]
    if settings.surge:
        extra = len(fleet.hosts) - capacity
        if extra <= 0:
            return Step("add", _free_names(fleet, prefix, min(settings.batch, len(old))))
        victims = drained + [n for n in old if n not in drained][: max(0, extra - len(drained))]
        if any(n not in drained for n in victims):
            return Step("drain", tuple(ordered(victims)))
        return Step("remove", tuple(ordered(victims)))
    victims = drained or old[: settings.batch]
    if any(n not in drained for n in victims):
        return Step("drain", tuple(ordered(victims)))
    return Step("replace", tuple(ordered(victims)))


def _free_names(fleet: Fleet, prefix: str, count: int) -> tuple[str, ...]:
    """The lowest `<prefix>-<n>` not in use (a removed host's name is free again: its
    registration went with it)."""
    names, number = [], 0
    while len(names) < count:
        name = f"{prefix}-{number}"
        if name not in fleet.hosts:
            names.append(name)
        number += 1
    return tuple(names)


def after(fleet: Fleet, step: Step, version: str) -> Fleet:
    """The fleet once `step` is applied."""
    hosts = {n: dict(h) for n, h in fleet.hosts.items()}
    if step.kind == "pilot":
        return Fleet(hosts, version)
    for name in step.hosts:
        if step.kind in ("add", "replace"):
            hosts[name] = {"image_version": version}
        elif step.kind == "drain":
            hosts[name]["allow_new_sessions"] = False
        elif step.kind == "remove":
            del hosts[name]
    return Fleet(hosts, fleet.pilot_version)


# --- the plan --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RolloutPlan:
    root: Path
    env: Env
    version: str
    settings: Settings
    capacity: int
    prefix: str
    pilots: tuple[str, ...]
    fleet: Fleet
    steps: tuple[tuple[Step, Fleet], ...]  # each step and the fleet after it

    @property
    def env_dir(self) -> Path:
        return self.root / "envs" / self.env.name

    def describe(self) -> list[str]:
        old = self.fleet.not_on(self.version)
        lines = [
            f"Rollout of {self.env.name} to golden image {self.version}: {len(old)} of {len(self.fleet.hosts)} session host(s) to move"
            + (f" ({', '.join(old)})" if old else "") + ".",
        ]
        if not self.steps:
            lines.append("Nothing to do: every session host" + (" and the pilot run " if self.pilots else " runs ") + f"{self.version}.")
            return lines
        s = self.settings
        lines.append(
            f"Batches of {s.batch}, " + (
                f"surge: new hosts first, so at least {self.capacity} take sessions at every step."
                if s.surge else f"no surge: each batch is drained, then replaced (capacity drops to {self.capacity - s.batch})."
            )
        )
        lines.append(
            f"A new host must be Available within {s.health_timeout_minutes} min; drained hosts' users get {s.drain_timeout_minutes} min, "
            + (f"then a message and a logoff {s.logoff_grace_minutes} min later." if s.force_logoff else "then the rollout stops and says who is left.")
        )
        batch = 0
        for number, (step, _) in enumerate(self.steps, 1):
            batch += step.kind == ("add" if s.surge else "drain")  # where a batch starts
            label = "Pilot" if step.kind == "pilot" else f"Batch {batch}"
            lines.append(f"  {number:>2}. {label}: {step.describe(self.version)}")
            if step.kind == "pilot":
                lines.append("      then stop: validate the pilot, and run again with --pilot-validated")
        return lines


def plan_rollout(root: Path, env_name: str, version: str | None = None, batch: str | None = None, surge: bool | None = None) -> RolloutPlan:
    """The steps that move `env_name`'s hosts from where the profile says they are to the
    env's pinned golden image version (`version` must be that one: a guard, not a choice)."""
    env = find_env(load_catalogs(root), env_name)
    tfvars = env.profile.tfvars
    if tfvars.get("session_host_image_strategy", "aib_gallery") != "aib_gallery":
        raise RolloutError(f"{env_name}'s session hosts do not run the golden image (session_host_image_strategy = {tfvars['session_host_image_strategy']!r}): nothing to roll out")
    target = env.pinned
    if version is not None:
        parse_version(version)
        if version != target:
            raise RolloutError(
                f"{env_name} pins golden image {target}, not {version}: roll out the pinned version "
                f"(`avdgen promote --from <env> --to {env_name} {version}` or `avdgen rollback {env_name}` changes the pin)"
            )
    capacity = int(tfvars.get("session_host_count", env.catalog.variable("session_host_count").default))
    prefix = tfvars.get("session_host_name_prefix", env.catalog.variable("session_host_name_prefix").default)
    pilot_count = int(tfvars.get("pilot_session_host_count", env.catalog.variable("pilot_session_host_count").default))
    pilots = tuple(f"{prefix}p-{i}" for i in range(pilot_count))
    settings = settings_for(env, capacity, batch, surge)
    if not settings.surge and settings.batch >= capacity:
        raise RolloutError(f"a batch of {settings.batch} without surge would take all {capacity} hosts out of service at once: use a smaller batch, or surge")
    hosts = current_hosts(env)
    if not tfvars.get("pin_golden_image_version", True):
        # A host without its own version was made from the newest one at the time, which
        # may not be the pin: it moves too.
        given = tfvars.get("session_hosts") or {}
        for name, host in hosts.items():
            if not (given.get(name) or {}).get("image_version"):
                host.pop("image_version", None)
    fleet = Fleet(hosts, tfvars.get("pilot_image_version"))
    steps, state = [], fleet
    while (step := next_step(state, target, settings, capacity, prefix, pilots)) is not None:
        state = after(state, step, target)
        steps.append((step, state))
    return RolloutPlan(root, env, target, settings, capacity, prefix, pilots, fleet, tuple(steps))


# --- writing a step into the profile ----------------------------------------------------------------


def write_fleet(plan: RolloutPlan, fleet: Fleet) -> None:
    """The profile with the fleet's session_hosts (and pilot version), re-rendered."""
    path = plan.env.profile.path
    text = path.read_text(encoding="utf-8")
    entries = {name: {k: fleet.hosts[name][k] for k in ("image_version", "allow_new_sessions") if k in fleet.hosts[name]} for name in ordered(fleet.hosts)}
    text = set_block_mapping(text, ("tfvars", "session_hosts"), entries)
    if fleet.pilot_version is not None and fleet.pilot_version != plan.env.profile.tfvars.get("pilot_image_version"):
        text = set_value(text, ("tfvars", "pilot_image_version"), fleet.pilot_version)
    if text != path.read_text(encoding="utf-8"):
        pin(plan.root, Change(plan.env.name, plan.version, plan.version, {path: text}))


# --- the host pool, through az rest -----------------------------------------------------------------


@dataclass(frozen=True)
class HostState:
    status: str
    sessions: int
    allow_new: bool
    name: str  # the session host's name in the pool (the VM name, or its FQDN when AD-joined)

    @property
    def serving(self) -> bool:
        return self.status == "Available" and self.allow_new


class HostPool(Protocol):
    def hosts(self) -> dict[str, HostState]: ...  # by VM name, lower case
    def user_sessions(self, host: HostState) -> list[str]: ...  # user session IDs
    def send_message(self, session_id: str, title: str, body: str) -> None: ...
    def log_off(self, session_id: str) -> None: ...


Run = Callable[[list[str]], tuple[int, str, str]]


class AzRestHostPool:
    """The AVD REST API through `az rest` (SessionHosts_List, UserSessions_ListByHostPool...,
    UserSessions_SendMessage, UserSessions_Delete ?force=true); `quiet` runs the polls unshown."""

    def __init__(self, host_pool_id: str, run: Run, quiet: Run):
        self.host_pool_id = host_pool_id
        self.run, self.quiet = run, quiet

    def _call(self, runner: Run, method: str, path: str, body: dict | None = None, query: str = "") -> dict:
        url = f"{ARM}{path}?api-version={AVD_API_VERSION}{query}"
        argv = ["az", "rest", "--method", method, "--url", url, "--output", "json"]
        if body is not None:
            argv += ["--body", json.dumps(body)]
        code, out, err = runner(argv)
        if code != 0:
            raise RolloutStopped(f"az rest --method {method} {path} failed (exit {code})", (err.strip() or out.strip()).splitlines()[-10:])
        return json.loads(out) if out.strip() else {}

    def hosts(self) -> dict[str, HostState]:
        listed = self._call(self.quiet, "get", f"{self.host_pool_id}/sessionHosts").get("value", [])
        found = {}
        for host in listed:
            name = host["name"].split("/")[-1]
            p = host.get("properties") or {}
            found[name.split(".")[0].lower()] = HostState(p.get("status", "Unavailable"), int(p.get("sessions") or 0), p.get("allowNewSession", True) is not False, name)
        return found

    def user_sessions(self, host: HostState) -> list[str]:
        listed = self._call(self.quiet, "get", f"{self.host_pool_id}/sessionHosts/{host.name}/userSessions").get("value", [])
        return [s["id"] for s in listed]

    def send_message(self, session_id: str, title: str, body: str) -> None:
        self._call(self.run, "post", f"{session_id}/sendMessage", {"messageTitle": title, "messageBody": body})

    def log_off(self, session_id: str) -> None:
        self._call(self.run, "delete", session_id, query="&force=true")


@dataclass(frozen=True)
class Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


# --- running it ---------------------------------------------------------------------------------------


@dataclass
class Runner:
    plan: RolloutPlan
    terraform: TerraformCli
    pool_for: Callable[[str], HostPool]
    echo: Callable[[str], None]
    clock: Clock = field(default_factory=Clock)
    pilot_validated: bool = False
    batches: int | None = None  # stop once this many batches are done (None: all)
    after_step: Callable[[Step, HostPool], None] = lambda step, pool: None  # for tests and logs

    def run(self) -> str:
        """Run every step; returns the closing line. Raises RolloutStopped where it stops."""
        plan = self.plan
        if not (plan.env_dir / ".terraform").is_dir():
            # Its backend needs the operator's settings (backend.hcl), so the rollout does not init.
            raise RolloutError(f"envs/{plan.env.name} is not initialised: run `terraform init` there first (with -backend-config=backend.hcl for remote state)")
        self._finish_pending(plan.fleet)
        pool = self.pool_for(self.terraform.output("host_pool_id"))
        fleet, total, finished = plan.fleet, len(plan.steps), 0
        for number, (step, then) in enumerate(plan.steps, 1):
            if self.batches is not None and finished == self.batches:
                self._wait_healthy(pool, tuple(fleet.on(plan.version)))
                return f"Stopped after {self.batches} batch(es), as asked (--batches): run the same command again to go on."
            self._before(step, fleet, pool)
            self.echo(f"[{number}/{total}] {step.describe(plan.version)}")
            write_fleet(plan, then)
            self.echo(f"  {self._apply()}")
            fleet = then
            finished += step.kind in ("remove", "replace")  # where a batch ends
            self.after_step(step, pool)
            if step.kind == "pilot":
                self._wait_healthy(pool, step.hosts)
                if not self.pilot_validated:
                    return (
                        f"Pilot ready: {', '.join(step.hosts)} run {plan.version}, drained (no users). Validate them (sign in as an "
                        f"admin, run your checks), then run `avdgen rollout {plan.env.name} --to {plan.version} --run --pilot-validated`."
                    )
        if plan.steps:
            self._wait_healthy(pool, tuple(fleet.on(plan.version)))
        return f"{plan.env.name}: all {len(fleet.hosts)} session host(s) run {plan.version}."

    # -- before each step -------------------------------------------------------------------------------

    def _before(self, step: Step, fleet: Fleet, pool: HostPool) -> None:
        plan = self.plan
        if step.kind != "pilot" and plan.pilots:
            self._wait_healthy(pool, plan.pilots)
            if not self.pilot_validated:
                raise RolloutStopped(
                    f"the pilot ({', '.join(plan.pilots)}) runs {plan.version} and waits for validation: "
                    f"run again with --pilot-validated once it is validated"
                )
        if step.kind == "drain":
            self._wait_healthy(pool, tuple(fleet.on(plan.version)))
        if step.kind in ("remove", "replace"):
            self._wait_drained(pool, step.hosts)
        if step.kind == "remove":
            serving = [n for n, h in pool.hosts().items() if h.serving and n not in {v.lower() for v in step.hosts}]
            if len(serving) < plan.capacity:
                raise RolloutStopped(
                    f"removing {', '.join(step.hosts)} would leave {len(serving)} host(s) taking sessions, fewer than "
                    f"session_host_count ({plan.capacity}): {', '.join(sorted(serving)) or 'none'}. Check the host pool, then run again"
                )

    # -- waiting ------------------------------------------------------------------------------------------

    def _wait(self, timeout_minutes: float, check: Callable[[], str | None]) -> str | None:
        """Poll `check` (None: done; else what is still awaited) until done or the timeout; the
        last answer (None when done)."""
        start = self.clock.now()
        deadline = start + timeout_minutes * 60
        while True:
            waiting = check()
            if waiting is None:
                minutes = (self.clock.now() - start) / 60
                self.echo(f"  done after {minutes:.0f} min" if minutes >= 1 else "  done")
            if waiting is None or self.clock.now() >= deadline:
                return waiting
            self.clock.sleep(min(self.plan.settings.poll_seconds, max(0.0, deadline - self.clock.now())))

    def _wait_healthy(self, pool: HostPool, names: tuple[str, ...]) -> None:
        if not names:
            return
        minutes = self.plan.settings.health_timeout_minutes
        self.echo(f"  waiting for {', '.join(names)} to be Available in the host pool (up to {minutes} min)")

        def check() -> str | None:
            found = pool.hosts()
            for name in names:
                host = found.get(name.lower())
                if host is not None and host.status in FAILED_STATUSES:
                    raise RolloutStopped(f"{name} is {host.status} in the host pool: the rollout stopped before it took users. Fix or remove the host, then run again")
            waiting = [f"{n} ({found[n.lower()].status if n.lower() in found else 'not registered'})" for n in names if n.lower() not in found or found[n.lower()].status != "Available"]
            return ", ".join(waiting) or None

        waiting = self._wait(minutes, check)
        if waiting:
            raise RolloutStopped(f"not Available after {minutes} min: {waiting}. The rollout stopped before those hosts took users; run again once they are healthy")

    def _wait_drained(self, pool: HostPool, names: tuple[str, ...]) -> None:
        s = self.plan.settings

        def check() -> str | None:
            found = pool.hosts()
            busy = [f"{n} ({found[n.lower()].sessions} session(s))" for n in names if n.lower() in found and found[n.lower()].sessions > 0]
            return ", ".join(busy) or None

        self.echo(f"  waiting for the users of {', '.join(names)} to sign out (up to {s.drain_timeout_minutes} min)")
        busy = self._wait(s.drain_timeout_minutes, check)
        if not busy:
            return
        if not s.force_logoff:
            raise RolloutStopped(
                f"still signed in after {s.drain_timeout_minutes} min of drain: {busy}. Run again to keep waiting, or set "
                f"rollout.force_logoff: true in {self.plan.env.profile.path.name} to log them off after a message"
            )
        found = pool.hosts()
        sessions = [sid for n in names if n.lower() in found for sid in pool.user_sessions(found[n.lower()])]
        self.echo(f"  {len(sessions)} user(s) left: a message, then a logoff in {s.logoff_grace_minutes} min")
        for session_id in sessions:
            pool.send_message(session_id, "Your desktop is being updated", s.logoff_message)
        self.clock.sleep(s.logoff_grace_minutes * 60)
        for session_id in sessions:
            pool.log_off(session_id)
        if self._wait(5, check):
            raise RolloutStopped(f"users are still signed in after the logoff: {check()}; run again")

    # -- terraform ----------------------------------------------------------------------------------------

    def _apply(self) -> str:
        try:
            return self.terraform.apply()
        except GeneratorError as error:
            raise RolloutStopped(f"terraform apply failed in envs/{self.plan.env.name}: the rollout stopped; fix the cause and run again to resume", error.details) from None

    def _finish_pending(self, fleet: Fleet) -> None:
        """Make the promoted version's copy, and finish a step an earlier run wrote but did not
        apply; refuse changes that are not the rollout's (they would go out with its first
        apply), or that would take a host that still takes sessions."""
        pending = self.terraform.changes()
        if not pending:
            return
        # A promoted version's copy (golden_image_promoted_versions) is the rollout's to make:
        # the hosts need it, and a promotion merged is what starts the rollout pipeline.
        copies = [a for a, actions in pending if ".azapi_resource.copied_version[" in a and actions == ["create"]]
        others = [a for a, _ in pending if not a.startswith(HOST_MODULES) and a not in copies]
        if others:
            raise RolloutError(
                f"envs/{self.plan.env.name} has changes to apply that are not the rollout's: review and apply them first",
                [f"{a}" for a in others[:10]] + ([f"... and {len(others) - 10} more"] if len(others) > 10 else []),
            )
        draining = set(fleet.drained()) | {n for n in self.plan.pilots}
        live = sorted({
            _host_of(a) for a, actions in pending
            if ".azurerm_windows_virtual_machine.this[" in a and actions != ["create"] and _host_of(a) not in draining
        })
        if live:
            raise RolloutError(
                f"envs/{self.plan.env.name} would change, replace or remove the VMs of {', '.join(live)}, which still take sessions: "
                "that is not a rollout step (was session_host_vm_size or another host setting changed?); apply it yourself if it is meant"
            )
        if copies:
            self.echo(f"Copying the promoted version(s) first: {', '.join(_host_of(a) for a in copies)}")
        if len(pending) > len(copies):
            self.echo(f"Finishing the last step first: {len(pending) - len(copies)} change(s) to the session hosts")
        self.echo(f"  {self._apply()}")


def _host_of(address: str) -> str:
    found = re.search(r'\["([^"]+)"\]$', address)
    return found.group(1) if found else address
