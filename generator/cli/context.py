"""What every command shares: the project root it works on, and the exit codes of the tree commands."""

from __future__ import annotations

from pathlib import Path

from ..catalog.load import find_root

EXIT_CODES = """\b
Exit codes:
  0  up to date, or written
  1  drift found (--check), or lint findings
  2  bad input: broken catalog, template error, hand-written file in the way, missing terraform"""


class Context:
    def __init__(self, root: Path | None):
        self._root = root

    @property
    def root(self) -> Path:
        return find_root(self._root)
