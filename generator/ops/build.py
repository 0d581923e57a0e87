"""The Azure CLI commands that start, follow, cancel and read an env's golden image build.

One place knows which Image Builder template an env profile builds (`build_target`): the
`avdgen build` command prints or runs these commands (`run`, with the checks the pipelines make
before a start), and the scheduled pipelines (pipelines.py) embed the same ones.
"""

from __future__ import annotations

import enum
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..catalog.load import env_profile, load_catalogs
from ..catalog.model import Catalog, Profile, profile_object
from ..errors import GeneratorError

# What the service makes of golden_image.build_timeout_minutes = 0.
DEFAULT_BUILD_TIMEOUT_MINUTES = 240

# lastRunStatus runState/runSubState values (Microsoft.VirtualMachineImages 2024-02-01), with the
# seed's "Build Status States" timings; the seed's Replicating is part of Distributing in the API.
STATES_HELP = """\b
lastRunStatus states (`status`):
  state               subState      meaning
  Running             Queued        accepted, waiting for capacity
  Running             Validating    validating the template and source image
  Running             Building      temporary VM up, customizers running (30-60 min)
  Running             Customizing   customizers running
  Running             Optimizing    optimizing the image
  Running             Distributing  sysprep, publishing and replicating (10-20 min + 5-10 per region)
  Canceling           -             `cancel` was requested; wait for Canceled
  Succeeded           -             published: `output` prints the version's artifactId
  PartiallySucceeded  -             some distribution targets failed: check message
  Failed              -             see message and the customization.log in the staging RG
  Canceled            -             stopped by `cancel`
An empty state means the template has never run."""


class Action(enum.Enum):
    START = "start"
    STATUS = "status"
    CANCEL = "cancel"
    OUTPUT = "output"


@dataclass(frozen=True)
class BuildTarget:
    """The Image Builder template one env profile builds (envs/<env>'s module "golden_image")."""

    env: str
    resource_group: str
    template_name: str
    run_output_name: str
    build_timeout_minutes: int
    gallery_name: str
    image_definition: str
    image_version: str
    image_versioning: str  # pinned: every build publishes image_version; latest: numbered by Image Builder

    @property
    def pinned(self) -> bool:
        return self.image_versioning == "pinned"


def golden_image_enabled(catalog: Catalog, profile: Profile) -> bool:
    return bool(profile.tfvars.get("enable_golden_image", catalog.variable("enable_golden_image").default))


def builds_here(catalog: Catalog, profile: Profile) -> bool:
    """Whether the env has an Image Builder template: a golden image, not promoted from another env."""
    return golden_image_enabled(catalog, profile) and not profile.promote_from


def build_target(catalog: Catalog, profile: Profile) -> BuildTarget:
    """The template envs/<env> creates: the env's resource group and golden_image settings
    (the module's run output name defaults to the template name)."""
    if not golden_image_enabled(catalog, profile):
        raise GeneratorError(
            f"env {profile.name!r} has no golden image: enable_golden_image is false in catalog/envs/{profile.name}.yaml"
        )
    if profile.promote_from:
        raise GeneratorError(
            f"env {profile.name!r} builds nothing: it copies {profile.promote_from}'s published golden image versions "
            f"(promote_from in catalog/envs/{profile.name}.yaml). Build {profile.promote_from}, then "
            f"`avdgen promote --from {profile.promote_from} --to {profile.name} VERSION`"
        )
    image = profile_object(catalog, profile, "golden_image")
    timeout = image["build_timeout_minutes"]
    return BuildTarget(
        env=profile.name,
        resource_group=profile.tfvars["resource_group_name"],
        template_name=image["image_template_name"],
        run_output_name=image.get("run_output_name") or image["image_template_name"],
        build_timeout_minutes=int(timeout) or DEFAULT_BUILD_TIMEOUT_MINUTES,
        # envs/<env> creates the gallery in the env's resource group.
        gallery_name=image["gallery_name"],
        image_definition=image["image_definition_name"],
        image_version=str(image["image_version"]),
        image_versioning=image["image_versioning"],
    )


def _template(target: BuildTarget) -> list[str]:
    return ["--resource-group", target.resource_group, "--name", target.template_name]


def command(target: BuildTarget, action: Action) -> list[str]:
    """The az argv for one `avdgen build` action."""
    if action is Action.START:
        return ["az", "image", "builder", "run", *_template(target), "--no-wait"]
    if action is Action.STATUS:
        query = "{state: lastRunStatus.runState, subState: lastRunStatus.runSubState, message: lastRunStatus.message}"
        return ["az", "image", "builder", "show", *_template(target), "--query", query, "--output", "table"]
    if action is Action.CANCEL:
        return ["az", "image", "builder", "cancel", *_template(target)]
    return ["az", "image", "builder", "show-runs", *_template(target), "--output-name", target.run_output_name, "--query", "artifactId", "-o", "tsv"]


def query_command(target: BuildTarget, field: str) -> list[str]:
    """az argv printing one lastRunStatus field (runState, startTime, message) as plain text."""
    return ["az", "image", "builder", "show", *_template(target), "--query", f"lastRunStatus.{field}", "-o", "tsv"]


def template_target_command(target: BuildTarget) -> list[str]:
    """az argv printing where the deployed template distributes (its first target's galleryImageId)."""
    return ["az", "image", "builder", "show", *_template(target), "--query", "distribute[0].galleryImageId", "-o", "tsv"]


def published_command(target: BuildTarget) -> list[str]:
    """az argv printing the pinned version's provisioningState if the gallery has it, nothing if not.

    `list` with a filter rather than `show`: `show` fails both for a missing version and for a
    failed login, and only the first means "not published".
    """
    return ["az", "sig", "image-version", "list", *_definition(target), "--query", f'[?name==`"{target.image_version}"`].provisioningState', "-o", "tsv"]


