"""Compare rendered files with the tree, and write them: staged first, then moved into place.

Each rendered file is classified create / identical / update; a generated file under a module
directory that is no longer rendered is `extra` (deleted on write). A file without the generated
header is never overwritten. All files are written into a staging directory first; only when every
file is staged are they moved into place with os.replace, so an interrupted render leaves the old
tree as it was.
"""

from __future__ import annotations

import difflib
import enum
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import GeneratorError, UnmanagedFileError
from .templates import has_header

SKIPPED_DIRS = {".terraform", ".git", "__pycache__"}


class WriteMode(enum.Enum):
    WRITE = "write"
    CHECK = "check"  # report drift, write nothing
    DIFF = "diff"  # print a unified diff, write nothing


class Kind(enum.Enum):
    CREATE = "create"
    IDENTICAL = "identical"
    UPDATE = "update"
    EXTRA = "extra"


@dataclass(frozen=True)
class Change:
    path: PurePosixPath
    kind: Kind
    old: str | None
    new: str | None

    @property
    def drifted(self) -> bool:
        return self.kind is not Kind.IDENTICAL

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                (self.old or "").splitlines(keepends=True),
                (self.new or "").splitlines(keepends=True),
                fromfile=f"a/{self.path}" if self.old is not None else "/dev/null",
                tofile=f"b/{self.path}" if self.new is not None else "/dev/null",
            )
        )


def _generated_files(root: Path, managed_dir: PurePosixPath) -> list[PurePosixPath]:
    base = root / managed_dir
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        # Dot-directories are tools' (.terraform, avdgen's own staging and plan copies).
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            try:
                with path.open(encoding="utf-8") as handle:
                    first = handle.readline()
            except (UnicodeDecodeError, OSError):
                continue
            if has_header(first):
                found.append(PurePosixPath(path.relative_to(root).as_posix()))
    return found


def classify(root: Path, rendered: dict[PurePosixPath, str], managed_dirs: list[PurePosixPath]) -> list[Change]:
    changes = []
    for path, text in sorted(rendered.items()):
        target = root / path
        if not target.exists():
            changes.append(Change(path, Kind.CREATE, None, text))
            continue
        try:
            old = target.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            old = ""  # not text we wrote: treated as hand-written below
        if not has_header(old):
            raise UnmanagedFileError(
                f"{path} exists and has no generated-file header: refusing to overwrite a hand-written file",
                ["move it away, or delete it if it should be generated"],
            )
        changes.append(Change(path, Kind.IDENTICAL if old == text else Kind.UPDATE, old, text))
    for managed in managed_dirs:
        for path in _generated_files(root, managed):
            if path not in rendered:
                changes.append(Change(path, Kind.EXTRA, (root / path).read_text(encoding="utf-8"), None))
    return changes


def _stage_file(staging: Path, path: PurePosixPath, text: str) -> None:
    dest = staging / path
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")


def apply(root: Path, changes: list[Change]) -> None:
    """Write creates/updates and delete extras; nothing in the tree changes until all are staged."""
    pending = [c for c in changes if c.kind in (Kind.CREATE, Kind.UPDATE)]
    extras = [c for c in changes if c.kind is Kind.EXTRA]
    if not pending and not extras:
        return
    # The staging directory sits inside the root so os.replace never crosses a filesystem.
    staging = Path(tempfile.mkdtemp(prefix=".avdgen-staging-", dir=root))
    try:
        try:
            for change in pending:
                _stage_file(staging, change.path, change.new or "")
        except OSError as exc:
            raise GeneratorError(f"cannot stage {change.path}: {exc.strerror or exc}; nothing in the tree was changed") from None
        for change in pending:
            (root / change.path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / change.path, root / change.path)
        for change in extras:
            (root / change.path).unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
