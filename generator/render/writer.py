"""Compare rendered files with the tree, and write them as one transaction.

Each rendered file is classified create / identical / update; a generated file under a module
directory that is no longer rendered is `extra` (deleted on write). A file without the generated
header is never overwritten.

A write is all or nothing, even when the process is killed part-way (issue 14):
1. every target directory is checked for writability (nothing is touched when one is not);
2. every new file is written into a staging directory inside the root (so os.replace never
   crosses a filesystem);
3. a journal (`.avdgen-render-journal.json`: the staged files with their sha256, the files to
   delete) is renamed into place: the commit point;
4. the staged files are moved into place and the extras deleted, then the journal is removed.
A render killed before 3 left the tree as it was (its staging directory is removed later); one
killed after 3 is finished by the next avdgen command (`recover`), which rolls it forward. A lock
file keeps a recovery from finishing a render that is still running. This survives the death of
the process, not of the machine (the staged files are not fsynced: the tree is in git).
"""

from __future__ import annotations

import contextlib
import difflib
import enum
import fcntl
import hashlib
import json
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import GeneratorError, UnmanagedFileError
from .templates import has_header, template_of

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
            if has_header(first) and not _a_copy_of_an_example(name, first):
                found.append(PurePosixPath(path.relative_to(root).as_posix()))
    return found


def _a_copy_of_an_example(name: str, header: str) -> bool:
    """A user's backend.hcl copied from backend.hcl.example keeps the example's header: it is the
    user's file, never a stale generated one to delete (issue 14)."""
    template = template_of(header)
    return template is not None and template.endswith(".example.j2") and not name.endswith(".example")


def classify(root: Path, rendered: dict[PurePosixPath, str], managed_dirs: list[PurePosixPath]) -> list[Change]:
    changes = []
    for path, text in sorted(rendered.items()):
        target = root / path
        if target.is_dir():
            raise UnmanagedFileError(f"{path} is a directory, where render writes a file", ["move it away"])
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
                # surrogateescape: the bytes as they are (the journal compares their sha256).
                changes.append(Change(path, Kind.EXTRA, (root / path).read_bytes().decode("utf-8", "surrogateescape"), None))
    return changes


JOURNAL = ".avdgen-render-journal.json"
LOCK = ".avdgen-render.lock"
STAGING_PREFIX = ".avdgen-staging-"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        return _sha256(path.read_bytes())
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def _locked(root: Path):
    """One writer (or recovery) of the tree at a time; the kernel drops the lock of a killed process."""
    try:
        handle = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise GeneratorError(f"cannot write in {root}: {exc.strerror}; nothing in the tree was changed") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


