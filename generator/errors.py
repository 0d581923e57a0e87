"""Domain errors. Only generator/cli turns them into messages and exit codes (no click import here)."""

from __future__ import annotations


class GeneratorError(Exception):
    """A user-facing error: bad input, a file we refuse to touch, a missing tool. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []

    def __str__(self) -> str:
        head = super().__str__()
        return "\n".join([head, *("  " + d for d in self.details)]) if self.details else head


class CatalogError(GeneratorError):
    """The catalog YAML is malformed or inconsistent; details are `file:line: key.path: message`."""


class TemplateError(GeneratorError):
    """A template failed to render (undefined name, syntax error)."""


class TerraformError(GeneratorError):
    """The terraform binary is missing or rejected rendered text."""


class UnmanagedFileError(GeneratorError):
    """A rendered path holds a file without the generated-file header: never overwritten."""
