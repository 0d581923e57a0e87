"""Reading a text file a user wrote (a catalog, a profile, a template, a tfvars file): UTF-8 or a
clear `FILE:LINE: not UTF-8 text` error (exit 2), never a UnicodeDecodeError traceback."""

from __future__ import annotations

from pathlib import Path

from .errors import GeneratorError


def not_utf8(shown: str, data: bytes, error: UnicodeDecodeError) -> GeneratorError:
    line = data.count(b"\n", 0, error.start) + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    return GeneratorError(f"{shown}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x} at column {column}); save the file as UTF-8")


def read_text(path: Path, shown: str | None = None) -> str:
    """The file's text; `shown` is how messages name it (default: the path as given). OSError
    is the caller's to word (a missing file means different things to different callers)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_utf8(shown or str(path), data, error) from None
