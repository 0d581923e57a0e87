"""Promotion and rollback of an env's golden image version.

Promotion ships the bits that were tested: an env with `promote_from: dev` gets a copy of dev's
published version (golden_image_promoted_versions, a gallery image version whose source is dev's),
not a build of its own. The pinned version lives in `catalog/envs/<env>.yaml`
(`golden_image.image_version`); the profile is edited as text, so comments and layout stay and a
review sees a few lines. The env's session hosts keep the version they run (`session_hosts`):
a new pin replaces no host, `avdgen rollout` moves them a batch at a time.

Every pin is recorded in the image's version history, `catalog/images/<image>.CHANGELOG.md`
(newest first, as the seed's "Document Image Versions" suggests), with where a promoted copy
came from and what the build was made of: promotions push a version, rollbacks pop one, so
`avdgen rollback` returns to the version pinned before the current one (unless it was pruned).
Builds recorded there (`avdgen build ENV output --run --record`) are what an offline promotion
checks; `--run` asks Azure instead.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..catalog.load import env_profile, load_catalogs
from ..catalog.model import Catalog, Profile, profile_object
from ..errors import GeneratorError
from ..textfile import read_text
from ..render.writer import Change as FileChange
from ..render.writer import apply
from .profile_edit import flow, set_block_mapping, set_value
from .tree import render_changes

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_INT32 = 2_147_483_647
_ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})\n+(?P<kind>Pinned|Promoted|Rolled back|Built)\b[^\n]*", re.M)
HISTORY_HEADER = """# Golden image {image}: version history

The versions built, pinned or promoted for envs/{env}, newest first. `avdgen promote`, `avdgen
rollback` and `avdgen build {env} output --run --record` add entries; add notes (applications,
updates, fixes) under an entry as you like.
"""


class PromotionError(GeneratorError):
    """A promotion or rollback that would pin a wrong version; nothing was changed."""


def parse_version(text: str) -> tuple[int, int, int]:
    """A gallery image version, MAJOR.MINOR.PATCH with each part a 32-bit integer."""
    match = _VERSION.match(text)
    if not match or any(int(part) > _INT32 for part in match.groups()):
        raise PromotionError(
            f"{text!r} is not a gallery image version: use three dot-separated whole numbers, each at most {_INT32} (e.g. 1.2.0 or 2026.01.0)"
        )
    return tuple(int(part) for part in match.groups())  # type: ignore[return-value]


@dataclass(frozen=True)
class Env:
    catalog: Catalog
    profile: Profile

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def golden_image(self) -> dict:
        return profile_object(self.catalog, self.profile, "golden_image")

    @property
    def pinned(self) -> str:
        return str(self.golden_image["image_version"])

    @property
    def image(self) -> str:
        return self.profile.tfvars["golden_image"]["image_definition_name"]

    @property
    def resource_group(self) -> str:
        return self.profile.tfvars["resource_group_name"]

    @property
    def gallery_location(self) -> str:
        return self.golden_image.get("location") or self.profile.tfvars["location"]

    @property
    def promoted_versions(self) -> list[str]:
        return [str(v) for v in self.profile.tfvars.get("golden_image_promoted_versions") or []]

    def version_path(self, version: str) -> str:
        """The version's ID below the subscription (which only Azure knows)."""
        return (
            f"resourceGroups/{self.resource_group}/providers/Microsoft.Compute/galleries/{self.golden_image['gallery_name']}"
            f"/images/{self.image}/versions/{version}"
        )

    def history_path(self, root: Path) -> Path:
        return root / "catalog" / "images" / f"{self.image}.CHANGELOG.md"


def find_env(catalogs: list[Catalog], name: str) -> Env:
    catalog, profile = env_profile(catalogs, name)
    if not profile.tfvars.get("enable_golden_image", True) or "golden_image" not in profile.tfvars:
        raise PromotionError(f"env {name!r} has no golden image (enable_golden_image is false or golden_image is unset in {profile.path.name})")
    return Env(catalog, profile)


# --- the profile, edited as text --------------------------------------------------------------


def set_pinned_version(profile_text: str, version: str) -> str:
    """`profile_text` with tfvars.golden_image.image_version set to `version`, nothing else."""
    return set_value(profile_text, ("tfvars", "golden_image", "image_version"), version)


def current_hosts(env: Env) -> dict[str, dict]:
    """The env's session hosts by name, each on the version it runs: `session_hosts` when the
    profile has it, else `session_host_count` hosts on the pinned version."""
    given = env.profile.tfvars.get("session_hosts")
    if given:
        return {name: {"image_version": str((host or {}).get("image_version") or env.pinned), **{k: v for k, v in (host or {}).items() if k != "image_version"}} for name, host in given.items()}
    count = env.profile.tfvars.get("session_host_count", env.catalog.variable("session_host_count").default)
    prefix = env.profile.tfvars.get("session_host_name_prefix", env.catalog.variable("session_host_name_prefix").default)
    return {f"{prefix}-{i}": {"image_version": env.pinned} for i in range(int(count))}


