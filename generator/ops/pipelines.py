"""The CI files: scheduled golden image builds and rollouts, for GitHub Actions and Azure DevOps.

Each env profile that builds its golden image gets `.github/workflows/golden-image-<env>.yml` and
`pipelines/azure-pipelines-golden-image-<env>.yml`, rendered from templates/pipelines/ and the
profile's optional `build` section (defaults below). Both start the build without waiting, poll
`lastRunStatus` and print the run output's `artifactId`, with the commands of build.py.

Each profile with a `rollout` section and remote state gets `.github/workflows/rollout-<env>.yml`
and `pipelines/azure-pipelines-rollout-<env>.yml`: `avdgen rollout <env> --run` after a
promotion or rollback is merged (or a build succeeds), in a deployment environment whose
approval is the gate (and, with a pilot, a second approval once the pilot is validated).

Every GitHub Action a workflow uses is pinned to a commit in catalog/pipelines.yaml (`actions:`),
checked against pipelines.schema.json; the templates write `{{ "owner/repo" | action }}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from ..catalog.load import root_catalog
from ..catalog.model import Catalog, Profile
from ..catalog.source import check_schema, read_yaml
from ..errors import TemplateError
from ..render.artifact import Artifact
from ..render.templates import environment, header_for
from . import build as bc

TEMPLATES = "pipelines"
PIPELINES_FILE = Path("catalog") / "pipelines.yaml"
TIMEOUT_MARGIN_MINUTES = 60  # queueing, validation and replication beyond buildTimeoutInMinutes
JOB_MARGIN_MINUTES = 15  # the CI job outlives the poll loop, so a timeout is reported, not killed
START_TIMEOUT_MINUTES = 15  # a run accepted with --no-wait shows up in lastRunStatus well before this
DEFAULT_SCHEDULE = "monthly"  # the Tuesday a week after Patch Tuesday
CRON_WEEKDAYS = {"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6}


@dataclass(frozen=True)
class Schedule:
    kind: str  # monthly | weekly
    weekday: str | None
    time: str  # HH:MM UTC

    @property
    def cron(self) -> str:
        hour, minute = (int(part) for part in self.time.split(":"))
        if self.kind == "monthly":
            # Cron ORs day-of-month and day-of-week when both are set, so "15-21 * 2" would fire on
            # every Tuesday too: fire on days 15-21 and let the gate keep the Tuesday among them.
            return f"{minute} {hour} 15-21 * *"
        return f"{minute} {hour} * * {CRON_WEEKDAYS[self.weekday or 'monday']}"

    @property
    def description(self) -> str:
        if self.kind == "monthly":
            return f"Monthly on the Tuesday a week after Patch Tuesday (the third Tuesday) at {self.time} UTC"
        return f"Weekly on {(self.weekday or '').capitalize()} at {self.time} UTC"


@dataclass(frozen=True)
class BuildPipeline:
    """Everything the pipeline templates need for one env: settings resolved, commands built."""

    target: bc.BuildTarget
    schedule: Schedule
    poll_interval_seconds: int
    timeout_minutes: int
    keep_versions: int | None  # prune to this many versions after a build; None keeps all
    github: dict[str, Any]
    azure_devops: dict[str, Any]

    @property
    def env(self) -> str:
        return self.target.env

    @property
    def job_timeout_minutes(self) -> int:
        return self.timeout_minutes + JOB_MARGIN_MINUTES

    @property
    def start_timeout_minutes(self) -> int:
        return START_TIMEOUT_MINUTES

    @property
    def commands(self) -> dict[str, str]:
        t = self.target
        return {
            "start": bc.shell(bc.command(t, bc.Action.START)),
            "status": bc.shell(bc.command(t, bc.Action.STATUS)),
            "cancel": bc.shell(bc.command(t, bc.Action.CANCEL)),
            "output": bc.shell(bc.command(t, bc.Action.OUTPUT)),
            "state": bc.shell(bc.query_command(t, "runState")),
            "sub_state": bc.shell(bc.query_command(t, "runSubState")),
            "start_time": bc.shell(bc.query_command(t, "startTime")),
            "message": bc.shell(bc.query_command(t, "message")),
            "published": bc.shell(bc.published_command(t)),
            "template_target": bc.shell(bc.template_target_command(t)),
            "versions_by_date": bc.shell(bc.versions_by_date_command(t)),
            "newest_version": bc.shell(bc.newest_version_command(t)),
            "delete_version": bc.shell(bc.delete_version_command(t)) + ' "$version"',
        }

    @property
    def messages(self) -> dict[str, str]:
        """Why a build is refused, ready for a bash double-quoted string: the text
        escaped, with the shell expansions for what only the run knows ($deployed, $state)."""
        t = self.target

        slot = "\0"  # stands for the run-time value while the rest is escaped

        def quoted(message: str, expansion: str = "") -> str:
            return _double_quoted(message).replace(slot, expansion)

        return {
            "published": quoted(bc.already_published_message(t)),
            "not_applied": quoted(bc.not_applied_message(t, slot), "${deployed:-nothing}"),
            "unusable": quoted(bc.unusable_version_message(t, slot), "$state"),
        }


def build_pipeline(catalog: Catalog, profile: Profile) -> BuildPipeline:
    """The profile's `build` section with the defaults filled in (see profile.schema.json)."""
    target = bc.build_target(catalog, profile)
    build = profile.build or {}
    github = build.get("github") or {}
    azure_devops = build.get("azure_devops") or {}
    return BuildPipeline(
        target=target,
        schedule=Schedule(build.get("schedule", DEFAULT_SCHEDULE), build.get("weekday"), build.get("time", "02:00")),
        poll_interval_seconds=build.get("poll_interval_seconds", 60),
        timeout_minutes=build.get("timeout_minutes", target.build_timeout_minutes + TIMEOUT_MARGIN_MINUTES),
        keep_versions=build.get("keep_versions"),
        github={
            "environment": github.get("environment"),
            "runs_on": github.get("runs_on", "ubuntu-latest"),
            "identity_source": github.get("identity_source", "vars"),
            "client_id": github.get("client_id", "AZURE_CLIENT_ID"),
            "tenant_id": github.get("tenant_id", "AZURE_TENANT_ID"),
            "subscription_id": github.get("subscription_id", "AZURE_SUBSCRIPTION_ID"),
        },
        azure_devops={
            "service_connection": azure_devops.get("service_connection", f"avd-golden-image-{profile.name}"),
            "branch": azure_devops.get("branch", "main"),
            "vm_image": azure_devops.get("vm_image", "ubuntu-latest"),
        },
    )