@contextlib.contextmanager
def _signals_deferred():
    """Ctrl-C / SIGTERM wait until the commit phase is over (milliseconds), so an interrupt
    never needs a recovery. SIGKILL cannot wait; the journal covers it."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _unwritable(root: Path, paths: list[PurePosixPath]) -> list[str]:
    """The targets whose directory (or the nearest one that exists) is not writable, and targets
    that are directories; checked before anything is staged, so a refusal changes nothing."""
    writable: dict[Path, bool] = {}

    def denied(directory: Path) -> bool:
        if directory not in writable:
            writable[directory] = os.access(directory, os.W_OK | os.X_OK)
        return not writable[directory]

    problems = [f"{root}/ is not writable"] if denied(root) else []
    for path in paths:
        target = root / path
        if target.is_dir():
            problems.append(f"{path} is a directory")
            continue
        directory = target.parent
        while not directory.exists():
            directory = directory.parent
        if denied(directory):
            problems.append(f"{path}: {directory.relative_to(root).as_posix()}/ is not writable")
    return problems


def _stage_file(staging: Path, path: PurePosixPath, text: str) -> None:
    dest = staging / path
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")


def apply(root: Path, changes: list[Change]) -> None:
    """Write creates/updates and delete extras, as one transaction (see the module docstring)."""
    pending = [c for c in changes if c.kind in (Kind.CREATE, Kind.UPDATE)]
    extras = [c for c in changes if c.kind is Kind.EXTRA]
    if not pending and not extras:
        return
    problems = _unwritable(root, [c.path for c in pending + extras])
    if problems:
        raise GeneratorError("cannot write the rendered tree; nothing in it was changed", problems)
    with _locked(root):
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
        committed = False
        try:
            try:
                for change in pending:
                    _stage_file(staging, change.path, change.new or "")
            except OSError as exc:
                raise GeneratorError(f"cannot stage {change.path}: {exc.strerror or exc}; nothing in the tree was changed") from None
            journal = {
                "staging": staging.name,
                "writes": [{"path": str(c.path), "sha256": _sha256((c.new or "").encode("utf-8"))} for c in pending],
                "deletes": [{"path": str(c.path), "sha256": _sha256((c.old or "").encode("utf-8", "surrogateescape"))} for c in extras],
            }
            with _signals_deferred():
                _commit_journal(root, staging, journal)
                committed = True
                try:
                    _roll_forward(root, journal)
                except OSError as exc:
                    raise GeneratorError(f"the render stopped part-way: {exc}", ["the next avdgen command finishes it from its journal, once the cause is fixed"]) from None
        finally:
            if not committed:
                shutil.rmtree(staging, ignore_errors=True)


def _commit_journal(root: Path, staging: Path, journal: dict) -> None:
    tmp = staging / "journal.json"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(journal, handle, indent=1)
    os.replace(tmp, root / JOURNAL)


class _Unfinishable(Exception):
    pass


def _roll_forward(root: Path, journal: dict) -> list[str]:
    """Finish a committed write. Every step can be repeated, so a recovery that is itself killed
    is finished by the next one. Returns the files left in place of a delete, edited since."""
    staging = root / journal["staging"]
    for entry in journal["writes"]:
        staged, target = staging / entry["path"], root / entry["path"]
        if staged.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        elif _file_sha256(target) != entry["sha256"]:
            raise _Unfinishable(entry["path"])
    kept = []
    for entry in journal["deletes"]:
        target = root / entry["path"]
        digest = _file_sha256(target)
        if digest == entry["sha256"]:
            target.unlink()
        elif digest is not None:
            kept.append(entry["path"])  # edited after the render: not ours to delete any more
    shutil.rmtree(staging, ignore_errors=True)
    (root / JOURNAL).unlink()
    return kept


def _strays(root: Path) -> list[Path]:
    return sorted(p for p in root.glob(STAGING_PREFIX + "*") if p.is_dir())


def recover(root: Path) -> list[str]:
    """Finish a render that was killed after its commit point, and remove what one killed before
    it left behind. Returns what was done, a line each, for the caller to print ([] if nothing)."""
    journal_path = root / JOURNAL
    if not journal_path.exists() and not _strays(root):
        return []  # the common case: no lock taken, so a read-only checkout works
    again = [f"run `avdgen render` to write the whole tree again, then delete {JOURNAL}"]
    done = []
    with _locked(root):  # waits for a render that is still running
        if journal_path.exists():
            try:
                journal = json.loads(journal_path.read_text(encoding="utf-8"))
                files = len(journal["writes"]) + len(journal["deletes"])
                kept = _roll_forward(root, journal)
            except _Unfinishable as exc:
                raise GeneratorError(f"an interrupted render cannot be finished: {exc} is neither the staged nor the rendered file", again) from None
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise GeneratorError(f"{JOURNAL}: cannot finish the interrupted render it describes: {exc}", again) from None
            done.append(f"finished an interrupted render ({files} file(s))")
            done += [f"  kept {path}: edited after the render that deletes it" for path in kept]
        for stray in _strays(root):
            shutil.rmtree(stray, ignore_errors=True)
            done.append(f"removed {stray.name}/ of a render interrupted before it changed anything")
    return done