def _keep_hosts(text: str, env: Env) -> str:
    """Pin every host to the version it runs now, so a new pin replaces no host in one apply:
    `avdgen rollout` then moves them, a batch at a time."""
    if env.profile.tfvars.get("session_hosts") or env.profile.tfvars.get("session_host_image_strategy", "aib_gallery") != "aib_gallery":
        return text
    return set_block_mapping(text, ("tfvars", "session_hosts"), current_hosts(env))


# --- the version history ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    version: str
    date: str
    kind: str  # Pinned | Promoted | Rolled back | Built


def read_history(path: Path) -> list[Entry]:
    """Entries, oldest first."""
    if not path.exists():
        return []
    entries = [Entry(m["version"], m["date"], m["kind"]) for m in _ENTRY.finditer(read_text(path))]
    return list(reversed(entries))


def pin_stack(entries: list[Entry]) -> list[str]:
    """Replay the history: pins and promotions push a version, a rollback pops the top (builds
    are not pins)."""
    stack: list[str] = []
    for entry in entries:
        if entry.kind == "Built":
            continue
        if entry.kind == "Rolled back":
            if stack:
                stack.pop()
            if not stack or stack[-1] != entry.version:
                stack.append(entry.version)
        else:
            stack.append(entry.version)
    return stack


def add_entry(path: Path, env: Env, version: str, line: str, today: str) -> str:
    """The history text with a new newest entry."""
    text = read_text(path) if path.exists() else HISTORY_HEADER.format(image=env.image, env=env.profile.name)
    entry = f"## [{version}] - {today}\n\n{line}\n\n"
    first = text.find("\n## [")
    return text + ("\n" if not text.endswith("\n\n") else "") + entry if first < 0 else text[: first + 1] + entry + text[first + 1:]


# --- where a version is: the recorded history, or Azure ---------------------------------------


@dataclass(frozen=True)
class Published:
    """A published gallery image version: its ID (below the subscription when only the history
    knows it), when it was published, and the regions it is replicated to (empty: not known)."""

    id: str
    published: str | None
    regions: tuple[str, ...] = ()


Lookup = Callable[[Env, str], Published]


def recorded(root: Path) -> Lookup:
    """Offline: a version exists if the env's history records it (built, pinned or promoted)."""

    def lookup(env: Env, version: str) -> Published:
        history = env.history_path(root)
        entry = next((e for e in reversed(read_history(history)) if e.version == version), None)
        if entry is None:
            known = ", ".join(dict.fromkeys(e.version for e in read_history(history))) or "none"
            raise PromotionError(
                f"{version} is not in {env.name}'s recorded versions ({history.relative_to(root)}: {known})",
                [f"record a build with `avdgen build {env.name} output --run --record`, or check Azure with --run"],
            )
        return Published(env.version_path(version), entry.date)

    return lookup


def in_azure(run: Callable[[list[str]], tuple[int, str, str]]) -> Lookup:
    """With --run: `az sig image-version show`; `run(argv)` gives (exit code, stdout, stderr)."""

    def lookup(env: Env, version: str) -> Published:
        argv = version_show_command(env, version)
        code, out, err = run(argv)
        if code != 0:
            raise PromotionError(f"{version} of {env.image} in {env.name}'s gallery could not be read (az exit {code}): {err.strip() or out.strip()}")
        found = json.loads(out)
        properties = found.get("properties") or {}
        state = properties.get("provisioningState")
        if state != "Succeeded":
            raise PromotionError(f"{version} of {env.image} in {env.name} is {state}, not Succeeded: promote a version that published")
        profile = properties.get("publishingProfile") or {}
        regions = tuple(r.get("name", "").replace(" ", "").lower() for r in profile.get("targetRegions") or [])
        return Published(found["id"], profile.get("publishedDate"), regions)

    return lookup


def version_show_command(env: Env, version: str) -> list[str]:
    return [
        "az", "sig", "image-version", "show", "--resource-group", env.resource_group, "--gallery-name", env.golden_image["gallery_name"],
        "--gallery-image-definition", env.image, "--gallery-image-version", version, "--output", "json",
    ]


# --- promote / rollback -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    env: str
    old: str
    new: str
    files: dict[Path, str]  # path -> new text, profile and history


def _today() -> str:
    return datetime.date.today().isoformat()


def build_inputs(env: Env) -> str:
    """What a build of `env` is made of, for the history of the env it is promoted to."""
    image = env.golden_image
    base = f"{image['base_image_publisher']}/{image['base_image_offer']}/{image['base_image_sku']}@{image['base_image_version']}"
    parts = [
        f"base image {base}",
        f"Windows Update {'on' if image['install_windows_updates'] else 'off'}",
        f"PowerShell modules: {', '.join(image['powershell_modules']) or 'none'}",
        f"inline scripts: {', '.join(image['inline_scripts']) or 'none'}",
        f"script URIs: {', '.join(image['script_uris']) or 'none'}",
        f"Chocolatey packages: {', '.join(image['chocolatey_packages']) or 'none'}",
    ]
    return "; ".join(parts)