def build_pipelines(catalogs: list[Catalog]) -> list[BuildPipeline]:
    """One per env profile that builds its golden image (enabled, not promoted), in profile order."""
    catalog = root_catalog(catalogs)
    return [build_pipeline(catalog, p) for p in catalog.profiles if bc.builds_here(catalog, p)]


@dataclass(frozen=True)
class RolloutPipeline:
    """Everything the rollout templates need for one env."""

    env: str
    pilot: bool  # a pilot job first, then the rollout after a second approval
    after_build: bool  # the env builds its own image: also run after a successful build
    newest_version: str | None  # for hosts on the newest version: the az command finding it
    backend_key: str
    secrets: tuple[str, ...]  # sensitive variables: TF_VAR_<name> from the secret <NAME>
    github: dict[str, Any]
    azure_devops: dict[str, Any]

    @property
    def rollout_command(self) -> str:
        return f"avdgen rollout {self.env} --run" + (' --to "$version"' if self.newest_version else "")


def rollout_pipeline(catalog: Catalog, profile: Profile) -> RolloutPipeline:
    rollout = profile.rollout or {}
    github = rollout.get("github") or {}
    azure_devops = rollout.get("azure_devops") or {}
    tfvars = profile.tfvars
    builds = bc.builds_here(catalog, profile)
    pinned = tfvars.get("pin_golden_image_version", catalog.variable("pin_golden_image_version").default)
    pilots = int(tfvars.get("pilot_session_host_count", catalog.variable("pilot_session_host_count").default))
    return RolloutPipeline(
        env=profile.name,
        pilot=pilots > 0,
        after_build=builds,
        newest_version=None if pinned or not builds else bc.shell(bc.newest_version_command(bc.build_target(catalog, profile))),
        backend_key=str((profile.backend or {}).get("example", {}).get("key", f"avd-{profile.name}.terraform.tfstate")),
        secrets=tuple(v.name for v in catalog.variables if v.sensitive),
        github={"environment": github.get("environment", f"avd-{profile.name}"), "runs_on": github.get("runs_on", "ubuntu-latest")},
        azure_devops={
            "environment": azure_devops.get("environment", f"avd-{profile.name}"),
            "service_connection": azure_devops.get("service_connection", f"avd-{profile.name}-rollout"),
            "vm_image": azure_devops.get("vm_image", "ubuntu-latest"),
        },
    )


