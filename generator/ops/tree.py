"""The generated tree as a whole: every module and env (render/), their tfvars schemas and the
build pipelines (pipelines.py), rendered, formatted and compared with the files on disk.

It sits with the day-2 operations because the pipelines it renders embed their build commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..catalog.load import expression_sites, load_catalogs
from ..catalog.model import Catalog
from ..render.artifact import Artifact
from ..errors import CatalogError, TerraformError
from ..render.format import first_invalid_expression, fmt_files
from ..render.templates import render_module
from ..render.tfvars_schema import TFVARS_SCHEMAS
from ..render.writer import Change, classify
from .pipelines import AZURE_PIPELINES, GITHUB_WORKFLOWS


# Generated files beyond the templates of modules/ and envs/ (see render/artifact.py).
ARTIFACTS: list[Artifact] = [
    GITHUB_WORKFLOWS,
    AZURE_PIPELINES,
    TFVARS_SCHEMAS,
]


@dataclass(frozen=True)
class Rendered:
    catalogs: list[Catalog]
    files: dict[PurePosixPath, str]

    @property
    def managed_dirs(self) -> list[PurePosixPath]:
        """Where stale generated files are looked for (and deleted on render)."""
        dirs = [PurePosixPath("envs") if c.kind == "root" else c.output_dirs[0] for c in self.catalogs]
        return list(dict.fromkeys(dirs + [a.managed_dir for a in ARTIFACTS]))  # each once, in order


def render_project(root: Path) -> Rendered:
    catalogs = load_catalogs(root)
    files: dict[PurePosixPath, str] = {}
    for catalog in catalogs:
        files.update(render_module(catalog, root / "templates"))
    for artifact in ARTIFACTS:
        files.update(artifact.render(catalogs, root))
    try:
        return Rendered(catalogs, fmt_files(files))
    except TerraformError:
        # Invalid HCL in rendered text usually comes from a catalog expression: name its line.
        sites = expression_sites(root)
        culprit = first_invalid_expression([expression for _, expression in sites])
        if culprit is None:
            raise
        where, message = sites[culprit[0]][0], culprit[1]
        raise CatalogError("invalid catalog", [f"{where}: not a valid HCL expression: {message}"]) from None


def render_changes(root: Path) -> list[Change]:
    """Render the project and compare it with the tree: one change per generated file (see
    render.writer.classify); render.writer.apply writes the drifted ones."""
    rendered = render_project(root)
    return classify(root, rendered.files, rendered.managed_dirs)