def plan_promotion(root: Path, source: str, target: str, version: str, today: str | None = None, lookup: Lookup | None = None) -> Change:
    """Pin `version` of `source`'s golden image in `target`. A target with `promote_from` gets
    a copy of the source's published version (golden_image_promoted_versions); one that builds
    its own pins the number for its next build. Either way the target's session hosts stay on
    the version they run (`session_hosts`) until `avdgen rollout` moves them."""
    parse_version(version)
    if source == target:
        raise PromotionError(f"--from and --to are both {source}: promote from the env that tested the version to another one")
    catalogs = load_catalogs(root)
    env = find_env(catalogs, target)
    src = find_env(catalogs, source)  # the source env must exist and build images
    if env.profile.promote_from and env.profile.promote_from != source:
        raise PromotionError(f"{target} copies its versions from {env.profile.promote_from} (promote_from in {env.profile.path.name}), not from {source}")
    current = env.pinned
    if parse_version(version) <= parse_version(current):
        raise PromotionError(f"{target} pins {current}; promote a newer version than that (or use `avdgen rollback {target}`)")
    found = (lookup or recorded(root))(src, version)
    if found.regions and env.gallery_location.lower() not in found.regions:
        raise PromotionError(
            f"{source}'s {version} is replicated to {', '.join(found.regions)}, not to {env.gallery_location}, where {target}'s gallery is: "
            f"a copy needs its source in the gallery's region; add {env.gallery_location} to {source}'s golden_image.replication_regions and build again"
        )
    text = set_pinned_version(env.profile.path.read_text(encoding="utf-8"), version)
    line = f"Promoted from {source} (was {current})."
    if env.profile.promote_from:
        if version not in env.promoted_versions:
            text = set_value(text, ("tfvars", "golden_image_promoted_versions"), flow([*env.promoted_versions, version]))
        line += (
            f" A copy of {source}'s {found.id}" + (f", published {found.published}" if found.published else "")
            + f". {source}'s build inputs: {build_inputs(src)}."
        )
    text = _keep_hosts(text, env)
    history = env.history_path(root)
    files = {env.profile.path: text, history: add_entry(history, env, version, line, today or _today())}
    return Change(target, current, version, files)


def plan_rollback(root: Path, target: str, today: str | None = None, lookup: Lookup | None = None) -> Change:
    """Pin the version `target` had before the current one; refuse one that is gone (pruned)."""
    env = find_env(load_catalogs(root), target)
    current = env.pinned
    history = env.history_path(root)
    stack = pin_stack(read_history(history))
    if not stack:
        raise PromotionError(f"no version history for {target} in {history.relative_to(root)}: nothing to roll back to")
    if stack[-1] != current:
        raise PromotionError(
            f"{target} pins {current} but its history ({history.relative_to(root)}) says {stack[-1]}: "
            "record the current pin there (or fix catalog/envs) before rolling back"
        )
    if len(stack) < 2:
        raise PromotionError(f"{current} is the first version pinned for {target}: there is no earlier version to roll back to")
    previous = stack[-2]
    if env.profile.promote_from and previous not in env.promoted_versions:
        raise PromotionError(
            f"{previous}, the version {target} had before {current}, was pruned: it is no longer among golden_image_promoted_versions "
            f"({', '.join(env.promoted_versions)}); promote the version to return to instead"
        )
    if lookup is not None:
        lookup(env, previous)  # with --run: still in the gallery
    text = _keep_hosts(set_pinned_version(env.profile.path.read_text(encoding="utf-8"), previous), env)
    files = {env.profile.path: text, history: add_entry(history, env, previous, f"Rolled back from {current}.", today or _today())}
    return Change(target, current, previous, files)


def record_build(root: Path, env_name: str, artifact_id: str, today: str | None = None) -> Path:
    """Record a published build in the env's history (what offline promotions check)."""
    env = find_env(load_catalogs(root), env_name)
    version = artifact_id.rstrip("/").rsplit("/", 1)[-1]
    parse_version(version)
    history = env.history_path(root)
    if any(e.version == version and e.kind == "Built" for e in read_history(history)):
        return history
    write(Change(env_name, version, version, {history: add_entry(history, env, version, f"Built in {env_name}: {artifact_id}.", today or _today())}))
    return history


def write(change: Change) -> None:
    for path, text in change.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".avdgen-tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def pin(root: Path, change: Change) -> list[FileChange]:
    """Write the profile and history, then re-render; restore both if rendering fails.
    Returns the rendered files that changed."""
    originals = {path: path.read_text(encoding="utf-8") if path.exists() else None for path in change.files}
    write(change)
    try:
        changes = [c for c in render_changes(root) if c.drifted]
        apply(root, changes)
    except BaseException:
        for path, text in originals.items():
            path.unlink(missing_ok=True) if text is None else path.write_text(text, encoding="utf-8")
        raise
    return changes
