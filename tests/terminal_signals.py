"""Children that get Ctrl-C as from a terminal, however pytest itself was started."""

from __future__ import annotations

import signal


def sigint_as_in_a_terminal() -> None:
    """preexec_fn: a background job of a shell script ignores SIGINT, its children inherit
    that, and avdgen rightly leaves an ignored SIGINT ignored; the tests of Ctrl-C mean a
    terminal's, so the child starts with the default handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
