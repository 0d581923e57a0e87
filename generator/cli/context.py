"""What every command shares: the project root it works on, and the exit codes of the tree commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..catalog.load import find_root
from ..errors import GeneratorError
from ..render.writer import recover

EXIT_CODES = """\b
Exit codes:
  0  up to date, or written
  1  drift found (--check), or lint findings
  2  bad input: broken catalog, template error, hand-written file in the way, missing terraform
  130/143  interrupted (Ctrl-C / SIGTERM), after cleaning up"""


class Context:
    def __init__(self, root: Path | None):
        self._root = root
        self._found: Path | None = None

    @property
    def root(self) -> Path:
        """The project root, after finishing a render that was interrupted in it (so no command
        reads or writes a half-written tree), saying so on stderr."""
        if self._found is None:
            found = find_root(self._root)
            for line in recover(found):
                click.echo(f"avdgen: {line}", err=True)
            self._found = found
        return self._found


def recover_project_of(path: Path) -> None:
    """Before planning a directory of an avdgen project (envs/dev, a module example), finish a
    render that was interrupted in it; a directory outside any project is left as it is."""
    try:
        root = find_root(path.resolve())
    except GeneratorError:
        return
    for line in recover(root):
        click.echo(f"avdgen: {line}", err=True)


def format_option(f):
    """`--format text|json`: findings as lines, or as one JSON list for CI (like tflint and checkov)."""
    return click.option(
        "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="text: one line per finding; json: a JSON list of findings on stdout (file, line, ..., message).",
    )(f)


def echo_json(findings: list[dict]) -> None:
    import json

    click.echo(json.dumps(findings, indent=2, ensure_ascii=False))
