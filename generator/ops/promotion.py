"""Promotion and rollback of the pinned golden image version of an env.

The pinned version lives in `catalog/envs/<env>.yaml` (`golden_image.image_version`); it is edited
in place as text, so comments and layout stay and the diff is one line. Every pin is recorded in
the image's version history, `catalog/images/<image definition>.CHANGELOG.md` (newest first, as
the seed's "Document Image Versions" suggests): promotions push a version, rollbacks pop one, so
`avdgen rollback` always returns to the version that was pinned before the current one.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..catalog.load import env_profile, load_catalogs
from ..catalog.model import Catalog, Profile, profile_object
from ..errors import GeneratorError
from ..render.writer import Change as FileChange
from ..render.writer import apply
from .tree import render_changes

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_INT32 = 2_147_483_647
_ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})\n+(?P<kind>Pinned|Promoted|Rolled back)\b[^\n]*", re.M)
HISTORY_HEADER = """# Golden image {image}: version history

The versions pinned for envs/{env}, newest first. `avdgen promote` and `avdgen rollback` add
entries; add notes (applications, updates, fixes) under an entry as you like.
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
    def pinned(self) -> str:
        return str(profile_object(self.catalog, self.profile, "golden_image")["image_version"])

    @property
    def image(self) -> str:
        return self.profile.tfvars["golden_image"]["image_definition_name"]

    def history_path(self, root: Path) -> Path:
        return root / "catalog" / "images" / f"{self.image}.CHANGELOG.md"


def find_env(catalogs: list[Catalog], name: str) -> Env:
    catalog, profile = env_profile(catalogs, name)
    if not profile.tfvars.get("enable_golden_image", True) or "golden_image" not in profile.tfvars:
        raise PromotionError(f"env {name!r} has no golden image (enable_golden_image is false or golden_image is unset in {profile.path.name})")
    return Env(catalog, profile)


# --- the profile's pinned version, edited as text ---------------------------------------------


def set_pinned_version(profile_text: str, version: str) -> str:
    """`profile_text` with tfvars.golden_image.image_version set to `version`, nothing else."""
    root = yaml.compose(profile_text, Loader=yaml.SafeLoader)
    golden = _child(_child(root, "tfvars"), "golden_image")
    if golden is None:
        raise PromotionError("the profile has no tfvars.golden_image mapping")
    lines = profile_text.splitlines(keepends=True)
    for key, value in golden.value:
        if key.value == "image_version":
            line = value.start_mark.line
            text = lines[line]
            lines[line] = text[: value.start_mark.column] + version + text[value.end_mark.column:]
            return "".join(lines)
    # No image_version yet (the module default applies): add it as the mapping's first key.
    first_key = golden.value[0][0]
    indent = " " * first_key.start_mark.column
    lines.insert(first_key.start_mark.line, f"{indent}image_version: {version}\n")
    return "".join(lines)


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for k, value in node.value if k.value == key), None)


# --- the version history ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    version: str
    date: str
    kind: str  # Pinned | Promoted | Rolled back


def read_history(path: Path) -> list[Entry]:
    """Entries, oldest first."""
    if not path.exists():
        return []
    entries = [Entry(m["version"], m["date"], m["kind"]) for m in _ENTRY.finditer(path.read_text(encoding="utf-8"))]
    return list(reversed(entries))


def pin_stack(entries: list[Entry]) -> list[str]:
    """Replay the history: pins and promotions push a version, a rollback pops the top."""
    stack: list[str] = []
    for entry in entries:
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
    text = path.read_text(encoding="utf-8") if path.exists() else HISTORY_HEADER.format(image=env.image, env=env.profile.name)
    entry = f"## [{version}] - {today}\n\n{line}\n\n"
    first = text.find("\n## [")
    return text + ("\n" if not text.endswith("\n\n") else "") + entry if first < 0 else text[: first + 1] + entry + text[first + 1:]


# --- promote / rollback -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    env: str
    old: str
    new: str
    files: dict[Path, str]  # path -> new text, profile and history


def _today() -> str:
    return datetime.date.today().isoformat()


def plan_promotion(root: Path, source: str, target: str, version: str, today: str | None = None) -> Change:
    parse_version(version)
    catalogs = load_catalogs(root)
    env = find_env(catalogs, target)
    find_env(catalogs, source)  # the source env must exist and build images
    current = env.pinned
    if parse_version(version) <= parse_version(current):
        raise PromotionError(f"{target} pins {current}; promote a newer version than that (or use `avdgen rollback {target}`)")
    history = env.history_path(root)
    files = {
        env.profile.path: set_pinned_version(env.profile.path.read_text(encoding="utf-8"), version),
        history: add_entry(history, env, version, f"Promoted from {source} (was {current}).", today or _today()),
    }
    return Change(target, current, version, files)


def plan_rollback(root: Path, target: str, today: str | None = None) -> Change:
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
    files = {
        env.profile.path: set_pinned_version(env.profile.path.read_text(encoding="utf-8"), previous),
        history: add_entry(history, env, previous, f"Rolled back from {current}.", today or _today()),
    }
    return Change(target, current, previous, files)


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