def versions_by_date_command(target: BuildTarget) -> list[str]:
    """az argv printing the definition's version names, oldest published first."""
    return [
        "az", "sig", "image-version", "list", *_definition(target),
        "--query", "sort_by([], &publishingProfile.publishedDate)[].name", "-o", "tsv",
    ]


def newest_version_command(target: BuildTarget) -> list[str]:
    """az argv printing the ID of the definition's newest published version: where a build's
    version is found when its template is gone (replaced right after the build ended)."""
    return [
        "az", "sig", "image-version", "list", *_definition(target),
        "--query", "sort_by([], &publishingProfile.publishedDate)[-1].id", "-o", "tsv",
    ]


def delete_version_command(target: BuildTarget) -> list[str]:
    """az argv deleting one version; the version name is appended by the caller."""
    return ["az", "sig", "image-version", "delete", *_definition(target), "--gallery-image-version"]


def _definition(target: BuildTarget) -> list[str]:
    return ["--resource-group", target.resource_group, "--gallery-name", target.gallery_name, "--gallery-image-definition", target.image_definition]


def already_published_message(target: BuildTarget) -> str:
    return (
        f"version {target.image_version} of {target.image_definition} is already published, and "
        f"{target.template_name} publishes exactly that version (image_versioning = \"pinned\"), so a build "
        f"would fail. Pin a newer version (avdgen promote ... --to {target.env} VERSION) and apply envs/{target.env} first"
    )


def not_applied_message(target: BuildTarget, deployed: str) -> str:
    wanted = f"pins {target.image_version}" if target.pinned else "has Image Builder number the builds (image_versioning = latest)"
    return (
        f"template {target.template_name} publishes {deployed or 'nothing'}, but catalog/envs/{target.env}.yaml {wanted}: "
        f"apply envs/{target.env} first (terraform apply -target=module.golden_image)"
    )


def targets_catalog_version(target: BuildTarget, deployed: str) -> bool:
    """Whether the deployed template's distribution target is what the catalog says: the pinned
    version, or (latest) the image definition itself."""
    if target.pinned:
        return deployed.endswith(f"/versions/{target.image_version}")
    return bool(deployed) and "/versions/" not in deployed


def unusable_version_message(target: BuildTarget, state: str) -> str:
    return (
        f"version {target.image_version} of {target.image_definition} exists in state {state}, and a build cannot "
        f"publish it again: delete it ({shell(delete_version_command(target))} {target.image_version}), then build"
    )


def shell(argv: list[str]) -> str:
    return shlex.join(argv)


# --- running them (`avdgen build ENV ACTION --run`) -------------------------------------------


class BuildRefused(GeneratorError):
    """Starting the build would fail: nothing was started."""

    exit_code = 1


def env_target(root: Path, env: str) -> BuildTarget:
    """The template catalog/envs/<env>.yaml builds."""
    catalog, profile = env_profile(load_catalogs(root), env)
    return build_target(catalog, profile)


def start_note(target: BuildTarget) -> str | None:
    """What to check by hand before printing a pinned template's start command."""
    if not target.pinned:
        return None
    return (
        f"note: {target.template_name} publishes version {target.image_version}; check that the template targets it"
        f" and that it is not published yet:\n  {shell(template_target_command(target))}\n  {shell(published_command(target))}"
    )


def run(target: BuildTarget, action: Action, echo: Callable[[str], None]) -> int:
    """Run the az command of `action` (after the start checks); az's exit code. `echo` gets
    each command as it runs (`+ az ...`)."""
    argv = command(target, action)
    az = shutil.which("az")
    if az is None:
        raise GeneratorError("az (the Azure CLI) is not on PATH: install it, or run the command without --run to print it", [shell(argv)])
    # A build bound to fail (catalog not applied, pinned version taken) fails after an hour: check first.
    if action is Action.START:
        _check_target(az, target, echo)
    echo(f"+ {shell(argv)}")
    return subprocess.run([az, *argv[1:]], check=False).returncode


def published_version(target: BuildTarget, echo: Callable[[str], None]) -> str:
    """`output --run --record`: the artifact ID of the template's last run (what a build published)."""
    az = shutil.which("az")
    if az is None:
        raise GeneratorError("az (the Azure CLI) is not on PATH: install it, or run the command without --run to print it")
    artifact = _az_output(az, command(target, Action.OUTPUT), f"the run output of {target.template_name}", echo)
    if not artifact:
        raise GeneratorError(f"{target.template_name} has no published run output yet: build it first")
    return artifact


def _az_output(az: str, argv: list[str], what: str, echo: Callable[[str], None]) -> str:
    echo(f"+ {shell(argv)}")
    done = subprocess.run([az, *argv[1:]], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildRefused(f"could not read {what} (az exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout.strip()


def _check_target(az: str, target: BuildTarget, echo: Callable[[str], None]) -> None:
    """What the pipelines check before a build: the deployed template distributes where the
    catalog says (the pinned version, or the image definition), and a pinned version does not
    exist yet."""
    deployed = _az_output(az, template_target_command(target), f"template {target.template_name}", echo)
    if not targets_catalog_version(target, deployed):
        raise BuildRefused(not_applied_message(target, deployed))
    if not target.pinned:
        return
    state = _az_output(az, published_command(target), f"the versions of {target.image_definition}", echo)
    if state and state != "Succeeded":
        raise BuildRefused(unusable_version_message(target, state))
    if state:
        raise BuildRefused(already_published_message(target))