def rollout_pipelines(catalogs: list[Catalog]) -> list[RolloutPipeline]:
    """One per env profile with a `rollout` section and remote state (a CI job has no local state)."""
    catalog = root_catalog(catalogs)
    return [rollout_pipeline(catalog, p) for p in catalog.profiles if p.rollout is not None and p.backend]


@dataclass(frozen=True)
class ActionPin:
    """One GitHub Action of catalog/pipelines.yaml: `name` (owner/repo) at `commit`, release `tag`."""

    name: str
    tag: str
    commit: str

    @property
    def uses(self) -> str:
        """The `uses:` value with its tag as a YAML comment, as zizmor and Dependabot read it."""
        return f"{self.name}@{self.commit} # {self.tag}"


@cache
def pipelines_schema() -> dict[str, Any]:
    return json.loads(resources.files("generator.ops").joinpath("pipelines.schema.json").read_text())


def load_action_pins(root: Path) -> dict[str, ActionPin]:
    """catalog/pipelines.yaml's `actions:`, checked; errors are `file:line: key.path: message`."""
    data, report = read_yaml(root / PIPELINES_FILE, root, "pipeline settings")
    check_schema(data, pipelines_schema(), report)
    report.raise_if_any("pipeline settings")
    return {name: ActionPin(name, pin["tag"], pin["commit"]) for name, pin in data["actions"].items()}


def _action_filter(pins: dict[str, ActionPin]):
    def action(name: str) -> str:
        if name not in pins:
            # Reported by _render as `templates/<file>: <message>`.
            raise jinja2.UndefinedError(f"action {name!r} has no pin in {PIPELINES_FILE.as_posix()} (pinned: {', '.join(sorted(pins))})")
        return pins[name].uses

    return action


def _github_expression(expression: str) -> str:
    return "${{ " + expression + " }}"


def _double_quoted(text: str) -> str:
    """Text safe inside a bash double-quoted string."""
    return re.sub(r'([\\"$`])', r"\\\1", text)


def _environment(root: Path) -> jinja2.Environment:
    env = environment(root / "templates")
    env.filters["action"] = _action_filter(load_action_pins(root))
    env.filters["yaml"] = json.dumps  # a JSON string is a valid YAML flow scalar
    env.filters["gha"] = _github_expression  # ${{ }} would otherwise be Jinja's
    env.filters["dq"] = _double_quoted
    return env


def _render(pipelines: list, root: Path, template: str, path_pattern: str) -> dict[PurePosixPath, str]:
    if not pipelines:
        return {}  # nothing to render needs catalog/pipelines.yaml
    name = f"{TEMPLATES}/{template}"
    env = _environment(root)
    files: dict[PurePosixPath, str] = {}
    for pipeline in pipelines:
        target = PurePosixPath(path_pattern.format(env=pipeline.env))
        try:
            body = env.get_template(name).render(p=pipeline)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"templates/{exc.name or name}:{exc.lineno}: {exc.message}") from None
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"templates/{name}: {exc.message}") from None
        files[target] = header_for(target, f"templates/{name}") + body.lstrip("\n")
    return files


def render_github_workflows(catalogs: list[Catalog], root: Path) -> dict[PurePosixPath, str]:
    return {
        **_render(build_pipelines(catalogs), root, "github-workflow.yml.j2", ".github/workflows/golden-image-{env}.yml"),
        **_render(rollout_pipelines(catalogs), root, "github-rollout.yml.j2", ".github/workflows/rollout-{env}.yml"),
    }


def render_azure_pipelines(catalogs: list[Catalog], root: Path) -> dict[PurePosixPath, str]:
    return {
        **_render(build_pipelines(catalogs), root, "azure-pipelines.yml.j2", "pipelines/azure-pipelines-golden-image-{env}.yml"),
        **_render(rollout_pipelines(catalogs), root, "azure-rollout.yml.j2", "pipelines/azure-pipelines-rollout-{env}.yml"),
    }


GITHUB_WORKFLOWS = Artifact(PurePosixPath(".github/workflows"), render_github_workflows)
AZURE_PIPELINES = Artifact(PurePosixPath("pipelines"), render_azure_pipelines)
