"""Generated files beyond the modules' and envs' templates (tfvars schemas, pipelines), listed in ops/tree.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from ..catalog.model import Catalog


@dataclass(frozen=True)
class Artifact:
    """`render(catalogs, root)` returns {path: text}, each text starting with the generated-file
    header (templates.header_for; a JSON file carries it as a first-line "$comment"). Generated
    files under `managed_dir` that are no longer rendered are deleted by `avdgen render`."""

    managed_dir: PurePosixPath
    render: Callable[[list[Catalog], Path], dict[PurePosixPath, str]]
