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


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM (generator/__main__.py raises it from its signal handlers). A
    KeyboardInterrupt, so code that stops cleanly on Ctrl-C does the same on SIGTERM; it unwinds
    through every `with`/`finally` on its way out. Exit code 128 + the signal number."""

    def __init__(self, signum: int):
        import signal

        self.signal_name = signal.Signals(signum).name
        self.exit_code = 128 + signum
        super().__init__(self.signal_name)


def interrupted_exit(error: KeyboardInterrupt) -> tuple[int, str]:
    """(exit code, message) for an interrupt: Ctrl-C's own KeyboardInterrupt counts as SIGINT."""
    if isinstance(error, Interrupted):
        return error.exit_code, f"avdgen: interrupted ({error.signal_name})"
    return 130, "avdgen: interrupted (SIGINT)"
