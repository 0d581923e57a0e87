"""The project on disk: find its root, and run the render pipeline (catalog -> Jinja -> fmt)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .artifact import Artifact
from .catalog import Catalog, load_catalogs
from .errors import GeneratorError
from .pipelines import AZURE_PIPELINES, GITHUB_WORKFLOWS
from .render import render_module
from .terraform import fmt_files
from .tfvars_schema import TFVARS_SCHEMAS
from .write import Change, classify


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding both catalog/ and templates/."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "catalog").is_dir() and (candidate / "templates").is_dir():
            return candidate
    raise GeneratorError(f"no avdgen project at or above {here} (looked for catalog/ and templates/); pass --root")


# Generated files beyond modules/ and envs/ (each defined in its own module; see artifact.py).
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
    return Rendered(catalogs, fmt_files(files))


def render_changes(root: Path) -> list[Change]:
    """Render the project and compare it with the tree: one change per generated file (see
    write.classify); write.apply writes the drifted ones."""
    rendered = render_project(root)
    return classify(root, rendered.files, rendered.managed_dirs)
